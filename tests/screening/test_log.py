"""The screening log: filters, search, sorting and pagination return the right rows, and the
page's query count does not grow with the number of decisions."""

import json

import pytest
from django.urls import reverse

from screening.audit import decision_chain_verify
from screening.failures import FailedEntries, failed_results
from screening.models import Decision
from screening.review import selectors
from screening.review.log_query import LogFilters, log_filter_recorders
from screening.review.views import ScreeningLogView
from tests.screening.log_data import clone_decisions, make_cohort, screen_patient

pytestmark = [pytest.mark.django_db]


def _row_numbers(response) -> list[str]:
    return [row.screening.candidate.screening_number for row in response.context["rows"]]


def _numbers(client, **params) -> list[str]:
    response = client.get(reverse("log:list"), params)
    assert response.status_code == 200
    return _row_numbers(response)


def _names(cohort, numbers: list[str]) -> list[str]:
    by_number = {number: name for name, number in cohort.items()}
    return [by_number[number] for number in numbers]


def test_one_row_per_episode_with_outcome_failed_codes_and_signoff(investigator_client, cohort):
    response = investigator_client.get(reverse("log:list"), {"sort": "screening_number"})
    rows = {row.screening.candidate.screening_number: row for row in response.context["rows"]}
    a, b, c, d, e = (rows[cohort[name]] for name in "ABCDE")
    assert [r.decision.outcome for r in (a, b, c, d)] == [
        "eligible",
        "ineligible",
        "ineligible",
        "incomplete",
    ]
    assert e.decision is None and e.signoff_state == "not decided"
    assert (a.failed_codes, b.failed_codes, c.failed_codes) == ([], ["I13"], ["I13", "E07"])
    assert a.signoff_state == "signed" and b.signoff_state == "awaiting sign-off"
    content = response.content.decode()
    assert "patient declined" in content
    assert content.count('data-testid="signoff-link"') == 3  # B, C, D; not A (signed), not E


def test_the_database_and_python_agree_on_the_failed_criteria(cohort, trial, nurse):
    """The log filters on the FailedCriterion rows and shows FailedEntries (read by them in
    SQL); both must say what the evaluator's definition (`failed_results`) says."""
    screen_patient(trial, nurse, fails=("I13", "I14", "E07"))
    decisions = Decision.objects.annotate(entries=FailedEntries("results", "pk"))
    seen = []
    for decision in decisions:
        expected = failed_results(decision.results)
        codes = list(decision.failures.order_by("position").values_list("code", flat=True))
        assert codes == [r["code"] for r in expected]
        assert json.loads(decision.entries) == expected
        seen.append(codes)
    assert ["I13", "I14", "E07"] in seen and [] in seen
    rows = selectors.screening_log_rows(selectors.screening_log(LogFilters()))
    shown = next(row for row in rows if row.failed_codes == ["I13", "I14", "E07"])
    assert shown.failed == failed_results(Decision.objects.get(pk=shown.decision.pk).results)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["A", "B", "C", "D", "E"]),
        ({"outcome": "eligible"}, ["A"]),
        ({"outcome": "ineligible"}, ["B", "C"]),
        ({"outcome": "incomplete"}, ["D"]),
        ({"outcome": "in_progress"}, ["E"]),
        ({"failed_criterion": "NCT01387295 I13"}, ["B", "C"]),
        ({"failed_criterion": "NCT01387295 E07"}, ["C"]),
        ({"failed_criterion": "NCT01387295 I01"}, []),
        ({"recorded_by": "nurse2"}, ["B", "D"]),
        ({"recorded_by": "nurse"}, ["A", "C"]),
        ({"signoff": "signed"}, ["A"]),
        ({"signoff": "unsigned"}, ["B", "C", "D"]),
        ({"screened_from": "2026-11-12", "screened_to": "2026-11-15"}, ["B", "C"]),
        ({"screened_from": "2026-11-16"}, ["D"]),
        ({"screened_to": "2026-11-10"}, ["A"]),
        ({"q": "S0003"}, ["C"]),
        ({"q": "s000"}, ["A", "B", "C", "D", "E"]),
        ({"q": "S9999"}, []),
        ({"outcome": "ineligible", "recorded_by": "nurse"}, ["C"]),
        ({"failed_criterion": "NCT01387295 I13", "signoff": "unsigned", "q": "S0002"}, ["B"]),
    ],
)
def test_filters_and_search_return_the_right_rows(investigator_client, cohort, params, expected):
    numbers = _numbers(investigator_client, sort="screening_number", **params)
    assert _names(cohort, numbers) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("screening_number", ["A", "B", "C", "D", "E"]),
        ("-screening_number", ["E", "D", "C", "B", "A"]),
        ("referral_date", ["A", "B", "C", "D", "E"]),
        ("-referral_date", ["E", "D", "C", "B", "A"]),
        # Not decided stays last whichever way the dates run.
        ("screened_at", ["A", "B", "C", "D", "E"]),
        ("-screened_at", ["D", "C", "B", "A", "E"]),
        ("outcome", ["A", "D", "B", "C", "E"]),  # eligible, incomplete, ineligible (by number)
        ("recorded_by", ["A", "C", "B", "D", "E"]),  # nurse, nurse2
        ("", ["D", "C", "B", "A", "E"]),  # default: newest decision first
        ("nonsense", ["D", "C", "B", "A", "E"]),
    ],
)
def test_sorting(investigator_client, cohort, sort, expected):
    assert _names(cohort, _numbers(investigator_client, sort=sort)) == expected


def test_pagination_keeps_the_filters(investigator_client, cohort, monkeypatch):
    monkeypatch.setattr(ScreeningLogView, "paginate_by", 1)
    params = {"outcome": "ineligible", "sort": "screening_number"}
    first = investigator_client.get(reverse("log:list"), params)
    second = investigator_client.get(reverse("log:list"), {**params, "page": 2})
    assert _names(cohort, _row_numbers(first) + _row_numbers(second)) == ["B", "C"]
    pagination = first.content.decode().split('aria-label="Pages"')[1]
    assert "outcome=ineligible" in pagination and "page=2" in pagination


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({}, "5 episodes\n"),
        ({"page": 2, "sort": "outcome"}, "5 episodes\n"),  # paging and sorting are not filters
        ({"outcome": "eligible"}, "1 episode\n  matches the filters"),
        ({"outcome": "ineligible"}, "2 episodes\n  match the filters"),
    ],
)
def test_the_count_says_match_only_when_a_filter_is_set(
    investigator_client, cohort, monkeypatch, params, says
):
    monkeypatch.setattr(ScreeningLogView, "paginate_by", 2)
    content = investigator_client.get(reverse("log:list"), params).content.decode()
    count = content.split('data-testid="log-count">')[1].split("</p>")[0]
    assert count.startswith(says)
    assert ("clear filters" in count) == ("match" in says)


def test_a_reversed_date_range_is_an_error_not_a_crash(investigator_client, cohort):
    response = investigator_client.get(
        reverse("log:list"), {"screened_from": "2026-11-20", "screened_to": "2026-11-01"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Must not be before the start date." in content
    # The message sits under the field it is about, which is marked invalid.
    field = content.split('id="div_id_screened_to"')[1].split("</div></div>")[0]
    assert "is-invalid" in field and "Must not be before the start date." in field
    assert len(response.context["rows"]) == 1  # only the valid "from" is applied: D


def test_the_recorded_by_menu_lists_exactly_who_recorded_a_decision(
    investigator_client, cohort, nurse, second_nurse, investigator
):
    assert list(log_filter_recorders()) == sorted([nurse, second_nurse], key=lambda u: u.username)
    menu = investigator_client.get(reverse("log:list")).context["form"].fields["recorded_by"]
    assert [value for value, _ in menu.choices] == ["", nurse.username, second_nurse.username]


def test_nurse_reads_the_log_without_sign_off_or_export(nurse_client, cohort):
    content = nurse_client.get(reverse("log:list")).content.decode()
    assert 'data-testid="log-row"' in content
    assert 'data-testid="signoff-link"' not in content
    assert 'data-testid="export-csv"' not in content


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("log:list"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def _page_queries(client, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(MAX_LOG_QUERIES) as captured:
        response = client.get(reverse("log:list"), {"sort": "-screened_at"})
    assert response.status_code == 200
    return len(captured)


# Session, user, permissions (2), roles, the filter menus (3: trials, criteria, recorders),
# the count, the page, its decisions and signatures: a fixed number whatever the log holds.
MAX_LOG_QUERIES = 12


def test_query_count_is_the_same_for_5_and_500_decisions(
    investigator_client, trial, nurse, second_nurse, investigator, django_assert_max_num_queries
):
    make_cohort(trial, nurse, second_nurse, investigator)  # 4 decisions, one signed
    templates = list(Decision.objects.select_related("screening__candidate__trial"))
    templates.append(screen_patient(trial, second_nurse, fails=("I14",)))
    few = _page_queries(investigator_client, django_assert_max_num_queries)

    clone_decisions(templates, 495)
    assert Decision.objects.count() == 500
    assert decision_chain_verify().intact
    response = investigator_client.get(reverse("log:list"), {"outcome": "ineligible"})
    assert response.context["page_obj"].paginator.count == 3 + 3 * 99  # B, C, I14 and clones
    many = _page_queries(investigator_client, django_assert_max_num_queries)
    assert few == many
