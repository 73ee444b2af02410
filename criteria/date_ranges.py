"""Plausible dates: one rule, by the kind of date, for the screening form and `screen`.

A protocol declares numeric plausible ranges per variable (minimum, maximum); a date's range
depends on the screening date instead, so it follows from what the protocol already declares
about the date: the birth date and the screening date are the variables the registration
fills in (`date_of_birth`, `screening_date`), a date that may lie in the future
(`future_allowed`) is a planned one, and every other date is a past event. Dates are
measured from the screening date, or from today while none is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from criteria.derivations import completed_years
from criteria.protocol import VariableSpec

# The keys the registration's date of birth and the episode's screening date are kept under.
BIRTH_KEY, REFERENCE_KEY = "date_of_birth", "screening_date"
EARLIEST = date(1900, 1, 1)
OLDEST_AGE = 120
PLANNED_YEARS = 2


def date_problem(spec: VariableSpec, value: date, reference: date, *, given: bool) -> str | None:
    """Why `value` is implausible for `spec`, or None. `reference` is the screening date, or
    today when `given` is False (no screening date entered yet)."""
    on = f"the screening date ({reference})" if given else f"today ({reference})"
    if spec.key == BIRTH_KEY:
        if value > reference:
            return f"A date of birth cannot lie after {on}."
        age = completed_years(value, reference)
        if age > OLDEST_AGE:
            at = f"on {on}" if given else on
            return f"This gives an age of {age} {at}; an age of 0 to {OLDEST_AGE} is possible."
        return None
    if value < EARLIEST:
        return f"This date cannot lie before {EARLIEST}."
    if spec.key == REFERENCE_KEY:
        return None
    if spec.future_allowed:
        latest = add_years(reference, PLANNED_YEARS)
        if not reference <= value <= latest:
            return f"A planned date lies from {on} to {PLANNED_YEARS} years later ({latest})."
        return None
    if value > reference:
        return f"This date cannot lie after {on}."
    return None


def date_problems(
    variables: Mapping[str, VariableSpec], values: Mapping[str, object], today: date
) -> dict[str, str]:
    """{key: why} for every typed date in `values` that is implausible (see date_problem)."""
    reference, given = reference_date(values, today)
    problems = {}
    for key, value in values.items():
        spec = variables.get(key)
        if spec is not None and spec.data_type == "date" and isinstance(value, date):
            problem = date_problem(spec, value, reference, given=given)
            if problem:
                problems[key] = problem
    return problems


def reference_date(values: Mapping[str, object], today: date) -> tuple[date, bool]:
    """The screening date among typed `values` and True, or `today` and False."""
    screening_date = values.get(REFERENCE_KEY)
    if isinstance(screening_date, date) and screening_date >= EARLIEST:
        return screening_date, True
    return today, False


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February (the shorter span)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
