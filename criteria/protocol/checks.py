"""Checking the dict (JSON) form of one condition, expression or criterion.

Each check returns a list of messages (empty when fine) so Django's `clean()` can show them.
A criterion's messages name it: `criterion I13: operator "is_true" does not fit number
variable "neutrophils"`. Variables and whole files: `criteria.protocol.validation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from criteria.protocol.reading import DECIMAL_TEXT
from criteria.protocol.shape import (
    CONDITION_FIELDS,
    CRITERION_FIELDS,
    DATE_OPERATORS,
    KINDS,
    OPERATORS,
    OPERATORS_BY_TYPE,
    Condition,
    CriterionRule,
    Group,
    Variables,
    VariableSpec,
)
from criteria.protocol.writing import condition_dict, criterion_dict, expression_dict
from criteria.translations import CRITERION_TEXTS, translation_problems
from trialsite.integers import integer_problem

# The column type of Variable.order and Criterion.order (criteria.models).
ORDER_COLUMN = "PositiveIntegerField"
# A date window longer than a century separates no dates a screening holds (none is before
# 1900), and a number past it is a slip of the keyboard, not a rule.
MAX_WINDOW_DAYS = 36_525


def decimal_problem(raw: object, what: str) -> str | None:
    """Why `raw` is not a decimal, or None when it is one: a string such as "1.5", a whole
    number, or an unquoted JSON number read as a Decimal (the loader's `parse_float`), which
    is exact. A float has already been rounded, so it is refused with the fix to make."""
    if isinstance(raw, float):
        return f'{what} {raw!r}: write {raw!r} as the string "{raw!r}" so it is not rounded'
    if isinstance(raw, Decimal):
        if raw.is_finite() and DECIMAL_TEXT.fullmatch(str(raw)):
            return None
        plain = format(raw, "f") if raw.is_finite() else "1.5"
        return f'{what} {raw}: write it as the string "{plain}"'
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return f"{what} {raw!r} is not a decimal"
    if isinstance(raw, str) and not DECIMAL_TEXT.fullmatch(raw):
        return f'{what} "{raw}" is not a decimal'
    return None


def shown(raw: object) -> str:
    """A value as the file has it: a JSON number read as a Decimal shows as 1.5, not
    Decimal('1.5')."""
    return str(raw) if isinstance(raw, Decimal) else repr(raw)


def unknown_operator(op: object) -> str:
    return f'unknown operator "{op}" (valid: {", ".join(OPERATORS)})'


def _range_text(spec: VariableSpec) -> str:
    low = "" if spec.minimum is None else str(spec.minimum)
    high = "" if spec.maximum is None else str(spec.maximum)
    return f"{low}–{high}"


def _number_problems(raw: object, spec: VariableSpec) -> list[str]:
    problem = decimal_problem(raw, f'threshold for {spec.data_type} variable "{spec.key}":')
    if problem:
        return [problem]
    value = Decimal(str(raw))
    if spec.data_type == "integer" and value != value.to_integral_value():
        return [f'threshold "{raw}" for integer variable "{spec.key}" is not a whole number']
    too_low = spec.minimum is not None and value < spec.minimum
    if too_low or (spec.maximum is not None and value > spec.maximum):
        return [
            f'threshold "{raw}" is outside the plausible range {_range_text(spec)} '
            f'of variable "{spec.key}"'
        ]
    return []


def _choice_problems(op: str, raw: object, spec: VariableSpec) -> list[str]:
    if op in ("in", "not_in"):
        if not isinstance(raw, (list, tuple)) or not raw:
            return [f'operator "{op}" needs a non-empty list of choices of "{spec.key}"']
        items = list(raw)
    else:
        items = [raw]
    allowed = ", ".join(spec.choices)
    return [
        f'value {shown(item)} is not a choice of variable "{spec.key}" ({allowed})'
        for item in items
        if not isinstance(item, str) or item not in spec.choices
    ]


def _window_problems(data: Mapping[str, Any], variables: Variables) -> list[str]:
    raw, other = data.get("value"), data.get("other")
    problems = []
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        problems.append(f"days {shown(raw)} must be a whole number of days, at least 1")
    elif raw > MAX_WINDOW_DAYS:
        problems.append(f"days {raw} must be at most {MAX_WINDOW_DAYS} (100 years)")
    if not isinstance(other, str) or other not in variables:
        problems.append(f'date window needs "other", a known date variable (got {other!r})')
    elif variables[other].data_type != "date":
        problems.append(f'"other" variable "{other}" is not a date')
    elif variables[other].never_allowed:
        problems.append(f'"other" variable "{other}" may be "never"; it cannot anchor a window')
    return problems


def _value_problems(data: Mapping[str, Any], spec: VariableSpec, variables) -> list[str]:
    op, raw = data["operator"], data.get("value")
    if op in DATE_OPERATORS:
        return _window_problems(data, variables)
    if data.get("other"):
        return [f'"other" is only for date windows, not for operator "{op}"']
    if spec.data_type in ("number", "integer"):
        return _number_problems(raw, spec)
    if spec.data_type == "choice":
        return _choice_problems(op, raw, spec)
    if raw is not None:
        return [f'operator "{op}" takes no value (got {shown(raw)})']
    return []


def _shape_problems(data: Mapping[str, Any]) -> list[str]:
    # Without the variables only the operator tells what the value should look like.
    op, raw = data.get("operator"), data.get("value")
    if not isinstance(data.get("variable"), str) or not data.get("variable"):
        return ["variable must be a variable key"]
    if op not in OPERATORS:
        return [unknown_operator(op)]
    if op in DATE_OPERATORS:
        known = {data.get("other"): VariableSpec(str(data.get("other")), "", "date")}
        return _window_problems(data, known if isinstance(data.get("other"), str) else {})
    if data.get("other"):
        return [f'"other" is only for date windows, not for operator "{op}"']
    if op in ("lt", "lte", "gt", "gte"):
        return [p for p in [decimal_problem(raw, "threshold")] if p]
    if op in ("in", "not_in"):
        ok = isinstance(raw, list) and raw and all(isinstance(i, str) for i in raw)
        return [] if ok else [f'operator "{op}" needs a non-empty list of texts']
    if op in ("eq", "ne"):
        ok = isinstance(raw, str) or (isinstance(raw, int) and not isinstance(raw, bool))
        problem = None if ok else decimal_problem(raw, "value")
        if ok or (problem is None and isinstance(raw, Decimal)):
            return []
        return [problem or f"value {raw!r} is not text"]
    return [] if raw is None else [f'operator "{op}" takes no value (got {shown(raw)})']


def check_condition(
    cond: Condition | Mapping[str, Any], variables: Variables | None = None
) -> list[str]:
    """Problems of one comparison (dict form or Condition) against the trial's variables.

    Without `variables` only its shape is checked (operator known, value fits the operator).
    """
    data = condition_dict(cond) if isinstance(cond, Condition) else cond
    if not isinstance(data, Mapping):
        return [f"a condition must be an object, not {data!r}"]
    extra = sorted(set(data) - set(CONDITION_FIELDS))
    if extra:
        return [f'unknown field "{extra[0]}" in condition']
    if variables is None:
        return _shape_problems(data)
    key, op = data.get("variable"), data.get("operator")
    if not isinstance(key, str) or key not in variables:
        return [f'unknown variable "{key}"']
    if op not in OPERATORS:
        return [unknown_operator(op)]
    spec = variables[key]
    fitting = OPERATORS_BY_TYPE.get(spec.data_type, frozenset())
    if op not in fitting:
        valid = ", ".join(o for o in OPERATORS if o in fitting)
        return [f'operator "{op}" does not fit {spec.data_type} variable "{key}" (use {valid})']
    return _value_problems(data, spec, variables)


def check_expression(expr: Any, variables: Variables | None = None) -> list[str]:
    """Problems of an expression: a comparison or {"all": [...]} / {"any": [...]}."""
    data = expression_dict(expr) if isinstance(expr, (Condition, Group)) else expr
    if isinstance(data, Mapping) and ("all" in data or "any" in data):
        if len(data) != 1:
            return ['a group is {"all": [...]} or {"any": [...]} and nothing else']
        parts = next(iter(data.values()))
        if not isinstance(parts, list) or not parts:
            return ["a group needs a non-empty list of parts"]
        return [p for part in parts for p in check_expression(part, variables)]
    return check_condition(data, variables)


def _criterion_fields(data: Mapping[str, Any]) -> list[str]:
    problems = [f'unknown field "{f}"' for f in data if f not in CRITERION_FIELDS]
    for name in ("code", "label", "protocol_wording"):
        if not isinstance(data.get(name), str) or not data.get(name):
            problems.append(f"{name} must be non-empty text")
    if data.get("kind") not in KINDS:
        problems.append(f'unknown kind "{data.get("kind")}" (inclusion or exclusion)')
    if not isinstance(data.get("note", ""), str):
        problems.append("note must be text")
    problems += translation_problems(data, CRITERION_TEXTS)
    problems += _note_translation_problems(data)
    problem = integer_problem(data.get("order", 0), ORDER_COLUMN, "order")
    return [*problems, problem] if problem else problems


def _note_translation_problems(data: Mapping[str, Any]) -> list[str]:
    # Without the English note an English reader would miss what a Danish one is told.
    given = data.get("translations")
    if data.get("note") or not isinstance(given, Mapping):
        return []
    return [
        f"translations {language!r}: a translated note needs the criterion's own note"
        for language, entry in given.items()
        if isinstance(entry, Mapping) and "note" in entry
    ]


def check_criterion(
    rule: CriterionRule | Mapping[str, Any], variables: Variables | None = None
) -> list[str]:
    """Problems of one criterion (dict form or CriterionRule), each prefixed with its code."""
    data = criterion_dict(rule) if isinstance(rule, CriterionRule) else rule
    if not isinstance(data, Mapping):
        return [f"a criterion must be an object, not {data!r}"]
    name = f"criterion {data.get('code') or '(no code)'}"
    problems = [f"{name}: {p}" for p in _criterion_fields(data)]
    if "expression" not in data:
        problems.append(f"{name}: expression is missing")
    else:
        problems += [f"{name}: {p}" for p in check_expression(data["expression"], variables)]
    applies = data.get("applies_if", [])
    if not isinstance(applies, list):
        return [*problems, f"{name} applies_if: must be a list of conditions"]
    for cond in applies:
        problems += [f"{name} applies_if: {p}" for p in check_condition(cond, variables)]
    return problems
