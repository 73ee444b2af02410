"""Cases of the criteria tests, shared with screening's (tests/cases.py): the shipped protocol
file, a complete case, an amendment. Nothing here touches screening."""

from pathlib import Path

from django.urls import reverse

PROTOCOL_FILE = Path(__file__).resolve().parents[2] / "criteria/protocols/NCT01387295.json"
# The same protocol as shipped in format trialsite-protocol/1, kept unchanged: it must load and
# decide the same forever.
V1_FILE = Path(__file__).resolve().parents[1] / "data/NCT01387295.protocol-v1.json"


def lvef_amended(rule: dict, threshold: str) -> dict:
    """I18 (JSON form) amended as a protocol amendment does it: the threshold, and the label
    and wording that name it, translated labels too (the editor refuses a label left naming
    the old threshold)."""
    translations = {
        language: {**texts, "label": texts["label"].replace("50", threshold)}
        for language, texts in (rule.get("translations") or {}).items()
    }
    return rule | {
        "expression": {**rule["expression"], "value": threshold},
        "label": rule["label"].replace("50", threshold),
        "protocol_wording": rule["protocol_wording"].replace("50", threshold),
        "translations": translations,
    }


def eligible_values() -> dict:
    """A HER2-positive woman who meets every criterion of NCT01387295 (JSON form)."""
    return {
        "screening_date": "2026-11-20",
        "planned_start_date": "2026-12-01",
        "informed_consent": True,
        "date_of_birth": "1965-03-02",
        "sex": "female",
        "adenocarcinoma_confirmed": True,
        "liver_metastases_unsuitable_for_local_treatment": True,
        "measurable_liver_disease": True,
        "pet_ct_done": True,
        "extrahepatic_disease": "limited",
        "liver_involvement_percent": "30",
        "her2_status": "positive",
        "lvef_percent": "55",
        "ecog_performance_status": 1,
        "expected_survival_months": "6",
        "prior_taxane": True,
        "capecitabine_history": "none",
        "prior_oxaliplatin": False,
        "last_chemotherapy_date": "2026-10-01",
        "last_investigational_treatment_date": "never",
        "in_other_trial": False,
        "fluoropyrimidine_serious_reaction": False,
        "hypersensitivity_to_study_drugs": False,
        "neutrophils": "3.2",
        "platelets": "250",
        "bilirubin": "10",
        "bilirubin_uln": "22",
        "weight_kg": "70",
        "serum_creatinine": "80",
        "inr": "1.0",
        "other_malignancy": "none",
        "peripheral_neuropathy_grade": 0,
        "cns_metastases": False,
        "cns_suspicion": False,
        "severe_cardiac_disease": False,
        "last_ami_date": "never",
        "other_severe_condition": False,
        "condition_preventing_oral_therapy": False,
        "uncontrolled_infection": False,
        "pregnant_or_lactating": False,
        "childbearing_potential": False,
        "able_to_understand_and_comply": True,
        "dyspnoea_from_malignancy_or_oxygen_need": False,
    }


I13_NOTE = '"109/l" in the record is 10⁹/L.'
I13_DANISH_NOTE = "»109/l« i registreringen betyder 10⁹/L."


def criterion_edit_url(version: int, code: str = "I13") -> str:
    return reverse("criteria:criterion-edit", args=["NCT01387295", version, code])


def i13_edit_post(**changes) -> dict:
    """The criteria editor's form for NCT01387295's I13 as shipped (both languages), with
    `changes`."""
    data = {
        "code": "I13",
        "kind": "inclusion",
        "label": "Neutrophils above 1.5 × 10⁹/L",
        "label_da": "Neutrofile granulocytter over 1,5 × 10⁹/L",
        "protocol_wording": "Neutrophils > 1.5 x 10^9/l",
        "variable": "neutrophils",
        "operator": "gt",
        "value": "1.5",
        "other": "",
        "order": "13",
        "note": I13_NOTE,
        "note_da": I13_DANISH_NOTE,
        "reason": "Danish label reviewed",
    }
    return data | changes
