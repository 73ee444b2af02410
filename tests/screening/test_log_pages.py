"""The log sorted by screened date, outcome or recorder (log_pages.LogPages): the same rows in
the same order as the general query, page by page, by page number and by the "Next" and
"Previous" links' keys."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening import services
from screening.review import selectors
from screening.review.log_counts import queryset_sql
from screening.review.log_pages import LogPages, log_pages
from screening.review.log_query import LogFilters
from screening.review.views import ScreeningLogView
from tests.cases import fill
from tests.screening.log_data import FAILING, clone_decisions, screen_patient

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def cohort(cohort, trial, second_nurse):
    """The shared cohort, twelve more decisions made at one moment, and two patients
    screened again: one number with two decided episodes, one with a second not decided."""
    templates = [screen_patient(trial, second_nurse, fails=("I14",))]
    clone_decisions(templates, 12)  # equal times: ties are broken by chain position
    for decide in (True, False):
        first = screen_patient(trial, second_nurse, fails=("I14",)).screening
        again = services.screening_start(candidate=first.candidate, started_by=second_nurse)
        if decide:
            fill(again, second_nurse, **FAILING["I14"])
            services.decision_record(screening=again, recorded_by=second_nurse)
    return cohort


@pytest.mark.parametrize(
    "filters",
    [
        LogFilters(),
        LogFilters(sort="screened_at"),
        LogFilters(outcome="ineligible"),
        LogFilters(signoff="unsigned"),
        LogFilters(failed_criterion=("NCT01387295", "I14")),
        LogFilters(search="S000"),
    ],
)
def test_pages_match_the_general_query(cohort, filters):
    expected = [s.pk for s in selectors.screening_log(filters)]
    pages = log_pages(filters)
    assert isinstance(pages, LogPages) and pages.count() == len(expected)
    by_page = [s.pk for start in range(0, len(expected), 4) for s in pages[start : start + 4]]
    assert by_page == expected


def test_next_link_key_gives_the_next_page(cohort):
    expected = [s.pk for s in selectors.screening_log(LogFilters())]
    first = LogPages(LogFilters())
    page = first[0:5]
    assert first.next_cursor.startswith("5~")
    second = LogPages(LogFilters(), first.next_cursor)[5:10]
    assert [s.pk for s in page + second] == expected[:10]
    stale = LogPages(LogFilters(), first.next_cursor)[10:15]  # key of another page: ignored
    assert [s.pk for s in stale] == expected[10:15]


def test_the_view_puts_the_key_in_the_next_link(investigator_client, cohort, monkeypatch):
    monkeypatch.setattr(ScreeningLogView, "paginate_by", 5)
    first = investigator_client.get(reverse("log:list"))
    cursor = first.context["next_cursor"]
    assert urlencode({"after": cursor}) in first.content.decode().replace("&amp;", "&")
    second = investigator_client.get(reverse("log:list"), {"page": 2, "after": cursor})
    expected = [s.pk for s in selectors.screening_log(LogFilters())][5:10]
    assert [row.screening.pk for row in second.context["rows"]] == expected


@pytest.mark.parametrize("sort", ["-screened_at", "screened_at"])
def test_previous_link_key_gives_the_previous_page(cohort, sort):
    filters = LogFilters(sort=sort)
    expected = [s.pk for s in selectors.screening_log(filters)]
    third = LogPages(filters)
    third[10:15]
    assert third.previous_cursor.startswith("10~")
    second = LogPages(filters, before=third.previous_cursor)
    with CaptureQueriesContext(connection) as queries:
        assert [s.pk for s in second[5:10]] == expected[5:10]
    assert not any("OFFSET" in query["sql"] for query in queries.captured_queries)
    assert second.previous_cursor.startswith("5~")
    first = LogPages(filters, before=second.previous_cursor)
    assert [s.pk for s in first[0:5]] == expected[:5]
    assert first.previous_cursor == ""  # no page before the first
    stale = LogPages(filters, before=third.previous_cursor)[0:5]  # key of another page: ignored
    assert [s.pk for s in stale] == expected[:5]


def test_the_last_page_is_read_from_the_end(cohort):
    """No OFFSET for "Last": the rows are counted from the end of the log."""
    expected = [s.pk for s in selectors.screening_log(LogFilters())]
    pages = LogPages(LogFilters())
    last = (len(expected) - 1) // 4 * 4
    with CaptureQueriesContext(connection) as queries:
        rows = pages[last : last + 4]
    assert [s.pk for s in rows] == expected[last:]
    assert not any("OFFSET" in query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize("sort", ["-screened_at", "screened_at"])
def test_a_page_by_number_skips_rows_on_the_episodes_alone(cohort, sort):
    """A page number with no key skips rows with OFFSET on the episodes' own copy of their
    decision's time and position, without joining the decisions."""
    filters = LogFilters(sort=sort)
    expected = [s.pk for s in selectors.screening_log(filters)]
    pages = LogPages(filters)
    assert [s.pk for s in pages[4:8]] == expected[4:8]
    keys = pages._keys(pages._segments[0], 0, pages.count(), 4, 8)
    sql, _ = queryset_sql(keys)
    assert "OFFSET" in sql and "screening_decision" not in sql


def test_the_view_puts_the_key_in_the_previous_link(investigator_client, cohort, monkeypatch):
    monkeypatch.setattr(ScreeningLogView, "paginate_by", 5)
    third = investigator_client.get(reverse("log:list"), {"page": 3})
    cursor = third.context["previous_cursor"]
    link = urlencode({"page": 2, "before": cursor})
    assert link in third.content.decode().replace("&amp;", "&")
    second = investigator_client.get(reverse("log:list"), {"page": 2, "before": cursor})
    expected = [s.pk for s in selectors.screening_log(LogFilters())][5:10]
    assert [row.screening.pk for row in second.context["rows"]] == expected


def test_other_sorts_use_the_general_query():
    assert log_pages(LogFilters(sort="screening_number")) is None
    assert log_pages(LogFilters(outcome="in_progress")) is None


@pytest.mark.parametrize("sort", ["outcome", "-outcome", "recorded_by", "-recorded_by"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"outcome": "ineligible"},
        {"signoff": "unsigned"},
        {"failed_criterion": ("NCT01387295", "I14")},
        {"search": "S001"},
        {"recorded_by": "nurse2"},
    ],
)
def test_pages_by_outcome_and_recorder_match_the_general_query(cohort, sort, filters):
    """One segment per outcome (recorder), then the undecided: pages of 4 cross them."""
    filters = LogFilters(sort=sort, **filters)
    expected = [s.pk for s in selectors.screening_log(filters)]
    pages = log_pages(filters)
    assert isinstance(pages, LogPages) and pages.count() == len(expected)
    by_page = [s.pk for start in range(0, len(expected), 4) for s in pages[start : start + 4]]
    assert by_page == expected


SORTS = ["-screened_at", "screened_at", "outcome", "-outcome", "recorded_by", "-recorded_by"]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize(
    "filters", [{}, {"outcome": "ineligible"}, {"signoff": "unsigned"}, {"search": "S001"}]
)
def test_next_and_previous_keys_walk_the_log_without_offset(cohort, sort, filters):
    """Pages of 3 from first to last by "Next" keys, and back by "Previous" keys, cross
    every segment (outcomes, recorders, the undecided) at every position: the same rows as
    the general query, and no query skips rows with OFFSET."""
    filters = LogFilters(sort=sort, **filters)
    expected = [s.pk for s in selectors.screening_log(filters)]
    starts = range(0, len(expected), 3)
    forward, cursor = [], ""
    with CaptureQueriesContext(connection) as queries:
        for start in starts:
            pages = LogPages(filters, after=cursor)
            forward += [s.pk for s in pages[start : start + 3]]
            cursor = pages.next_cursor
        backward, cursor = [], ""
        for start in reversed(starts):
            pages = LogPages(filters, before=cursor)
            backward = [s.pk for s in pages[start : start + 3]] + backward
            cursor = pages.previous_cursor
    assert forward == backward == expected and len(expected) > 3
    assert not any("OFFSET" in query["sql"] for query in queries.captured_queries)


def test_the_view_pages_by_outcome_with_the_next_links_key(
    investigator_client, cohort, monkeypatch
):
    monkeypatch.setattr(ScreeningLogView, "paginate_by", 5)
    expected = [s.pk for s in selectors.screening_log(LogFilters(sort="-outcome"))]
    assert len(expected) == 22
    shown, cursor = [], None
    for page in (1, 2, 3, 4, 5):
        asked = {"sort": "-outcome", "page": page, **({"after": cursor} if cursor else {})}
        response = investigator_client.get(reverse("log:list"), asked)
        shown += [row.screening.pk for row in response.context["rows"]]
        cursor = response.context["next_cursor"]
        assert cursor.startswith(f"{min(page * 5, 22)}~n~")
        link = urlencode({"page": page + 1, "after": cursor})
        assert (link in response.content.decode().replace("&amp;", "&")) == (page < 5)
    assert shown == expected


@pytest.mark.parametrize(
    "key",
    [
        "garbage",
        "5~n~~1",  # no screening number
        "5~x~NCT01387295-S0001~1",  # no such order
        "5~t~2026-11-18T12:00:00~1",  # a time without its zone
        "5~t~not a time~1",
        "5~n~NCT01387295-S0001~one",
        "five~n~NCT01387295-S0001~1",
        # Numbers and times past what the columns and datetimes hold.
        "5~n~NCT01387295-S0001~32768",
        "5~n~NCT01387295-S0001~-1",
        "5~t~2026-11-18T12:00:00+00:00~9223372036854775808",
        "5~t~2026-11-18T12:00:00+00:00~-9223372036854775809",
        "5~t~0001-01-01T00:00:00+05:00~1",
        "5~t~9999-12-31T23:59:59-05:00~1",
        "99999999999999999999999~n~NCT01387295-S0001~1",
    ],
)
@pytest.mark.parametrize("link", ["after", "before"])
def test_a_malformed_key_is_ignored(investigator_client, cohort, monkeypatch, key, link):
    monkeypatch.setattr(ScreeningLogView, "paginate_by", 5)
    response = investigator_client.get(
        reverse("log:list"), {"sort": "outcome", "page": 2, link: key}
    )
    expected = [s.pk for s in selectors.screening_log(LogFilters(sort="outcome"))][5:10]
    assert [row.screening.pk for row in response.context["rows"]] == expected
