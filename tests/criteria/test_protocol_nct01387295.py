"""The shipped NCT01387295 protocol file: every criterion just inside and just outside.

Each row starts from one complete, eligible, HER2-positive woman and changes one thing.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from criteria.evaluator import evaluate
from criteria.protocol import protocol_from_dict, protocol_to_dict
from criteria.values import NEVER

REPO = Path(__file__).resolve().parents[2]
PROTOCOL = REPO / "criteria" / "protocols" / "NCT01387295.json"
# The public ClinicalTrials.gov record, kept as test data so the wording check always runs.
RECORD = REPO / "tests" / "data" / "NCT01387295-registry-record.txt"
SCREENING = date(2026, 11, 29)
START = date(2026, 12, 7)


def load() -> dict:
    return json.loads(PROTOCOL.read_text(encoding="utf-8"))


RULES = protocol_from_dict(load())[1]


def eligible_case() -> dict[str, object]:
    """A complete, eligible, HER2-positive woman of 61, typed as the evaluator reads."""
    return {
        "screening_date": SCREENING, "planned_start_date": START, "informed_consent": True,
        "date_of_birth": date(1965, 3, 2), "sex": "female", "adenocarcinoma_confirmed": True,
        "liver_metastases_unsuitable_for_local_treatment": True,
        "measurable_liver_disease": True, "pet_ct_done": True, "extrahepatic_disease": "limited",
        "liver_involvement_percent": D("40"), "her2_status": "positive", "lvef_percent": D("60"),
        "ecog_performance_status": 1, "expected_survival_months": D("12"), "prior_taxane": True,
        "capecitabine_history": "no_progression", "prior_oxaliplatin": False,
        "last_chemotherapy_date": SCREENING - timedelta(days=60),
        "last_investigational_treatment_date": NEVER, "in_other_trial": False,
        "fluoropyrimidine_serious_reaction": False, "hypersensitivity_to_study_drugs": False,
        "neutrophils": D("2.1"), "platelets": D("250"), "bilirubin": D("12"),
        "bilirubin_uln": D("25"), "weight_kg": D("70"), "serum_creatinine": D("80"),
        "inr": D("1.0"), "other_malignancy": "none", "peripheral_neuropathy_grade": 0,
        "cns_metastases": False, "cns_suspicion": False, "severe_cardiac_disease": False,
        "last_ami_date": NEVER, "other_severe_condition": False,
        "condition_preventing_oral_therapy": False, "uncontrolled_infection": False,
        "pregnant_or_lactating": False, "childbearing_potential": True,
        "nonhormonal_contraception": True, "able_to_understand_and_comply": True,
        "dyspnoea_from_malignancy_or_oxygen_need": False,
    }  # fmt: skip


def days_before(anchor: date, days: int) -> date:
    return anchor - timedelta(days=days)


def status_of(changes: dict[str, object], code: str):
    values = {**eligible_case(), **changes}
    for key in [k for k, v in changes.items() if v is None]:
        del values[key]
    evaluation = evaluate(RULES, values)
    return evaluation, next(r for r in evaluation.results if r.code == code)


def test_the_base_case_is_eligible_with_every_criterion_decided():
    evaluation = evaluate(RULES, eligible_case())
    assert evaluation.outcome == "eligible"
    assert evaluation.missing == ()
    undecided = [r.code for r in evaluation.results if r.status not in ("met", "not_met")]
    assert undecided == ["E08"]  # not applicable: no suspicion of CNS metastases


# (code, changes, status): one value varied per row, just inside and just outside.
BOUNDARIES = [
    ("I13", {"neutrophils": D("1.5")}, "not_met"),
    ("I13", {"neutrophils": D("1.51")}, "met"),
    ("I14", {"platelets": D("100")}, "not_met"),
    ("I14", {"platelets": D("100.01")}, "met"),
    ("I15", {"bilirubin": D("36"), "bilirubin_uln": D("18")}, "not_met"),  # 2.00 × ULN
    ("I15", {"bilirubin": D("35.82"), "bilirubin_uln": D("18")}, "met"),  # 1.99 × ULN
    ("I16", {"creatinine_clearance_measured": D("30")}, "not_met"),
    ("I16", {"creatinine_clearance_measured": D("30.01")}, "met"),
    ("I17", {"inr": D("1.6")}, "not_met"),
    ("I17", {"inr": D("1.59")}, "met"),
    ("I18", {"lvef_percent": D("50")}, "met"),
    ("I18", {"lvef_percent": D("49.9")}, "not_met"),
    ("I18", {"her2_status": "negative", "lvef_percent": D("30")}, "not_applicable"),
    ("I18", {"her2_status": "negative", "lvef_percent": None}, "not_applicable"),
    ("I02", {"date_of_birth": date(2008, 11, 29)}, "met"),  # 18th birthday on screening day
    ("I02", {"date_of_birth": date(2008, 11, 30)}, "not_met"),  # 18 tomorrow
    ("I02", {"date_of_birth": date(2009, 6, 1)}, "not_met"),  # 17
    ("I03", {"ecog_performance_status": 1}, "met"),
    ("I03", {"ecog_performance_status": 0}, "met"),
    ("I03", {"ecog_performance_status": 2}, "not_met"),
    ("I04", {"expected_survival_months": D("3")}, "met"),
    ("I04", {"expected_survival_months": D("2.9")}, "not_met"),
    ("I12", {"liver_involvement_percent": D("69.9")}, "met"),
    ("I12", {"liver_involvement_percent": D("70")}, "not_met"),
    ("E01", {"last_chemotherapy_date": days_before(START, 27)}, "met"),
    ("E01", {"last_chemotherapy_date": days_before(START, 28)}, "not_met"),
    ("E01", {"last_chemotherapy_date": days_before(START, 29)}, "not_met"),
    ("E01", {"last_chemotherapy_date": days_before(START, 0)}, "met"),
    ("E01", {"last_chemotherapy_date": days_before(START, -1)}, "met"),  # after the start
    ("E01", {"last_chemotherapy_date": NEVER}, "not_met"),
    ("E04", {"last_investigational_treatment_date": days_before(START, 13)}, "met"),
    ("E04", {"last_investigational_treatment_date": days_before(START, 14)}, "not_met"),
    ("E04", {"last_investigational_treatment_date": days_before(START, 15)}, "not_met"),
    ("E10", {"last_ami_date": days_before(SCREENING, 364)}, "met"),
    ("E10", {"last_ami_date": days_before(SCREENING, 365)}, "not_met"),
    ("E10", {"last_ami_date": days_before(SCREENING, 366)}, "not_met"),
    ("E08", {"cns_suspicion": True, "cns_imaging_date": days_before(SCREENING, 27)}, "not_met"),
    ("E08", {"cns_suspicion": True, "cns_imaging_date": days_before(SCREENING, 28)}, "met"),
    ("E08", {"cns_suspicion": True, "cns_imaging_date": days_before(SCREENING, 29)}, "met"),
    ("E08", {"cns_suspicion": True}, "unknown"),
    ("E08", {"cns_suspicion": False, "cns_imaging_date": days_before(SCREENING, 90)},
     "not_applicable"),
    ("E06", {"peripheral_neuropathy_grade": 1}, "not_met"),
    ("E06", {"peripheral_neuropathy_grade": 2}, "met"),
    ("E06", {"peripheral_neuropathy_grade": 4}, "met"),
    ("I09", {"extrahepatic_disease": "none"}, "met"),
    ("I09", {"extrahepatic_disease": "limited"}, "met"),
    ("I09", {"extrahepatic_disease": "extensive"}, "not_met"),
    ("I10", {"capecitabine_history": "none"}, "met"),
    ("I10", {"capecitabine_history": "no_progression"}, "met"),
    ("I10", {"capecitabine_history": "progression"}, "not_met"),
    ("E02", {"other_malignancy": "none"}, "not_met"),
    ("E02", {"other_malignancy": "treated_cervical_cis_or_skin_scc"}, "not_met"),
    ("E02", {"other_malignancy": "other"}, "met"),
    ("E14", {"pregnant_or_lactating": True}, "met"),
    ("E14", {"sex": "male", "pregnant_or_lactating": None}, "not_applicable"),
    ("E15", {"nonhormonal_contraception": False}, "met"),
    ("E15", {"nonhormonal_contraception": True}, "not_met"),
    ("E15", {"childbearing_potential": False, "nonhormonal_contraception": None},
     "not_applicable"),
    ("E15", {"sex": "male", "childbearing_potential": None}, "not_applicable"),
    ("E15", {"childbearing_potential": None}, "unknown"),
    ("E19", {"dyspnoea_from_malignancy_or_oxygen_need": True}, "met"),
    ("E19", {"her2_status": "negative", "dyspnoea_from_malignancy_or_oxygen_need": True},
     "not_applicable"),
]  # fmt: skip

# Yes/no criteria: (code, variable, the answer that satisfies an inclusion / triggers an
# exclusion).
BOOLEANS = [
    ("I01", "informed_consent", True), ("I05", "adenocarcinoma_confirmed", True),
    ("I06", "liver_metastases_unsuitable_for_local_treatment", True),
    ("I07", "measurable_liver_disease", True), ("I08", "pet_ct_done", True),
    ("I11", "prior_taxane", True), ("E03", "prior_oxaliplatin", True),
    ("E05", "in_other_trial", True), ("E07", "cns_metastases", True),
    ("E09", "severe_cardiac_disease", True), ("E11", "other_severe_condition", True),
    ("E12", "condition_preventing_oral_therapy", True), ("E13", "uncontrolled_infection", True),
    ("E14", "pregnant_or_lactating", True), ("E16", "able_to_understand_and_comply", False),
    ("E17", "fluoropyrimidine_serious_reaction", True),
    ("E18", "hypersensitivity_to_study_drugs", True),
    ("E19", "dyspnoea_from_malignancy_or_oxygen_need", True),
]  # fmt: skip


def expected_outcome(kind: str, status: str) -> str:
    if status == "unknown":
        return "incomplete"
    fails = status == ("not_met" if kind == "inclusion" else "met")
    return "ineligible" if fails else "eligible"


@pytest.mark.parametrize(("code", "changes", "status"), BOUNDARIES)
def test_boundary(code, changes, status):
    evaluation, result = status_of(changes, code)
    assert result.status == status, result.reason
    assert evaluation.outcome == expected_outcome(result.kind, status)


@pytest.mark.parametrize(("code", "key", "met_when"), BOOLEANS)
@pytest.mark.parametrize("answer", [True, False])
def test_boolean_criterion_both_ways(code, key, met_when, answer):
    evaluation, result = status_of({key: answer}, code)
    assert result.status == ("met" if answer == met_when else "not_met")
    assert evaluation.outcome == expected_outcome(result.kind, result.status)


def test_her2_unknown_leaves_lvef_and_dyspnoea_undecided():
    evaluation, result = status_of({"her2_status": None}, "I18")
    assert result.status == "unknown"
    assert result.reason == "needs HER2 status first"
    assert evaluation.outcome == "incomplete"
    assert evaluation.missing == ("her2_status",)


def test_missing_lab_names_the_entered_variables_needed():
    evaluation, result = status_of(
        {"weight_kg": None, "date_of_birth": None, "creatinine_clearance_measured": None}, "I16"
    )
    assert result.status == "unknown"
    assert evaluation.outcome == "incomplete"
    assert evaluation.missing == ("date_of_birth", "weight_kg")


def test_a_definite_failure_wins_over_missing_values():
    evaluation, _ = status_of({"neutrophils": D("1.0"), "platelets": None, "sex": None}, "I13")
    assert evaluation.outcome == "ineligible"
    assert evaluation.missing == ("sex", "platelets")


def test_reasons_read_like_the_examples():
    evaluation, _ = status_of(
        {
            "neutrophils": D("1.2"),
            "platelets": D("95"),
            "her2_status": "negative",
            "last_chemotherapy_date": date(2026, 11, 10),
            "planned_start_date": date(2026, 11, 29),
        },
        "I13",
    )
    reasons = {r.code: r.reason for r in evaluation.results}
    assert reasons["I13"] == "Neutrophils 1.2 × 10⁹/L — needs > 1.5"
    assert reasons["I14"] == "Platelets 95 × 10⁹/L — needs > 100"
    assert reasons["I18"] == "HER2 status is negative — applies only when HER2 status is positive"
    assert reasons["E01"] == (
        "Last chemotherapy 2026-11-10 is 19 days before planned start 2026-11-29"
        " — excluded when less than 28 days"
    )
    assert reasons["I16"] == "Creatinine clearance 72.14 mL/min (Cockcroft-Gault) — needs > 30"


def test_never_is_an_answer_and_missing_is_not():
    _, answered = status_of({"last_chemotherapy_date": NEVER}, "E01")
    evaluation, missing = status_of({"last_chemotherapy_date": None}, "E01")
    assert (answered.status, answered.reason) == ("not_met", "Last chemotherapy: never")
    assert missing.status == "unknown"
    assert evaluation.missing == ("last_chemotherapy_date",)


def test_shipped_file_has_every_criterion_and_variable_of_the_design():
    codes = [c.code for c in RULES.criteria]
    assert codes == [f"I{i:02}" for i in range(1, 19)] + [f"E{i:02}" for i in range(1, 20)]
    assert len(RULES.variables) == 49
    derived = {k for k, v in RULES.variables.items() if v.derivation}
    assert derived == {"age_years", "bilirubin_x_uln", "creatinine_clearance"}
    assert {v.section for v in RULES.variables.values()} == {
        "referral", "disease", "treatment", "labs", "history", "derived",
    }  # fmt: skip


def test_ambiguities_are_noted_on_their_rules():
    notes = {c.code: c.note for c in RULES.criteria}
    for code in (
        "I02",
        "E06",
        "I09",
        "E01",
        "E04",
        "I16",
        "E07",
        "I10",
        "I03",
        "E05",
        "E18",
        "I08",
    ):
        assert "Shipped" in notes[code], code


def test_shipped_file_round_trips_exactly():
    data = load()
    assert protocol_to_dict(*protocol_from_dict(data)) == data
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert PROTOCOL.read_text(encoding="utf-8") == text


def test_protocol_wording_is_verbatim_from_the_registry_record():
    record = RECORD.read_text(encoding="utf-8").replace("\n- ", " ")
    record = re.sub(r"\s+", " ", record)
    for rule in RULES.criteria:
        assert rule.protocol_wording in record, rule.code
