"""The second real trial shipped in criteria/protocols/: NCT02102789 (colorectal liver
metastases: × ULN labs, an any-of rule, ages 18-70) and a patient who meets every criterion.
Nothing here touches screening."""

from pathlib import Path

COLORECTAL_FILE = Path(__file__).resolve().parents[2] / "criteria/protocols/NCT02102789.json"
RECORD_FILE = Path(__file__).resolve().parents[1] / "data/NCT02102789-registry-record.txt"


def colorectal_values(**changes) -> dict:
    """A man of 66 who meets every criterion of NCT02102789 (JSON form), with `changes`.

    Worked by hand: bilirubin 15/25 = 0.6 × ULN, AST 60/35 = 1.71, ALT 90/45 = 2.00,
    creatinine 80/105 = 0.76 × ULN; Cockcroft-Gault (140 − 66) × 75 × 88.4 / (72 × 80)
    = 85.18 mL/min.
    """
    values = {
        "screening_date": "2026-11-20",
        "informed_consent": True,
        "date_of_birth": "1960-05-10",
        "sex": "male",
        "colorectal_adenocarcinoma_confirmed": True,
        "liver_metastasis_confirmed": True,
        "unresectable_by_mdt": True,
        "extrahepatic_metastasis": False,
        "ascites": False,
        "child_pugh_class": "A",
        "ecog_performance_status": 1,
        "life_expectancy_months": "12",
        "anti_egfr_not_appropriate": True,
        "prior_liver_metastasis_treatment": False,
        "good_compliance": True,
        "adequate_coagulation": True,
        "platelets": "180",
        "white_blood_cells": "6.1",
        "neutrophils": "3.2",
        "albumin": "40",
        "bilirubin": "15",
        "bilirubin_uln": "25",
        "ast": "60",
        "ast_uln": "35",
        "alt": "90",
        "alt_uln": "45",
        "serum_creatinine": "80",
        "creatinine_uln": "105",
        "weight_kg": "75",
    }
    return values | changes
