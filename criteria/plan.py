"""A RuleSet compiled once into small callables, so `evaluate` does no per-call set-up.

Each criterion's conditions become nodes (see `criteria.nodes`); the plan also holds what
the type checks and derivations need, precomputed. Plans are cached by the identity of the
(immutable) RuleSet they were built from.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import contains, itemgetter

from criteria.derivations import DERIVATION_INPUTS, DERIVATIONS, Derived
from criteria.exceptions import ValueProblem
from criteria.nodes import ConditionNode, Node, compile_expression
from criteria.schema import NEVER, CriterionRule, RuleSet, VariableSpec


@dataclass
class CompiledCriterion:
    rule: CriterionRule
    applies: tuple[ConditionNode, ...]
    node: Node
    reads: tuple[str, ...]
    derived_reads: tuple[str, ...]
    head: tuple  # the result fields that never change: code, kind, label, reads, note, wording
    # Results are immutable and depend only on what the criterion reads, so equal inputs
    # share one result object; bounded so a long-running process cannot grow it forever.
    cache: dict = field(default_factory=dict)


METHOD_SUFFIX = ":method"  # working-mapping key of a derived value's method (not a valid key)


@dataclass
class Plan:
    rules: RuleSet
    # (derived key, its METHOD_SUFFIX key, derivation), each after those it reads
    derivations: tuple[tuple[str, str, Callable[[Mapping[str, object]], Derived | None]], ...]
    criteria: tuple[CompiledCriterion, ...]
    typed_keys: tuple[str, ...]  # entered variables, and the classes each value may have
    allowed_types: tuple[frozenset[type], ...]
    choice_keys: tuple[str, ...]  # choice variables, and their choices (plus None)
    choice_sets: tuple[frozenset, ...]
    never_keys: tuple[str, ...]
    entered_inputs: dict[str, tuple[str, ...]]
    order: dict[str, tuple[int, int]]
    blank: dict[str, None]  # every key a criterion may read, so lookups need no .get
    derived_blank: dict[str, None]  # the derived keys and their METHOD_SUFFIX keys
    entered_numbers: tuple[str, ...]  # entered number and integer variables, in form order
    fail_statuses: tuple[str, ...]  # per criterion, the status that makes it fail
    # The values of typed_keys and of choice_keys in a working mapping, each in one C call.
    typed_values: Callable[[Mapping[str, object]], tuple]
    choice_values: Callable[[Mapping[str, object]], tuple]
    steps: object = None  # how criteria.steps runs this plan (its _Run), set on first use


def values_getter(keys: tuple[str, ...]) -> Callable[[Mapping[str, object]], tuple]:
    """The values of `keys` as a tuple (itemgetter gives a lone value for a single key)."""
    if len(keys) == 1:
        return lambda values, key=keys[0]: (values[key],)
    return itemgetter(*keys) if keys else lambda values: ()


def _derivation_order(variables: Mapping[str, VariableSpec]) -> list[str]:
    """Derived keys so each comes after the derived variables it reads."""
    derived = {k: s.derivation for k, s in variables.items() if s.derivation}
    done: list[str] = []

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in done or key in trail:
            return
        for needed in DERIVATION_INPUTS.get(derived[key], ()):
            if needed in derived:
                visit(needed, (*trail, key))
        done.append(key)

    for key in derived:
        visit(key, ())
    return done


def _entered_inputs(key: str, variables: Mapping[str, VariableSpec]) -> tuple[str, ...]:
    """The entered variables a derived variable needs, through other derived ones."""
    spec = variables.get(key)
    if spec is None or not spec.derivation:
        return (key,)
    found: dict[str, None] = {}
    for needed in DERIVATION_INPUTS.get(spec.derivation, ()):
        found.update(dict.fromkeys(_entered_inputs(needed, variables)))
    return tuple(found)


_NONE = type(None)
_NUMBERS = ("number", "integer")
_KINDS = {
    "number": frozenset({Decimal, int, _NONE}),
    "integer": frozenset({int, _NONE}),
    "boolean": frozenset({bool, _NONE}),
    "choice": frozenset({str, _NONE}),
    "date": frozenset({date, _NONE}),
    "never": frozenset({date, str, _NONE}),
}


def _compile_criterion(
    rule: CriterionRule, variables: Mapping[str, VariableSpec]
) -> CompiledCriterion:
    applies = tuple(compile_expression(c) for c in rule.applies_if)
    applies_reads = (k for c in rule.applies_if for k in c.reads)
    reads = tuple(dict.fromkeys((*applies_reads, *rule.expression.reads)))
    return CompiledCriterion(
        rule=rule,
        applies=applies,  # type: ignore[arg-type]
        node=compile_expression(rule.expression),
        reads=reads,
        derived_reads=tuple(k for k in reads if variables[k].derivation),
        head=(
            rule.code,
            rule.kind,
            rule.label,
            rule.expression.reads,
            rule.note,
            rule.protocol_wording,
        ),  # fmt: skip
    )


def build_plan(rules: RuleSet) -> Plan:
    variables = rules.variables
    entered = {k: s for k, s in variables.items() if not s.derivation}
    derived_keys = [k for k, s in variables.items() if s.derivation]
    derived_blank = dict.fromkeys([*derived_keys, *(k + METHOD_SUFFIX for k in derived_keys)])
    criteria = tuple(_compile_criterion(rule, variables) for rule in rules.criteria)
    choice_keys = tuple(k for k, s in entered.items() if s.data_type == "choice")
    entered_inputs = {k: _entered_inputs(k, variables) for k in variables}
    order = {k: (s.order, i) for i, (k, s) in enumerate(variables.items())}
    return Plan(
        rules=rules,
        derivations=tuple(
            (k, k + METHOD_SUFFIX, DERIVATIONS[variables[k].derivation])
            for k in _derivation_order(variables)
        ),
        criteria=criteria,
        typed_keys=tuple(entered),
        typed_values=values_getter(tuple(entered)),
        allowed_types=tuple(
            _KINDS["never" if s.never_allowed else s.data_type] for s in entered.values()
        ),
        choice_keys=choice_keys,
        choice_values=values_getter(choice_keys),
        choice_sets=tuple(
            frozenset((*s.choices, None)) for s in entered.values() if s.data_type == "choice"
        ),
        never_keys=tuple(k for k, s in entered.items() if s.never_allowed),
        entered_inputs=entered_inputs,
        order=order,
        fail_statuses=tuple("not_met" if r.kind == "inclusion" else "met" for r in rules.criteria),
        blank=dict.fromkeys([*variables, *derived_blank]),
        derived_blank=derived_blank,
        entered_numbers=tuple(
            k for k in sorted(entered, key=order.__getitem__) if entered[k].data_type in _NUMBERS
        ),
    )


_PLANS: OrderedDict[int, Plan] = OrderedDict()
_PLANS_LOCK = threading.Lock()
_PLANS_KEPT = 16


def plan_for(rules: RuleSet) -> Plan:
    """The compiled plan of `rules`, built on first use and kept for the last few RuleSets.

    Keyed by id(): the plan holds the RuleSet, so while it is cached the id cannot be reused.
    """
    plan = _PLANS.get(id(rules))
    if plan is not None and plan.rules is rules:
        return plan
    plan = build_plan(rules)
    with _PLANS_LOCK:
        _PLANS[id(rules)] = plan
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return plan


def _refuse(plan: Plan, key: str, value: object) -> None:
    spec = plan.rules.variables[key]
    raise ValueProblem(
        key, f"{key}: {value!r} is not a {spec.data_type} value (see criteria.values)"
    )


def check_types(plan: Plan, working: Mapping[str, object]) -> None:
    """Raise ValueProblem for a value of the wrong type (a float, a str for a date, a choice
    not offered...). A wrong type must never be read as "not met": "Positive" for HER2 status
    would silently skip the LVEF criterion. `working` holds every key of `plan.blank` (None
    where not answered) besides the input; keys that are not entered variables are ignored.
    """
    # One C-level pass each; the key-by-key search runs only when something is wrong.
    types_ok = all(map(contains, plan.allowed_types, map(type, plan.typed_values(working))))
    if not types_ok or not all(map(contains, plan.choice_sets, plan.choice_values(working))):
        _find_wrong_type(plan, working)
    for key in plan.never_keys:
        value = working[key]
        if type(value) is str and value != NEVER:
            _refuse(plan, key, value)


def _find_wrong_type(plan: Plan, values: Mapping[str, object]) -> None:
    for key, allowed in zip(plan.typed_keys, plan.allowed_types, strict=True):
        if type(values.get(key)) not in allowed:
            _refuse(plan, key, values.get(key))
    for key, choices in zip(plan.choice_keys, plan.choice_sets, strict=True):
        if values.get(key) not in choices:
            _refuse(plan, key, values.get(key))
