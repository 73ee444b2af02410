"""Raw input -> typed canonical values, and the JSON form they are stored in.

Typed canonical values are what the evaluator reads: Decimal in the variable's canonical
unit for numbers, int for integers, bool, str (a choice), `datetime.date`, or `NEVER` for a
date answered "never". A key that is absent means "not answered yet", which differs from
"never". `parse_values` reads the `screen` command's JSON; the single-value helpers are shared
with the Django forms so both refuse the same things with the same words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from criteria.date_ranges import date_problems
from criteria.derivations import CONTEXT
from criteria.exceptions import ValueProblem
from criteria.protocol import NEVER, RuleSet, VariableSpec
from criteria.typed_numbers import (
    decimal_from_text,
    integer_from_text,
    number_text,
    shown_number,
)

__all__ = [
    "MOST_DIGITS",
    "NEVER",
    "NOT_FINITE",
    "TOO_LARGE",
    "accepted_units",
    "check_range",
    "decimal_from_text",
    "format_amount",
    "integer_from_text",
    "number_problem",
    "number_text",
    "shown_number",
    "parse_value",
    "parse_values",
    "to_canonical",
    "unit_display",
    "value_from_json",
    "value_to_json",
]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Reasons show a value to 2 places, or 6 by a threshold, in the 28 digits of
# derivations.CONTEXT: 21 before the point leave room. No clinical value comes near 1E+21.
MOST_DIGITS = 21
_LIMIT = 10**MOST_DIGITS
# Marked for translation, translated where shown (check_range): as data they stay English.
NOT_FINITE = gettext_noop("is not a finite number")
TOO_LARGE = gettext_noop("is too large to work with")


def unit_display(unit: str) -> str:
    """How a unit follows a number: "10⁹/L" reads "× 10⁹/L", "%" sticks to the number."""
    if unit.startswith("10"):
        return f" × {unit}"
    if unit == "%" or not unit:
        return unit
    return f" {unit}"


def _unit_key(unit: str) -> str:
    # People type "umol/L", Greek mu (U+03BC) or the micro sign (U+00B5), "10^9/l", "mg/dl":
    # all the same unit. Case is folded; no two units of one variable differ only by case.
    text = unit.replace(" ", "").lstrip("x×*").replace("μ", "µ").replace("^9", "⁹")
    if text.startswith(("umol", "ug", "ul", "uL")):
        text = "µ" + text[1:]
    return text.casefold()


def accepted_units(spec: VariableSpec) -> tuple[str, ...]:
    """The canonical unit first, then the alternatives."""
    return tuple(u for u in (spec.unit, *spec.alt_units) if u)


def to_canonical(spec: VariableSpec, amount: Decimal, unit: str) -> Decimal:
    """`amount` in `unit` (empty = canonical) converted exactly to the canonical unit.

    Raises ValueProblem naming the accepted units when `unit` is not one of them.
    """
    key = _unit_key(unit)
    if not key or key == _unit_key(spec.unit):
        return amount
    for alt, factor in spec.alt_units.items():
        if key == _unit_key(alt):
            return CONTEXT.multiply(amount, factor)
    accepted = ", ".join(accepted_units(spec)) or "none"
    raise ValueProblem(spec.key, f'{spec.key}: unknown unit "{unit}"; accepted: {accepted}')


def format_amount(spec: VariableSpec, value: object) -> str:
    """A canonical value with its unit, as people read it: "95 × 10⁹/L", "62%", "1,4 mg/dL"
    on a Danish page."""
    return f"{shown_number(str(value))}{unit_display(spec.unit)}"


def number_problem(value: Decimal | int) -> str | None:
    """Why a number cannot be worked with, or None: NOT_FINITE (NaN, infinity) or TOO_LARGE
    (1E+21 or more, either sign). The same whatever the decimal context."""
    # adjusted(), the power of ten of the first digit, is cheaper than comparing Decimals.
    if isinstance(value, Decimal):
        if not value.is_finite():
            return NOT_FINITE
        small = value.adjusted() < MOST_DIGITS or not value  # a zero's may be large: 0E+30
    else:
        small = -_LIMIT < value < _LIMIT
    return None if small else TOO_LARGE


def check_range(spec: VariableSpec, value: Decimal | int) -> str | None:
    """Why a canonical value is implausible, or None if it is fine: outside minimum–maximum,
    or, bounds or not, refused by number_problem."""
    problem = number_problem(value)
    if problem == NOT_FINITE:  # not to be compared with the bounds
        return f"{format_amount(spec, value)} {_(problem)}"
    low, high = spec.minimum, spec.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{'' if low is None else low}–{'' if high is None else high}"
        return _("%(value)s is outside the plausible range %(span)s") % {
            "value": format_amount(spec, value),
            "span": shown_number(span),
        }
    return f"{format_amount(spec, value)} {_(problem)}" if problem else None


def _decimal(spec: VariableSpec, raw: object) -> Decimal:
    """A finite Decimal from an int, a typed number (decimal_from_text) or (JSON input only)
    a float."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
        raise ValueProblem(spec.key, f"{spec.key}: {raw!r} is not a number")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValueProblem(spec.key, f"{spec.key}: {raw!r} is not a finite number")
    if isinstance(raw, str):
        try:
            return decimal_from_text(raw)
        except ValueError as error:
            raise ValueProblem(spec.key, f"{spec.key}: {error}") from None
    # str(float) is the shortest text that reads back as the same float: 1.2, not 1.19999…
    value = Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
    if not value.is_finite():
        raise ValueProblem(spec.key, f"{spec.key}: {raw!r} is not a finite number")
    return value


def parse_number(spec: VariableSpec, raw: object) -> Decimal | int:
    """A number or integer answer: `1.5`, `"1.5"` or `{"value": 1.2, "unit": "mg/dL"}`."""
    unit = ""
    if isinstance(raw, Mapping):
        unknown = sorted(set(raw) - {"value", "unit"})
        if unknown or "value" not in raw or not isinstance(raw.get("unit", ""), str):
            raise ValueProblem(spec.key, f'{spec.key}: write {{"value": 1.2, "unit": "mg/dL"}}')
        raw, unit = raw["value"], raw.get("unit", "")
    if spec.data_type == "integer" and isinstance(raw, str):
        try:
            raw = integer_from_text(raw)
        except ValueError as error:
            raise ValueProblem(spec.key, f"{spec.key}: {error}") from None
    value = to_canonical(spec, _decimal(spec, raw), unit)
    if spec.data_type == "integer":
        if value != value.to_integral_value():
            raise ValueProblem(spec.key, f"{spec.key}: {raw!r} is not a whole number")
        value = int(value)
    problem = check_range(spec, Decimal(value))
    if problem:
        raise ValueProblem(spec.key, f"{spec.key}: {problem}")
    return value


def parse_date(spec: VariableSpec, raw: object) -> date | str:
    """A date answer: "YYYY-MM-DD", or "never" where the question allows it."""
    if raw == NEVER:
        if spec.never_allowed:
            return NEVER
        raise ValueProblem(spec.key, f'{spec.key}: "never" is not an answer to this question')
    if isinstance(raw, date) and not hasattr(raw, "hour"):
        return raw
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        hint = ' or "never"' if spec.never_allowed else ""
        raise ValueProblem(spec.key, f"{spec.key}: {raw!r} is not a date YYYY-MM-DD{hint}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueProblem(spec.key, f'{spec.key}: "{raw}" is not a calendar date') from None


def parse_value(spec: VariableSpec, raw: object) -> object:
    """One raw JSON answer -> its typed canonical value; ValueProblem says what is wrong."""
    if spec.data_type in ("number", "integer"):
        return parse_number(spec, raw)
    if spec.data_type == "date":
        return parse_date(spec, raw)
    if spec.data_type == "boolean":
        if not isinstance(raw, bool):
            raise ValueProblem(spec.key, f"{spec.key}: {raw!r} is not true or false")
        return raw
    if not isinstance(raw, str) or raw not in spec.choices:
        choices = ", ".join(spec.choices)
        raise ValueProblem(spec.key, f"{spec.key}: {raw!r} is not one of: {choices}")
    return raw


def parse_values(
    rules: RuleSet, raw: Mapping[str, object], *, today: date | None = None
) -> dict[str, object]:
    """The `screen` command's {"key": answer} -> typed canonical values.

    Keys must be entered (not derived) variables of `rules`; null means "not answered" and
    the key is left out. Dates must be plausible (criteria.date_ranges: from the screening
    date, else `today`, by default the local date). Raises ValueProblem for the first bad entry.
    """
    if not isinstance(raw, Mapping):
        raise ValueProblem("", "values must be a JSON object of variable: answer")
    values: dict[str, object] = {}
    for key, answer in raw.items():
        spec = rules.variables.get(key)
        if spec is None:
            raise ValueProblem(key, f'unknown variable "{key}"')
        if spec.derivation is not None:
            raise ValueProblem(key, f"{key}: is derived ({spec.derivation.kind}), not entered")
        if answer is not None:
            values[key] = parse_value(spec, answer)
    today = today or timezone.localdate()
    for key, problem in date_problems(rules.variables, values, today).items():
        raise ValueProblem(key, f"{key}: {values[key]}: {problem}")
    return values


def value_to_json(spec: VariableSpec, value: object) -> object:
    """A typed canonical value -> its stored JSON form (Decimal as a string, date ISO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def value_from_json(spec: VariableSpec, stored: object) -> object:
    """The stored JSON form -> the typed canonical value, exactly as it was stored."""
    if stored is None:
        return None
    try:
        if spec.data_type == "number":
            value = Decimal(stored) if isinstance(stored, str) else _decimal(spec, stored)
            if value.is_finite():
                return value
            raise ValueError(stored)
        if spec.data_type == "integer":
            if isinstance(stored, bool):
                raise TypeError(stored)
            return int(stored)  # type: ignore[call-overload]
        if spec.data_type == "date":
            return NEVER if stored == NEVER else date.fromisoformat(stored)  # type: ignore[arg-type]
    except (InvalidOperation, ValueError, TypeError):
        raise ValueProblem(spec.key, f"{spec.key}: stored value {stored!r} is unreadable") from None
    return stored
