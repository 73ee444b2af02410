"""The reasons a nurse reads next to each criterion, built from labels, values and units.

"Neutrophils 1.2 × 10⁹/L — needs > 1.5", "Previous oxaliplatin: no — excluded when yes",
"HER2 status is negative — applies only when HER2 status is positive".

A reason reads only the values its criterion reads (and, for a derived variable, its method
tag or the inputs it still lacks), never how a number happened to be written. It is worded in
the active language, numbers and dates as that language writes them; a recorded decision keeps
its reasons in English (screening.services records under `in_english`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.derivations import CONTEXT, Working, days_between, display
from criteria.protocol import NEVER, Condition, VariableSpec
from criteria.translations import choice_label_for
from criteria.values import shown_number, unit_display

SYMBOLS = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "eq": "=", "ne": "≠"}
_PRECISE = Decimal("0.000001")

Values = Mapping[str, object]
Variables = Mapping[str, VariableSpec]
# Whether a condition holds for a value: the evaluator's comparison, passed in.
Compare = Callable[[Condition, object], bool]


def mid_sentence(label: str) -> str:
    """ "Planned start" -> "planned start"; acronyms ("HER2 status", "CNS imaging") stay."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def plain(value: Decimal) -> str:
    """A Decimal by its numeric value only: "1.50" and "1.5" both read "1.5", "1E+2" "100".

    Reasons depend only on values, never on how a number happened to be written, so equal
    inputs always give equal reasons.
    """
    return format(value.normalize(CONTEXT), "f")


def _choice(spec: VariableSpec, value: object) -> str:
    """A choice by its label in the active language, mid-sentence ("none", "ingen"); a text
    value as it is."""
    if spec.data_type != "choice":
        return str(value).replace("_", " ")
    return mid_sentence(choice_label_for(spec, str(value)))


def _yes_no(value: object) -> str:
    return _("yes") if value else _("no")


def _day(value: object) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if isinstance(value, date) else str(value)


def _either(items: list[str], word: str) -> str:
    return f" {word} ".join(items)


def _rounded_amount(
    value: Decimal, places: int, cond: Condition | None, compare: Compare | None
) -> str:
    # `places` places, unless that rounding would seem to contradict the decision (30.004
    # shown as "30.00" next to "needs > 30"); then as many places as it takes. Rounded in
    # CONTEXT, as display() is: the caller's context must not change the text (comparisons
    # are exact).
    shown = display(value, places)
    if Decimal(shown) == value:
        return plain(value)
    if cond is None or compare is None or cond.operator not in SYMBOLS:
        return shown
    if compare(cond, Decimal(shown)) == compare(cond, value):
        return shown
    precise = value.quantize(_PRECISE, context=CONTEXT)
    return str(precise) if compare(cond, precise) == compare(cond, value) else format(value, "f")


def value_phrase(
    spec: VariableSpec,
    value: object,
    method: str | None = None,
    cond: Condition | None = None,
    compare: Compare | None = None,
) -> str:
    """A variable and its value: "Neutrophils 1.2 × 10⁹/L", "Informed consent: yes".

    `method` is given for derived values ("Cockcroft-Gault"; "" when there is no tag). A
    number is shown with the variable's places (`VariableSpec.places`: derived ones 2 unless
    the file says otherwise, entered ones as entered); with `cond` and `compare`, with enough
    places not to seem to contradict the decision on `cond`.
    """
    if spec.data_type == "boolean":
        return _("%(label)s: %(answer)s") % {"label": spec.label, "answer": _yes_no(value)}
    if spec.data_type == "choice":
        return _("%(label)s is %(choice)s") % {"label": spec.label, "choice": _choice(spec, value)}
    if value == NEVER:
        return _("%(label)s: never") % {"label": spec.label}
    if isinstance(value, Decimal):
        places = spec.places
        amount = plain(value) if places is None else _rounded_amount(value, places, cond, compare)
        amount = shown_number(amount)
    else:
        amount = _day(value)
    text = f"{spec.label} {amount}{unit_display(spec.unit)}"
    return f"{text} ({method})" if method else text


def _days(n: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", abs(n)) % {"count": abs(n)}


def _window_phrase(cond: Condition, values: Values, variables: Variables) -> str:
    first, ref = variables[cond.variable], variables[cond.other]
    a, b = values[cond.variable], values[cond.other]
    gap = days_between(a, b)  # type: ignore[arg-type]
    other = mid_sentence(ref.label)
    if gap == 0:
        where = _("is on the same day as %(label)s") % {"label": other}
    elif gap > 0:
        where = _("is %(days)s before %(label)s") % {"days": _days(gap), "label": other}
    else:
        where = _("is %(days)s after %(label)s") % {"days": _days(gap), "label": other}
    return f"{first.label} {_day(a)} {where} {_day(b)}"


def condition_text(cond: Condition, variables: Variables) -> str:
    """What a condition asks for: "> 1.5", "yes", "none or limited", "positive"."""
    op, value = cond.operator, cond.value
    spec = variables[cond.variable]
    if op in ("is_true", "is_false"):
        return _yes_no(op == "is_true")
    if op in ("in", "not_in"):
        items = _either([_choice(spec, v) for v in value], _("or"))  # type: ignore[attr-defined]
        return items if op == "in" else _("not %(items)s") % {"items": items}
    if spec.data_type == "choice":
        choice = _choice(spec, value)
        return choice if op == "eq" else _("not %(items)s") % {"items": choice}
    if op in ("within_days_before", "not_within_days_before"):
        words = {"days": value, "label": mid_sentence(variables[cond.other].label)}
        if op == "within_days_before":
            return _("less than %(days)s days before %(label)s") % words
        return _("%(days)s days or more before %(label)s") % words
    return f"{SYMBOLS[op]} {shown_number(str(value))}"


def applies_phrase(cond: Condition, variables: Variables) -> str:
    """ "HER2 status is positive" — the state an applies_if condition describes."""
    label = mid_sentence(variables[cond.variable].label)
    return _("%(label)s is %(condition)s") % {
        "label": label,
        "condition": condition_text(cond, variables),
    }


def condition_reason(
    cond: Condition, kind: str, working: Working, variables: Variables, compare: Compare
) -> str:
    """A decided comparison: "Neutrophils 1.2 × 10⁹/L — needs > 1.5"."""
    value = working.values[cond.variable]
    if cond.other:
        if value == NEVER:
            return value_phrase(variables[cond.variable], value)
        subject = _window_phrase(cond, working.values, variables)
        within = cond.operator == "within_days_before"
        asks = (_("less than %(days)s days") if within else _("%(days)s days or more")) % {
            "days": cond.value
        }
    else:
        method = working.method(cond.variable)
        subject = value_phrase(variables[cond.variable], value, method, cond, compare)
        asks = condition_text(cond, variables)
    if kind == "inclusion":
        return _("%(subject)s — needs %(asks)s") % {"subject": subject, "asks": asks}
    return _("%(subject)s — excluded when %(asks)s") % {"subject": subject, "asks": asks}


def decided_reason(
    conds: list[Condition], kind: str, working: Working, variables: Variables, compare: Compare
) -> str:
    """The reason for a decided expression: each deciding comparison's value against its rule."""
    return "; ".join(condition_reason(c, kind, working, variables, compare) for c in conds)


def unknown_reason(keys: tuple[str, ...], working: Working, variables: Variables) -> str:
    """Why an expression is undecided: variables not entered, or not derivable yet."""
    parts = []
    for key in dict.fromkeys(keys):
        spec = variables[key]
        if not spec.derivation:
            parts.append(_("%(label)s not entered yet") % {"label": spec.label})
            continue
        # Beside a derived value that could not be worked out: the inputs still missing.
        absent = [mid_sentence(variables[k].label) for k in working.lacking.get(key, ())]
        if absent:
            parts.append(
                _("%(label)s cannot be worked out yet — needs %(inputs)s")
                % {"label": spec.label, "inputs": ", ".join(absent)}
            )
        else:
            parts.append(
                _("%(label)s cannot be worked out from the values given") % {"label": spec.label}
            )
    return "; ".join(parts)


def not_applicable_reason(cond: Condition, values: Values, variables: Variables) -> str:
    """ "HER2 status is negative — applies only when HER2 status is positive": `cond` is the
    applies_if condition that is false."""
    shown = value_phrase(variables[cond.variable], values[cond.variable])
    return _("%(value)s — applies only when %(condition)s") % {
        "value": shown,
        "condition": applies_phrase(cond, variables),
    }


def first_needed_reason(keys: tuple[str, ...], variables: Variables) -> str:
    """ "needs HER2 status first" — an applies_if variable is missing."""
    labels = _either([variables[k].label for k in dict.fromkeys(keys)], _("and"))
    return _("needs %(labels)s first") % {"labels": labels}
