"""export_sdtm, export_fhir and export_odm: the same files as the page, for a scheduled
hand-over; bad arguments give one clear line on stderr and exit status 2."""

import io
import json

import pyreadstat
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import UserFactory
from trialsite.models import CandidateAccess

pytestmark = [pytest.mark.django_db]


def run(command: str, *args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue()


def refused(command: str, *args) -> str:
    with pytest.raises(CommandError) as error:
        call_command(command, *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert error.value.returncode == 2
    return str(error.value)


def test_ti_as_csv_on_standard_output_needs_no_user(trial, second_trial):
    text = run("export_sdtm", "NCT01387295", "--domain", "TI")
    assert text.splitlines()[0] == "STUDYID,DOMAIN,IETESTCD,IETEST,IECAT,TIRL,TIVERS"
    assert len(text.splitlines()) == 38
    second = run("export_sdtm", "NCT09990001", "--domain", "TI", "--version", "1")
    assert len(second.splitlines()) == 6
    assert CandidateAccess.objects.count() == 0


def test_ie_as_xpt_to_a_file_logs_the_user(first_cohort, investigator, tmp_path):
    target = tmp_path / "ie.xpt"
    run(
        "export_sdtm", "NCT01387295", "--domain", "IE", "--format", "xpt",
        "--user", "investigator", "--output", str(target),
    )  # fmt: skip
    frame, meta = pyreadstat.read_xport(str(target))
    assert list(frame["IETESTCD"]) == ["I13", "I13", "E07"]
    logged = CandidateAccess.objects.order_by("screening_number")
    assert [a.screening_number for a in logged] == [first_cohort["B"], first_cohort["C"]]
    assert {a.user for a in logged} == {investigator}
    assert logged[0].path == "manage.py standards ie-xpt NCT01387295"


def test_fhir_and_odm_for_both_trials(first_cohort, second_cohort, investigator):
    for registry, count in (("NCT01387295", 5), ("NCT09990001", 4)):
        bundle = json.loads(run("export_fhir", registry, "--user", "investigator"))
        subjects = [
            e for e in bundle["entry"] if e["resource"]["resourceType"] == "ResearchSubject"
        ]
        assert len(subjects) == count
        xml = run("export_odm", registry, "--user", "investigator", "--from", "2026-11-01")
        assert xml.startswith("<?xml") and 'ODMVersion="1.3.2"' in xml
    dated = CandidateAccess.objects.filter(path__contains="--from 2026-11-01")
    assert dated.count() == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NCT00000000", "--domain", "TI"], 'unknown trial "NCT00000000"'),
        (["NCT01387295", "--domain", "TI", "--version", "4"], "has no criteria set version 4"),
        (["NCT01387295", "--domain", "IE"], "--user USERNAME is required"),
        (["NCT01387295", "--domain", "IE", "--user", "ghost"], "no active user"),
        (["NCT01387295", "--domain", "IE", "--user", "nurse"], "may not export"),
        (["NCT01387295", "--domain", "TI", "--format", "xpt"], "name it with --output"),
        (["NCT01387295", "--domain", "TI", "--from", "30-11-2026"], "is not a date like"),
        (
            ["NCT01387295", "--domain", "TI", "--from", "2026-11-02", "--to", "2026-11-01"],
            "ends (2026-11-01) before it starts",
        ),
        (
            ["NCT01387295", "--domain", "TI", "--output", "/nonexistent/dir/ti.csv"],
            "cannot write /nonexistent/dir/ti.csv",
        ),
    ],
)
def test_bad_arguments_exit_with_status_2_and_say_why(trial, nurse, args, message):
    assert message in refused("export_sdtm", *args)
    assert CandidateAccess.objects.count() == 0


def test_a_draft_version_is_refused(trial, criteria_admin):
    from criteria.services import criteria_set_draft_create

    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    message = refused("export_odm", "NCT01387295", "--version", str(draft.version), "--user", "x")
    assert "is a draft" in message


def test_an_inactive_user_cannot_export(trial):
    UserFactory(username="gone", is_active=False)
    assert "no active user" in refused("export_fhir", "NCT01387295", "--user", "gone")


def test_an_argparse_error_is_also_status_2(trial):
    with pytest.raises(CommandError) as error:
        call_command("export_sdtm", "NCT01387295", "--domain", "XX", stdout=io.StringIO())
    assert "invalid choice" in str(error.value)
