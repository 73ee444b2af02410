"""The shipped NCT02102789 protocol file: it loads, exports byte for byte, and `screen` decides
hand-worked patients right at every threshold.

Each row starts from colorectal_values() (a man of 66 who meets every criterion) and changes a
few values; the comment says what the numbers work out to by hand.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import transaction

from criteria.protocol import Group, protocol_from_dict
from tests.criteria.second_trial import COLORECTAL_FILE, RECORD_FILE, colorectal_values

pytestmark = pytest.mark.django_db
TRIAL = "NCT02102789"


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The file loaded once for the module, in a transaction rolled back at its end; each
    test's own transaction nests inside it (a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_protocol", str(COLORECTAL_FILE), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def screen(tmp_path, **changes) -> dict:
    """`manage.py screen --trial NCT02102789` on the base patient with `changes` (None drops)."""
    values = {k: v for k, v in colorectal_values(**changes).items() if v is not None}
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"values": values}), encoding="utf-8")
    out = io.StringIO()
    call_command("screen", str(case), trial=TRIAL, stdout=out)
    return json.loads(out.getvalue())


def status(result: dict, code: str) -> str:
    return next(c["status"] for c in result["criteria"] if c["code"] == code)


def test_the_file_loads_and_exports_byte_for_byte(loaded):
    out = io.StringIO()
    call_command("export_protocol", TRIAL, stdout=out)
    assert out.getvalue().rstrip("\n") == COLORECTAL_FILE.read_text(encoding="utf-8").rstrip("\n")


def test_the_file_has_what_the_second_trial_must_show():
    """At least three × ULN labs, an any-of rule, an upper age bound, a rule that depends on
    sex; every criterion's wording is in the registry record as saved."""
    data = json.loads(COLORECTAL_FILE.read_text(encoding="utf-8"))
    trial, rules = protocol_from_dict(data)
    assert trial.registry_id == TRIAL
    kinds = [v["derivation"]["kind"] for v in data["variables"] if v["derivation"]]
    assert kinds.count("times_uln") == 4  # bilirubin, AST, ALT, creatinine
    by_code = {c.code: c for c in rules.criteria}
    assert isinstance(by_code["I17"].expression, Group) and by_code["I17"].expression.mode == "any"
    assert [(c.operator, c.value) for c in by_code["I01"].expression.parts] == [
        ("gte", D("18")),
        ("lte", D("70")),
    ]
    record = RECORD_FILE.read_text(encoding="utf-8").replace("\\>", ">")
    assert [c.code for c in rules.criteria if c.protocol_wording not in record] == []


def test_the_base_patient_is_eligible_with_every_criterion_decided(loaded, tmp_path):
    result = screen(tmp_path)
    assert (result["trial"], result["criteria_set_version"]) == (TRIAL, 1)
    assert result["outcome"] == "eligible"
    assert {c["status"] for c in result["criteria"]} == {"met"}
    derived = {k: D(v) for k, v in result["derived"].items()}
    assert derived["age_years"] == 66
    assert round(derived["ast_x_uln"], 2) == D("1.71")  # 60 / 35
    assert derived["creatinine_x_uln"] < 1  # 80 / 105


# (code, changes, status): a threshold exactly met, then just missed.
BOUNDARIES = [
    ("I10", {"bilirubin": "37.5"}, "met"),  # 37.5 / 25 = 1.50 × ULN, ≤ 1.5
    ("I10", {"bilirubin": "37.75"}, "not_met"),  # 1.51 × ULN
    ("I11", {"ast": "175"}, "met"),  # 175 / 35 = 5.00 × ULN, ≤ 5
    ("I11", {"ast": "175.35"}, "not_met"),  # 5.01 × ULN
    ("I12", {"alt": "225"}, "met"),  # 225 / 45 = 5.00 × ULN
    ("I12", {"alt": "225.45"}, "not_met"),  # 5.01 × ULN
    ("I07", {"platelets": "90"}, "met"),
    ("I07", {"platelets": "89.9"}, "not_met"),
    ("I08", {"white_blood_cells": "3"}, "met"),
    ("I08", {"white_blood_cells": "2.99"}, "not_met"),
    ("I09", {"neutrophils": "1.5"}, "met"),
    ("I09", {"neutrophils": "1.49"}, "not_met"),
    ("I15", {"albumin": "35"}, "met"),
    ("I15", {"albumin": "34.9"}, "not_met"),
    ("I16", {"child_pugh_class": "B"}, "not_met"),
    ("I18", {"ecog_performance_status": 2}, "met"),
    ("I18", {"ecog_performance_status": 3}, "not_met"),
    ("I19", {"life_expectancy_months": "3"}, "met"),
    ("I19", {"life_expectancy_months": "2.9"}, "not_met"),
    # Age 18-70 in completed years on the screening date, 2026-11-20.
    ("I01", {"date_of_birth": "2008-11-20"}, "met"),  # 18th birthday
    ("I01", {"date_of_birth": "2008-11-21"}, "not_met"),  # 18 tomorrow
    ("I01", {"date_of_birth": "1956-11-20"}, "met"),  # 70th birthday
    ("I01", {"date_of_birth": "1955-11-21"}, "met"),  # 70, the last day before 71
    ("I01", {"date_of_birth": "1955-11-20"}, "not_met"),  # 71st birthday: one day past 70
    ("I01", {"date_of_birth": None}, "unknown"),
]


@pytest.mark.parametrize(("code", "changes", "expected"), BOUNDARIES)
def test_screen_decides_each_threshold_at_its_boundary(loaded, tmp_path, code, changes, expected):
    result = screen(tmp_path, **changes)
    assert status(result, code) == expected
    others = {c["status"] for c in result["criteria"] if c["code"] != code}
    assert others <= {"met", "unknown"}  # nothing else fails: the row tests one criterion
    if expected == "not_met":
        assert result["outcome"] == "ineligible"


# I17: "Creatinine ≤ 1× ULN, or Calculated Creatinine Clearance >50ml/min (Cockcroft-Gault)".
# Clearance = (140 − age) × weight × 88.4 / (72 × creatinine µmol/L), × 0.85 for a woman.
ANY_OF = [
    # Creatinine 90 / 90 = 1.00 × ULN (met); clearance 74 × 40 × 88.4 / 6480 = 40.4 (not).
    ({"serum_creatinine": "90", "creatinine_uln": "90", "weight_kg": "40"}, "met", "eligible"),
    # Creatinine 100 / 90 = 1.11 × ULN (not); clearance 74 × 60 × 88.4 / 7200 = 54.5 (met).
    ({"serum_creatinine": "100", "creatinine_uln": "90", "weight_kg": "60"}, "met", "eligible"),
    # Neither: creatinine 1.11 × ULN, clearance 74 × 40 × 88.4 / 7200 = 36.3.
    ({"serum_creatinine": "100", "creatinine_uln": "90", "weight_kg": "40"}, "not_met", None),
    # Age 68, 50 kg, creatinine 88.4 µmol/L: 72 × 50 × 88.4 / (72 × 88.4) = 50.00, not > 50.
    (
        {"date_of_birth": "1958-05-10", "serum_creatinine": "88.4", "creatinine_uln": "80"}
        | {"weight_kg": "50"},
        "not_met",
        None,
    ),
    # The same with 50.01 kg: 50.01 mL/min.
    (
        {"date_of_birth": "1958-05-10", "serum_creatinine": "88.4", "creatinine_uln": "80"}
        | {"weight_kg": "50.01"},
        "met",
        "eligible",
    ),
    # One part unknown (no weight, so no clearance), the other not met: undecided.
    ({"serum_creatinine": "100", "creatinine_uln": "90", "weight_kg": None}, "unknown", None),
    # One part unknown, the other met: met, as soon as one part is.
    ({"weight_kg": None}, "met", "eligible"),
]


@pytest.mark.parametrize(("changes", "expected", "outcome"), ANY_OF)
def test_screen_decides_the_creatinine_any_of(loaded, tmp_path, changes, expected, outcome):
    result = screen(tmp_path, **changes)
    assert status(result, "I17") == expected
    expected_outcome = outcome or {"not_met": "ineligible", "unknown": "incomplete"}[expected]
    assert result["outcome"] == expected_outcome
    if expected == "unknown":
        assert result["missing"] == ["weight_kg"]


@pytest.mark.parametrize(
    ("sex", "clearance", "expected", "outcome"),
    [
        # 66 years, 60 kg, creatinine 100 µmol/L (1.11 × ULN): only the clearance can pass.
        ("male", "54.5", "met", "eligible"),  # 74 × 60 × 88.4 / 7200 = 54.51
        ("female", "46.3", "not_met", "ineligible"),  # the same × 0.85 = 46.34
    ],
)
def test_the_clearance_rule_depends_on_sex(loaded, tmp_path, sex, clearance, expected, outcome):
    woman_or_man = {"serum_creatinine": "100", "creatinine_uln": "90", "weight_kg": "60"}
    result = screen(tmp_path, sex=sex, **woman_or_man)
    assert result["derived"]["creatinine_clearance"] == clearance  # display_places 1
    assert (status(result, "I17"), result["outcome"]) == (expected, outcome)
