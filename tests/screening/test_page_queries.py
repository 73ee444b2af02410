"""Every page `make bench` times (bench/pages.py) runs the same number of SQL queries whether
the site holds 120 decisions or 270: none grows with the data. Both sizes leave the log's last
page a part-page of decided and undecided episodes, so it shows the same kinds of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.pages import PAGES, Page, fill, placeholders
from screening.models import Decision, Screening
from tests.cases import eligible_values, form_url, post_values, register
from tests.cases import fill as fill_values
from tests.screening.log_data import clone_decisions, make_cohort, screen_patient

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 5)  # the cohort and its clones are screened in November 2026


def _queries(client, method: str, path: str, data=None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method.lower())(path, data)
    return response.status_code, len(captured)


def _post(client, page: Page, trial, nurse) -> tuple[int, int]:
    """A POST page on a fresh episode, as the bench sends it."""
    if "decide" in page.path:
        episode = fill_values(register(trial, nurse).screenings.get(), nurse)
        path = fill(page.path, {"fresh": episode.candidate.screening_number})
        shown = client.get(path).context["form"].initial["fingerprint"]
        return _queries(client, "POST", path, {"fingerprint": shown, "confirm": ""})
    fresh = register(trial, nurse)
    return _queries(client, "POST", form_url(fresh), {**post_values(eligible_values()), "save": ""})


def _all_pages(client, trial, nurse, number: str) -> dict[str, tuple[int, int]]:
    """page name -> (HTTP status, queries), each GET page measured on its second request."""
    decided = Screening.objects.get(candidate__screening_number=number)
    undecided = fill_values(register(trial, nurse).screenings.get(), nurse)
    values = placeholders(
        episodes=Screening.objects.count(),
        decisions=Decision.objects.count(),
        number=number,
        decision=str(decided.current_decision.public_id),
        undecided=undecided.candidate.screening_number,
        today=TODAY,
    )
    values["deep"] = 2  # a page reached by OFFSET at both sizes
    counts = {}
    for page in PAGES:
        if page.method == "POST":
            counts[page.name] = _post(client, page, trial, nurse)
            continue
        client.get(fill(page.path, values))  # caches warm, as on a running server
        counts[page.name] = _queries(client, "GET", fill(page.path, values))
    return counts


def test_no_page_runs_more_queries_as_decisions_grow(
    root_client, trial, nurse, second_nurse, investigator
):
    numbers = make_cohort(trial, nurse, second_nurse, investigator)
    templates = list(Decision.objects.select_related("screening__candidate__trial"))
    templates.append(screen_patient(trial, second_nurse, fails=("I14",)))
    clone_decisions(templates, 120 - len(templates))
    few = _all_pages(root_client, trial, nurse, numbers["A"])

    clone_decisions(templates, 270 - Decision.objects.count())
    assert Decision.objects.count() == 270
    many = _all_pages(root_client, trial, nurse, numbers["A"])

    assert {name: status for name, (status, _) in few.items()} == {
        page.name: 302 if page.method == "POST" else 200 for page in PAGES
    }
    assert many == few
