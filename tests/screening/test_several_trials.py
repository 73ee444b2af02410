"""Two trials at one site whose criteria share codes: I07 is "measurable liver disease" in
NCT01387295 and "platelets above 100" in NCT09990002. Every list shows and filters the
trial, and whatever is keyed by a criterion code is keyed by trial and code."""

import csv
import io
import re

import pytest
from django.urls import reverse

from screening import services
from screening.models import Candidate
from tests.cases import register, shared_codes_values
from tests.screening.log_data import log_rows, screen_patient

pytestmark = pytest.mark.django_db

T1, T2 = "NCT01387295", "NCT09990002"


def _screen_t2(trial, nurse, **changes):
    candidate = register(trial, nurse)
    episode = candidate.screenings.get()
    services.screening_values_save(
        screening=episode, values=shared_codes_values(**changes), units={}, saved_by=nurse
    )
    return services.decision_record(screening=episode, recorded_by=nurse)


@pytest.fixture
def sites(trial, shared_codes_trial, nurse):
    """A: NCT01387295, fails its I07 (no measurable liver disease). B: NCT09990002, fails its
    I07 (platelets 80). C: NCT09990002, eligible. D: NCT01387295, fails I13."""
    decisions = {
        "A": screen_patient(trial, nurse, measurable_liver_disease=False),
        "B": _screen_t2(shared_codes_trial, nurse, platelets="80"),
        "C": _screen_t2(shared_codes_trial, nurse),
        "D": screen_patient(trial, nurse, fails=("I13",)),
    }
    assert [d.outcome for d in decisions.values()] == ["ineligible", "ineligible", "eligible"] + [
        "ineligible"
    ]
    return {name: d.screening.candidate.screening_number for name, d in decisions.items()}


def _log(client, sites, **params) -> list[str]:
    response = client.get(reverse("log:list"), {"sort": "screening_number", **params})
    assert response.status_code == 200
    names = {number: name for name, number in sites.items()}
    return sorted(names[row.screening.candidate.screening_number] for row in log_rows(response))


def test_screening_numbers_are_issued_per_trial(sites):
    assert sites == {
        "A": f"{T1}-S0001",
        "B": f"{T2}-S0001",
        "C": f"{T2}-S0002",
        "D": f"{T1}-S0002",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["A", "B", "C", "D"]),
        ({"trial": T1}, ["A", "D"]),
        ({"trial": T2}, ["B", "C"]),
        ({"failed_criterion": f"{T1} I07"}, ["A"]),  # measurable disease, not platelets
        ({"failed_criterion": f"{T2} I07"}, ["B"]),  # platelets, not measurable disease
        ({"failed_criterion": f"{T2} I07", "trial": T1}, []),
        ({"failed_criterion": f"{T1} I13"}, ["D"]),
        ({"trial": T2, "outcome": "eligible"}, ["C"]),
    ],
)
def test_the_log_filters_by_trial_and_by_trial_and_code(
    investigator_client, sites, params, expected
):
    assert _log(investigator_client, sites, **params) == expected


@pytest.mark.parametrize("sort", ["-screened_at", "outcome", "recorded_by", "screening_number"])
def test_the_trial_filter_holds_in_every_sort(investigator_client, sites, sort, trial, nurse):
    register(trial, nurse)  # an episode not decided yet, of NCT01387295
    assert _log(investigator_client, sites, trial=T2, sort=sort) == ["B", "C"]


def test_the_log_shows_each_rows_trial_and_offers_each_criterion_by_trial(
    investigator_client, sites
):
    response = investigator_client.get(reverse("log:list"), {"sort": "screening_number"})
    content = response.content.decode()
    assert re.findall(r'data-testid="trial">(NCT\d+)<', content) == [T1, T1, T2, T2]
    choices = dict(response.context["form"].fields["failed_criterion"].choices)
    assert choices[f"{T1} I07"].startswith(f"{T1} I07 Measurable disease in the liver")
    assert choices[f"{T2} I07"] == f"{T2} I07 Platelets above 100 × 10⁹/L"


def _failure_rows(response) -> list[tuple[str, ...]]:
    table = response.content.decode().split('data-testid="failure-table"')[1]
    rows = re.findall(r'<tr data-testid="failure-row">(.*?)</tr>', table)
    return [tuple(re.findall(r"<td[^>]*>(.*?)</td>", row)) for row in rows]


def _bars(response, chart_id: str = "failure-chart") -> list[tuple[str, str]]:
    content = response.content.decode()
    chart = content.split(f'data-testid="{chart_id}"')[1].split("</svg>")[0]
    found = re.findall(r'data-value="(\d+)">\s*<title>(.*?): \d+</title>', chart)
    return [(label, value) for value, label in found]


def test_the_summary_counts_each_trials_failure_under_its_own_criterion(investigator_client, sites):
    response = investigator_client.get(reverse("log:summary"))
    assert _failure_rows(response) == [
        (T1, "I07", "Measurable disease in the liver (RECIST 1.1)", "1"),
        (T1, "I13", "Neutrophils above 1.5 × 10⁹/L", "1"),
        (T2, "I07", "Platelets above 100 × 10⁹/L", "1"),
    ]
    # One chart per trial: a code names a criterion only within its trial.
    assert _bars(response, f"failure-chart-{T1}") == [
        ("I07 Measurable disease in the liver (RECIST 1.1)", "1"),
        ("I13 Neutrophils above 1.5 × 10⁹/L", "1"),
    ]
    assert _bars(response, f"failure-chart-{T2}") == [("I07 Platelets above 100 × 10⁹/L", "1")]


def test_the_summary_of_one_trial_counts_only_its_patients(investigator_client, sites):
    response = investigator_client.get(reverse("log:summary"), {"trial": T2})
    summary = response.context["summary"]
    assert (summary.referred, summary.screened, summary.eligible, summary.ineligible) == (
        2, 2, 1, 1,
    )  # fmt: skip
    assert _bars(response) == [("I07 Platelets above 100 × 10⁹/L", "1")]


def test_the_csv_export_of_one_trial_carries_its_registry_id_and_criteria_version(
    investigator_client, sites
):
    response = investigator_client.get(reverse("log:export-csv"), {"trial": T2})
    lines = response.content.decode("utf-8-sig").splitlines()[1:]  # after the chain head
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    assert sorted(r["Screening number"] for r in rows) == [sites["B"], sites["C"]]
    assert {r["Trial"] for r in rows} == {T2}
    assert {r["Criteria"] for r in rows} == {f"{T2} criteria version 1"}
    failed = {r["Screening number"]: r["Screen failure reasons (codes)"] for r in rows}
    assert failed == {sites["B"]: "I07", sites["C"]: ""}


def test_the_xlsx_export_says_which_trial(investigator_client, sites):
    from openpyxl import load_workbook

    response = investigator_client.get(reverse("log:export-xlsx"), {"trial": T1})
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Screening log"].iter_rows(values_only=True))
    assert rows[0][0] == "Trial"
    assert {row[0] for row in rows[1:]} == {T1}
    assert {row[9] for row in rows[1:]} == {f"{T1} criteria version 1"}
    about = dict(book["Export"].iter_rows(values_only=True))
    assert about["Trial"] == T1


def test_the_candidates_list_shows_and_filters_the_trial(nurse_client, sites):
    response = nurse_client.get(reverse("screening:candidate-list"), {"trial": T2})
    assert sorted(c.screening_number for c in response.context["object_list"]) == [
        sites["B"],
        sites["C"],
    ]
    assert re.findall(r'data-testid="trial">(NCT\d+)<', response.content.decode()) == [
        T2,
        T2,
    ]
    everyone = nurse_client.get(reverse("screening:candidate-list"))
    assert len(everyone.context["object_list"]) == 4


# Registration: the nurse chooses among trials with a published criteria set.

REFERRAL_POST = {
    "initials": "JD",
    "date_of_birth": "1960-04-30",
    "sex": "female",
    "referring_unit": "Herlev",
    "referral_date": "2026-11-01",
}


def test_with_two_trials_the_nurse_must_choose_and_gets_that_trials_number(
    nurse_client, trial, shared_codes_trial
):
    url = reverse("screening:candidate-register")
    page = nurse_client.get(url).content.decode()
    assert f"{T1} · " in page and f"{T2} · " in page
    assert "Choose the trial" in page  # nothing preselected
    refused = nurse_client.post(url, REFERRAL_POST)
    assert refused.status_code == 200
    assert refused.context["form"].errors["trial"] == ["This field is required."]
    assert Candidate.objects.count() == 0
    response = nurse_client.post(url, {**REFERRAL_POST, "trial": shared_codes_trial.pk})
    assert response.status_code == 302
    assert Candidate.objects.get().screening_number == f"{T2}-S0001"
    nurse_client.post(url, {**REFERRAL_POST, "trial": trial.pk})
    assert Candidate.objects.filter(trial=trial).get().screening_number == f"{T1}-S0001"


def test_with_one_trial_it_is_preselected(nurse_client, trial):
    form = nurse_client.get(reverse("screening:candidate-register")).context["form"]
    assert form["trial"].value() == trial.pk
    assert list(form.fields["trial"].choices) == [(trial.pk, f"{T1} · {trial.title}")]


def test_a_trial_without_published_criteria_is_not_offered(nurse_client, trial):
    from criteria.models import Trial

    Trial.objects.create(registry_id="NCT00000001", title="Criteria not loaded yet")
    form = nurse_client.get(reverse("screening:candidate-register")).context["form"]
    assert [t.registry_id for t in form.fields["trial"].queryset] == [T1]


def test_without_a_trial_the_form_says_so_and_registers_nothing(nurse_client, db):
    url = reverse("screening:candidate-register")
    page = nurse_client.get(url).content.decode()
    assert 'data-testid="no-trial"' in page
    assert "No trial has published criteria yet" in page
    response = nurse_client.post(url, REFERRAL_POST)
    assert response.status_code == 200
    assert "No trial has published criteria yet" in response.content.decode()
    assert Candidate.objects.count() == 0


def test_the_access_log_shows_and_filters_the_trial(investigator_client, sites):
    for name in ("A", "B"):
        investigator_client.get(reverse("log:audit-trail", args=[sites[name]]))
    response = investigator_client.get(reverse("access-log"), {"trial": T2})
    entries = list(response.context["entries"])
    assert [e.screening_number for e in entries] == [sites["B"]]
    assert re.findall(r'data-testid="access-trial">(NCT\d+)<', response.content.decode()) == [T2]


def test_the_criteria_history_names_its_trial_and_links_the_others(
    criteria_admin_client, trial, shared_codes_trial
):
    response = criteria_admin_client.get(reverse("criteria:history", args=[T2]))
    content = response.content.decode()
    assert f"Trial <strong>{T2}</strong>" in content
    assert re.findall(r'data-testid="other-trial">(NCT\d+)<', content) == [T1]
