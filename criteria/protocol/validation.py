"""Checking variable lists and whole protocol files (dict / JSON form), all in one pass.

Every check returns a list of messages (empty when fine); `validate_protocol` raises them
together as one `ProtocolError`. Each message names the entry it is about, e.g.
`variable lvef_percent: minimum "abc" is not a decimal`. Conditions and criteria are checked
by `criteria.protocol.checks`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from criteria.exceptions import ProtocolError
from criteria.protocol import derivation_checks
from criteria.protocol.checks import (
    MAX_WINDOW_DAYS,
    ORDER_COLUMN,
    check_condition,
    check_criterion,
    decimal_problem,
)
from criteria.protocol.derivation_checks import EXAMPLE
from criteria.protocol.reading import V1_DERIVATIONS, build_variables
from criteria.protocol.shape import (
    DATA_TYPES,
    DERIVATION_KINDS,
    PROTOCOL_FIELDS,
    PROTOCOL_FORMAT,
    PROTOCOL_V1,
    TRIAL_FIELDS,
    V2_CRITERION_FIELDS,
    V2_VARIABLE_FIELDS,
    VARIABLE_FIELDS,
    Variables,
)
from criteria.translations import VARIABLE_TEXTS, translation_problems
from trialsite.integers import integer_problem

_KEY = re.compile(r"[a-z][a-z0-9_]*")


def _text_field_problems(data: Mapping[str, Any]) -> list[str]:
    problems = [f'unknown field "{f}"' for f in data if f not in VARIABLE_FIELDS]
    if not isinstance(data.get("label"), str) or not data.get("label"):
        problems.append("label must be non-empty text")
    for name in ("section", "help_text", "unit", "loinc"):
        if not isinstance(data.get(name, ""), str):
            problems.append(f"{name} must be text")
    problem = integer_problem(data.get("order", 0), ORDER_COLUMN, "order")
    problems += [problem] if problem else []
    for flag in ("never_allowed", "future_allowed"):
        if not isinstance(data.get(flag, False), bool):
            problems.append(f"{flag} must be true or false")
    return problems


def _number_field_problems(data: Mapping[str, Any], data_type: str) -> list[str]:
    problems = []
    bounds = {n: data.get(n) for n in ("minimum", "maximum") if data.get(n) is not None}
    for name, raw in bounds.items():
        problem = decimal_problem(raw, name)
        problems += [problem] if problem else []
    if bounds and data_type not in ("number", "integer"):
        problems.append(f"minimum/maximum apply to numbers, not to {data_type}")
    if (
        not problems
        and len(bounds) == 2
        and Decimal(str(bounds["minimum"])) > Decimal(str(bounds["maximum"]))
    ):
        problems.append("minimum is above maximum")
    alt = data.get("alt_units") or {}
    if not isinstance(alt, Mapping):
        return [*problems, "alt_units must map unit -> factor"]
    if alt and data_type != "number":
        problems.append(f"alternative units apply to numbers, not to {data_type}")
    for unit, factor in alt.items():
        problem = decimal_problem(factor, f'factor for unit "{unit}"')
        if problem or Decimal(str(factor)) <= 0:
            problems.append(problem or f'factor for unit "{unit}" must be above 0')
    return problems


def _kind_problems(data: Mapping[str, Any], data_type: str) -> list[str]:
    problems = []
    choices = data.get("choices") or []
    valid = isinstance(choices, list) and all(isinstance(c, str) and c for c in choices)
    if not valid or len(set(choices)) != len(choices):
        problems.append("choices must be a list of distinct, non-empty texts")
    elif data_type == "choice" and not choices:
        problems.append("a choice variable needs choices")
    elif data_type != "choice" and choices:
        problems.append(f"choices apply to choice variables, not to {data_type}")
    if data.get("never_allowed") and data_type != "date":
        problems.append('only a date may be answered "never"')
    if data.get("future_allowed") and data_type != "date":
        problems.append("future_allowed applies to dates only")
    problems += derivation_checks.own_problems(data.get("derivation"), data_type)
    problems += derivation_checks.display_places_problems(data, data_type)
    return problems


def _record_problems(data: Mapping[str, Any]) -> list[str]:
    """Problems of `codes` (a list of {system, code}) and `lookback_days` (whole days)."""
    codes = data.get("codes") or []
    problems = []
    if not isinstance(codes, list):
        return ["codes must be a list of {system, code}"]
    for code in codes:
        good = isinstance(code, Mapping) and set(code) == {"system", "code"}
        if not good or not all(isinstance(code[n], str) and code[n].strip() for n in code):
            problems.append(f"code {code!r} must be {{system, code}}, both non-empty text")
    pairs = [(c.get("system"), c.get("code")) for c in codes if isinstance(c, Mapping)]
    if len(set(pairs)) != len(pairs):
        problems.append("codes lists a code twice")
    if codes and data.get("derivation"):
        problems.append("a derived variable is computed, not read from the hospital record")
    days = data.get("lookback_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
        problems.append(f"lookback_days {days!r} must be a whole number of days, 0 or more")
    elif days is not None and days > MAX_WINDOW_DAYS:  # else past its column, or year 1
        problems.append(f"lookback_days {days} must be at most {MAX_WINDOW_DAYS} (100 years)")
    if days is not None and not codes:
        problems.append("lookback_days needs codes to look for")
    return problems


def check_variable(data: Mapping[str, Any]) -> list[str]:
    """Problems of one variable's own fields, prefixed `variable KEY:`."""
    if not isinstance(data, Mapping):
        return [f"a variable must be an object, not {data!r}"]
    key = data.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        return [f"variable {key!r}: key must be lower-case letters, digits and _"]
    data_type = data.get("data_type")
    if data_type not in DATA_TYPES:
        return [f'variable {key}: unknown data type "{data_type}"']
    problems = _text_field_problems(data) + _kind_problems(data, data_type)
    problems += translation_problems(data, VARIABLE_TEXTS, data.get("choices"))
    problems += _unit_translation_problems(data)
    problems += _number_field_problems(data, data_type) + _record_problems(data)
    return [f"variable {key}: {p}" for p in problems]


def _unit_translation_problems(data: Mapping[str, Any]) -> list[str]:
    # A unit picked from a list or sent by the hospital record is matched by its symbol, which
    # is why only a unit without alternatives or codes (years, × ULN) may be translated.
    given = data.get("translations")
    if not isinstance(given, Mapping) or not (data.get("alt_units") or data.get("codes")):
        return []
    return [
        f"translations {language!r}: the unit of a variable with alt_units or codes is a "
        "symbol matched as written, and is not translated; remove its unit"
        for language, entry in given.items()
        if isinstance(entry, Mapping) and "unit" in entry
    ]


def _cross_variable_problems(items: list[Mapping[str, Any]]) -> list[str]:
    """How well-formed variables fit together; `items` passed `check_variable`."""
    keys = [item["key"] for item in items]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    problems = [f'variables: two variables with key "{k}"' for k in twice]
    once = [item for item in items if item["key"] not in twice]
    specs = build_variables([{**item, "shown_if": []} for item in once])
    problems += derivation_checks.cycle_problems(specs)
    for item in once:
        found = derivation_checks.input_problems(item, specs)
        problems += [f"variable {item['key']}: {p}" for p in found]
        shown = item.get("shown_if") or []
        if not isinstance(shown, list):
            problems.append(f"variable {item['key']} shown_if: must be a list of conditions")
            continue
        for cond in shown:
            name = f"variable {item['key']} shown_if"
            problems += [f"{name}: {p}" for p in check_condition(cond, specs)]
    return problems


def _sound_variables(items: object) -> tuple[list[str], dict[str, Any], set[str]]:
    """(problems, the variables that can be built, the keys of those that cannot). Every
    variable is checked, and the sound ones still together, so one pass finds everything."""
    if not isinstance(items, list):
        return ["variables must be a list"], {}, set()
    problems, sound, broken = [], [], set()
    for item in items:
        own = check_variable(item)
        problems += own
        if not own:
            sound.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("key"), str):
            broken.add(item["key"])
    cross = _cross_variable_problems(sound)
    keys = [item["key"] for item in sound]
    broken |= {k for k in keys if keys.count(k) > 1}
    usable = [item for item in sound if item["key"] not in broken]
    # A variable whose shown_if is wrong is still usable by criteria, as if always shown.
    usable = [
        {**item, "shown_if": []} if _shown_if_broken(item, cross) else item for item in usable
    ]
    return problems + cross, build_variables(usable), broken


def _shown_if_broken(item: Mapping[str, Any], cross: list[str]) -> bool:
    return any(p.startswith(f"variable {item['key']} shown_if") for p in cross)


def check_variables(items: object) -> list[str]:
    """Problems of a list of variable dicts: each one's fields, and how they fit together."""
    return _sound_variables(items)[0]


def check_criteria(items: object, variables: Variables) -> list[str]:
    """Problems of a criteria list: each criterion, then duplicate codes."""
    if not isinstance(items, list):
        return ["criteria_set: criteria must be a list"]
    problems = [p for item in items for p in check_criterion(item, variables)]
    codes = [item.get("code") for item in items if isinstance(item, Mapping)]
    dupes = sorted({c for c in codes if codes.count(c) > 1}, key=str)
    return problems + [f'criteria_set: two criteria with code "{c}"' for c in dupes]


def check_rule_parts(variables: object, criteria: object) -> list[str]:
    """Problems of variables + criteria lists, all in one pass: criteria are checked against
    the variables that are sound, and a criterion is not blamed for reading a variable whose
    own problems are already listed."""
    problems, specs, broken = _sound_variables(variables)
    blamed = {f'unknown variable "{key}"' for key in broken}
    found = check_criteria(criteria, specs)
    return problems + [p for p in found if not p.endswith(tuple(blamed))]


def _trial_problems(trial: object) -> list[str]:
    if not isinstance(trial, Mapping):
        return ["trial: must be an object with registry_id, title, sponsor_protocol_id"]
    problems = [f'trial: unknown field "{f}"' for f in trial if f not in TRIAL_FIELDS]
    for name in ("registry_id", "title"):
        if not isinstance(trial.get(name), str) or not trial.get(name):
            problems.append(f"trial: {name} must be non-empty text")
    if not isinstance(trial.get("sponsor_protocol_id", ""), str):
        problems.append("trial: sponsor_protocol_id must be text")
    return problems


def _version_problems(version: object) -> list[str]:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return [f"criteria_set: version {version!r} must be a whole number, at least 1"]
    return []


def _format_problems(data: Mapping[str, Any]) -> list[str]:
    """What the file's format rules out: version 1 has no field of version 2 and names a
    derivation by a string; version 2 writes a derivation as an object."""
    fmt = data.get("format")
    if fmt not in (PROTOCOL_V1, PROTOCOL_FORMAT):
        return [f'protocol: format must be "{PROTOCOL_FORMAT}" (or "{PROTOCOL_V1}"), not {fmt!r}']
    variables = data.get("variables") if isinstance(data.get("variables"), list) else []
    cset = data.get("criteria_set") if isinstance(data.get("criteria_set"), Mapping) else {}
    criteria = cset.get("criteria") if isinstance(cset.get("criteria"), list) else []
    problems = []
    for item in (v for v in variables if isinstance(v, Mapping)):
        name, raw = f"variable {item.get('key')}", item.get("derivation")
        if fmt == PROTOCOL_V1:
            problems += [_v2_only(name, f) for f in V2_VARIABLE_FIELDS if f in item]
            if raw is not None and not isinstance(raw, str):
                names = ", ".join(V1_DERIVATIONS)
                problems.append(f"{name}: in {PROTOCOL_V1} a derivation is a name ({names})")
        elif isinstance(raw, str) and raw:
            problems.append(f"{name}: in {PROTOCOL_FORMAT} a derivation is an object: {_like(raw)}")
    if fmt == PROTOCOL_V1:
        for item in (c for c in criteria if isinstance(c, Mapping)):
            name = f"criterion {item.get('code')}"
            problems += [_v2_only(name, f) for f in V2_CRITERION_FIELDS if f in item]
    return problems


def _like(name: str) -> str:
    if name in V1_DERIVATIONS:
        return json.dumps(V1_DERIVATIONS[name])
    kinds = ", ".join(DERIVATION_KINDS)
    return f'{{"kind": ..., its inputs}} of a kind among {kinds}, such as {EXAMPLE}'


def _v2_only(name: str, field: str) -> str:
    return f'{name}: unknown field "{field}" in {PROTOCOL_V1} (a field of {PROTOCOL_FORMAT})'


def validate_protocol(data: object) -> None:
    """Raise ProtocolError listing every problem of a protocol file's dict; None when valid."""
    if not isinstance(data, Mapping):
        raise ProtocolError("protocol: must be a JSON object")
    problems = [f'protocol: unknown field "{f}"' for f in data if f not in PROTOCOL_FIELDS]
    problems += _format_problems(data)
    problems += _trial_problems(data.get("trial"))
    cset = data.get("criteria_set")
    if not isinstance(cset, Mapping):
        problems.append("criteria_set: must be an object with version and criteria")
        cset = {}
    problems += _version_problems(cset.get("version"))
    problems += check_rule_parts(_as_read(data), cset.get("criteria"))
    if problems:
        raise ProtocolError(problems)


def _as_read(data: Mapping[str, Any]) -> object:
    """The variables as checked further: in a version 2 file a derivation written as a name
    is already refused (_format_problems), and is not read as version 1's name too."""
    variables = data.get("variables")
    if data.get("format") == PROTOCOL_V1 or not isinstance(variables, list):
        return variables
    return [
        {**v, "derivation": None}
        if isinstance(v, Mapping) and isinstance(v.get("derivation"), str)
        else v
        for v in variables
    ]


def validate_rules_dict(data: object) -> None:
    """Raise ProtocolError for a bad `rules_to_dict` snapshot; None when valid."""
    if not isinstance(data, Mapping):
        raise ProtocolError("rules: must be a JSON object")
    problems = [] if isinstance(data.get("trial"), str) else ["rules: trial must be text"]
    problems += _version_problems(data.get("version"))
    problems += check_rule_parts(data.get("variables"), data.get("criteria"))
    if problems:
        raise ProtocolError(problems)
