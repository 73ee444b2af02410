"""Every criterion's result for one evaluation: decided, or found in a cache.

A result depends only on the values its criterion reads (and, for a derived variable, its
method tag or the inputs it lacks), so equal values share one immutable result. How the
criteria of a plan are looked up is arranged on first use and kept on the plan (`_Run`):
criteria whose values rarely repeat stop being cached and are decided every time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from operator import attrgetter, call, eq, itemgetter

from criteria.nodes import ConditionNode, WindowNode
from criteria.plan import METHOD_SUFFIX, CompiledCriterion, Plan, values_getter
from criteria.reasons import reason_for
from criteria.results import MET, NOT_APPLICABLE, NOT_MET, UNKNOWN, CriterionResult, made_result
from criteria.schema import NEVER

_CACHE_LIMIT = 512
_STATUS = attrgetter("status")


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


def _decide(plan: Plan, c: CompiledCriterion, working: Mapping, seen: Mapping) -> CriterionResult:
    """Decide one criterion in full; its reason, written when first read, reads `seen`."""
    state = _status(c, working)
    needs = _needed(plan, state[1], working) if state[0] == UNKNOWN else ()
    reason = partial(reason_for, c, state, seen, plan.rules.variables)
    return made_result(c.head, state[0], reason, needs)


class _Step:
    """One criterion with its results cached by key: everything its status and reason depend
    on — the variables it reads and, for a derived one, its method tag or the inputs it
    lacks — so equal keys give equal results and one immutable result object serves them all."""

    __slots__ = ("index", "criterion", "keys", "getter", "cache", "misses", "short_cache",
                 "applies_values")  # fmt: skip

    def __init__(self, index: int, c: CompiledCriterion) -> None:
        self.index = index  # in rule order
        self.criterion = c
        self.keys = (*c.reads, *(k + METHOD_SUFFIX for k in c.derived_reads))
        self.getter = itemgetter(*self.keys)
        self.cache: dict = c.cache
        self.misses = 0  # since the cache filled up
        self.short_cache: dict = {}  # see _direct
        # Equal values read alike (evaluate writes a negative zero as 0), so a result cached
        # by its applies_if values is right for any values equal to those.
        reads = dict.fromkeys(k for cond in c.rule.applies_if for k in cond.reads)
        derived = (k + METHOD_SUFFIX for k in reads if k in c.derived_reads)
        self.applies_values = values_getter((*reads, *derived))


@dataclass(frozen=True)
class _Run:
    """How one plan is run. Criteria comparing one yes/no or choice answer ("batched") are
    looked up together: their answers are few, so the whole combination is usually cached.
    The other cached ones are looked up in one C-level pass. Criteria whose values rarely
    repeat (dates, derived numbers) are "direct": decided every time unless a _short_key
    finds the result, as looking up all their values does not pay.
    """

    steps: tuple[_Step, ...]  # every criterion, in rule order
    batch_getter: Callable[[dict], tuple] | None
    batched: tuple[_Step, ...]
    batch_cache: dict  # their values -> (their results, _flags)
    looked_up: tuple[_Step, ...]
    getters: tuple[Callable[[dict], object], ...]  # theirs, and their caches
    caches: tuple[dict, ...]
    direct: tuple[_Step, ...]
    in_rule_order: Callable[[tuple], tuple]  # (*batched, *looked_up, *direct) -> rule order
    batch_fail_statuses: tuple[str, ...]  # the status that makes each criterion fail
    others_fail_statuses: tuple[str, ...]  # (looked_up and direct)
    others_flags: dict  # their statuses -> _flags: few combinations occur


def _is_batched(plan: Plan, c: CompiledCriterion) -> bool:
    if c.applies or type(c.node) is not ConditionNode or c.derived_reads:
        return False
    return plan.rules.variables[c.node.key].data_type in ("boolean", "choice")


def _arrange(plan: Plan, steps: tuple[_Step, ...], direct: tuple[_Step, ...]) -> _Run:
    batched = [s for s in steps if s not in direct and _is_batched(plan, s.criterion)]
    if len(batched) < 2:
        batched = []
    looked_up = [s for s in steps if s not in direct and s not in batched]
    position = {s.index: pos for pos, s in enumerate((*batched, *looked_up, *direct))}
    order = [position[s.index] for s in steps]
    return _Run(
        steps=steps,
        batch_getter=itemgetter(*(s.criterion.node.key for s in batched)) if batched else None,
        batched=tuple(batched),
        batch_cache={},
        looked_up=tuple(looked_up),
        getters=tuple(s.getter for s in looked_up),
        caches=tuple(s.cache for s in looked_up),
        direct=direct,
        in_rule_order=itemgetter(*order) if len(order) > 1 else lambda t: t,
        batch_fail_statuses=tuple(plan.fail_statuses[s.index] for s in batched),
        others_fail_statuses=tuple(plan.fail_statuses[s.index] for s in (*looked_up, *direct)),
        others_flags={},
    )


def _run(plan: Plan) -> _Run:
    if plan.steps is None:
        steps = tuple(_Step(i, c) for i, c in enumerate(plan.criteria))
        plan.steps = _arrange(plan, steps, direct=())
    return plan.steps  # type: ignore[return-value]


def _miss(plan: Plan, step: _Step, key: object, working: dict) -> CriterionResult:
    """Decide a criterion whose key is not cached; cache the result while there is room.

    A cached result keeps a copy of just the values its key holds; one that is not cached
    may keep this evaluation's working values.
    """
    c = step.criterion
    if len(step.cache) < _CACHE_LIMIT:
        result = step.cache[key] = _decide(plan, c, working, {k: working[k] for k in step.keys})
        return result
    # Bounded, and never cleared: a criterion reading many distinct values (dates, derived
    # numbers) stops caching, and soon stops looking, instead of churning memory that the
    # garbage collector would walk again and again.
    step.misses += 1
    run: _Run = plan.steps  # type: ignore[assignment]
    if step.misses > _CACHE_LIMIT and step not in run.direct:
        plan.steps = _arrange(plan, run.steps, (*run.direct, step))
    return _decide(plan, c, working, working)


def _short_key(step: _Step, working: dict) -> tuple | None:
    """The few values a criterion's result depends on, when they are fewer than it reads:
    those of applies_if when that is not met or undecided; a window's date answered "never"."""
    c = step.criterion
    for node in c.applies:
        if node.test(working) is not True:
            return ("applies_if", *step.applies_values(working))
    if type(c.node) is WindowNode and working[c.node.key] == NEVER:
        return ("never",)
    return None


def _direct(plan: Plan, step: _Step, working: dict) -> CriterionResult:
    """Decide a criterion whose values rarely repeat, unless its _short_key is cached."""
    key = _short_key(step, working)
    if key is None:
        return _decide(plan, step.criterion, working, working)
    result = step.short_cache.get(key)
    if result is None:
        result = _decide(plan, step.criterion, working, {k: working[k] for k in step.keys})
        if len(step.short_cache) < _CACHE_LIMIT:
            step.short_cache[key] = result
    return result


def _flags(statuses: tuple[str, ...], fail_statuses: tuple[str, ...]) -> tuple[bool, bool]:
    """(whether a status makes the candidate ineligible, whether one is unknown)."""
    return any(map(eq, statuses, fail_statuses)), UNKNOWN in statuses


def _batched(plan: Plan, run: _Run, working: dict) -> tuple[tuple, bool, bool]:
    """The batched criteria's results, and their _flags."""
    if run.batch_getter is None:
        return (), False, False
    key = run.batch_getter(working)
    found = run.batch_cache.get(key)
    if found is None:
        results = tuple(
            step.cache.get(k) or _miss(plan, step, k, working)
            for step in run.batched
            for k in (step.getter(working),)
        )
        found = (results, *_flags(tuple(map(_STATUS, results)), run.batch_fail_statuses))
        # Only results that sit in their own caches (they keep no working values) may be
        # kept; yes/no and choice answers never overflow, but a choice list could be huge.
        kept = all(step.misses == 0 for step in run.batched)
        if kept and len(run.batch_cache) < _CACHE_LIMIT * 8:
            run.batch_cache[key] = found
    return found


def _others(plan: Plan, run: _Run, working: dict) -> tuple[list[CriterionResult], bool, bool]:
    """The results of the criteria not batched (looked up, then direct), and their _flags."""
    keys = list(map(call, run.getters, repeat(working)))
    results = list(map(dict.get, run.caches, keys))
    if not all(results):  # a result is always true: None marks a key not in the cache
        for i, result in enumerate(results):
            if result is None:
                results[i] = _miss(plan, run.looked_up[i], keys[i], working)
    results += [_direct(plan, step, working) for step in run.direct]
    statuses = tuple(map(_STATUS, results))
    flags = run.others_flags.get(statuses)
    if flags is None:
        flags = _flags(statuses, run.others_fail_statuses)
        if len(run.others_flags) < _CACHE_LIMIT:
            run.others_flags[statuses] = flags
    return results, *flags


def criterion_results(plan: Plan, working: dict) -> tuple[tuple[CriterionResult, ...], bool, bool]:
    """Every criterion's result in rule order, whether one makes the candidate ineligible,
    and whether one is unknown. `working` holds every key of `plan.blank`, typed and checked,
    with the derived values in place."""
    run = _run(plan)
    batched, batch_fails, batch_unknown = _batched(plan, run, working)
    others, fails, unknown = _others(plan, run, working)
    results = run.in_rule_order((*batched, *others))
    return results, fails or batch_fails, unknown or batch_unknown
