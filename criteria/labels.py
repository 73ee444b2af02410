"""Whether a criterion's label and wording still agree with its rule's thresholds.

Nurses read the label; the evaluator reads the rule. When a threshold changes (LVEF 50 -> 55)
and the label still says "LVEF at least 50%", the two disagree silently. Labels also name
numbers that are no thresholds at all ("grade 2", "28 days", "× 10⁹/L", "RECIST 1.1"), so a
label is not required to name only thresholds. The rules, as documented in
docs/criteria-admin.md:

- refused: a label or wording that names a number which was a threshold of the criterion's
  earlier rule and is no threshold of its new rule (the old threshold left behind);
- flagged, not refused: a label of a rule with numeric thresholds that names a number which
  is none of them, nor one of its variables' plausible bounds ("ECOG 0–1": 0 is the scale's
  lowest value). The admin reads the flag on the set and Changes pages.

A number followed by "week(s)" or "year(s)" also counts as that many days ("4 weeks" = 28,
"1 year" = 365), since date windows count days; a number written as a power base or exponent
("10^9", "10⁹") is part of a unit and ignored. Pure: JSON-form rules in, text out; no ORM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from criteria.describe import rule_in_words
from criteria.protocol import VariableSpec

# Not part of a word or a longer number ("HER2", "E01", "10^9"), then digits with an optional
# decimal point or comma; "weeks" after it is read as well.
_NUMBER = re.compile(
    r"(?<![\w.,^])(\d+(?:[.,]\d+)?)(?![\d^⁰¹²³⁴⁵⁶⁷⁸⁹])(?:[\s-]*(weeks?|years?)\b)?",
    re.IGNORECASE,
)
_DAYS_PER = {"week": 7, "year": 365}
TEXT_FIELDS = (("label", "label"), ("protocol_wording", "wording"))


def text_numbers(text: str) -> list[tuple[str, frozenset[Decimal]]]:
    """Each number a text names: (as written, the values it may stand for)."""
    found = []
    for match in _NUMBER.finditer(text or ""):
        value = Decimal(match.group(1).replace(",", "."))  # digits only, by the pattern
        unit = (match.group(2) or "").lower().rstrip("s")
        values = {value, value * _DAYS_PER[unit]} if unit else {value}
        found.append((match.group(0).strip(), frozenset(values)))
    return found


def thresholds(rule: Mapping) -> frozenset[Decimal]:
    """The numbers a rule (JSON form: expression and applies_if) compares against."""
    found: set[Decimal] = set()
    for condition in _conditions(rule.get("expression") or {}, rule.get("applies_if") or []):
        value = condition.get("value")
        if isinstance(value, bool) or value is None or isinstance(value, list):
            continue
        try:
            found.add(Decimal(str(value)))
        except InvalidOperation:
            continue  # a choice ("positive")
    return frozenset(found)


def stale_numbers(
    text: str, *, earlier: Iterable[Mapping], rule: Mapping
) -> list[tuple[str, Decimal]]:
    """Numbers `text` names that were thresholds of an `earlier` rule and are none of `rule`'s:
    (as written, the old threshold)."""
    old = frozenset().union(*(thresholds(r) for r in earlier)) if earlier else frozenset()
    gone = old - thresholds(rule)
    return [(shown, min(values & gone)) for shown, values in text_numbers(text) if values & gone]


def stale_problems(*, earlier: list[Mapping], rule: Mapping, rule_words: str) -> dict[str, str]:
    """A message per text field ("label", "protocol_wording") that names an old threshold."""
    problems = {}
    for field, name in TEXT_FIELDS:
        stale = stale_numbers(rule.get(field, ""), earlier=earlier, rule=rule)
        if stale:
            shown = ", ".join(f"“{written}”" for written, _ in stale)
            old = ", ".join(_plain(value) for _, value in stale)
            problems[field] = (
                f"The {name} still names {shown}, but {old} is no longer a threshold of the "
                f"rule (now: {rule_words}). Change {shown} in the {name} to match the rule."
            )
    return problems


def stale_label_problems(
    pairs: Iterable[tuple[Mapping, list[Mapping]]], variables: Mapping[str, VariableSpec]
) -> list[str]:
    """`stale_problems` of each (rule, the rules it replaces), as "criterion I18: …" lines."""
    problems = []
    for rule, earlier in pairs:
        words = rule_in_words(rule["expression"], variables)
        for message in stale_problems(earlier=earlier, rule=rule, rule_words=words).values():
            problems.append(f"criterion {rule['code']}: {message}")
    return problems


def label_flags(rules: Iterable[Mapping], variables: Mapping[str, VariableSpec]) -> list[str]:
    """A note per rule whose label names numbers none of its thresholds: to check, not refused."""
    flags = []
    for rule in rules:
        unexplained = unexplained_numbers(rule, variables)
        if unexplained:
            flags.append(
                f"criterion {rule['code']}: the label names {', '.join(unexplained)}, which is "
                "none of the rule's thresholds: check that the label says what the rule does."
            )
    return flags


def unexplained_numbers(rule: Mapping, variables: Mapping[str, VariableSpec]) -> list[str]:
    """Numbers the label names that are none of the rule's thresholds or its variables'
    plausible bounds; empty for a rule without numeric thresholds."""
    own = thresholds(rule)
    if not own:
        return []
    known = own | _bounds(rule, variables)
    return [shown for shown, values in text_numbers(rule.get("label", "")) if not values & known]


def _bounds(rule: Mapping, variables: Mapping[str, VariableSpec]) -> frozenset[Decimal]:
    bounds = set()
    for condition in _conditions(rule.get("expression") or {}, rule.get("applies_if") or []):
        spec = variables.get(condition.get("variable", ""))
        if spec is not None:
            bounds.update(b for b in (spec.minimum, spec.maximum) if b is not None)
    return frozenset(Decimal(str(b)) for b in bounds)


def _conditions(expression: Mapping, applies_if: list) -> list[Mapping]:
    for mode in ("all", "any"):
        if mode in expression:
            return [c for part in expression[mode] for c in _conditions(part, [])] + applies_if
    return [expression, *applies_if]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
