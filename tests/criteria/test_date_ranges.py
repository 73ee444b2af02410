"""Plausible dates (criteria.date_ranges), at the exact boundaries, through parse_values as
the `screen` command and the screening form use them."""

from datetime import date

import pytest

from criteria.exceptions import ValueProblem
from criteria.values import parse_values
from tests.criteria.test_values import RULES

ON = date(2026, 11, 29)  # the screening date
TODAY = date(2026, 12, 5)


def parse(**answers) -> dict:
    return parse_values(RULES, {k: v.isoformat() for k, v in answers.items()}, today=TODAY)


@pytest.mark.parametrize(
    ("born", "refused"),
    [
        (ON, False),  # age 0 on the day of birth
        (date(2026, 11, 30), True),  # born after the screening date
        (date(1906, 11, 29), False),  # 120th birthday on the screening date
        (date(1905, 11, 30), False),  # still 120: 121 tomorrow
        (date(1905, 11, 29), True),  # 121st birthday on the screening date
        (date(1, 1, 1), True),
    ],
)
def test_a_birth_date_gives_an_age_of_0_to_120_on_the_screening_date(born, refused):
    if not refused:
        assert parse(screening_date=ON, date_of_birth=born)["date_of_birth"] == born
        return
    with pytest.raises(ValueProblem) as caught:
        parse(screening_date=ON, date_of_birth=born)
    assert caught.value.key == "date_of_birth"


def test_the_age_in_the_message_is_the_one_the_date_gives():
    with pytest.raises(ValueProblem) as caught:
        parse(screening_date=ON, date_of_birth=date(1, 1, 1))
    assert str(caught.value) == (
        "date_of_birth: 0001-01-01: This gives an age of 2025 on the screening date "
        "(2026-11-29); an age of 0 to 120 is possible."
    )


@pytest.mark.parametrize(
    ("key", "day", "refused"),
    [
        ("last_ami_date", date(1900, 1, 1), False),
        ("last_ami_date", date(1899, 12, 31), True),
        ("last_ami_date", ON, False),
        ("last_ami_date", date(2026, 11, 30), True),  # after the screening date
        ("last_chemotherapy_date", date(1899, 12, 31), True),
        ("cns_imaging_date", date(2026, 11, 30), True),
        ("screening_date", date(1900, 1, 1), False),
        ("screening_date", date(1899, 12, 31), True),
        ("planned_start_date", ON, False),
        ("planned_start_date", date(2026, 11, 28), True),  # a plan lies ahead of the screening
        ("planned_start_date", date(2028, 11, 29), False),  # + 2 years
        ("planned_start_date", date(2028, 11, 30), True),  # + 2 years + 1 day
    ],
)
def test_past_and_planned_dates_at_their_boundaries(key, day, refused):
    answers = {"screening_date": ON, key: day}
    if not refused:
        assert parse(**answers)[key] == day
        return
    with pytest.raises(ValueProblem) as caught:
        parse(**answers)
    assert caught.value.key == key


def test_without_a_screening_date_dates_are_measured_from_today():
    assert parse(last_ami_date=TODAY)["last_ami_date"] == TODAY
    with pytest.raises(ValueProblem, match=r"cannot lie after today \(2026-12-05\)"):
        parse(last_ami_date=date(2026, 12, 6))
    assert parse(planned_start_date=date(2028, 12, 5))
    with pytest.raises(ValueProblem, match="from today"):
        parse(planned_start_date=date(2028, 12, 6))


def test_a_leap_day_screening_plans_up_to_28_february_two_years_on():
    leap = date(2028, 2, 29)
    assert parse(screening_date=leap, planned_start_date=date(2030, 2, 28))
    with pytest.raises(ValueProblem):
        parse(screening_date=leap, planned_start_date=date(2030, 3, 1))
