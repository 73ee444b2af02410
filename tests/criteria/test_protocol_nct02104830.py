"""The shipped NCT02104830 protocol file: it loads, exports byte for byte, and `screen` decides
hand-worked patients right at every threshold.

Each row starts from second_trial_values() (a woman of 66 who meets every criterion) and changes a
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
from tests.criteria.second_trial import RECORD_FILE, SECOND_TRIAL_FILE, second_trial_values

pytestmark = pytest.mark.django_db
TRIAL = "NCT02104830"


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The file loaded once for the module, in a transaction rolled back at its end; each
    test's own transaction nests inside it (a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_protocol", str(SECOND_TRIAL_FILE), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def screen(tmp_path, **changes) -> dict:
    """`manage.py screen --trial NCT02104830` on the base patient with `changes` (None drops)."""
    values = {k: v for k, v in second_trial_values(**changes).items() if v is not None}
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"values": values}), encoding="utf-8")
    out = io.StringIO()
    call_command("screen", str(case), trial=TRIAL, stdout=out)
    return json.loads(out.getvalue())


def status(result: dict, code: str) -> str:
    return next(c["status"] for c in result["criteria"] if c["code"] == code)


def failing(result: dict) -> set[str]:
    """The criteria that make the patient ineligible: an inclusion not met, an exclusion met."""
    fails = {"I": "not_met", "E": "met"}
    return {c["code"] for c in result["criteria"] if c["status"] == fails[c["code"][0]]}


def test_the_file_loads_and_exports_byte_for_byte(loaded):
    out = io.StringIO()
    call_command("export_protocol", TRIAL, stdout=out)
    assert out.getvalue().rstrip("\n") == SECOND_TRIAL_FILE.read_text(encoding="utf-8").rstrip("\n")


def test_the_file_has_what_the_second_trial_must_show():
    """At least three × ULN labs, an any-of rule, an upper age bound, rules that depend on sex,
    exclusion criteria; every criterion's wording is in the registry record as saved."""
    data = json.loads(SECOND_TRIAL_FILE.read_text(encoding="utf-8"))
    trial, rules = protocol_from_dict(data)
    assert trial.registry_id == TRIAL
    kinds = [v["derivation"]["kind"] for v in data["variables"] if v["derivation"]]
    assert kinds.count("times_uln") == 4  # bilirubin, ALT, AST, alkaline phosphatase
    by_code = {c.code: c for c in rules.criteria}
    assert isinstance(by_code["I13"].expression, Group) and by_code["I13"].expression.mode == "any"
    assert [(c.operator, c.value) for c in by_code["I03"].expression.parts] == [
        ("gte", D("18")),
        ("lte", D("70")),
    ]
    assert sum(c.kind == "exclusion" for c in rules.criteria) == 15
    record = RECORD_FILE.read_text(encoding="utf-8")
    assert [c.code for c in rules.criteria if c.protocol_wording not in record] == []


def test_the_base_patient_is_eligible(loaded, tmp_path):
    result = screen(tmp_path)
    assert (result["trial"], result["criteria_set_version"]) == (TRIAL, 1)
    assert result["outcome"] == "eligible"
    assert failing(result) == set()
    # I18 (contraception) does not apply: she cannot become pregnant.
    assert {c["code"] for c in result["criteria"] if c["status"] == "not_applicable"} == {"I18"}
    assert {c["status"] for c in result["criteria"] if c["code"].startswith("E")} == {"not_met"}
    derived = {k: D(v) for k, v in result["derived"].items()}
    assert derived["age_years"] == 66
    assert round(derived["ast_x_uln"], 2) == D("1.71")  # 60 / 35


# (code, changes, status): a threshold exactly met, then just missed; an exclusion that holds is
# "met" and makes the patient ineligible.
BOUNDARIES = [
    ("I12", {"bilirubin": "37.45"}, "met"),  # 37.45 / 25 = 1.498 × ULN, < 1.5
    ("I12", {"bilirubin": "37.5"}, "not_met"),  # 1.50 × ULN is not below 1.5
    ("I14", {"alkaline_phosphatase": "524.9"}, "met"),  # 524.9 / 105 = 4.999 × ULN
    ("I14", {"alkaline_phosphatase": "525"}, "not_met"),  # 5.00 × ULN
    ("I08", {"neutrophils": "1.5"}, "met"),  # 1500/μL
    ("I08", {"neutrophils": "1.49"}, "not_met"),
    ("I09", {"platelets": "100"}, "met"),
    ("I09", {"platelets": "99.9"}, "not_met"),
    ("I10", {"haemoglobin": "90"}, "met"),
    ("I10", {"haemoglobin": "89.9"}, "not_met"),
    ("I11", {"serum_creatinine": "132.5"}, "met"),  # below 1.5 mg/dL = 132.6 µmol/L
    ("I11", {"serum_creatinine": "132.6"}, "not_met"),
    ("I15", {"lvef_percent": "50.1"}, "met"),
    ("I15", {"lvef_percent": "50"}, "not_met"),  # "> 50%": exactly 50 is not above it
    ("I05", {"life_expectancy_months": "6"}, "met"),
    ("I05", {"life_expectancy_months": "5.9"}, "not_met"),
    ("I07", {"ecog_performance_status": 2}, "met"),
    ("I07", {"ecog_performance_status": 3}, "not_met"),
    # Age 18-70 in completed years on the screening date, 2026-11-20.
    ("I03", {"date_of_birth": "2008-11-20"}, "met"),  # 18th birthday
    ("I03", {"date_of_birth": "2008-11-21"}, "not_met"),  # 18 tomorrow
    ("I03", {"date_of_birth": "1955-11-21"}, "met"),  # 70, the last day before 71
    ("I03", {"date_of_birth": "1955-11-20"}, "not_met"),  # 71st birthday
    ("I03", {"date_of_birth": None}, "unknown"),
    ("E01", {"two_or_more_metastatic_regimens": True}, "met"),
    ("E01", {"two_or_more_metastatic_regimens": False}, "not_met"),
    ("E15", {"other_trial_30_days": True}, "met"),
    ("E15", {"other_trial_30_days": None}, "unknown"),
]


@pytest.mark.parametrize(("code", "changes", "expected"), BOUNDARIES)
def test_screen_decides_each_threshold_at_its_boundary(loaded, tmp_path, code, changes, expected):
    result = screen(tmp_path, **changes)
    assert status(result, code) == expected
    assert failing(result) <= {code}  # nothing else fails: the row tests one criterion
    if code in failing(result):
        assert result["outcome"] == "ineligible"


# I13: "ALT and/or AST levels <2.5×ULN (5×ULN for patients with liver metastases)", read as
# both below 2.5 × ULN, or liver metastases and both below 5 × ULN. ULNs: ALT 45, AST 35.
ANY_OF = [
    ({"alt": "112.45"}, "met", "eligible"),  # ALT 2.499 × ULN
    ({"alt": "112.5"}, "not_met", None),  # ALT 2.50 × ULN, no liver metastases
    ({"ast": "87.5"}, "not_met", None),  # AST 2.50 × ULN: "and/or" read as both
    ({"alt": "112.5", "liver_metastases": True}, "met", "eligible"),
    ({"alt": "224.95", "liver_metastases": True}, "met", "eligible"),  # 4.999 × ULN
    ({"alt": "225", "liver_metastases": True}, "not_met", None),  # 5.00 × ULN
    ({"ast": "175", "liver_metastases": True}, "not_met", None),  # AST 5.00 × ULN
    # ALT above 2.5 × ULN and liver metastases not answered: undecided.
    ({"alt": "112.5", "liver_metastases": None}, "unknown", None),
    # Both below 2.5 × ULN: met whatever the liver metastases answer.
    ({"liver_metastases": None}, "met", None),
]


@pytest.mark.parametrize(("changes", "expected", "outcome"), ANY_OF)
def test_screen_decides_the_transaminase_any_of(loaded, tmp_path, changes, expected, outcome):
    result = screen(tmp_path, **changes)
    assert status(result, "I13") == expected
    if outcome or expected != "met":
        expected_outcome = outcome or {"not_met": "ineligible", "unknown": "incomplete"}[expected]
        assert result["outcome"] == expected_outcome
    if expected == "unknown":
        assert result["missing"] == ["liver_metastases"]


SEX_RULES = [
    # (changes, code, status, outcome)
    ({"sex": "male"}, "I04", "not_met", "ineligible"),  # the record admits women only
    ({"sex": "female"}, "I04", "met", "eligible"),
    # Pregnancy excludes a woman; for a man the question does not apply.
    ({"pregnant_or_breastfeeding": True}, "E03", "met", "ineligible"),
    ({"sex": "male", "pregnant_or_breastfeeding": None}, "E03", "not_applicable", "ineligible"),
    # Contraception is asked of a woman who can become pregnant, and of no one else.
    ({"childbearing_potential": True, "reliable_contraception": False}, "I18", "not_met", None),
    ({"childbearing_potential": True, "reliable_contraception": True}, "I18", "met", "eligible"),
    ({"childbearing_potential": True}, "I18", "unknown", "incomplete"),
    ({"childbearing_potential": False}, "I18", "not_applicable", "eligible"),
]


@pytest.mark.parametrize(("changes", "code", "expected", "outcome"), SEX_RULES)
def test_the_rules_that_depend_on_sex(loaded, tmp_path, changes, code, expected, outcome):
    result = screen(tmp_path, **changes)
    assert status(result, code) == expected
    assert result["outcome"] == (outcome or "ineligible")
