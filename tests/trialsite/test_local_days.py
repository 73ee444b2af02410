"""within_days: site-local days as ranges of stored (UTC) time, both ends included."""

import datetime as dt
import zoneinfo

import pytest
from django.db.models import Q

from tests.factories import UserFactory
from trialsite.local_days import day_start, within_days
from trialsite.models import CandidateAccess

pytestmark = pytest.mark.django_db
ZONE = zoneinfo.ZoneInfo("Europe/Copenhagen")


@pytest.fixture(autouse=True)
def site_zone(settings):
    settings.TIME_ZONE = "Europe/Copenhagen"


def test_a_day_starts_at_local_midnight_in_winter_and_summer():
    assert day_start(dt.date(2026, 1, 10)) == dt.datetime(2026, 1, 9, 23, 0, tzinfo=dt.UTC)
    assert day_start(dt.date(2026, 7, 10)) == dt.datetime(2026, 7, 9, 22, 0, tzinfo=dt.UTC)


def test_no_ends_is_no_condition():
    assert within_days("viewed_at", None, None) == Q()


@pytest.mark.parametrize("month", [1, 7])  # winter and summer time
@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (10, 11, ["10 00:00", "11 23:59:59.999999"]),
        (11, None, ["11 23:59:59.999999", "12 00:00"]),
        (None, 10, ["09 23:59:59.999999", "10 00:00"]),
    ],
)
def test_both_ends_are_whole_local_days(month, first, last, expected):
    user = UserFactory()
    moments = {
        "09 23:59:59.999999": dt.datetime(2026, month, 9, 23, 59, 59, 999999, tzinfo=ZONE),
        "10 00:00": dt.datetime(2026, month, 10, tzinfo=ZONE),
        "11 23:59:59.999999": dt.datetime(2026, month, 11, 23, 59, 59, 999999, tzinfo=ZONE),
        "12 00:00": dt.datetime(2026, month, 12, tzinfo=ZONE),
    }
    for name, moment in moments.items():
        CandidateAccess.objects.create(user=user, screening_number=name, path="/", viewed_at=moment)
    day = {None: None} | {d: dt.date(2026, month, d) for d in (10, 11)}
    found = CandidateAccess.objects.filter(within_days("viewed_at", day[first], day[last]))
    assert sorted(found.values_list("screening_number", flat=True)) == expected


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(1, 1, 1), None),
        (None, dt.date(9999, 12, 31)),
        (dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    ],
)
def test_ends_beyond_the_storable_times_are_open(first, last):
    """Local midnight starting 01-01-0001 is in year 0 in UTC, the one after 31-12-9999 in
    year 10000: neither exists, and every stored time lies between them."""
    user = UserFactory()
    for moment in (
        dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC),
    ):
        CandidateAccess.objects.create(user=user, screening_number="X", path="/", viewed_at=moment)
    found = CandidateAccess.objects.filter(within_days("viewed_at", first, last))
    assert found.count() == 2


@pytest.mark.parametrize(
    ("first", "last", "found"),
    [
        (dt.date(9999, 12, 31), None, ["9999-12-31"]),
        (None, dt.date(1, 1, 1), ["0001-01-01"]),
        (dt.date(1, 1, 2), dt.date(9999, 12, 30), []),
    ],
)
def test_the_first_and_last_days_that_exist_are_whole_local_days(first, last, found):
    user = UserFactory()
    for day in (dt.datetime(1, 1, 1, 12, tzinfo=ZONE), dt.datetime(9999, 12, 31, 12, tzinfo=ZONE)):
        CandidateAccess.objects.create(
            user=user, screening_number=day.date().isoformat(), path="/", viewed_at=day
        )
    rows = CandidateAccess.objects.filter(within_days("viewed_at", first, last))
    assert sorted(rows.values_list("screening_number", flat=True)) == found
