"""Checking a derived variable: its derivation (a version 1 name or a version 2 object) and
its display places, alone and against the trial's other variables.

Messages name the variable and say what would be valid: the kinds, a kind's inputs, or the
variables of the type an input needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from criteria.protocol.reading import V1_DERIVATIONS
from criteria.protocol.shape import (
    DERIVATION_KINDS,
    MAX_DISPLAY_PLACES,
    Input,
    Variables,
    VariableSpec,
)

EXAMPLE = '{"kind": "times_uln", "value": "alt", "uln": "alt_uln"}'


def display_places_problems(data: Mapping[str, Any], data_type: str) -> list[str]:
    places = data.get("display_places")
    if places is None:
        return []
    if isinstance(places, bool) or not isinstance(places, int):
        return [f"display_places {places!r} must be a whole number from 0 to {MAX_DISPLAY_PLACES}"]
    if not 0 <= places <= MAX_DISPLAY_PLACES:
        return [f"display_places {places} must be a whole number from 0 to {MAX_DISPLAY_PLACES}"]
    if data_type not in ("number", "integer"):
        return [f"display_places applies to numbers, not to {data_type}"]
    return []


def own_problems(raw: object, data_type: str) -> list[str]:
    """Problems of a variable's `derivation` field on its own (no other variables needed)."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return _v1_problems(raw, data_type)
    if not isinstance(raw, Mapping):
        return [f"derivation must be an object such as {EXAMPLE}"]
    kind = DERIVATION_KINDS.get(raw.get("kind"))  # type: ignore[arg-type]
    if kind is None:
        valid = ", ".join(DERIVATION_KINDS)
        return [f'unknown derivation kind "{raw.get("kind")}" (valid: {valid})']
    roles = [put.role for put in kind.inputs]
    problems = [
        f'derivation {kind.name}: unknown input "{name}" (inputs: {", ".join(roles)})'
        for name in raw
        if name != "kind" and name not in roles
    ]
    for put in kind.inputs:
        value = raw.get(put.role)
        if value is None and put.optional:
            continue
        if not isinstance(value, str) or not value:
            what = "a choice" if put.choice_of else "the key of a variable"
            problems.append(f'derivation {kind.name} needs "{put.role}": {what}')
    if data_type != kind.data_type:
        problems.append(f"a {kind.name} derivation gives {_a(kind.data_type)}, not {_a(data_type)}")
    return problems


def _v1_problems(name: str, data_type: str) -> list[str]:
    if name not in V1_DERIVATIONS:
        return [f'unknown derivation "{name}" (valid: {", ".join(V1_DERIVATIONS)})']
    if data_type not in ("number", "integer"):
        return [f"a derived variable is a number or integer, not {data_type}"]
    return []


def input_problems(item: Mapping[str, Any], specs: Variables) -> list[str]:
    """Problems of one sound derived variable's inputs against the trial's variables: each
    named variable exists and fits its role. A version 1 name is checked as it always was."""
    raw = item.get("derivation")
    if not raw:
        return []
    if isinstance(raw, str):
        fixed = V1_DERIVATIONS[raw]
        needed = [key for role, key in fixed.items() if role not in ("kind", "measured", "female")]
        return [
            f'derivation "{raw}" reads "{key}", which is not a variable of this trial'
            for key in needed
            if key not in specs
        ]
    kind = DERIVATION_KINDS[raw["kind"]]
    problems = []
    for put in kind.inputs:
        if raw.get(put.role) is not None:
            problems += _input_problems(put, raw, specs)
    if not problems and kind.name == "times_uln":
        value, uln = specs[raw["value"]], specs[raw["uln"]]
        if value.unit != uln.unit:
            problems.append(
                f'"{value.key}" is in "{value.unit}" but its limit '
                f'"{uln.key}" in "{uln.unit}"; give both in the same unit'
            )
    return [f"derivation {kind.name}: {p}" for p in problems]


def _input_problems(put: Input, raw: Mapping[str, Any], specs: Variables) -> list[str]:
    key = raw[put.role]
    if put.choice_of:
        owner = specs.get(raw.get(put.choice_of, ""))
        if owner is not None and key not in owner.choices:
            valid = ", ".join(owner.choices)
            return [f'"{put.role}" is "{key}", not a choice of "{owner.key}" ({valid})']
        return []
    spec = specs.get(key)
    if spec is None or spec.data_type not in put.data_types:
        fitting = [
            k
            for k, s in specs.items()
            if s.data_type in put.data_types and (not put.unit or s.unit == put.unit)
        ]
        needs = " or ".join(put.data_types) + " variable" + (f" in {put.unit}" if put.unit else "")
        why = "is not a variable of this trial" if spec is None else f"is {_a(spec.data_type)}"
        return [
            f'"{put.role}" names "{key}", which {why}; it needs {_a(needs)} '
            f"({', '.join(fitting) or 'there is none'})"
        ]
    return _fit_problems(put, spec)


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _fit_problems(put: Input, spec: VariableSpec) -> list[str]:
    if put.unit and spec.unit != put.unit:
        return [f'"{put.role}" variable "{spec.key}" must be in {put.unit}, not "{spec.unit}"']
    if spec.never_allowed:
        return [f'"{put.role}" variable "{spec.key}" may be "never"; it cannot be an input']
    return []


def cycle_problems(specs: Variables) -> list[str]:
    """Derived variables that read each other in a circle (a → b → a)."""
    reads = {k: s.derivation.reads() for k, s in specs.items() if s.derivation is not None}
    problems: list[str] = []
    seen_in_cycle: set[str] = set()
    for start in reads:
        trail = _cycle_from(start, reads, (start,))
        if trail and not set(trail) & seen_in_cycle:
            seen_in_cycle |= set(trail)
            problems.append(
                f"variable {start}: derivations read each other in a circle: "
                + " → ".join((*trail, start))
            )
    return problems


def _cycle_from(key: str, reads: Mapping, trail: tuple[str, ...]) -> tuple[str, ...] | None:
    for needed in reads.get(key, ()):
        if needed == trail[0]:
            return trail
        if needed in reads and needed not in trail:
            found = _cycle_from(needed, reads, (*trail, needed))
            if found:
                return found
    return None
