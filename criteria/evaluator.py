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
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, DecimalException

from criteria.derivations import Derived
from criteria.exceptions import ValueProblem
from criteria.plan import Plan, check_types, plan_for
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
)
from criteria.schema import RuleSet
from criteria.steps import criterion_results
from criteria.values import MOST_DIGITS, number_problem

__all__ = [
    "EVALUATOR_VERSION", "ELIGIBLE", "INCOMPLETE", "INELIGIBLE", "MET", "NOT_APPLICABLE",
    "NOT_MET", "UNKNOWN", "CriterionResult", "Evaluation", "evaluate",
]  # fmt: skip

EVALUATOR_VERSION = "1.0.0"
_ZERO = Decimal(0)


def _check_entered(plan: Plan, working: dict) -> None:
    """Refuse an entered number that cannot be worked with (values.number_problem: NaN,
    infinity, 1E+21 or more) with ValueProblem, whether a criterion or a derivation reads it
    or neither; write a negative zero as 0."""
    # NaN and infinity are Decimals, so they pass the type check. Refused before anything is
    # worked out from them, the first in form order (as `missing` is), so the variable named
    # is the one to correct, and the same one however the results would then be found.
    for key in plan.entered_numbers:
        value = working[key]
        # number_problem decides. A call for every number cost 3% of the evaluator's speed,
        # so the usual case, a finite Decimal below 1E+21, passes without one.
        if type(value) is not Decimal or not value.is_finite() or value.adjusted() >= MOST_DIGITS:
            if value is None:
                continue
            problem = number_problem(value)  # type: ignore[arg-type]
            if problem:
                raise ValueProblem(key, f"{key}: {value} {problem}")
        if not value and type(value) is Decimal and value.is_signed():
            # -0 == 0 and they hash alike, so they share cached results: both read "0", as
            # "1.50" and "1.5" read "1.5", whichever of them came first.
            working[key] = _ZERO


def _derive(plan: Plan, working: dict) -> dict[str, Derived]:
    """Put the derived values into `working`; return the Derived ones (value and how)."""
    # A derived value is always computed, never taken from the input: all are reset first,
    # and each comes after those it reads in plan order.
    working.update(plan.derived_blank)
    derived: dict[str, Derived] = {}
    for key, method_key, derive in plan.derivations:
        try:
            result = derive(working)
        except DecimalException:
            # An overflow (a divisor near 0): decimal traps it, so inputs that passed
            # _check_entered never give an infinite value.
            result = None
        value = None if result is None else result.value
        if type(value) is Decimal and value.is_finite() and value.adjusted() >= MOST_DIGITS:
            result = None  # as a zero divisor: "cannot be worked out from the values given"
        if result is None:
            # Beside it, the inputs still missing: what its criteria say and ask depends on
            # them, and keeping them here lets results be cached by what a criterion reads.
            inputs = plan.entered_inputs[key]
            working[method_key] = tuple(k for k in inputs if working.get(k) is None)
            continue
        if not value and type(value) is Decimal and value.is_signed():
            value = _ZERO  # as an entered one: 0 × -70 kg is -0
        working[key] = value
        working[method_key] = result.method
        derived[key] = result
    return derived


def _missing(plan: Plan, results: tuple[CriterionResult, ...]) -> tuple[str, ...]:
    """Entered variables still needed by the undecided criteria, in form order."""
    needed: dict[str, None] = {}
    for result in results:
        if result.status == UNKNOWN:
            needed.update(dict.fromkeys(result.needs))
    return tuple(sorted(needed, key=plan.order.__getitem__))


def evaluate(rules: RuleSet, values: Mapping[str, object]) -> Evaluation:
    """Evaluate every criterion of `rules` against typed canonical `values`.

    In: a RuleSet and {variable key: typed value} (see the module docstring; build it with
    `criteria.values.parse_values` or `value_from_json`). A value of the wrong type, or an
    entered number that is NaN, infinite or 1E+21 or more either way, raises ValueProblem
    rather than being read as "not met". A derived value that cannot be worked out (a divisor
    0 or so near it that the value passes 1E+21) leaves its criteria unknown. Out: a frozen
    Evaluation.
    """
    plan = plan_for(rules)
    working = plan.blank.copy()  # every key present, so lookups need no .get
    working.update(values)
    check_types(plan, working)
    _check_entered(plan, working)
    derived = _derive(plan, working)
    results, fails, unknown = criterion_results(plan, working)
    if fails:
        outcome = INELIGIBLE
    elif unknown:
        outcome = INCOMPLETE
    else:
        outcome = ELIGIBLE
    missing = _missing(plan, results) if unknown else ()
    return Evaluation(outcome, results, missing, derived)
