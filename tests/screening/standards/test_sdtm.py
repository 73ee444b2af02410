"""SDTM TI and IE for both trials, as CSV and as XPT v5 read back with pyreadstat."""

import csv
import datetime as dt
import io
import json

import pyreadstat
import pytest

from criteria.services import criteria_set_draft_create, protocol_load
from screening.review.standards import sdtm
from screening.review.standards.scope import ScopeError, scope_get
from tests.cases import PROTOCOL_FILE
from tests.screening.log_data import screen_patient

pytestmark = [pytest.mark.django_db]

TI_NAMES = ["STUDYID", "DOMAIN", "IETESTCD", "IETEST", "IECAT", "TIRL", "TIVERS"]
IE_NAMES = [
    "STUDYID",
    "DOMAIN",
    "USUBJID",
    "IESEQ",
    "IETESTCD",
    "IETEST",
    "IECAT",
    "IEORRES",
    "IESTRESC",
    "VISITNUM",
    "IEDTC",
]


def read_xpt(content: bytes, tmp_path):
    path = tmp_path / "dataset.xpt"
    path.write_bytes(content)
    return pyreadstat.read_xport(str(path))


def read_csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("ascii"))))


def test_ti_of_nct01387295_has_a_row_per_criterion(trial):
    ti = sdtm.ti_dataset(scope_get(registry_id="NCT01387295", version=None))
    assert [c.name for c in ti.columns] == TI_NAMES
    assert len(ti.rows) == 37
    first, i18, e01 = ti.rows[0], ti.rows[17], ti.rows[18]
    assert first == {
        "STUDYID": "MA 0918",  # the sponsor's protocol id
        "DOMAIN": "TI",
        "IETESTCD": "I01",
        "IETEST": "Informed consent",
        "IECAT": "INCLUSION",
        "TIRL": "%informed_consent = true",
        "TIVERS": "1",
    }
    assert i18["IETESTCD"] == "I18"
    assert i18["TIRL"] == "(%her2_status = 'positive') implies (%lvef_percent >= 50)"
    assert i18["IETEST"] == "If the patient is HER2-positive:Baseline LVEF >= 50 %"
    assert (e01["IETESTCD"], e01["IECAT"]) == ("E01", "EXCLUSION")
    codes = [row["IETESTCD"] for row in ti.rows]
    assert len(set(codes)) == len(codes)


def test_ti_of_the_second_trial_follows_the_documented_rules(second_trial, tmp_path):
    ti = sdtm.ti_dataset(scope_get(registry_id="NCT09990001", version=1))
    rows = {row["IETESTCD"]: row for row in ti.rows}
    assert list(rows) == ["INCAGE", "INCRENAL", "INCSTAGE", "EXCHBV", "EXCANT01"]
    assert rows["INCAGE"]["STUDYID"] == "NCT09990001"  # no sponsor protocol id: the registry's
    assert rows["INCAGE"]["IETEST"] == "Age >= 18 and <= 70 years"
    assert rows["INCRENAL"]["TIRL"] == "(%creatinine_x_uln_entered <= 1 or %crcl > 50)"
    assert rows["INCSTAGE"]["TIRL"] == "%stage in ('3' | '4')"
    long = rows["EXCANT01"]["IETEST"]
    assert len(long) <= 200 and long.endswith(" ...")
    assert long.startswith("Patients who have received an anthracycline")
    assert rows["EXCANT01"]["TIRL"] == (
        "%stage != '2' and ((%last_anthracycline_date != 'never' and "
        "%last_anthracycline_date > %screening_date - 180 days))"
    )


@pytest.mark.parametrize("registry", ["NCT01387295", "NCT09990001"])
def test_ti_xpt_reads_back_with_names_labels_lengths_and_values(
    registry, trial, second_trial, tmp_path
):
    ti = sdtm.ti_dataset(scope_get(registry_id=registry, version=None))
    content = sdtm.dataset_xpt(ti)
    assert content.startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD")  # v5, not LIBV8
    frame, meta = read_xpt(content, tmp_path)
    assert meta.column_names == TI_NAMES
    assert meta.column_names_to_labels["IETESTCD"] == "Incl/Excl Criterion Short Name"
    assert meta.column_names_to_labels["TIRL"] == "Inclusion/Exclusion Criterion Rule"
    assert meta.table_name == "TI"
    assert meta.file_label == "Trial Inclusion/Exclusion Criteria"
    for name in TI_NAMES:
        longest = max(len(row[name]) for row in ti.rows)
        assert meta.variable_storage_width[name] == longest <= 200
    assert frame.to_dict("records") == ti.rows
    assert read_csv(sdtm.dataset_csv(ti)) == ti.rows


def test_ie_holds_only_the_criteria_not_met(first_cohort, tmp_path):
    ie = sdtm.ie_dataset(scope_get(registry_id="NCT01387295", version=1))
    assert [c.name for c in ie.columns] == IE_NAMES
    got = [(r["USUBJID"], r["IESEQ"], r["IETESTCD"], r["IECAT"], r["IEORRES"]) for r in ie.rows]
    b, c = first_cohort["B"], first_cohort["C"]
    assert got == [
        (b, 1, "I13", "INCLUSION", "N"),
        (c, 1, "I13", "INCLUSION", "N"),
        (c, 2, "E07", "EXCLUSION", "Y"),
    ]
    row = ie.rows[2]
    assert row["IESTRESC"] == "Y" and row["VISITNUM"] == 1
    assert row["IEDTC"] == "2026-11-15T12:00:00Z"
    assert row["IETEST"].startswith("Any clinical symptoms suggesting peripheral neuropathy")
    assert row["STUDYID"] == "MA 0918" and row["DOMAIN"] == "IE"

    frame, meta = read_xpt(sdtm.dataset_xpt(ie), tmp_path)
    assert meta.column_names == IE_NAMES
    assert meta.readstat_variable_types["IESEQ"] == "double"
    assert meta.variable_storage_width["USUBJID"] == len(b)
    assert meta.column_names_to_labels["IEORRES"] == "I/E Criterion Original Result"
    back = frame.to_dict("records")
    assert [(r["USUBJID"], r["IESEQ"], r["IETESTCD"]) for r in back] == [g[:3] for g in got]
    csv_rows = read_csv(sdtm.dataset_csv(ie))
    assert [r["IESEQ"] for r in csv_rows] == ["1", "1", "2"]


def test_ie_of_the_second_trial(second_cohort, tmp_path):
    ie = sdtm.ie_dataset(scope_get(registry_id="NCT09990001", version=1))
    q = second_cohort["Q"]
    assert [(r["USUBJID"], r["IETESTCD"], r["IEORRES"]) for r in ie.rows] == [
        (q, "INCAGE", "N"),
        (q, "EXCHBV", "Y"),
    ]
    frame, meta = read_xpt(sdtm.dataset_xpt(ie), tmp_path)
    assert list(frame["IETESTCD"]) == ["INCAGE", "EXCHBV"]


def test_an_empty_ie_is_still_a_readable_dataset(trial, tmp_path):
    ie = sdtm.ie_dataset(scope_get(registry_id="NCT01387295", version=1))
    frame, meta = read_xpt(sdtm.dataset_xpt(ie), tmp_path)
    assert ie.rows == [] and len(frame) == 0
    assert meta.column_names == IE_NAMES
    assert sdtm.dataset_csv(ie).decode() == ",".join(IE_NAMES) + "\r\n"


def test_the_date_range_is_site_local_days_both_included(trial, nurse):
    # 23:30 UTC on 14 November is 00:30 on the 15th in Copenhagen.
    late = screen_patient(
        trial, nurse, fails=("I13",), at=dt.datetime(2026, 11, 14, 23, 30, tzinfo=dt.UTC)
    )
    number = late.screening.candidate.screening_number

    def subjects(first, last):
        scope = scope_get(registry_id="NCT01387295", version=1, first=first, last=last)
        return {r["USUBJID"] for r in sdtm.ie_dataset(scope).rows}

    assert subjects(dt.date(2026, 11, 15), dt.date(2026, 11, 15)) == {number}
    assert subjects(dt.date(2026, 11, 14), dt.date(2026, 11, 14)) == set()
    assert subjects(None, dt.date(2026, 11, 14)) == set()
    assert subjects(dt.date(2026, 11, 15), None) == {number}


def test_each_version_exports_its_own_criteria_and_decisions(first_cohort):
    data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    data["criteria_set"]["criteria"] = data["criteria_set"]["criteria"][:5]
    protocol_load(data=data, source="shorter.json")
    v2 = scope_get(registry_id="NCT01387295", version=None)
    assert v2.version == 2
    assert len(sdtm.ti_dataset(v2).rows) == 5 and sdtm.ie_dataset(v2).rows == []
    v1 = scope_get(registry_id="NCT01387295", version=1)  # retired, still exported
    assert len(sdtm.ti_dataset(v1).rows) == 37 and len(sdtm.ie_dataset(v1).rows) == 3
    assert {r["TIVERS"] for r in sdtm.ti_dataset(v2).rows} == {"2"}


def test_a_draft_an_unknown_version_or_trial_and_an_inverted_range_are_refused(
    trial, criteria_admin
):
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    with pytest.raises(ScopeError, match="is a draft"):
        scope_get(registry_id="NCT01387295", version=draft.version)
    with pytest.raises(ScopeError, match="no criteria set version 9"):
        scope_get(registry_id="NCT01387295", version=9)
    with pytest.raises(ScopeError, match='unknown trial "NCT0"'):
        scope_get(registry_id="NCT0", version=None)
    with pytest.raises(ScopeError, match="ends"):
        scope_get(
            registry_id="NCT01387295",
            version=None,
            first=dt.date(2026, 11, 2),
            last=dt.date(2026, 11, 1),
        )
    same_day = dt.date(2026, 11, 2)
    assert scope_get(registry_id="NCT01387295", version=None, first=same_day, last=same_day)


def test_a_re_screened_patient_has_one_visit_per_episode_and_one_sequence(trial, nurse):
    from screening import services
    from tests.cases import fill

    first = screen_patient(trial, nurse, fails=("I13",))
    candidate = first.screening.candidate
    second = services.screening_start(candidate=candidate, started_by=nurse)
    fill(second, nurse, platelets="80")
    services.decision_record(screening=second, recorded_by=nurse)
    ie = sdtm.ie_dataset(scope_get(registry_id="NCT01387295", version=1))
    assert [(r["IESEQ"], r["IETESTCD"], r["VISITNUM"]) for r in ie.rows] == [
        (1, "I13", 1),
        (2, "I14", 2),
    ]
