"""CSV and XLSX exports open and hold the filtered rows with the screening log's columns."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from screening.hashing import GENESIS_HASH
from screening.models import Decision, Signature
from screening.signoff import signature_sign
from tests.factories import TEST_PASSWORD, UserFactory
from tests.screening.log_data import screen_patient
from trialsite import roles
from trialsite.access_log import candidate_access_logged
from trialsite.models import CandidateAccess

pytestmark = [pytest.mark.django_db]

ICH_COLUMNS = [
    "Trial",
    "Screening number",
    "Episode",
    "Referral date",
    "Screening date",
    "Outcome",
    "Eligible (yes/no)",
    "Screen failure reasons (codes)",
    "Screen failure reasons (words)",
    "Criteria",
    "Recorded by",
    "Decision recorded at (UTC)",
    "Sign-off",
    "Signed off by",
    "Signed off at (UTC)",
    "Decision entry hash",
]


def _csv(client, **params) -> list[dict]:
    response = client.get(reverse("log:export-csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="screening-log-')
    text = response.content.decode("utf-8-sig")
    # The first row names the audit chain heads and the language; the column names follow.
    lines = io.StringIO(text)
    chain_at, language = next(csv.reader(lines))
    assert chain_at.startswith("Audit chain head at export: decision ")
    assert language.startswith("Language: ")
    reader = csv.DictReader(lines)
    assert reader.fieldnames == ICH_COLUMNS
    return list(reader)


def _xlsx(client, **params) -> list[dict]:
    response = client.get(reverse("log:export-xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Screening log", "Export"]
    header, *rows = workbook["Screening log"].iter_rows(values_only=True)
    assert list(header) == ICH_COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_holds_the_filtered_rows(investigator_client, cohort):
    rows = _csv(investigator_client, outcome="ineligible", sort="screening_number")
    assert [r["Screening number"] for r in rows] == [cohort["B"], cohort["C"]]
    c = rows[1]
    assert c["Eligible (yes/no)"] == "no"
    assert c["Screen failure reasons (codes)"] == "I13; E07"
    assert (
        "I13 Neutrophils above 1.5 × 10⁹/L: Neutrophils 1.2" in c["Screen failure reasons (words)"]
    )
    assert "E07 Known CNS metastases" in c["Screen failure reasons (words)"]
    assert c["Trial"] == "NCT01387295"
    assert c["Criteria"] == "NCT01387295 criteria version 1"
    assert (c["Referral date"], c["Screening date"]) == ("2026-11-03", "2026-11-15")
    assert c["Decision recorded at (UTC)"] == "2026-11-15 12:00:00"
    assert c["Sign-off"] == "awaiting sign-off" and c["Signed off by"] == ""
    assert len(c["Decision entry hash"]) == 64


def test_csv_without_filters_holds_every_row_not_only_one_page(
    investigator_client, cohort, monkeypatch
):
    monkeypatch.setattr("screening.review.log_table.PER_PAGE", 2)
    rows = _csv(investigator_client, sort="screening_number")
    assert [r["Screening number"] for r in rows] == [cohort[n] for n in "ABCDE"]
    a, d, e = rows[0], rows[3], rows[4]
    assert a["Eligible (yes/no)"] == "yes" and a["Screen failure reasons (codes)"] == ""
    assert a["Sign-off"] == "signed" and a["Signed off by"]
    assert "Closed as screen failure: patient declined" in d["Screen failure reasons (words)"]
    assert (e["Outcome"], e["Eligible (yes/no)"], e["Sign-off"]) == (
        "Not decided",
        "",
        "not decided",
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_logs_each_candidate_it_holds(investigator_client, investigator, cohort, fmt):
    url = reverse(f"log:export-{fmt}") + "?outcome=ineligible"
    assert investigator_client.get(url).status_code == 200
    logged = CandidateAccess.objects.order_by("screening_number")
    assert [(a.user, a.screening_number, a.path) for a in logged] == [
        (investigator, cohort["B"], url),
        (investigator, cohort["C"], url),
    ]


def test_a_batch_is_logged_before_any_of_its_rows_is_passed_on(investigator):
    rows = candidate_access_logged(
        ["S1", "S2", "S3"], user=investigator, path="/x", screening_number=str, batch=2
    )
    assert next(rows) == "S1"
    assert sorted(CandidateAccess.objects.values_list("screening_number", flat=True)) == [
        "S1",
        "S2",
    ]
    assert list(rows) == ["S2", "S3"]
    assert CandidateAccess.objects.count() == 3


def test_xlsx_holds_the_same_filtered_rows(investigator_client, investigator, cohort):
    rows = _xlsx(investigator_client, signoff="signed")
    assert [r["Screening number"] for r in rows] == [cohort["A"]]
    a = rows[0]
    assert a["Eligible (yes/no)"] == "yes"
    assert a["Referral date"] == dt.datetime(2026, 11, 1)  # a real date cell
    assert a["Decision recorded at (UTC)"] == dt.datetime(2026, 11, 10, 12, 0)
    assert a["Signed off by"] == investigator.get_full_name()
    assert isinstance(a["Signed off at (UTC)"], dt.datetime)
    assert a["Trial"] == "NCT01387295"
    assert a["Criteria"] == "NCT01387295 criteria version 1"


def test_xlsx_records_who_exported_and_the_filters(investigator_client, cohort):
    response = investigator_client.get(reverse("log:export-xlsx"), {"outcome": "eligible"})
    about = dict(load_workbook(io.BytesIO(response.content))["Export"].iter_rows(values_only=True))
    assert about["Exported by"] == "investigator"
    assert about["Filters"] == "outcome=eligible"


def test_a_text_starting_like_a_formula_never_runs_as_one(investigator_client, trial, nurse):
    # A signer's name is typed by an administrator; it starts the "Signed off by" cell.
    sly = UserFactory(username="sly", first_name='=HYPERLINK("http://x")', role=roles.INVESTIGATOR)
    signature_sign(decision=screen_patient(trial, nurse), signer=sly, password=TEST_PASSWORD)
    name = sly.get_full_name()

    assert _csv(investigator_client)[0]["Signed off by"] == "'" + name
    response = investigator_client.get(reverse("log:export-xlsx"))
    sheet = load_workbook(io.BytesIO(response.content))["Screening log"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert name in [cell.value for cell in cells]  # kept as it is, as text


def test_nurse_cannot_export(nurse_client):
    assert nurse_client.get(reverse("log:export-csv")).status_code == 403
    assert nurse_client.get(reverse("log:export-xlsx")).status_code == 403


def _heads() -> str:
    decision, signature = Decision.objects.latest(), Signature.objects.latest("sequence")
    return (
        f"decision {decision.sequence}, hash {decision.entry_hash}; "
        f"signature {signature.sequence}, hash {signature.entry_hash}"
    )


def test_each_export_names_the_audit_chain_heads_it_was_made_at(investigator_client, cohort):
    csv_text = investigator_client.get(reverse("log:export-csv")).content.decode("utf-8-sig")
    first_row = next(csv.reader(io.StringIO(csv_text)))
    assert first_row == [f"Audit chain head at export: {_heads()}", "Language: en"]
    response = investigator_client.get(reverse("log:export-xlsx"))
    about = dict(load_workbook(io.BytesIO(response.content))["Export"].iter_rows(values_only=True))
    assert about["Audit chain head"] == _heads()


def test_an_export_of_an_empty_log_names_the_empty_chains(investigator_client):
    csv_text = investigator_client.get(reverse("log:export-csv")).content.decode("utf-8-sig")
    empty = f"decision 0, hash {GENESIS_HASH}; signature 0, hash {GENESIS_HASH}"
    first_row = next(csv.reader(io.StringIO(csv_text)))
    assert first_row == [f"Audit chain head at export: {empty}", "Language: en"]
