"""Synthetic NCT01387295 screening values for demo data and benchmarks (never real patients).

Seeded and realistic: values at lab precision, a few answers missing, so every outcome occurs.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from criteria.values import NEVER


def _dates(rng: random.Random) -> dict[str, object]:
    screening = date(2026, 1, 1) + timedelta(days=rng.randint(0, 364))
    start = screening + timedelta(days=rng.randint(0, 21))
    suspicion = rng.random() < 0.1
    return {
        "screening_date": screening,
        "planned_start_date": start,
        "date_of_birth": screening - timedelta(days=rng.randint(17 * 365 + 300, 85 * 365)),
        "last_chemotherapy_date": NEVER
        if rng.random() < 0.2
        else start - timedelta(days=rng.randint(21, 150)),
        "last_investigational_treatment_date": NEVER
        if rng.random() < 0.7
        else start - timedelta(days=rng.randint(5, 90)),
        "last_ami_date": NEVER
        if rng.random() < 0.95
        else screening - timedelta(days=rng.randint(30, 2000)),
        "cns_suspicion": suspicion,
        "cns_imaging_date": screening - timedelta(days=rng.randint(0, 45)) if suspicion else None,
    }


def _labs(rng: random.Random) -> dict[str, object]:
    def dec(low: float, high: float, places: int = 0) -> Decimal:
        return Decimal(str(round(rng.uniform(low, high), places)))

    measured = rng.random() < 0.2
    return {
        "neutrophils": dec(1.2, 8, 1), "platelets": dec(85, 450), "inr": dec(0.8, 1.6, 1),
        "bilirubin": dec(3, 40), "bilirubin_uln": Decimal(rng.choice([17, 20, 21, 25, 26])),
        "weight_kg": dec(40, 120, 1), "serum_creatinine": dec(40, 160),
        "creatinine_clearance_measured": dec(20, 150) if measured else None,
        "lvef_percent": dec(45, 75), "liver_involvement_percent": dec(5, 72),
        "expected_survival_months": dec(2, 36), "ecog_performance_status": rng.randint(0, 1)
        if rng.random() < 0.95 else 2,
        "peripheral_neuropathy_grade": rng.choice([0] * 12 + [1, 1, 2]),
    }  # fmt: skip


_GOOD_BOOLEANS = {
    "informed_consent": True, "adenocarcinoma_confirmed": True, "pet_ct_done": True,
    "liver_metastases_unsuitable_for_local_treatment": True, "measurable_liver_disease": True,
    "prior_taxane": True, "prior_oxaliplatin": False, "in_other_trial": False,
    "fluoropyrimidine_serious_reaction": False, "hypersensitivity_to_study_drugs": False,
    "cns_metastases": False, "severe_cardiac_disease": False, "other_severe_condition": False,
    "condition_preventing_oral_therapy": False, "uncontrolled_infection": False,
    "pregnant_or_lactating": False, "childbearing_potential": False,
    "nonhormonal_contraception": True, "able_to_understand_and_comply": True,
    "dyspnoea_from_malignancy_or_oxygen_need": False,
}  # fmt: skip
_CHOICES = {
    "sex": ["female"] * 9 + ["male"],
    "extrahepatic_disease": ["none"] * 3 + ["limited"] * 6 + ["extensive"],
    "her2_status": ["positive", "negative", "negative"],
    "capecitabine_history": ["none"] * 10 + ["no_progression"] * 9 + ["progression"],
    "other_malignancy": ["none"] * 18 + ["treated_cervical_cis_or_skin_scc", "other"],
}


def candidate(rng: random.Random) -> dict[str, object]:
    """One random candidate's typed values; about 1% of answers are left out."""
    values: dict[str, object] = {**_dates(rng), **_labs(rng)}
    for key, good in _GOOD_BOOLEANS.items():
        values[key] = good if rng.random() < 0.995 else not good
    for key, options in _CHOICES.items():
        values[key] = rng.choice(options)
    return {k: v for k, v in values.items() if v is not None and rng.random() >= 0.01}
