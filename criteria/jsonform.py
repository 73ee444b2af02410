"""Dict (JSON) form <-> dataclasses, for input that `criteria.validation` has already checked.

Numbers travel as decimal strings ("1.5") so nothing passes through a float. The dict forms
written here are canonical: reading one back and writing it again gives the same dict.
Use the validating wrappers in `criteria.rules`; these functions trust their input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from criteria.schema import (
    DATE_OPERATORS,
    Code,
    Condition,
    CriterionRule,
    Expression,
    Group,
    RuleSet,
    TrialInfo,
    Variables,
    VariableSpec,
)

VARIABLE_FIELDS = (
    "key",
    "label",
    "data_type",
    "section",
    "order",
    "help_text",
    "unit",
    "alt_units",
    "minimum",
    "maximum",
    "choices",
    "never_allowed",
    "future_allowed",
    "derivation",
    "loinc",
    "shown_if",
    "codes",
    "lookback_days",
    "translations",
)
CRITERION_FIELDS = (
    "code",
    "kind",
    "label",
    "protocol_wording",
    "expression",
    "applies_if",
    "order",
    "note",
    "translations",
)
PROTOCOL_FORMAT = "trialsite-protocol/1"
DECIMAL_TEXT = re.compile(r"-?\d+(\.\d+)?")


def decimal_or_none(text: object) -> Decimal | None:
    return None if text is None else Decimal(str(text))


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def build_variable(data: Mapping[str, Any]) -> VariableSpec:
    return VariableSpec(
        key=data["key"],
        label=data["label"],
        data_type=data["data_type"],
        section=data.get("section", ""),
        order=data.get("order", 0),
        help_text=data.get("help_text", ""),
        unit=data.get("unit", ""),
        alt_units={u: Decimal(str(f)) for u, f in (data.get("alt_units") or {}).items()},
        minimum=decimal_or_none(data.get("minimum")),
        maximum=decimal_or_none(data.get("maximum")),
        choices=tuple(data.get("choices") or ()),
        never_allowed=bool(data.get("never_allowed", False)),
        future_allowed=bool(data.get("future_allowed", False)),
        derivation=data.get("derivation", ""),
        loinc=data.get("loinc", ""),
        codes=tuple(Code(c["system"], c["code"]) for c in data.get("codes") or ()),
        lookback_days=data.get("lookback_days"),
        translations=data.get("translations") or {},
        # shown_if conditions may read variables defined later; see build_variables.
        shown_if=(),
    )


def build_variables(items: list[Mapping[str, Any]]) -> dict[str, VariableSpec]:
    """Variables by key, shown_if conditions resolved against all of them."""
    bare = {item["key"]: build_variable(item) for item in items}
    result = {}
    for item in items:
        spec = bare[item["key"]]
        shown = tuple(build_condition(c, bare) for c in item.get("shown_if") or ())
        result[spec.key] = replace(spec, shown_if=shown) if shown else spec
    return result


def translations_dict(translations: Mapping) -> dict[str, Any]:
    """Plain dicts of a record's frozen translations."""
    return {
        language: {k: dict(v) if isinstance(v, Mapping) else v for k, v in texts.items()}
        for language, texts in translations.items()
    }


def _with_translations(data: dict[str, Any], translations: Mapping) -> dict[str, Any]:
    # Written only when given: a file or snapshot without translations keeps its v1 form.
    return {**data, "translations": translations_dict(translations)} if translations else data


def variable_dict(spec: VariableSpec) -> dict[str, Any]:
    return _with_translations(_variable_fields(spec), spec.translations)


def _variable_fields(spec: VariableSpec) -> dict[str, Any]:
    return {
        "key": spec.key,
        "label": spec.label,
        "data_type": spec.data_type,
        "section": spec.section,
        "order": spec.order,
        "help_text": spec.help_text,
        "unit": spec.unit,
        "alt_units": {u: str(f) for u, f in spec.alt_units.items()},
        "minimum": decimal_text(spec.minimum),
        "maximum": decimal_text(spec.maximum),
        "choices": list(spec.choices),
        "never_allowed": spec.never_allowed,
        "future_allowed": spec.future_allowed,
        "derivation": spec.derivation,
        "loinc": spec.loinc,
        "shown_if": [condition_dict(c) for c in spec.shown_if],
        "codes": [{"system": c.system, "code": c.code} for c in spec.codes],
        "lookback_days": spec.lookback_days,
    }


def _is_number(data: Mapping[str, Any], variables: Variables | None) -> bool:
    if variables is not None:
        return variables[data["variable"]].data_type in ("number", "integer")
    # Without the variables, eq/ne on a decimal-looking value is read as a number: choices
    # are names, and a decimal written as a string round-trips unchanged either way.
    raw = data.get("value")
    return isinstance(raw, (int, Decimal)) or (
        isinstance(raw, str) and DECIMAL_TEXT.fullmatch(raw) is not None
    )


def build_condition(data: Mapping[str, Any], variables: Variables | None = None) -> Condition:
    op = data["operator"]
    raw = data.get("value")
    if op in DATE_OPERATORS:
        return Condition(data["variable"], op, int(raw), data["other"])
    if op in ("in", "not_in"):
        value: object = tuple(raw)
    elif op in ("is_true", "is_false"):
        value = None
    elif _is_number(data, variables):
        value = Decimal(str(raw))
    else:
        value = raw
    return Condition(data["variable"], op, value)


def condition_dict(cond: Condition) -> dict[str, Any]:
    value = cond.value
    if isinstance(value, Decimal):
        value = str(value)
    elif isinstance(value, tuple):
        value = list(value)
    out: dict[str, Any] = {"variable": cond.variable, "operator": cond.operator, "value": value}
    if cond.operator in DATE_OPERATORS:
        out["other"] = cond.other
    return out


def build_expression(data: Mapping[str, Any], variables: Variables | None = None) -> Expression:
    for mode in ("all", "any"):
        if mode in data:
            return Group(mode, tuple(build_expression(p, variables) for p in data[mode]))
    return build_condition(data, variables)


def expression_dict(expr: Expression) -> dict[str, Any]:
    if isinstance(expr, Group):
        return {expr.mode: [expression_dict(p) for p in expr.parts]}
    return condition_dict(expr)


def build_criterion(data: Mapping[str, Any], variables: Variables | None = None) -> CriterionRule:
    return CriterionRule(
        code=data["code"],
        kind=data["kind"],
        label=data["label"],
        protocol_wording=data["protocol_wording"],
        expression=build_expression(data["expression"], variables),
        applies_if=tuple(build_condition(c, variables) for c in data.get("applies_if") or ()),
        order=data.get("order", 0),
        note=data.get("note", ""),
        translations=data.get("translations") or {},
    )


def criterion_dict(rule: CriterionRule) -> dict[str, Any]:
    fields = {
        "code": rule.code,
        "kind": rule.kind,
        "label": rule.label,
        "protocol_wording": rule.protocol_wording,
        "expression": expression_dict(rule.expression),
        "applies_if": [condition_dict(c) for c in rule.applies_if],
        "order": rule.order,
        "note": rule.note,
    }
    return _with_translations(fields, rule.translations)


def build_rules(trial: str, version: int, variables: list, criteria: list) -> RuleSet:
    specs = build_variables(variables)
    return RuleSet(trial, version, specs, tuple(build_criterion(c, specs) for c in criteria))


def rules_dict(rules: RuleSet) -> dict[str, Any]:
    return {
        "trial": rules.trial,
        "version": rules.version,
        "variables": [variable_dict(v) for v in rules.variables.values()],
        "criteria": [criterion_dict(c) for c in rules.criteria],
    }


def protocol_dict(trial: TrialInfo, rules: RuleSet) -> dict[str, Any]:
    return {
        "format": PROTOCOL_FORMAT,
        "trial": {
            "registry_id": trial.registry_id,
            "title": trial.title,
            "sponsor_protocol_id": trial.sponsor_protocol_id,
        },
        "variables": [variable_dict(v) for v in rules.variables.values()],
        "criteria_set": {
            "version": rules.version,
            "criteria": [criterion_dict(c) for c in rules.criteria],
        },
    }
