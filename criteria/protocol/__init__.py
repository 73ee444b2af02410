"""The protocol file in one place: its shape, reading it, checking it, writing it.

    shape.py              the records (frozen dataclasses), their fields in file order, the
                          vocabulary (operators, data types, kinds of derivation)
    frozen.py             the immutable containers the records use
    reading.py            dict -> records, for input already checked (version 1 names too)
    checks.py             one condition, expression or criterion: a list of messages
    derivation_checks.py  a derived variable's kind, inputs and display places
    validation.py         variables and whole files, every problem in one pass
    writing.py            records -> the canonical dict (every field, file order, version 2)

Import from here. Every `*_from_dict` checks first and raises `ProtocolError` naming the bad
entry; every `*_to_dict` writes the canonical form, so `x_to_dict(x_from_dict(d)) == d` for
any canonical `d`.

JSON form, by example:
    comparison   {"variable": "neutrophils", "operator": "gt", "value": "1.5"}
    date window  {"variable": "last_chemotherapy_date", "operator": "within_days_before",
                  "value": 28, "other": "planned_start_date"}
    groups       {"all": [...]} / {"any": [...]}
Decimal numbers (thresholds, factors, minimum, maximum) are JSON strings, never floats; an
unquoted JSON number is read exactly (as a Decimal) by the commands' JSON reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from criteria.exceptions import ProtocolError
from criteria.protocol import reading, writing
from criteria.protocol.checks import check_condition, check_criterion, check_expression
from criteria.protocol.reading import upgraded_variables
from criteria.protocol.shape import (
    CRITERION_FIELDS,
    DATA_TYPES,
    DATE_OPERATORS,
    DERIVATION_KINDS,
    GROUP_MODES,
    KINDS,
    NEVER,
    NUMBER_OPERATORS,
    OPERATORS,
    OPERATORS_BY_TYPE,
    PROTOCOL_FORMAT,
    VARIABLE_FIELDS,
    Code,
    Condition,
    CriterionRule,
    Derivation,
    Expression,
    FrozenMap,
    Group,
    RuleSet,
    TrialInfo,
    Variables,
    VariableSpec,
)
from criteria.protocol.validation import (
    check_variable,
    check_variables,
    validate_protocol,
    validate_rules_dict,
)

__all__ = [
    "CRITERION_FIELDS", "DATA_TYPES", "DATE_OPERATORS", "DERIVATION_KINDS", "GROUP_MODES",
    "KINDS", "NEVER", "NUMBER_OPERATORS", "OPERATORS", "OPERATORS_BY_TYPE", "PROTOCOL_FORMAT",
    "VARIABLE_FIELDS",
    "Code", "Condition", "CriterionRule", "Derivation", "Expression", "FrozenMap", "Group",
    "ProtocolError", "RuleSet", "TrialInfo", "Variables", "VariableSpec",
    "check_condition", "check_criterion", "check_expression", "check_variable",
    "check_variables", "validate_protocol", "validate_rules_dict",
    "condition_from_dict", "condition_to_dict", "criterion_from_dict", "criterion_to_dict",
    "expression_from_dict", "expression_to_dict", "protocol_from_dict", "protocol_to_dict",
    "rules_from_dict", "rules_to_dict", "upgraded_variables", "variable_from_dict",
    "variable_to_dict",
]  # fmt: skip


def _raise_if(problems: list[str]) -> None:
    if problems:
        raise ProtocolError(problems)


def variable_from_dict(data: Mapping[str, Any], variables: Variables | None = None) -> VariableSpec:
    """One variable from its dict form.

    With `variables` (the trial's other variables) its shown_if conditions are checked and
    typed like criteria conditions. Without, they are kept with their JSON values (lists as
    tuples): one variable alone cannot know the types of the others it refers to. The
    evaluator never reads shown_if; whole-trial loading (`protocol_from_dict`) checks it.
    """
    _raise_if(check_variable(data))
    spec = reading.build_variable(data)
    shown = data.get("shown_if") or []
    if variables is not None:
        known = {**variables, spec.key: spec}
        _raise_if(
            [f"variable {spec.key} shown_if: {p}" for c in shown for p in check_condition(c, known)]
        )
        conds = tuple(reading.build_condition(c, known) for c in shown)
    else:
        conds = tuple(_untyped_condition(c) for c in shown)
    return replace(spec, shown_if=conds)


def _untyped_condition(data: Mapping[str, Any]) -> Condition:
    if not isinstance(data, Mapping) or not isinstance(data.get("variable"), str):
        raise ProtocolError(f"shown_if: {data!r} is not a condition")
    return Condition(
        data["variable"], data.get("operator", ""), data.get("value"), data.get("other", "")
    )


def variable_to_dict(spec: VariableSpec) -> dict[str, Any]:
    """The canonical dict form of a variable (every field present)."""
    return writing.variable_dict(spec)


def condition_from_dict(data: Mapping[str, Any], variables: Variables | None = None) -> Condition:
    """One comparison, checked against the trial's variables (they decide the value's type)."""
    _raise_if(check_condition(data, variables))
    return reading.build_condition(data, variables)


def condition_to_dict(cond: Condition) -> dict[str, Any]:
    return writing.condition_dict(cond)


def expression_from_dict(data: Mapping[str, Any], variables: Variables | None = None) -> Expression:
    """A comparison or all/any group, checked against the trial's variables."""
    _raise_if(check_expression(data, variables))
    return reading.build_expression(data, variables)


def expression_to_dict(expr: Expression) -> dict[str, Any]:
    return writing.expression_dict(expr)


def criterion_from_dict(
    data: Mapping[str, Any], variables: Variables | None = None
) -> CriterionRule:
    """One criterion (the Criterion model's `as_rule_dict()` shape), checked and built."""
    _raise_if(check_criterion(data, variables))
    return reading.build_criterion(data, variables)


def criterion_to_dict(rule: CriterionRule) -> dict[str, Any]:
    return writing.criterion_dict(rule)


def rules_from_dict(data: Mapping[str, Any]) -> RuleSet:
    """A RuleSet from its snapshot form {"trial", "version", "variables", "criteria"}."""
    validate_rules_dict(data)
    return reading.build_rules(data["trial"], data["version"], data["variables"], data["criteria"])


def rules_to_dict(rules: RuleSet) -> dict[str, Any]:
    """The snapshot form of a RuleSet, as a decision stores it."""
    return writing.rules_dict(rules)


def protocol_from_dict(data: Mapping[str, Any]) -> tuple[TrialInfo, RuleSet]:
    """A protocol file's dict -> (trial, rules); raises ProtocolError listing every problem."""
    validate_protocol(data)
    trial = data["trial"]
    info = TrialInfo(trial["registry_id"], trial["title"], trial.get("sponsor_protocol_id", ""))
    cset = data["criteria_set"]
    rules = reading.build_rules(
        info.registry_id, cset["version"], data["variables"], cset["criteria"]
    )
    return info, rules


def protocol_to_dict(trial: TrialInfo, rules: RuleSet) -> dict[str, Any]:
    """The canonical protocol-file dict of a trial and its rules."""
    return writing.protocol_dict(trial, rules)
