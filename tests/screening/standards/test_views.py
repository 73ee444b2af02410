"""The investigator's standards exports page: permissioned like the log export, each error
next to its field, every download of patient data written in the access log."""

import json

import pytest
from django.urls import reverse

from trialsite.models import CandidateAccess

pytestmark = [pytest.mark.django_db]
KINDS = ["ti-csv", "ti-xpt", "ie-csv", "ie-xpt", "fhir", "odm"]


def download(client, kind: str, **params):
    return client.get(reverse("standards:download", args=[kind]), params)


def test_the_page_offers_every_file_for_the_chosen_scope(investigator_client, trial):
    response = investigator_client.get(
        reverse("standards:page"), {"trial": "NCT01387295", "version": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    for kind in KINDS:
        href = reverse("standards:download", args=[kind]) + "?trial=NCT01387295&amp;version=1"
        assert href in html
    assert "NCT01387295, criteria version 1" in html


def test_the_page_without_a_choice_asks_for_one(investigator_client, trial):
    response = investigator_client.get(reverse("standards:page"))
    assert 'data-testid="choose-first"' in response.content.decode()
    assert 'data-testid="standards-files"' not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"trial": "NCT01387295", "version": "7"}, "version", "has no criteria set version 7"),
        ({"trial": "NCT01387295", "version": "0"}, "version", "greater than or equal to 1"),
        ({"trial": "NCT01387295", "version": "x"}, "version", "Enter a whole number"),
        ({"trial": "NCT00000000"}, "trial", "Select a valid choice"),
        (
            {"trial": "NCT01387295", "screened_from": "2026-11-02", "screened_to": "2026-11-01"},
            "screened_to",
            "Must not be before the start date",
        ),
    ],
)
def test_a_bad_choice_is_explained_next_to_its_field_and_nothing_is_sent(
    investigator_client, trial, first_cohort, params, field, message
):
    response = download(investigator_client, "odm", **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}_error"' in response.content.decode() or field == "trial"
    assert CandidateAccess.objects.count() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_each_file_downloads_for_both_trials(
    investigator_client, first_cohort, second_cohort, kind
):
    for registry in ("NCT01387295", "NCT09990001"):
        response = download(investigator_client, kind, trial=registry)
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert disposition.startswith(f'attachment; filename="{registry}-v1-{kind.split("-")[0]}-')
        assert len(response.content) > 100


def test_patient_files_write_the_access_log_and_criteria_files_do_not(
    investigator_client, investigator, first_cohort
):
    assert download(investigator_client, "ti-xpt", trial="NCT01387295").status_code == 200
    assert CandidateAccess.objects.count() == 0
    url = reverse("standards:download", args=["ie-csv"]) + "?trial=NCT01387295"
    assert investigator_client.get(url).status_code == 200
    logged = CandidateAccess.objects.order_by("screening_number")
    assert [(a.user, a.screening_number, a.path) for a in logged] == [
        (investigator, first_cohort["B"], url),
        (investigator, first_cohort["C"], url),
    ]
    response = download(investigator_client, "fhir", trial="NCT01387295")
    bundle = json.loads(response.content)
    subjects = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "ResearchSubject"]
    assert CandidateAccess.objects.count() == 2 + len(subjects) == 7
    download(investigator_client, "odm", trial="NCT01387295")
    assert CandidateAccess.objects.count() == 12


def test_the_date_range_limits_the_patients_in_the_file(investigator_client, first_cohort):
    response = download(
        investigator_client,
        "fhir",
        trial="NCT01387295",
        screened_from="2026-11-12",
        screened_to="2026-11-15",
    )
    bundle = json.loads(response.content)
    numbers = [
        e["resource"]["identifier"][0]["value"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "ResearchSubject"
    ]
    assert numbers == [first_cohort["B"], first_cohort["C"]]


@pytest.mark.parametrize("who", ["nurse_client", "criteria_admin_client"])
def test_nurse_and_criteria_admin_cannot_export(request, who, trial):
    client = request.getfixturevalue(who)
    assert client.get(reverse("standards:page")).status_code == 403
    assert download(client, "odm", trial="NCT01387295").status_code == 403


def test_anonymous_is_sent_to_log_in(client, trial):
    response = download(client, "ti-csv", trial="NCT01387295")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_file_kind_is_not_found(investigator_client, trial):
    assert download(investigator_client, "pdf", trial="NCT01387295").status_code == 404


def test_the_screening_log_links_the_page_for_those_who_may_export(
    investigator_client, criteria_admin, client, trial
):
    page = investigator_client.get(reverse("log:list")).content.decode()
    assert f'href="{reverse("standards:page")}"' in page
    client.force_login(criteria_admin)  # may see the log, may not export
    response = client.get(reverse("log:list"))
    assert reverse("standards:page") not in response.content.decode()
