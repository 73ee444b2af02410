"""Criteria in words for people: "Neutrophils > 1.5 10⁹/L", "when HER2 status is positive"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from criteria.evaluator import evaluate
from criteria.exceptions import ProtocolError
from criteria.protocol import (
    Condition,
    Group,
    RuleSet,
    VariableSpec,
    condition_from_dict,
    expression_from_dict,
)
from criteria.protocol.reading import build_rules
from criteria.reasons import applies_phrase, condition_text
from criteria.results import Evaluation
from criteria.translations import label_for, note_for, rules_in_language
from criteria.values import unit_display, value_from_json

Variables = Mapping[str, VariableSpec]


def expression_in_words(expression: dict, variables: Variables) -> str:
    """An expression (JSON form) as one line; an unreadable one is shown as it is stored."""
    try:
        parsed = expression_from_dict(expression, variables)
    except Exception:  # noqa: BLE001 - a draft may hold a half-edited rule; show, never crash
        return str(expression)
    return _words(parsed, variables)


def rule_in_words(expression: dict, variables: Variables) -> str:
    """An expression as the Changes page names it: a group says which of its parts must hold
    ("any of: Creatinine ≤ 1 × ULN or Creatinine clearance > 50 mL/min")."""
    try:
        parsed = expression_from_dict(expression, variables)
    except Exception:  # noqa: BLE001 - as above
        return str(expression)
    if isinstance(parsed, Group):
        return f"{_mode_words(parsed.mode)}: {_words(parsed, variables)[1:-1]}"
    return _words(parsed, variables)


def rule_changes(old: dict, new: dict, variables: Variables) -> list[str]:
    """How a rule with a group changed, part by part, in words: "any of → all of",
    "part 3 added: …", "part 2 removed: …", "part 1 changed: … → …", a nested group's as
    "part 3.1 …". Empty when neither rule is a group (old → new says it all) or when one
    cannot be read."""
    try:
        was, now = (expression_from_dict(e, variables) for e in (old, new))
    except Exception:  # noqa: BLE001 - as above
        return []
    if not isinstance(was, Group) and not isinstance(now, Group):
        return []
    return _changes(was, now, variables, "")


def _changes(was, now, variables: Variables, where: str) -> list[str]:
    old_mode, new_mode = (e.mode if isinstance(e, Group) else "" for e in (was, now))
    old_parts, new_parts = (e.parts if isinstance(e, Group) else (e,) for e in (was, now))
    lines = []
    if old_mode != new_mode:
        switch = f"{_mode_words(old_mode)} → {_mode_words(new_mode)}"
        if where:
            switch = _("part %(part)s: %(switch)s") % {"part": where[:-1], "switch": switch}
        lines.append(switch)
    removed = [(i, p) for i, p in enumerate(old_parts, start=1) if p not in new_parts]
    added = [(i, p) for i, p in enumerate(new_parts, start=1) if p not in old_parts]
    for (_at, old_part), (at, new_part) in zip(removed, added, strict=False):
        if isinstance(old_part, Group) and isinstance(new_part, Group):
            lines += _changes(old_part, new_part, variables, f"{where}{at}.")
        else:
            words = f"{_words(old_part, variables)} → {_words(new_part, variables)}"
            lines.append(_("part %(part)s changed: %(words)s") % _said(where, at, words))
    paired = min(len(removed), len(added))
    for at, part in removed[paired:]:
        lines.append(_("part %(part)s removed: %(words)s") % _said(where, at, part, variables))
    for at, part in added[paired:]:
        lines.append(_("part %(part)s added: %(words)s") % _said(where, at, part, variables))
    return lines


def _said(where: str, at: int, part, variables: Variables | None = None) -> dict:
    words = part if variables is None else _words(part, variables)
    return {"part": f"{where}{at}", "words": words}


def _mode_words(mode: str) -> str:
    return {"all": _("all of"), "any": _("any of")}.get(mode, _("one comparison"))


def applies_if_in_words(conditions: list, variables: Variables) -> str:
    """ "when HER2 status is positive and …", or "" when the criterion always applies."""
    if not conditions:
        return ""
    try:
        parsed = [condition_from_dict(c, variables) for c in conditions]
    except Exception:  # noqa: BLE001 - as above
        return str(conditions)
    return _when([applies_phrase(c, variables) for c in parsed])


def rules_in_words(rule_set: RuleSet) -> dict[str, str]:
    """Each criterion's rule in words by code, as nurses read it beside the label: the label is
    written by people, this is generated from the rule itself, so the two can be compared."""
    words = {}
    for rule in rule_set.criteria:
        text = _words(rule.expression, rule_set.variables)
        if rule.applies_if:
            phrases = [applies_phrase(c, rule_set.variables) for c in rule.applies_if]
            text += ", " + _when(phrases)
        words[rule.code] = text
    return words


def snapshot_rules(snapshot: dict) -> RuleSet | None:
    """The rules a decision stored (its rules snapshot) as a RuleSet with its variables' and
    criteria's texts in the active language; None for a snapshot this version cannot read, so
    a page shows what was recorded without it, never fails."""
    try:
        rule_set = build_rules(
            snapshot["trial"], snapshot["version"], snapshot["variables"], snapshot["criteria"]
        )
    except (KeyError, TypeError, ValueError, ProtocolError):
        return None
    return rules_in_language(rule_set)


def evaluation_again(
    rules: RuleSet, values: Mapping[str, object], recorded: Sequence[Mapping]
) -> Evaluation | None:
    """A recorded decision evaluated again from the rules it stored (as `snapshot_rules` reads
    them in the active language) and its values (JSON form), so its reasons and workings can be
    worded for the reader. The evaluator is pure, so they give the results it recorded
    (`recorded`); None unless every criterion comes out with the status recorded, and a page
    then shows the recorded words."""
    try:
        specs = rules.variables
        typed = {k: value_from_json(specs[k], v) for k, v in values.items() if k in specs}
        evaluation = evaluate(rules, typed)
        kept = [(r["code"], r["status"]) for r in recorded]
    except Exception:  # noqa: BLE001 - a recorded decision's page shows its own words instead
        return None
    if [(r.code, r.status) for r in evaluation.results] != kept:
        return None
    return evaluation


def snapshot_labels(snapshot: dict) -> dict[str, str]:
    """Each criterion's label by code in the active language, from the rules a decision
    stored: what it showed, translated where the snapshot carries a translation."""
    try:
        return {c["code"]: label_for(c) for c in snapshot["criteria"]}
    except (KeyError, TypeError, AttributeError):
        return {}


def snapshot_notes(snapshot: dict) -> dict[str, str]:
    """Each criterion's note by code in the active language, from the rules a decision stored
    ("" for a criterion without one): a recorded result keeps its note in English."""
    try:
        return {c["code"]: note_for(c) for c in snapshot["criteria"]}
    except (KeyError, TypeError, AttributeError):
        return {}


def _when(phrases: list[str]) -> str:
    return _("when %(conditions)s") % {"conditions": f" {_('and')} ".join(phrases)}


def _words(node: Condition | Group, variables: Variables) -> str:
    if isinstance(node, Group):
        joiner = f" {_('and')} " if node.mode == "all" else f" {_('or')} "
        return "(" + joiner.join(_words(part, variables) for part in node.parts) + ")"
    spec = variables[node.variable]
    wanted = condition_text(node, variables)
    if spec.data_type == "boolean":
        return _("%(label)s: %(answer)s") % {"label": spec.label, "answer": wanted}
    if spec.data_type == "choice":
        return _("%(label)s is %(condition)s") % {"label": spec.label, "condition": wanted}
    if spec.unit and spec.data_type in ("number", "integer"):
        return f"{spec.label} {wanted} {unit_display(spec.unit).strip()}"
    return f"{spec.label} {wanted}"
