"""A criterion as one FHIRPath expression over the trial's variables (`%neutrophils > 1.5`).

SDTM's TIRL and FHIR's characteristic expression both want the rule in a form a computer can
run; FHIRPath is the expression language FHIR defines, and its `implies`, `and` and `or` are
three-valued like the evaluator (an unanswered variable is empty, so the result stays unknown).
Each variable is an external constant named by its key; numbers are in the variable's
canonical unit, dates are ISO 8601 and "never" is the text 'never'.

An inclusion holds when its expression holds, or when it does not apply:
`(applies_if) implies (expression)`. An exclusion excludes when it applies and its expression
holds: `(applies_if) and (expression)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from criteria.protocol import NEVER

_COMPARISONS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "eq": "=", "ne": "!="}
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class NotExpressible(ValueError):
    """The rule uses something this module cannot write (an operator added later)."""


def criterion_expression(criterion: dict, types: Mapping[str, str]) -> str:
    """The criterion (its `as_rule_dict()` / protocol-file form) as one FHIRPath expression;
    `types` maps each variable key to its data type (a choice "2" is text, not a number)."""
    body = expression_text(criterion["expression"], types)
    conditions = [expression_text(c, types) for c in criterion.get("applies_if") or []]
    if not conditions:
        return body
    when = " and ".join(conditions)
    if criterion["kind"] == "inclusion":
        return f"({when}) implies ({body})"
    return f"{when} and ({body})"


def expression_text(expression: dict, types: Mapping[str, str]) -> str:
    """One comparison or an all/any group (the JSON form of `criteria.protocol`)."""
    for mode, joiner in (("all", " and "), ("any", " or ")):
        if mode in expression:
            return "(" + joiner.join(expression_text(p, types) for p in expression[mode]) + ")"
    return _comparison(expression, types)


def _comparison(cond: dict, types: Mapping[str, str]) -> str:
    name, operator, value = _name(cond["variable"]), cond["operator"], cond.get("value")
    numeric = types.get(cond["variable"]) in ("number", "integer")
    if operator in _COMPARISONS:
        return f"{name} {_COMPARISONS[operator]} {_literal(value, numeric)}"
    if operator in ("is_true", "is_false"):
        return f"{name} = {'true' if operator == 'is_true' else 'false'}"
    if operator in ("in", "not_in"):
        members = "(" + " | ".join(_literal(v, numeric) for v in value) + ")"
        found = f"{name} in {members}"
        return found if operator == "in" else f"({found}).not()"
    if operator in ("within_days_before", "not_within_days_before"):
        return _window(name, operator, int(value), _name(cond["other"]))
    raise NotExpressible(f"operator {operator!r} has no FHIRPath form here")


def _window(name: str, operator: str, days: int, other: str) -> str:
    # The evaluator: within when less than `days` days before the reference date, or after it;
    # a date answered "never" is never within.
    within = f"({name} != '{NEVER}' and {name} > {other} - {days} days)"
    if operator == "within_days_before":
        return within
    return f"({name} = '{NEVER}' or {name} <= {other} - {days} days)"


def _name(key: str) -> str:
    return f"%{key}" if _PLAIN_NAME.fullmatch(key) else f"%`{key}`"


def _literal(value, numeric: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if numeric:
        # Thresholds are stored as exact decimal text ("1.5"); FHIRPath reads it as a decimal.
        return str(value)
    text = str(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
