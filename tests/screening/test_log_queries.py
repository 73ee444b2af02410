"""The investigator's list pages and exports read a fixed number of queries however many
decisions there are: page 1, a filtered page, a deep page, the last page, the summary and a
month's CSV export, each asked at 5 and at 499 decisions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.audit import decision_chain_verify
from screening.models import Decision
from tests.screening.log_data import clone_decisions, make_cohort, screen_patient

pytestmark = [pytest.mark.django_db]

PER_PAGE = 2  # so that both sizes have a deep page and a last page
MONTH = {"screened_from": "01-11-2026", "screened_to": "30-11-2026"}


def _pages(count: int) -> dict[str, tuple[str, dict]]:
    last = (count + PER_PAGE - 1) // PER_PAGE
    return {
        "log page 1": ("log:list", {}),
        "log filtered": ("log:list", {"outcome": "ineligible", "signoff": "unsigned"}),
        "log deep page": ("log:list", {"page": 2}),
        "log last page": ("log:list", {"page": last}),
        "log sorted by outcome": ("log:list", {"sort": "-outcome", "page": 2}),
        "summary": ("log:summary", {}),
        "month CSV": ("log:export-csv", MONTH),
    }


def _counts(client, django_assert_max_num_queries, episodes: int) -> dict[str, int]:
    counts = {}
    for name, (view, params) in _pages(episodes).items():
        with django_assert_max_num_queries(20) as captured:
            response = client.get(reverse(view), params)
        assert response.status_code == 200, name
        if view == "log:export-csv":
            b"".join(response) if response.streaming else response.content
        # The export logs who read which candidates: one INSERT per 500 rows, which SQLite
        # splits further by its limit on parameters. Those are writes, counted elsewhere.
        reads = [q for q in captured if "INSERT" not in q["sql"]]
        counts[name] = len(reads)
    return counts


def test_query_counts_are_the_same_for_5_and_499_decisions(
    investigator_client,
    trial,
    nurse,
    second_nurse,
    investigator,
    monkeypatch,
    django_assert_max_num_queries,
):
    monkeypatch.setattr("screening.review.log_table.PER_PAGE", PER_PAGE)
    make_cohort(trial, nurse, second_nurse, investigator)  # 4 decisions, one signed, 1 undecided
    templates = list(Decision.objects.select_related("screening__candidate__trial"))
    templates.append(screen_patient(trial, second_nurse, fails=("I14",)))
    few = _counts(investigator_client, django_assert_max_num_queries, episodes=6)

    # 494 more: 500 episodes, so that the last page holds A and E at both sizes.
    clone_decisions(templates, 494)
    assert Decision.objects.count() == 499 and decision_chain_verify().intact
    many = _counts(investigator_client, django_assert_max_num_queries, episodes=500)
    assert few == many
    # The page: session, user, permissions, roles; the filter menus (trials, criteria,
    # recorders); the count; the page's keys and rows in one query, their decisions and
    # signatures.
    assert many["log page 1"] <= 13


def test_the_log_reads_the_users_roles_once(investigator_client, trial, nurse):
    # The page and django-tables2's table are two template renders, each running the
    # context processors; the roles are read for the first and kept on the request.
    screen_patient(trial, nurse)
    with CaptureQueriesContext(connection) as captured:
        response = investigator_client.get(reverse("log:list"))
    assert response.status_code == 200
    assert response.context["is_investigator"] is True
    assert sum(q["sql"].startswith('SELECT "auth_group"."name"') for q in captured) == 1


def test_the_log_reads_no_episodes_answers_or_their_sources(investigator_client, trial, nurse):
    # A prefilled episode's sources are kilobytes of JSON that the log never shows.
    screen_patient(trial, nurse)
    with CaptureQueriesContext(connection) as captured:
        assert investigator_client.get(reverse("log:list")).status_code == 200
    episodes = [q["sql"] for q in captured if 'FROM "screening_screening"' in q["sql"]]
    assert episodes
    for column in ("values", "entered_units", "value_sources"):
        assert not any(f'"screening_screening"."{column}"' in sql for sql in episodes), column
