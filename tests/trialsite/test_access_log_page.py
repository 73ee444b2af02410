"""The access log page (/access-log/): the investigator reads who viewed which candidate."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.factories import UserFactory
from trialsite.models import CandidateAccess

pytestmark = pytest.mark.django_db

URL = reverse("access-log")
SITE_ZONE = "Europe/Copenhagen"  # UTC+1 in winter, UTC+2 in summer: local days ≠ UTC days


@pytest.fixture(autouse=True)
def site_zone(settings):
    settings.TIME_ZONE = SITE_ZONE


def _entry(user, number="NCT01387295-S0001", when=None) -> CandidateAccess:
    return CandidateAccess.objects.create(
        user=user,
        screening_number=number,
        path=f"/candidates/{number}/",
        viewed_at=when or timezone.now(),
    )


def _local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(SITE_ZONE))


def _numbers(response) -> list[str]:
    return [entry.screening_number for entry in response.context["entries"]]


# ---- who may read it --------------------------------------------------------------------


def test_investigator_sees_the_nurse_viewing_a_candidate(client, nurse, investigator, candidate):
    client.force_login(nurse)
    candidate_url = reverse("screening:candidate-detail", args=[candidate.screening_number])
    assert client.get(candidate_url).status_code == 200
    reader = Client()
    reader.force_login(investigator)

    response = reader.get(URL)

    assert response.status_code == 200
    (entry,) = response.context["entries"]
    assert (entry.user, entry.screening_number, entry.path) == (
        nurse,
        candidate.screening_number,
        candidate_url,
    )
    page = response.content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert f"{escape(nurse.get_full_name())} (nurse)" in text
    trail = reverse("log:audit-trail", args=[candidate.screening_number])
    assert f'href="{trail}"' in page
    assert candidate_url in page
    assert f"shown in {SITE_ZONE}; they are stored in UTC" in page


def test_reading_the_access_log_writes_no_access_entry(investigator_client, nurse):
    _entry(nurse)
    investigator_client.get(URL)
    investigator_client.get(URL, {"number": "S0001"})
    assert CandidateAccess.objects.count() == 1


@pytest.mark.parametrize("client_fixture", ["nurse_client", "criteria_admin_client"])
def test_other_roles_are_refused(request, client_fixture):
    assert request.getfixturevalue(client_fixture).get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_numbers_link_the_audit_trail_only_for_those_who_may_read_it(
    client, django_user_model, nurse
):
    _entry(nurse)
    reader = django_user_model.objects.create_user("auditor", password="x" * 12)
    reader.user_permissions.add(Permission.objects.get(codename="view_candidateaccess"))
    client.force_login(reader)
    page = client.get(URL).content.decode()
    assert "NCT01387295-S0001" in page
    assert reverse("log:audit-trail", args=["NCT01387295-S0001"]) not in page


@pytest.mark.parametrize(
    ("client_fixture", "shown"),
    [("investigator_client", True), ("nurse_client", False), ("criteria_admin_client", False)],
)
def test_the_menu_links_the_page_only_for_those_who_may_read_it(request, client_fixture, shown):
    home = request.getfixturevalue(client_fixture).get(reverse("home")).content.decode()
    assert (f'href="{URL}"' in home) is shown


# ---- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["NCT01387295-S0010", "NCT01387295-S0002", "NCT01387295-S0001"]),
        ({"number": "s000"}, ["NCT01387295-S0002", "NCT01387295-S0001"]),
        ({"number": "nct01387295-s0001", "match": "exact"}, ["NCT01387295-S0001"]),
        ({"number": "S001", "match": "exact"}, []),
        ({"username": "other-nurse"}, ["NCT01387295-S0002"]),
        ({"username": "other-nurse", "number": "S0001"}, []),
    ],
)
def test_filters_by_number_and_user(investigator_client, nurse, query, expected):
    _entry(nurse, "NCT01387295-S0001")
    _entry(UserFactory(username="other-nurse"), "NCT01387295-S0002")
    _entry(nurse, "NCT01387295-S0010")
    assert _numbers(investigator_client.get(URL, query)) == expected


def test_the_user_choices_are_those_in_the_log(investigator_client, nurse):
    UserFactory(username="never-looked")
    _entry(nurse)
    choices = investigator_client.get(URL).context["form"].fields["username"].choices
    assert [value for value, _ in choices] == ["", "nurse"]
    assert choices[1][1] == f"{nurse.get_full_name()} (nurse)"


# Local days: "to" includes its whole day up to the next local midnight, "from" starts at local
# midnight; in winter and in summer time (where a UTC day would be off by one or two hours).
@pytest.mark.parametrize(
    ("param", "day", "viewed_at", "listed"),
    [
        ("date_to", "2026-11-20", _local(2026, 11, 20, 23, 59), True),
        ("date_to", "2026-11-20", _local(2026, 11, 21, 0, 0), False),
        ("date_from", "2026-11-20", _local(2026, 11, 20, 0, 0), True),
        ("date_from", "2026-11-20", _local(2026, 11, 19, 23, 59, 59), False),
        ("date_to", "2026-06-20", _local(2026, 6, 20, 23, 59), True),
        ("date_to", "2026-06-20", _local(2026, 6, 21, 0, 0), False),
        ("date_from", "2026-06-20", _local(2026, 6, 20, 0, 0), True),
        ("date_from", "2026-06-20", _local(2026, 6, 19, 23, 59, 59), False),
    ],
)
def test_date_bounds_are_site_local_days(investigator_client, nurse, param, day, viewed_at, listed):
    _entry(nurse, when=viewed_at)
    assert len(_numbers(investigator_client.get(URL, {param: day}))) == int(listed)


def test_a_one_day_range_lists_that_local_day(investigator_client, nurse):
    _entry(nurse, "NCT01387295-S0001", _local(2026, 11, 19, 23, 59))
    _entry(nurse, "NCT01387295-S0002", _local(2026, 11, 20, 0, 0))
    _entry(nurse, "NCT01387295-S0003", _local(2026, 11, 20, 23, 59, 59))
    _entry(nurse, "NCT01387295-S0004", _local(2026, 11, 21, 0, 0))
    day = {"date_from": "2026-11-20", "date_to": "2026-11-20"}
    assert _numbers(investigator_client.get(URL, day)) == ["NCT01387295-S0003", "NCT01387295-S0002"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"date_from": "2026-02-30"}, "date_from", "Write the date as dd-mm-yyyy"),
        ({"date_to": "yesterday"}, "date_to", "Write the date as dd-mm-yyyy"),
        ({"date_from": "2026-11-21", "date_to": "2026-11-20"}, "date_to", "Must not be before"),
        ({"username": "nobody"}, "username", "Select a valid choice."),
        ({"match": "regex"}, "match", "Select a valid choice."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_lists_nothing(
    investigator_client, nurse, query, field, message
):
    _entry(nurse)
    response = investigator_client.get(URL, query)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    page = response.content.decode()
    error_block = page.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0]
    assert message in error_block
    assert 'data-testid="filter-error"' in page
    assert _numbers(response) == []


# ---- pages and queries --------------------------------------------------------------------


def _page_queries(client, **query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, query).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_rows_shown(investigator_client, investigator):
    users = [UserFactory() for _ in range(3)]
    for i, user in enumerate(users):
        _entry(user, f"NCT01387295-S{i:04d}")
    investigator_client.get(URL)  # process-wide caches (content types) filled before counting
    few = _page_queries(investigator_client)
    more = [UserFactory() for _ in range(7)]
    CandidateAccess.objects.bulk_create(
        CandidateAccess(user=more[i % 7], screening_number=f"NCT01387295-S{i:04d}", path="/x/")
        for i in range(3, 120)
    )
    assert CandidateAccess.objects.count() == 120
    assert _page_queries(investigator_client) <= few
    assert _page_queries(investigator_client, page=3, number="S0") <= few


def test_pages_of_fifty_newest_first_keep_the_filters(investigator_client, nurse):
    start = _local(2026, 11, 20, 8, 0)
    CandidateAccess.objects.bulk_create(
        CandidateAccess(
            user=nurse,
            screening_number=f"NCT01387295-S{i:04d}",
            path="/x/",
            viewed_at=start + dt.timedelta(minutes=i),
        )
        for i in range(120)
    )
    first = investigator_client.get(URL, {"number": "S0"})
    assert _numbers(first)[:2] == ["NCT01387295-S0119", "NCT01387295-S0118"]
    assert len(_numbers(first)) == 50
    assert "?number=S0&amp;page=2" in first.content.decode()
    last = investigator_client.get(URL, {"number": "S0", "page": 3})
    assert len(_numbers(last)) == 20
    assert _numbers(last)[-1] == "NCT01387295-S0000"
    assert "match the filters" in last.content.decode()
    unfiltered = investigator_client.get(URL, {"page": 2}).content.decode()
    assert "120 entries" in unfiltered and "match" not in unfiltered.split("120 entries")[1][:40]
