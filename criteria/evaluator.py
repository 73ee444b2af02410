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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter, eq, itemgetter

from criteria.derivations import Derived
from criteria.exceptions import ValueProblem
from criteria.plan import (
    METHOD_SUFFIX,
    CompiledCriterion,
    ConditionNode,
    Plan,
    check_types,
    plan_for,
)
from criteria.reasons import (
    decided_reason,
    first_needed_reason,
    not_applicable_reason,
    unknown_reason,
)
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

__all__ = [
    "EVALUATOR_VERSION", "ELIGIBLE", "INCOMPLETE", "INELIGIBLE", "MET", "NOT_APPLICABLE",
    "NOT_MET", "UNKNOWN", "CriterionResult", "Evaluation", "evaluate",
]  # fmt: skip

EVALUATOR_VERSION = "1.0.0"
_CACHE_LIMIT = 512
_STATUS = attrgetter("status")


def _derive(plan: Plan, values: Mapping[str, object]) -> tuple[dict, dict[str, Derived]]:
    """The working mapping (every key present) with derived values, and the Derived ones."""
    working = plan.blank.copy()
    working.update(values)
    derived: dict[str, Derived] = {}
    for key, method_key, derive in plan.derivations:
        # A derived value is always computed, never taken from the input: dependencies come
        # first in plan order, so each is reset before anything reads it.
        working[key] = None
        result = derive(working)
        if result is None:
            # Beside it, the inputs still missing: what its criteria say and ask depends on
            # them, and keeping them here lets results be cached by what a criterion reads.
            inputs = plan.entered_inputs[key]
            working[method_key] = tuple(k for k in inputs if working.get(k) is None)
        else:
            working[key] = result.value
            working[method_key] = result.method
            derived[key] = result
    return working, derived


def _needed(plan: Plan, keys: tuple[str, ...], working: Mapping[str, object]) -> tuple[str, ...]:
    """Entered variables to fill in for missing `keys` (derived ones resolved to inputs)."""
    found: dict[str, None] = {}
    for key in keys:
        if key in plan.entered_inputs and plan.rules.variables[key].derivation:
            lacking = working.get(key + METHOD_SUFFIX)
            found.update(dict.fromkeys(lacking or plan.entered_inputs[key]))  # type: ignore[arg-type]
        else:
            found[key] = None
    return tuple(found)


def _status(c: CompiledCriterion, working: Mapping[str, object]) -> tuple[str, tuple, bool]:
    """(status, the keys it still needs, whether applies_if is what is undecided)."""
    applies_unknown = False
    for node in c.applies:
        holds = node.test(working)
        if holds is False:
            return NOT_APPLICABLE, (), False
        applies_unknown = applies_unknown or holds is None
    if applies_unknown:
        return UNKNOWN, tuple(k for n in c.applies for k in n.missing(working)), True
    holds = c.node.test(working)
    if holds is None:
        return UNKNOWN, c.node.missing(working), False
    return (MET if holds else NOT_MET), (), False


def _reason(plan: Plan, c: CompiledCriterion, state: tuple, working: Mapping) -> str:
    status, keys, in_applies = state
    variables = plan.rules.variables
    if status == NOT_APPLICABLE:
        return not_applicable_reason(c, working, variables)
    if status == UNKNOWN and in_applies:
        return first_needed_reason(keys, variables)
    if status == UNKNOWN:
        return unknown_reason(keys, working, variables)
    return decided_reason(c.node, c.rule.kind, working, variables)


def _check_finite(c: CompiledCriterion, working: Mapping[str, object]) -> None:
    # NaN is not equal to itself, so it never comes from the cache: checked on this path only.
    for key in c.number_reads:
        value = working[key]
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueProblem(key, f"{key}: {value} is not a finite number")


class _Step:
    """One criterion as run: a getter of everything its status and reason depend on — the
    variables it reads and, for a derived one, its method tag or the inputs it lacks — so
    equal keys give equal results and one immutable result object serves them all."""

    __slots__ = ("getter", "cache", "criterion", "keys", "overflow", "direct")

    def __init__(self, c: CompiledCriterion) -> None:
        self.keys = (*c.reads, *(k + METHOD_SUFFIX for k in c.derived_reads))
        self.getter = itemgetter(*self.keys)
        self.cache: dict = c.cache
        self.criterion = c
        self.overflow = 0  # misses since the cache filled up
        self.direct = False  # True once caching is not paying: decide every time


def _decide(plan: Plan, step: _Step, key: object, working: dict) -> CriterionResult:
    """Decide one criterion in full; cache the result under what it read while there is room.

    The reason is written when first read. A cached result keeps a copy of just the values
    it depends on; one that is not cached may keep this evaluation's working values.
    """
    c = step.criterion
    _check_finite(c, working)
    state = _status(c, working)
    needs = _needed(plan, state[1], working) if state[0] == UNKNOWN else ()
    # Bounded, and never cleared: a criterion reading many distinct values (dates, derived
    # numbers) stops caching, and soon stops looking, instead of churning memory that the
    # garbage collector would walk again and again.
    if step.direct or len(step.cache) >= _CACHE_LIMIT:
        step.overflow += 1
        step.direct = step.overflow > _CACHE_LIMIT
        reason = lambda: _reason(plan, c, state, working)  # noqa: E731
        return CriterionResult._made(c.head, state[0], reason, needs)
    seen = dict(zip(step.keys, key if len(step.keys) > 1 else (key,), strict=True))
    result = CriterionResult._made(c.head, state[0], lambda: _reason(plan, c, state, seen), needs)
    step.cache[key] = result
    return result


def _result(plan: Plan, step: _Step, working: dict) -> CriterionResult:
    if step.direct:
        return _decide(plan, step, None, working)
    key = step.getter(working)
    result = step.cache.get(key)
    return result if result is not None else _decide(plan, step, key, working)


@dataclass
class _Steps:
    """How one plan is run. Criteria comparing one yes/no or choice answer ("batched") are
    looked up together: their answers are few, so the whole combination is usually cached."""

    batch_getter: Callable[[dict], tuple] | None
    batched: tuple[_Step, ...]
    batch_cache: dict
    others: tuple[_Step, ...]
    in_rule_order: Callable[[tuple], tuple]


def _is_batched(plan: Plan, c: CompiledCriterion) -> bool:
    if c.applies or type(c.node) is not ConditionNode or c.derived_reads:
        return False
    return plan.rules.variables[c.node.key].data_type in ("boolean", "choice")


def _steps(plan: Plan) -> _Steps:
    if plan.steps:
        return plan.steps  # type: ignore[return-value]
    batch = [i for i, c in enumerate(plan.criteria) if _is_batched(plan, c)]
    if len(batch) < 2:
        batch = []
    rest = [i for i in range(len(plan.criteria)) if i not in batch]
    position = {index: pos for pos, index in enumerate(batch + rest)}
    order = [position[i] for i in range(len(plan.criteria))]
    steps = _Steps(
        batch_getter=itemgetter(*(plan.criteria[i].node.key for i in batch)) if batch else None,
        batched=tuple(_Step(plan.criteria[i]) for i in batch),
        batch_cache={},
        others=tuple(_Step(plan.criteria[i]) for i in rest),
        in_rule_order=itemgetter(*order) if len(order) > 1 else lambda t: t,
    )
    plan.steps = steps  # type: ignore[assignment]
    return steps


def _batched_results(plan: Plan, steps: _Steps, working: dict) -> tuple[CriterionResult, ...]:
    if steps.batch_getter is None:
        return ()
    key = steps.batch_getter(working)
    results = steps.batch_cache.get(key)
    if results is None:
        results = tuple(_result(plan, step, working) for step in steps.batched)
        # Only results that sit in their own caches (they keep no working values) may be
        # kept; yes/no and choice answers never overflow, but a choice list could be huge.
        kept = all(step.overflow == 0 for step in steps.batched)
        if kept and len(steps.batch_cache) < _CACHE_LIMIT * 8:
            steps.batch_cache[key] = results
    return results


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
    `criteria.values.parse_values` or `value_from_json`). A value of the wrong type raises
    ValueProblem rather than being read as "not met". Out: a frozen Evaluation.
    """
    plan = plan_for(rules)
    steps = _steps(plan)
    check_types(plan, values)
    working, derived = _derive(plan, values)
    others = [_result(plan, step, working) for step in steps.others]
    results = steps.in_rule_order((*_batched_results(plan, steps, working), *others))
    statuses = list(map(_STATUS, results))
    if any(map(eq, statuses, plan.fail_statuses)):
        outcome = INELIGIBLE
    elif UNKNOWN in statuses:
        outcome = INCOMPLETE
    else:
        outcome = ELIGIBLE
    missing = _missing(plan, results) if UNKNOWN in statuses else ()
    return Evaluation(outcome, results, missing, derived)
