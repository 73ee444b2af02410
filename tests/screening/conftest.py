"""Fixtures of the screening tests: a registered candidate and its first episode."""

import datetime as dt

import pytest

from screening import services
from tests.cases import eligible_values


@pytest.fixture
def candidate(trial, nurse):
    return services.candidate_register(
        trial=trial,
        initials="AB",
        year_of_birth=1965,
        sex="female",
        referring_unit="Herlev, Oncology",
        referral_date=dt.date(2026, 11, 18),
        registered_by=nurse,
    )


@pytest.fixture
def episode(candidate):
    return candidate.screenings.get(episode=1)


def fill(screening, nurse, **changes):
    """Save the eligible case with some answers changed (None removes an answer)."""
    values = eligible_values()
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return services.screening_values_save(
        screening=screening, values=values, units={}, saved_by=nurse
    )
