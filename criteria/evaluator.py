"""The evaluator: rules and typed values in, a frozen Evaluation out. Pure: no ORM, no clock.

`evaluate(rules, values)` reads `values`, a mapping of variable key -> typed canonical value
(Decimal in the canonical unit, int, bool, a choice str, `datetime.date`, or `NEVER`); a key
that is absent or None is "not answered". Derived variables (age, clearance, × ULN) are
computed here, never taken from `values`. Each criterion comes back `met` (its expression
holds), `not_met`, `unknown` (a needed value is missing) or `not_applicable` (an applies_if
condition is false), with a reason. The outcome is `ineligible` as soon as one applicable
inclusion is not met or one applicable exclusion is met, even while other values are
missing; `eligible` only when every criterion is decided and none fails; else `incomplete`,
with `missing` naming the entered variables still needed.

Logic is three-valued throughout: a comparison is True, False or None (a value it reads is
missing). Operators are a dict of small functions; nothing is eval-ed. Nothing is kept
between calls: the rules are read as they are every time (docs/performance.md says why that
is fast enough).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal, DecimalException
from functools import partial

from criteria import reasons
from criteria.derivations import (
    Derived,
    Working,
    days_between,
    derivation_order,
    derive,
    entered_inputs,
    shown,
)
from criteria.exceptions import ValueProblem
from criteria.protocol import NEVER, Condition, CriterionRule, Expression, Group, RuleSet, Variables
from criteria.results import (
    ELIGIBLE,
    INCOMPLETE,
    INELIGIBLE,
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    CriterionResult,
    Evaluation,
    fails,
)
from criteria.values import MOST_DIGITS, number_problem

__all__ = [
    "EVALUATOR_VERSION", "ELIGIBLE", "INCOMPLETE", "INELIGIBLE", "MET", "NOT_APPLICABLE",
    "NOT_MET", "UNKNOWN", "OPERATORS", "CriterionResult", "Evaluation", "evaluate",
]  # fmt: skip

EVALUATOR_VERSION = "1.0.0"

OPERATORS: dict[str, Callable[[object, object], bool]] = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
    "in": lambda value, allowed: value in allowed,  # type: ignore[operator]
    "not_in": lambda value, allowed: value not in allowed,  # type: ignore[operator]
    "is_true": lambda value, _: value is True,
    "is_false": lambda value, _: value is False,
}

# The classes a value of each data type may have (None: not answered). A wrong type must never
# be read as "not met": "Positive" for HER2 status would silently skip the LVEF criterion.
_TYPES = {
    "number": (Decimal, int),
    "integer": (int,),
    "boolean": (bool,),
    "choice": (str,),
    "date": (date,),
    "never": (date, str),  # a date that may be answered NEVER
}


def compare(cond: Condition, value: object) -> bool:
    """Whether `value` meets the comparison `cond` (not a date window)."""
    return OPERATORS[cond.operator](value, cond.value)


def holds(expr: Expression, values: Mapping[str, object]) -> bool | None:
    """True or False, or None while a value the expression reads is missing.

    A group is decided as soon as one part decides it (True for any-of, False for all-of),
    even while other parts are unknown.
    """
    if isinstance(expr, Group):
        decisive = expr.mode == "any"
        found = [holds(part, values) for part in expr.parts]
        if decisive in found:
            return decisive
        return None if None in found else not decisive
    value = values.get(expr.variable)
    if value is None:
        return None
    if not expr.other:
        return compare(expr, value)
    # A date window: a date answered "never" is never within, whatever the reference date; a
    # date after the reference counts as within (treatment after it is even closer to it).
    within = expr.operator == "within_days_before"
    if value == NEVER:
        return not within
    reference = values.get(expr.other)
    if reference is None:
        return None
    return (days_between(value, reference) < expr.value) is within  # type: ignore[arg-type]


def missing_keys(expr: Expression, values: Mapping[str, object]) -> tuple[str, ...]:
    """The variables whose absence leaves an undecided expression undecided."""
    if holds(expr, values) is not None:
        return ()
    if isinstance(expr, Group):
        return tuple(key for part in expr.parts for key in missing_keys(part, values))
    return tuple(key for key in expr.reads if values.get(key) is None)


def deciding_conditions(expr: Expression, values: Mapping[str, object]) -> list[Condition]:
    """The comparisons that decide a decided expression: a group's parts that agree with it."""
    if not isinstance(expr, Group):
        return [expr]
    outcome = holds(expr, values)
    parts = (part for part in expr.parts if holds(part, values) is outcome)
    return [cond for part in parts for cond in deciding_conditions(part, values)]


def _check_types(rules: RuleSet, values: Mapping[str, object]) -> None:
    """Raise ValueProblem for a value of the wrong type: a float, a str for a date, a choice
    not offered, a text other than NEVER for a date. Named: the first of the wrong class in
    the order of the variables, else the first choice not offered, else the first text."""
    wrong: list[str] = []
    not_offered: list[str] = []
    not_never: list[str] = []
    for key, spec in rules.variables.items():
        value = values.get(key)
        if value is None or spec.derivation is not None:
            continue
        if type(value) not in _TYPES["never" if spec.never_allowed else spec.data_type]:
            wrong.append(key)
        elif spec.data_type == "choice" and value not in spec.choices:
            not_offered.append(key)
        elif spec.never_allowed and type(value) is str and value != NEVER:
            not_never.append(key)
    for key in (*wrong, *not_offered, *not_never)[:1]:
        spec = rules.variables[key]
        raise ValueProblem(
            key, f"{key}: {values[key]!r} is not a {spec.data_type} value (see criteria.values)"
        )


def _form_order(rules: RuleSet, keys) -> list[str]:
    position = {key: (spec.order, i) for i, (key, spec) in enumerate(rules.variables.items())}
    return sorted(keys, key=position.__getitem__)


def _unsigned(value: object) -> object:
    """-0 as 0: they are equal, and a reason should read "0" for both."""
    if type(value) is Decimal and not value and value.is_signed():
        return Decimal(0)
    return value


def _entered(rules: RuleSet, values: Mapping[str, object]) -> dict[str, object]:
    """The entered values, checked, with every variable's key (None where not answered).

    An entered number that cannot be worked with (NaN, infinity, 1E+21 or more) raises
    ValueProblem whether or not anything reads it: the first in form order, as `missing` is,
    so the variable named is the one to correct.
    """
    _check_types(rules, values)
    working = dict.fromkeys(rules.variables)
    working.update(values)
    problems = {}
    for key, spec in rules.variables.items():
        if spec.derivation is not None:
            working[key] = None  # always computed, never taken from the input
        elif spec.data_type in ("number", "integer") and working[key] is not None:
            problem = number_problem(working[key])  # type: ignore[arg-type]
            if problem:
                problems[key] = f"{key}: {working[key]} {problem}"
            working[key] = _unsigned(working[key])
    if problems:
        key = _form_order(rules, problems)[0]
        raise ValueProblem(key, problems[key])
    return working


def _derive(rules: RuleSet, values: dict[str, object]) -> Working:
    """Work out the derived values into `values`, each after the derived ones it reads."""
    derived: dict[str, Derived] = {}
    lacking: dict[str, tuple[str, ...]] = {}
    for key in derivation_order(rules.variables):
        spec = rules.variables[key]
        try:
            result = derive(spec, values, rules.variables)
        except DecimalException:  # an overflow, a divisor near 0: decimal traps it
            result = None
        value = None if result is None else result.value
        if type(value) is Decimal and value.is_finite() and value.adjusted() >= MOST_DIGITS:
            result = None  # as a zero divisor: "cannot be worked out from the values given"
        if result is None:
            inputs = entered_inputs(key, rules.variables)
            lacking[key] = tuple(k for k in inputs if values.get(k) is None)
            continue
        values[key] = _unsigned(value)  # 0 × -70 kg is -0
        derived[key] = replace(result, shown=shown(values[key], spec.places))
    return Working(values, derived, lacking)


def _needs(rules: RuleSet, keys: tuple[str, ...], working: Working) -> tuple[str, ...]:
    """The entered variables to fill in for missing `keys` (derived ones resolved to inputs)."""
    found: dict[str, None] = {}
    for key in keys:
        if rules.variables[key].derivation is not None:
            inputs = working.lacking.get(key) or entered_inputs(key, rules.variables)
            found.update(dict.fromkeys(inputs))
        else:
            found[key] = None
    return tuple(found)


def _status(rule: CriterionRule, values: Mapping[str, object]) -> tuple:
    """(status, the keys still needed, whether applies_if is what is undecided)."""
    if rule.applies_if:
        applies = [holds(cond, values) for cond in rule.applies_if]
        if False in applies:
            return NOT_APPLICABLE, (), False
        if None in applies:
            keys = tuple(k for c in rule.applies_if for k in missing_keys(c, values))
            return UNKNOWN, keys, True
    outcome = holds(rule.expression, values)
    if outcome is None:
        return UNKNOWN, missing_keys(rule.expression, values), False
    return (MET if outcome else NOT_MET), (), False


def _reason(rule: CriterionRule, state: tuple, working: Working, variables: Variables) -> str:
    """The reason a nurse reads for a criterion's `state` (see _status)."""
    status, keys, in_applies = state
    values = working.values
    if status == NOT_APPLICABLE:
        cond = next(c for c in rule.applies_if if holds(c, values) is False)
        return reasons.not_applicable_reason(cond, values, variables)
    if status == UNKNOWN and in_applies:
        return reasons.first_needed_reason(keys, variables)
    if status == UNKNOWN:
        return reasons.unknown_reason(keys, working, variables)
    conds = deciding_conditions(rule.expression, values)
    return reasons.decided_reason(conds, rule.kind, working, variables, compare)


def _results(rules: RuleSet, working: Working, states: tuple, needs: tuple) -> tuple:
    """Every criterion's result, with its reason, in rule order."""
    return tuple(
        CriterionResult(
            code=rule.code,
            kind=rule.kind,
            label=rule.label,
            variables=rule.expression.reads,
            status=state[0],
            reason=_reason(rule, state, working, rules.variables),
            note=rule.note,
            protocol_wording=rule.protocol_wording,
            needs=rule_needs,
        )
        for rule, state, rule_needs in zip(rules.criteria, states, needs, strict=True)
    )


def evaluate(rules: RuleSet, values: Mapping[str, object]) -> Evaluation:
    """Evaluate every criterion of `rules` against typed canonical `values`.

    In: a RuleSet and {variable key: typed value} (see the module docstring; build it with
    `criteria.values.parse_values` or `value_from_json`). A value of the wrong type, or an
    entered number that is NaN, infinite or 1E+21 or more either way, raises ValueProblem
    rather than being read as "not met". A derived value that cannot be worked out (a divisor
    0 or so near it that the value passes 1E+21) leaves its criteria unknown. Out: a frozen
    Evaluation: the outcome, every criterion's result in rule order, the entered variables
    still needed in form order, and the derived values with how they were obtained.
    """
    working = _derive(rules, _entered(rules, values))
    states = tuple(_status(rule, working.values) for rule in rules.criteria)
    # Only an unknown criterion still needs a key.
    needs = tuple(_needs(rules, keys, working) if keys else () for _, keys, _ in states)
    statuses = [state[0] for state in states]
    if any(fails(r.kind, status) for r, status in zip(rules.criteria, statuses, strict=True)):
        outcome = INELIGIBLE
    elif UNKNOWN in statuses:
        outcome = INCOMPLETE
    else:
        outcome = ELIGIBLE
    needed = dict.fromkeys(key for keys in needs for key in keys)
    missing = tuple(_form_order(rules, needed)) if needed else ()
    make_results = partial(_results, rules, working, states, needs)
    return Evaluation(outcome, missing, working.derived, make_results)
