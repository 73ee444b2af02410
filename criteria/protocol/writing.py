"""Writing: the dataclasses of `shape` -> their canonical dict (JSON) form.

Canonical: every field present, in the order of `shape`'s field lists, numbers as decimal
strings ("1.5") so nothing passes through a float. Reading a canonical dict back and writing
it again gives the same dict, which is what lets `export_protocol` round-trip byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from criteria.protocol.shape import (
    CRITERION_FIELDS,
    DATE_OPERATORS,
    DERIVATION_KINDS,
    PROTOCOL_FORMAT,
    TRIAL_FIELDS,
    VARIABLE_FIELDS,
    Condition,
    CriterionRule,
    Derivation,
    Expression,
    FrozenMap,
    Group,
    RuleSet,
    TrialInfo,
    VariableSpec,
)
from criteria.translations import TEXT_ORDER


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


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


def expression_dict(expr: Expression) -> dict[str, Any]:
    if isinstance(expr, Group):
        return {expr.mode: [expression_dict(p) for p in expr.parts]}
    return condition_dict(expr)


def derivation_dict(derivation: Derivation | None) -> dict[str, str] | None:
    """{"kind": ..., then the inputs in the kind's order}, or None for an entered variable."""
    if derivation is None:
        return None
    roles = [put.role for put in DERIVATION_KINDS[derivation.kind].inputs]
    inputs = {role: derivation.inputs[role] for role in roles if role in derivation.inputs}
    return {"kind": derivation.kind, **inputs}


def thawed(value: Any) -> Any:
    """Frozen JSON data (FrozenMaps, tuples) as plain dicts and lists again."""
    if isinstance(value, FrozenMap):
        return {k: thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thawed(v) for v in value]
    return value


# How each field is written; a field not named here is written as it is.
_VARIABLE_WRITERS: dict[str, Callable[[Any], Any]] = {
    "alt_units": lambda units: {u: str(f) for u, f in units.items()},
    "minimum": decimal_text,
    "maximum": decimal_text,
    "choices": list,
    "shown_if": lambda conds: [condition_dict(c) for c in conds],
    "codes": lambda codes: [{"system": c.system, "code": c.code} for c in codes],
    "derivation": derivation_dict,
    "translations": thawed,
}
_CRITERION_WRITERS: dict[str, Callable[[Any], Any]] = {
    "expression": expression_dict,
    "applies_if": lambda conds: [condition_dict(c) for c in conds],
    "translations": thawed,
}


def variable_dict(spec: VariableSpec) -> dict[str, Any]:
    written = {
        name: _VARIABLE_WRITERS.get(name, _same)(getattr(spec, name)) for name in VARIABLE_FIELDS
    }
    if "translations" in written:
        written["translations"] = _in_order(written["translations"], spec.choices)
    return written


def criterion_dict(rule: CriterionRule) -> dict[str, Any]:
    written = {
        name: _CRITERION_WRITERS.get(name, _same)(getattr(rule, name)) for name in CRITERION_FIELDS
    }
    if "translations" in written:
        written["translations"] = _in_order(written["translations"], ())
    return written


def _in_order(translations: dict, choices) -> dict:
    """Translations written in one order whatever the database kept (PostgreSQL's jsonb
    reorders an object's keys): languages by code, then label, help text, unit, choices and
    note, the choices in the variable's own order, so an export reads byte for byte as its
    file."""
    rank = {name: i for i, name in enumerate(TEXT_ORDER)}
    place = {value: i for i, value in enumerate(choices)}
    ordered = {}
    for language in sorted(translations):
        texts = translations[language]
        entry = {k: texts[k] for k in sorted(texts, key=lambda k: (rank.get(k, len(rank)), k))}
        if isinstance(entry.get("choices"), dict):
            shown = entry["choices"]
            entry["choices"] = {
                k: shown[k] for k in sorted(shown, key=lambda k: (place.get(k, len(place)), k))
            }
        ordered[language] = entry
    return ordered


def _same(value: Any) -> Any:
    return value


def rules_dict(rules: RuleSet) -> dict[str, Any]:
    """A rule set's snapshot form, as a decision stores it."""
    return {
        "trial": rules.trial,
        "version": rules.version,
        "variables": [variable_dict(v) for v in rules.variables.values()],
        "criteria": [criterion_dict(c) for c in rules.criteria],
    }


def protocol_dict(trial: TrialInfo, rules: RuleSet) -> dict[str, Any]:
    """A protocol file's dict: the trial, its variables and one criteria set."""
    return {
        "format": PROTOCOL_FORMAT,
        "trial": {name: getattr(trial, name) for name in TRIAL_FIELDS},
        "variables": [variable_dict(v) for v in rules.variables.values()],
        "criteria_set": {
            "version": rules.version,
            "criteria": [criterion_dict(c) for c in rules.criteria],
        },
    }
