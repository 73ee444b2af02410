"""Reading: a protocol file's dict (JSON) form -> the dataclasses of `shape`.

These functions trust their input: `checks` and `validation` have already passed it. Use the
checking wrappers in `criteria.protocol`. Numbers arrive as decimal strings ("1.5"), or as
JSON numbers the loader read as Decimal, and become Decimal without passing through a float.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from criteria.protocol.shape import (
    CRITERION_FIELDS,
    DATE_OPERATORS,
    DERIVATION_KINDS,
    VARIABLE_FIELDS,
    Code,
    Condition,
    CriterionRule,
    Derivation,
    Expression,
    Group,
    RuleSet,
    Variables,
    VariableSpec,
)

DECIMAL_TEXT = re.compile(r"-?\d+(\.\d+)?")

# Version 1 named one of three derivations by a string, and each read fixed keys. As objects of
# version 2 they read the same keys; a measured clearance only where the trial has one.
V1_DERIVATIONS: dict[str, dict[str, str]] = {
    "age_years": {"kind": "age_years", "birth_date": "date_of_birth", "on": "screening_date"},
    "creatinine_clearance": {
        "kind": "creatinine_clearance",
        "measured": "creatinine_clearance_measured",
        "age": "age_years",
        "sex": "sex",
        "female": "female",
        "weight": "weight_kg",
        "creatinine": "serum_creatinine",
    },
    "bilirubin_x_uln": {"kind": "times_uln", "value": "bilirubin", "uln": "bilirubin_uln"},
}


def v1_derivation(name: str, keys: Collection[str] | None = None) -> dict[str, str] | None:
    """A version 1 derivation name as a version 2 object (None for "": not derived); `keys`,
    the trial's variables, decide whether a measured clearance is one of its inputs."""
    if not name:
        return None
    data = dict(V1_DERIVATIONS[name])
    if keys is not None and data.get("measured") not in keys:
        data.pop("measured", None)
    return data


def build_derivation(data: Mapping[str, Any] | str | None) -> Derivation | None:
    if isinstance(data, str):
        data = v1_derivation(data)
    if not data:
        return None
    kind = DERIVATION_KINDS[data["kind"]]
    roles = [put.role for put in kind.inputs if put.role in data]
    return Derivation(kind.name, {role: data[role] for role in roles})


def decimal_or_none(text: object) -> Decimal | None:
    return None if text is None else Decimal(str(text))


# How each variable field is read; a field not named here is taken as it is. shown_if needs
# the other variables (they type its values) and is read by build_variables.
_VARIABLE_READERS: dict[str, Callable[[Any], Any]] = {
    "alt_units": lambda units: {u: Decimal(str(f)) for u, f in (units or {}).items()},
    "minimum": decimal_or_none,
    "maximum": decimal_or_none,
    "choices": lambda choices: tuple(choices or ()),
    "never_allowed": bool,
    "future_allowed": bool,
    "codes": lambda codes: tuple(Code(c["system"], c["code"]) for c in codes or ()),
    "derivation": build_derivation,
    "translations": lambda translations: translations or {},
}


def build_variable(data: Mapping[str, Any]) -> VariableSpec:
    """One variable without its shown_if conditions (they may read variables defined later)."""
    given = {name: data[name] for name in VARIABLE_FIELDS if name in data and name != "shown_if"}
    return VariableSpec(
        **{name: _VARIABLE_READERS.get(name, _same)(raw) for name, raw in given.items()}
    )


def _same(raw: Any) -> Any:
    return raw


def build_variables(items: list[Mapping[str, Any]]) -> dict[str, VariableSpec]:
    """Variables by key, shown_if conditions resolved against all of them; a version 1
    derivation (a string) is read as the version 2 object it stands for."""
    items = upgraded_variables(items)
    bare = {item["key"]: build_variable(item) for item in items}
    result = {}
    for item in items:
        spec = bare[item["key"]]
        shown = tuple(build_condition(c, bare) for c in item.get("shown_if") or ())
        result[spec.key] = replace(spec, shown_if=shown) if shown else spec
    return result


def upgraded_variables(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Variable dicts with each version 1 derivation (a string) written as its object."""
    keys = {item["key"] for item in items}
    return [
        {**item, "derivation": v1_derivation(item["derivation"], keys)}
        if isinstance(item.get("derivation"), str)
        else item
        for item in items
    ]


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


def build_expression(data: Mapping[str, Any], variables: Variables | None = None) -> Expression:
    for mode in ("all", "any"):
        if mode in data:
            return Group(mode, tuple(build_expression(p, variables) for p in data[mode]))
    return build_condition(data, variables)


def build_criterion(data: Mapping[str, Any], variables: Variables | None = None) -> CriterionRule:
    given = {name: data[name] for name in CRITERION_FIELDS if name in data}
    given["expression"] = build_expression(data["expression"], variables)
    given["applies_if"] = tuple(build_condition(c, variables) for c in data.get("applies_if") or ())
    return CriterionRule(**given)


def build_rules(trial: str, version: int, variables: list, criteria: list) -> RuleSet:
    specs = build_variables(variables)
    return RuleSet(trial, version, specs, tuple(build_criterion(c, specs) for c in criteria))
