"""The same criteria written in JsonLogic, for the evaluator benchmark (not used by the app).

Each criterion becomes one JsonLogic rule returning "met", "not_met", "unknown" or
"not_applicable", translated from the RuleSet so the two cannot drift apart. JsonLogic has
no Decimal, no dates and no three-valued logic, so the data is converted first (floats, dates
as day numbers) and "unknown" is spelled out with `missing`. Derived values (age, clearance,
× ULN) are computed in Python before the JsonLogic run and are not timed: that favours
JsonLogic, whose timing covers the rules only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from criteria.derivations import derive
from criteria.protocol import Condition, CriterionRule, Expression, Group, RuleSet
from criteria.values import NEVER

_SYMBOL = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "eq": "==", "ne": "!="}


def _var(key: str) -> dict:
    return {"var": key}


def _threshold(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def _window(cond: Condition) -> dict:
    within = {"<": [{"-": [_var(cond.other), _var(cond.variable)]}, cond.value]}
    never = {"==": [_var(cond.variable), NEVER]}
    if cond.operator == "within_days_before":
        return {"if": [never, False, within]}
    return {"if": [never, True, {"!": within}]}


def condition_logic(cond: Condition) -> dict:
    op, key = cond.operator, cond.variable
    if op in _SYMBOL:
        return {_SYMBOL[op]: [_var(key), _threshold(cond.value)]}
    if op in ("is_true", "is_false"):
        return {"===": [_var(key), op == "is_true"]}
    if op in ("in", "not_in"):
        test = {"in": [_var(key), list(cond.value)]}  # type: ignore[arg-type]
        return test if op == "in" else {"!": test}
    return _window(cond)


def expression_logic(expr: Expression) -> dict:
    if isinstance(expr, Group):
        return {"and" if expr.mode == "all" else "or": [expression_logic(p) for p in expr.parts]}
    return condition_logic(expr)


def _missing(expr: Expression) -> dict:
    # A "never" date decides a window alone; otherwise every variable read must be present.
    # (Exact for single comparisons, which is all NCT01387295 uses.)
    if isinstance(expr, Condition) and expr.other:
        never = {"==": [_var(expr.variable), NEVER]}
        return {"if": [never, [], {"missing": [expr.variable, expr.other]}]}
    return {"missing": list(expr.reads)}


def criterion_logic(rule: CriterionRule) -> dict:
    """One criterion as a JsonLogic rule giving its status."""
    branches: list[Any] = []
    for cond in rule.applies_if:
        # Definitely false (present and false) -> not applicable, before any unknown.
        present = {"!": {"missing": list(cond.reads)}}
        branches += [{"and": [present, {"!": condition_logic(cond)}]}, "not_applicable"]
    for cond in rule.applies_if:
        branches += [_missing(cond), "unknown"]
    branches += [_missing(rule.expression), "unknown"]
    branches += [expression_logic(rule.expression), "met", "not_met"]
    return {"if": branches}


def rules_logic(rules: RuleSet) -> list[tuple[str, dict]]:
    """(kind, JsonLogic rule) per criterion."""
    return [(r.kind, criterion_logic(r)) for r in rules.criteria]


def to_json_data(rules: RuleSet, values: Mapping[str, object]) -> dict[str, Any]:
    """Typed values -> JsonLogic data: floats, dates as day numbers, derived values added."""
    working = dict(values)
    for key, spec in rules.variables.items():
        if spec.derivation:
            derived = derive(spec, working, rules.variables)
            if derived is not None:
                working[key] = derived.value
    data: dict[str, Any] = {}
    for key, value in working.items():
        if isinstance(value, Decimal):
            data[key] = float(value)
        elif isinstance(value, date):
            data[key] = value.toordinal()
        elif value is not None:
            data[key] = value
    return data


def outcome_of(kinds_and_statuses: list[tuple[str, str]]) -> str:
    """The same outcome rule as criteria.evaluator, over JsonLogic's statuses."""
    fail = any(
        (k == "inclusion") == (s == "not_met") and s in ("met", "not_met")
        for k, s in kinds_and_statuses
    )
    if fail:
        return "ineligible"
    return "incomplete" if any(s == "unknown" for _, s in kinds_and_statuses) else "eligible"
