"""The nurse's work queue: each referral's status, outcome, answers missing and last change
on the candidates list, an "in progress" filter, and the home page's unfinished screenings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.intake.selectors import candidate_queue, queue_rows
from tests.cases import fill, register
from tests.factories import UserFactory
from tests.screening.log_data import make_cohort
from trialsite import roles

LIST = reverse("screening:candidate-list")


@pytest.fixture
def cohort(trial, nurse, investigator):
    second = UserFactory(username="nurse2", role=roles.STUDY_NURSE)
    return make_cohort(trial, nurse, second, investigator)


def _rows(response) -> dict[str, object]:
    return {row.screening_number: row for row in response.context["rows"]}


def test_list_shows_status_outcome_missing_and_last_change(nurse_client, cohort):
    rows = _rows(nurse_client.get(LIST))
    assert {number: row.state for number, row in rows.items()} == {
        cohort["A"]: "signed",
        cohort["B"]: "decided",
        cohort["C"]: "decided",
        cohort["D"]: "decided",
        cohort["E"]: "in_progress",
    }
    assert rows[cohort["A"]].outcome == "eligible"
    assert rows[cohort["B"]].outcome == "ineligible"
    assert rows[cohort["D"]].outcome == "incomplete"
    assert rows[cohort["E"]].outcome is None
    # E has no answers saved: the criteria need every entered variable but the registered
    # date of birth, which an episode takes from the registration only when saved.
    assert rows[cohort["E"]].missing > 30
    assert rows[cohort["A"]].missing is None  # decided: nothing is asked any more
    assert all(row.last_change for row in rows.values())


@pytest.mark.parametrize(
    ("state", "expected"),
    [("in_progress", {"E"}), ("decided", {"B", "C", "D"}), ("signed", {"A"}), ("", set("ABCDE"))],
)
def test_status_filter(nurse_client, cohort, state, expected):
    rows = _rows(nurse_client.get(LIST, {"state": state}))
    assert set(rows) == {cohort[name] for name in expected}


def test_unknown_status_filter_is_ignored(nurse_client, cohort):
    assert len(_rows(nurse_client.get(LIST, {"state": "lost"}))) == 5


def test_in_progress_link_continues_the_screening(nurse_client, cohort):
    page = nurse_client.get(LIST, {"state": "in_progress"}).content.decode()
    assert reverse("screening:screening-form", args=[cohort["E"], 1]) in page


def test_missing_answers_count_down_as_answers_are_saved(trial, nurse):
    candidate = register(trial, nurse)
    fill(candidate.screenings.get(), nurse, neutrophils=None, platelets=None)
    (row,) = queue_rows(candidate_queue())
    assert (row.state, row.missing) == ("in_progress", 2)


def _queries(**filters) -> int:
    with CaptureQueriesContext(connection) as queries:
        queue_rows(candidate_queue(**filters)[:50])
    return len(queries)


def test_query_count_does_not_grow_with_the_rows(trial, nurse):
    for _ in range(2):
        fill(register(trial, nurse).screenings.get(), nurse, inr=None)
    few = _queries()
    for _ in range(6):
        fill(register(trial, nurse).screenings.get(), nurse, inr=None)
    assert _queries() == few
    assert _queries(state="in_progress") == few


def test_home_lists_the_nurses_unfinished_screenings(nurse_client, cohort, trial, nurse):
    other = UserFactory(username="nurse3", role=roles.STUDY_NURSE)
    register(trial, other)  # someone else's: not on this nurse's home page
    page = nurse_client.get(reverse("home"))
    rows = page.context["episodes"]
    assert [e.candidate.screening_number for e in rows] == [cohort["E"]]
    assert reverse("screening:screening-form", args=[cohort["E"], 1]) in page.content.decode()


def test_home_says_when_nothing_is_unfinished(nurse_client, nurse):
    page = nurse_client.get(reverse("home")).content.decode()
    assert "every screening you started has a recorded decision" in page
