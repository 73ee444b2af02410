"""Derivations declared in the protocol file (trialsite-protocol/2): each kind with inputs of
the file's own naming, inputs derived in turn, the loader's messages, version 1 files read as
before, and derived values shown rounded to the file's display places but compared exactly."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal as D

import pytest

from criteria.evaluator import evaluate
from criteria.exceptions import ProtocolError
from criteria.protocol import RuleSet, protocol_from_dict, protocol_to_dict
from criteria.values import parse_values
from tests.criteria.cases import PROTOCOL_FILE, V1_FILE, eligible_values

V2 = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
V1 = json.loads(V1_FILE.read_text(encoding="utf-8"))
SHIPPED = protocol_from_dict(V2)[1]


def variable(key: str, label: str, data_type: str, **fields: object) -> dict:
    return {"key": key, "label": label, "data_type": data_type, "section": "labs", **fields}


def criterion(code: str, expression: dict) -> dict:
    return {
        "code": code, "kind": "inclusion", "label": f"rule {code}", "protocol_wording": code,
        "expression": expression, "order": 900,
    }  # fmt: skip


def extended(variables: list[dict], criteria: list[dict] = ()) -> dict:
    """The shipped file with more variables and criteria."""
    data = copy.deepcopy(V2)
    data["variables"] += variables
    data["criteria_set"]["criteria"] += list(criteria)
    return data


ALT = [
    variable("alt", "ALT", "number", unit="U/L", minimum="0", maximum="5000"),
    variable("alt_uln", "ALT upper normal limit", "number", unit="U/L", minimum="1"),
    variable("alt_x_uln", "ALT", "number", unit="× ULN", section="derived",
             derivation={"kind": "times_uln", "value": "alt", "uln": "alt_uln"}),
]  # fmt: skip
SURGERY = [
    variable("surgery_date", "Surgery", "date"),
    variable("days_since_surgery", "Days since surgery", "integer", unit="days",
             derivation={"kind": "days_between", "start": "surgery_date",
                         "end": "screening_date"}),
]  # fmt: skip


def evaluated(data: dict, **answers: object):
    rules = protocol_from_dict(data)[1]
    return evaluate(rules, parse_values(rules, {**eligible_values(), **answers}))


def result(evaluation, code: str):
    return next(r for r in evaluation.results if r.code == code)


# --- each kind with the file's own inputs ---------------------------------------------------


@pytest.mark.parametrize(
    ("alt", "status", "shown"),
    [
        ("175", "met", "5.00"),  # exactly 5 × ULN: "≤ 5" holds
        ("175.01", "not_met", "5.00"),  # 5.000285… × ULN, shown 5.00 but compared exactly
        ("150", "met", "4.29"),  # 4.2857… × ULN
    ],
)
def test_any_lab_as_a_multiple_of_its_own_uln(alt, status, shown):
    data = extended(ALT, [criterion("A01", {"variable": "alt_x_uln", "operator": "lte",
                                            "value": "5"})])  # fmt: skip
    evaluation = evaluated(data, alt=alt, alt_uln="35")
    assert result(evaluation, "A01").status == status
    assert evaluation.to_dict()["derived"]["alt_x_uln"] == shown
    assert evaluation.derived["alt_x_uln"].value == D(alt) / D("35")
    assert evaluation.derived["alt_x_uln"].how.startswith(f"{alt} U/L ÷ 35 U/L ULN = ")


def test_the_nurse_is_told_by_label_which_inputs_a_derived_value_needs():
    data = extended(ALT, [criterion("A01", {"variable": "alt_x_uln", "operator": "lte",
                                            "value": "5"})])  # fmt: skip
    evaluation = evaluated(data, alt="150")
    assert result(evaluation, "A01").reason == (
        "ALT cannot be worked out yet — needs ALT upper normal limit"
    )
    assert "alt_uln" in evaluation.missing


@pytest.mark.parametrize(
    ("surgery", "days", "status"),
    [("2026-10-23", 28, "met"), ("2026-10-24", 27, "not_met"), ("2026-11-20", 0, "not_met")],
)
def test_days_between_two_dates_of_the_files_choosing(surgery, days, status):
    data = extended(SURGERY, [criterion("S01", {"variable": "days_since_surgery",
                                                "operator": "gte", "value": "28"})])  # fmt: skip
    evaluation = evaluated(data, surgery_date=surgery)  # screening date 2026-11-20
    assert evaluation.derived["days_since_surgery"].value == days
    assert result(evaluation, "S01").status == status


def _renamed_trial() -> dict:
    """A trial whose names are none of the shipped file's: the age a clearance reads is itself
    derived, and the sex choices are F and M."""
    data = copy.deepcopy(V2)
    data["variables"] = [
        variable("visit", "Visit", "date", section="referral"),
        variable("born", "Born", "date", section="referral"),
        variable("gender", "Gender", "choice", choices=["M", "F"]),
        variable("kg", "Weight", "number", unit="kg", minimum="20", maximum="300"),
        variable("scr", "Creatinine", "number", unit="µmol/L", minimum="10", maximum="2000"),
        variable("years", "Age", "integer", unit="years",
                 derivation={"kind": "age_years", "birth_date": "born", "on": "visit"}),
        variable("crcl", "Clearance", "number", unit="mL/min",
                 derivation={"kind": "creatinine_clearance", "age": "years", "sex": "gender",
                             "female": "F", "weight": "kg", "creatinine": "scr"}),
    ]  # fmt: skip
    data["criteria_set"]["criteria"] = [
        criterion("C1", {"variable": "crcl", "operator": "gt", "value": "72.13"})
    ]
    return data


@pytest.mark.parametrize(("gender", "status", "shown"), [("F", "met", "72.14"),
                                                         ("M", "met", "84.87")])  # fmt: skip
def test_clearance_from_inputs_named_by_the_file_through_a_derived_age(gender, status, shown):
    rules = protocol_from_dict(_renamed_trial())[1]
    values = parse_values(rules, {"visit": "2026-11-29", "born": "1965-03-02", "gender": gender,
                                  "kg": "70", "scr": "80"})  # fmt: skip
    evaluation = evaluate(rules, values)
    assert evaluation.derived["years"].value == 61
    assert (result(evaluation, "C1").status, evaluation.to_dict()["derived"]["crcl"]) == (
        status,
        shown,
    )


def test_a_missing_input_of_a_derived_input_is_asked_for_by_label():
    rules = protocol_from_dict(_renamed_trial())[1]
    values = parse_values(rules, {"visit": "2026-11-29", "gender": "F", "kg": "70", "scr": "80"})
    evaluation = evaluate(rules, values)
    assert result(evaluation, "C1").reason == "Clearance cannot be worked out yet — needs born"
    assert evaluation.missing == ("born",)


# --- the loader's messages -------------------------------------------------------------------


def _derivation(key: str, **derivation: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        spec = next(v for v in data["variables"] if v["key"] == key)
        spec["derivation"] = derivation

    return change


def _field(key: str, **fields: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        next(v for v in data["variables"] if v["key"] == key).update(fields)

    return change


BILIRUBIN = {"kind": "times_uln", "value": "bilirubin", "uln": "bilirubin_uln"}
BAD = [
    (_derivation("bilirubin_x_uln", **{**BILIRUBIN, "limit": "x"}),
     'variable bilirubin_x_uln: derivation times_uln: unknown input "limit" (inputs: value, uln)'),
    (_derivation("bilirubin_x_uln", kind="times_uln", value="bilirubin"),
     'variable bilirubin_x_uln: derivation times_uln needs "uln": the key of a variable'),
    (_derivation("bilirubin_x_uln", **{**BILIRUBIN, "uln": "bilirubin_upper"}),
     'variable bilirubin_x_uln: derivation times_uln: "uln" names "bilirubin_upper", which is '
     "not a variable of this trial; it needs a number or integer variable (liver_involvement_"),
    (_derivation("bilirubin_x_uln", **{**BILIRUBIN, "uln": "sex"}),
     'variable bilirubin_x_uln: derivation times_uln: "uln" names "sex", which is a choice; '
     "it needs a number or integer variable ("),
    (_derivation("bilirubin_x_uln", **{**BILIRUBIN, "uln": "platelets"}),
     'variable bilirubin_x_uln: derivation times_uln: "bilirubin" is in "µmol/L" but its limit '
     '"platelets" in "10⁹/L"; give both in the same unit'),
    (_derivation("age_years", kind="age_years", birth_date="last_ami_date", on="screening_date"),
     'variable age_years: derivation age_years: "birth_date" variable "last_ami_date" may be '
     '"never"; it cannot be an input'),
    (_derivation("age_years", kind="days_between", start="date_of_birth", end="screening_date"),
     None),  # days_between gives an integer, as age does: valid
    (_derivation("bilirubin_x_uln", kind="age_years", birth_date="date_of_birth",
                 on="screening_date"),
     "variable bilirubin_x_uln: a age_years derivation gives an integer, not a number"),
    (_field("creatinine_clearance", derivation={
        "kind": "creatinine_clearance", "age": "age_years", "sex": "sex", "female": "woman",
        "weight": "weight_kg", "creatinine": "serum_creatinine"}),
     'variable creatinine_clearance: derivation creatinine_clearance: "female" is "woman", not '
     'a choice of "sex" (female, male)'),
    (_field("serum_creatinine", unit="mg/dL", alt_units={}),
     'variable creatinine_clearance: derivation creatinine_clearance: "creatinine" variable '
     '"serum_creatinine" must be in µmol/L, not "mg/dL"'),
    (_field("age_years", derivation={"kind": "age_years", "birth_date": "date_of_birth",
                                     "on": "screening_date"}, display_places=7),
     "variable age_years: display_places 7 must be a whole number from 0 to 6"),
    (_field("neutrophils", display_places=-1),
     "variable neutrophils: display_places -1 must be a whole number from 0 to 6"),
    (_field("neutrophils", display_places=True),
     "variable neutrophils: display_places True must be a whole number from 0 to 6"),
    (_field("neutrophils", display_places="2"),
     "variable neutrophils: display_places '2' must be a whole number from 0 to 6"),
    (_field("screening_date", display_places=0),
     "variable screening_date: display_places applies to numbers, not to date"),
    (_field("neutrophils", display_places=0), None),
    (_field("neutrophils", display_places=6), None),
    (_field("neutrophils", translations=["da"]),
     'variable neutrophils: translations must be an object such as {"da": {"label": "..."}}'),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD)
def test_a_bad_derivation_or_display_places_is_named(change, message):
    data = copy.deepcopy(V2)
    change(data)
    if message is None:
        protocol_from_dict(data)
        return
    with pytest.raises(ProtocolError) as refused:
        protocol_from_dict(data)
    assert any(p.startswith(message) for p in refused.value.problems), refused.value.problems


def test_derivations_that_read_each_other_in_a_circle_are_refused():
    data = extended([
        variable("a_ratio", "A", "number", unit="µmol/L",
                 derivation={"kind": "times_uln", "value": "b_ratio", "uln": "bilirubin_uln"}),
        variable("b_ratio", "B", "number", unit="µmol/L",
                 derivation={"kind": "times_uln", "value": "a_ratio", "uln": "bilirubin_uln"}),
    ])  # fmt: skip
    with pytest.raises(ProtocolError) as refused:
        protocol_from_dict(data)
    assert refused.value.problems == [
        "variable a_ratio: derivations read each other in a circle: a_ratio → b_ratio → a_ratio"
    ]


def test_a_version_1_file_may_not_use_what_version_2_added():
    data = copy.deepcopy(V1)
    next(v for v in data["variables"] if v["key"] == "neutrophils")["display_places"] = 1
    data["criteria_set"]["criteria"][0]["translations"] = {}
    next(v for v in data["variables"] if v["key"] == "age_years")["derivation"] = dict(
        kind="age_years", birth_date="date_of_birth", on="screening_date"
    )
    with pytest.raises(ProtocolError) as refused:
        protocol_from_dict(data)
    assert refused.value.problems == [
        'variable neutrophils: unknown field "display_places" in trialsite-protocol/1 '
        "(a field of trialsite-protocol/2)",
        "variable age_years: in trialsite-protocol/1 a derivation is a name (age_years, "
        "creatinine_clearance, bilirubin_x_uln)",
        'criterion I01: unknown field "translations" in trialsite-protocol/1 (a field of '
        "trialsite-protocol/2)",
    ]


# --- version 1 files, forever ------------------------------------------------------------------


def test_the_version_1_file_reads_as_the_shipped_version_2_file():
    info, rules = protocol_from_dict(V1)
    assert protocol_to_dict(info, rules) == V2


def test_translations_pass_through_unchanged():
    data = copy.deepcopy(V2)
    data["variables"][0]["translations"] = {"da": {"label": "Screeningsdato", "help_text": ""}}
    data["criteria_set"]["criteria"][0]["translations"] = {"da": {"label": "Samtykke"}}
    assert protocol_to_dict(*protocol_from_dict(data)) == data


# --- shown rounded, compared exactly ---------------------------------------------------------


def _with(key: str, **fields: object) -> RuleSet:
    variables = dict(SHIPPED.variables)
    variables[key] = replace(variables[key], **fields)
    return RuleSet(SHIPPED.trial, SHIPPED.version, variables, SHIPPED.criteria)


@pytest.mark.parametrize(
    ("measured", "status", "shown", "reason"),
    [
        ("30.004", "met", "30.00", "30.004000"),  # rounding would seem to contradict "> 30"
        ("29.996", "not_met", "30.00", "30.00"),  # 30.00 is not > 30 either: no contradiction
        ("30", "not_met", "30.00", "30"),
        ("30.005", "met", "30.00", "30.005000"),  # half-even: 30.005 shows 30.00
        ("30.015", "met", "30.02", "30.02"),  # half-even: 30.015 shows 30.02
    ],
)
def test_a_derived_value_is_compared_exactly_and_shown_rounded(measured, status, shown, reason):
    typed = {"creatinine_clearance_measured": D(measured)}  # a JSON number, read exactly
    values = parse_values(SHIPPED, {**eligible_values(), **typed})
    evaluation = evaluate(SHIPPED, values)
    i16 = result(evaluation, "I16")
    assert i16.status == status
    assert evaluation.to_dict()["derived"]["creatinine_clearance"] == shown
    assert evaluation.derived["creatinine_clearance"].value == D(measured)
    assert i16.reason.startswith(f"Creatinine clearance {reason} mL/min (measured)")


@pytest.mark.parametrize(
    ("places", "shown", "how_end"),
    [(0, "72", "= 72 mL/min"), (1, "72.1", "= 72.1 mL/min"), (4, "72.1396", "= 72.1396 mL/min")],
)
def test_the_file_sets_a_derived_values_places(places, shown, how_end):
    rules = _with("creatinine_clearance", display_places=places)
    evaluation = evaluate(rules, parse_values(rules, eligible_values()))
    derived = evaluation.to_dict()
    assert derived["derived"]["creatinine_clearance"] == shown
    assert derived["derived_how"]["creatinine_clearance"].endswith(how_end)
    assert result(evaluation, "I16").reason.startswith(f"Creatinine clearance {shown} mL/min")


@pytest.mark.parametrize(
    ("typed", "status", "reason"),
    [
        ("3.24", "met", "Neutrophils 3.2 × 10⁹/L — needs > 1.5"),
        ("1.54", "met", "Neutrophils 1.540000 × 10⁹/L — needs > 1.5"),  # not "1.5 … > 1.5"
        ("1.5", "not_met", "Neutrophils 1.5 × 10⁹/L — needs > 1.5"),
    ],
)
def test_an_entered_number_with_display_places_is_shown_rounded(typed, status, reason):
    rules = _with("neutrophils", display_places=1)
    i13 = result(evaluate(rules, parse_values(rules, {**eligible_values(),
                                                      "neutrophils": typed})), "I13")  # fmt: skip
    assert (i13.status, i13.reason) == (status, reason)


def test_an_entered_number_without_display_places_is_shown_as_entered():
    values = parse_values(SHIPPED, {**eligible_values(), "neutrophils": "3.2456"})
    assert result(evaluate(SHIPPED, values), "I13").reason.startswith("Neutrophils 3.2456 ×")
