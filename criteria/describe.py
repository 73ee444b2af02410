"""Criteria in words for people: "Neutrophils > 1.5 10⁹/L", "when HER2 status is positive"."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from criteria.exceptions import ProtocolError
from criteria.jsonform import build_rules
from criteria.reasons import applies_phrase, condition_text
from criteria.rules import (
    Condition,
    Group,
    RuleSet,
    VariableSpec,
    condition_from_dict,
    expression_from_dict,
)
from criteria.values import unit_display

Variables = Mapping[str, VariableSpec]


def expression_in_words(expression: dict, variables: Variables) -> str:
    """An expression (JSON form) as one line; an unreadable one is shown as it is stored."""
    try:
        parsed = expression_from_dict(expression, variables)
    except Exception:  # noqa: BLE001 - a draft may hold a half-edited rule; show, never crash
        return str(expression)
    return _words(parsed, variables)


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


def snapshot_in_words(snapshot: dict) -> dict[str, str]:
    """`rules_in_words` of the rules a decision stored (its rules snapshot); {} for a snapshot
    this version cannot read, so a page shows the label and reason without it, never fails."""
    try:
        rule_set = build_rules(
            snapshot["trial"], snapshot["version"], snapshot["variables"], snapshot["criteria"]
        )
    except (KeyError, TypeError, ValueError, ProtocolError):
        return {}
    return rules_in_words(rule_set)


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
