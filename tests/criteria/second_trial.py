"""The second real trial shipped in criteria/protocols/: NCT02104830 (empegfilgrastim in breast
cancer: × ULN labs, an any-of rule, ages 18-70, women only) and a patient who meets every
criterion. Nothing here touches screening."""

from pathlib import Path

SECOND_TRIAL_FILE = Path(__file__).resolve().parents[2] / "criteria/protocols/NCT02104830.json"
RECORD_FILE = Path(__file__).resolve().parents[1] / "data/NCT02104830-registry-record.txt"


def second_trial_values(**changes) -> dict:
    """A woman of 66 who meets every criterion of NCT02104830 (JSON form), with `changes`.

    Worked by hand: bilirubin 15/25 = 0.60 × ULN, ALT 90/45 = 2.00, AST 60/35 = 1.71,
    alkaline phosphatase 210/105 = 2.00 × ULN; no liver metastases, so ALT and AST must be
    below 2.5 × ULN.
    """
    values = {
        "screening_date": "2026-11-20",
        "informed_consent": True,
        "date_of_birth": "1960-05-10",
        "sex": "female",
        "breast_cancer_stage_iib_to_iv": True,
        "liver_metastases": False,
        "ecog_performance_status": 1,
        "life_expectancy_months": "12",
        "lvef_percent": "60",
        "chemotherapy_finished_30_days_ago": True,
        "anthracycline_dose_within_limit": True,
        "two_or_more_metastatic_regimens": False,
        "hypersensitivity_to_study_drugs": False,
        "pregnant_or_breastfeeding": False,
        "childbearing_potential": False,
        "systemic_antibiotics_72h": False,
        "concomitant_radiotherapy": False,
        "surgery_radiotherapy_or_experimental_30_days": False,
        "stem_cell_transplant": False,
        "neuropathy_grade_3_or_4": False,
        "hiv_hcv_hbv_or_syphilis": False,
        "active_infection": False,
        "severe_concurrent_disease": False,
        "severe_mental_disorder": False,
        "no_intravenous_access": False,
        "able_to_follow_protocol": True,
        "other_trial_30_days": False,
        "neutrophils": "3.2",
        "platelets": "180",
        "haemoglobin": "120",
        "serum_creatinine": "80",
        "bilirubin": "15",
        "bilirubin_uln": "25",
        "alt": "90",
        "alt_uln": "45",
        "ast": "60",
        "ast_uln": "35",
        "alkaline_phosphatase": "210",
        "alkaline_phosphatase_uln": "105",
    }
    return values | changes
