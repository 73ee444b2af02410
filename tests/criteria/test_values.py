"""Raw input -> typed canonical values: what is accepted, converted and refused."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import ROUND_UP, localcontext
from decimal import Decimal as D
from pathlib import Path

import pytest

from criteria.exceptions import ValueProblem
from criteria.protocol import protocol_from_dict
from criteria.values import (
    NEVER,
    check_range,
    number_problem,
    parse_values,
    to_canonical,
    value_from_json,
    value_to_json,
)

PROTOCOL = Path(__file__).resolve().parents[2] / "criteria" / "protocols" / "NCT01387295.json"
RULES = protocol_from_dict(json.loads(PROTOCOL.read_text(encoding="utf-8")))[1]
SPECS = RULES.variables
HOW = ": write one decimal separator, like 1,4 or 1.4, or a whole number like 12"


def parse(key: str, raw: object) -> object:
    return parse_values(RULES, {key: raw})[key]


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("neutrophils", 2, D("2")),
        ("neutrophils", "1.5", D("1.5")),
        ("neutrophils", "1.50", D("1.50")),
        ("neutrophils", "1,5", D("1.5")),  # a JSON string reads as a typed number does
        ("neutrophils", " 1,50 ", D("1.50")),
        ("neutrophils", D("1.50"), D("1.50")),  # a JSON number stays exact
        ("bilirubin", {"value": "1,2", "unit": "mg/dL"}, D("20.52")),
        ("neutrophils", 1.2, D("1.2")),  # a JSON float, read through its shortest text
        ("neutrophils", {"value": "1.5", "unit": "10^9/L"}, D("1.5")),
        ("bilirubin", {"value": 1.2, "unit": "mg/dL"}, D("20.52")),  # × 17.1, exactly
        ("bilirubin", {"value": "1.2", "unit": "mg/dl"}, D("20.52")),
        ("bilirubin", {"value": 20, "unit": "umol/L"}, D("20")),
        ("bilirubin", {"value": 20, "unit": "μmol/L"}, D("20")),  # Greek mu
        ("bilirubin", {"value": 20, "unit": "µmol/L"}, D("20")),  # micro sign
        ("serum_creatinine", {"value": "1.0", "unit": "mg/dL"}, D("88.40")),
        ("ecog_performance_status", 2, 2),
        ("ecog_performance_status", 2.0, 2),
        ("ecog_performance_status", "1", 1),
        ("informed_consent", True, True),
        ("informed_consent", False, False),
        ("sex", "female", "female"),
        ("screening_date", "2026-11-29", date(2026, 11, 29)),
        ("last_chemotherapy_date", "never", NEVER),
        ("last_chemotherapy_date", "2026-10-01", date(2026, 10, 1)),
    ],
)
def test_accepted(key, raw, value):
    parsed = parse(key, raw)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"foo": 1}, 'unknown variable "foo"'),
        ({"age_years": 40}, "age_years: is derived (age_years), not entered"),
        ({"neutrophils": True}, "neutrophils: True is not a number"),
        ({"neutrophils": float("nan")}, "neutrophils: nan is not a finite number"),
        ({"neutrophils": float("inf")}, "neutrophils: inf is not a finite number"),
        ({"neutrophils": "NaN"}, 'neutrophils: "NaN" is not a number' + HOW),
        ({"neutrophils": "Infinity"}, 'neutrophils: "Infinity" is not a number' + HOW),
        ({"neutrophils": "1,500"}, 'neutrophils: "1,500" could mean 1.5 or 1500: write 1,5 '
         'or 1500 (one decimal separator, no thousands separator)'),
        ({"neutrophils": "1.234,5"}, 'neutrophils: "1.234,5": write one decimal separator, '
         'like 1,4 or 1.4 — a thousands separator or space is not allowed'),
        ({"neutrophils": "many"}, 'neutrophils: "many" is not a number' + HOW),
        ({"ecog_performance_status": "1,0"},
         'ecog_performance_status: "1,0" is not a whole number: write digits only, like 2'),
        ({"neutrophils": [1]}, "neutrophils: [1] is not a number"),
        ({"neutrophils": 500}, "neutrophils: 500 × 10⁹/L is outside the plausible range 0–100"),
        ({"neutrophils": -1}, "neutrophils: -1 × 10⁹/L is outside the plausible range 0–100"),
        (
            {"bilirubin": {"value": 1.2, "unit": "mmol/L"}},
            'bilirubin: unknown unit "mmol/L"; accepted: µmol/L, mg/dL',
        ),
        (
            {"bilirubin": {"value": 100, "unit": "mg/dL"}},  # 1710 µmol/L after conversion
            "bilirubin: 1710.0 µmol/L is outside the plausible range 0–1000",
        ),
        ({"bilirubin": {"amount": 1}}, 'bilirubin: write {"value": 1.2, "unit": "mg/dL"}'),
        ({"ecog_performance_status": 2.5}, "ecog_performance_status: 2.5 is not a whole number"),
        ({"ecog_performance_status": 6},
         "ecog_performance_status: 6 is outside the plausible range 0–5"),
        ({"informed_consent": "yes"}, "informed_consent: 'yes' is not true or false"),
        ({"informed_consent": 1}, "informed_consent: 1 is not true or false"),
        ({"sex": "Female"}, "sex: 'Female' is not one of: female, male"),
        ({"sex": 1}, "sex: 1 is not one of: female, male"),
        ({"screening_date": "29/11/2026"},
         "screening_date: '29/11/2026' is not a date YYYY-MM-DD"),
        ({"screening_date": "20261129"}, "screening_date: '20261129' is not a date YYYY-MM-DD"),
        ({"screening_date": "2026-02-30"}, 'screening_date: "2026-02-30" is not a calendar date'),
        ({"screening_date": 20261129}, "screening_date: 20261129 is not a date YYYY-MM-DD"),
        ({"date_of_birth": "never"}, 'date_of_birth: "never" is not an answer to this question'),
        ({"last_chemotherapy_date": "Never"},
         "last_chemotherapy_date: 'Never' is not a date YYYY-MM-DD or \"never\""),
    ],
)  # fmt: skip
def test_refused_with_a_clear_message(raw, message):
    with pytest.raises(ValueProblem) as caught:
        parse_values(RULES, raw)
    assert str(caught.value) == message
    assert caught.value.key == next(iter(raw))


def test_null_means_not_answered():
    assert parse_values(RULES, {"neutrophils": None, "sex": "male"}) == {"sex": "male"}


def test_values_must_be_an_object():
    with pytest.raises(ValueProblem):
        parse_values(RULES, ["neutrophils", 1])  # type: ignore[arg-type]


def test_to_canonical_is_exact_and_names_accepted_units():
    spec = SPECS["bilirubin"]
    assert to_canonical(spec, D("0.3"), "mg/dL") == D("5.13")
    assert to_canonical(spec, D("7"), "") == D("7")
    with pytest.raises(ValueProblem, match="accepted: µmol/L, mg/dL"):
        to_canonical(spec, D("7"), "g/L")


def test_check_range():
    spec = SPECS["lvef_percent"]
    assert check_range(spec, D("60")) is None
    assert check_range(spec, D("5")) is None
    assert check_range(spec, D("90")) is None
    assert check_range(spec, D("4.9")) == "4.9% is outside the plausible range 5–90"
    # Bounds say more than "too large" where there are bounds.
    assert check_range(spec, D("1E+21")) == "1E+21% is outside the plausible range 5–90"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (D("999999999999999999999.99"), None),
        (D("-999999999999999999999.99"), None),
        (D("999999999999999999999.999999999"), None),
        (10**21 - 1, None),
        (-(10**21) + 1, None),
        (D("0E+30"), None),  # a zero, however written
        (D("1E+21"), "is too large to work with"),
        (D("-1E+21"), "is too large to work with"),
        (D("1000000000000000000000.00"), "is too large to work with"),
        (10**21, "is too large to work with"),
        (-(10**21), "is too large to work with"),
        (D("NaN"), "is not a finite number"),
        (D("-Infinity"), "is not a finite number"),
    ],
)
def test_number_problem_refuses_1e21_or_more_either_way_and_what_is_not_finite(value, problem):
    assert number_problem(value) == problem
    # Bounds or not: checked the same whatever the caller's decimal context.
    unbounded = replace(SPECS["lvef_percent"], minimum=None, maximum=None)
    with localcontext(prec=3, rounding=ROUND_UP):
        assert check_range(unbounded, value) == (problem and f"{value}% {problem}")


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("neutrophils", D("1.50"), "1.50"),
        ("bilirubin", D("20.52"), "20.52"),
        ("ecog_performance_status", 1, 1),
        ("informed_consent", False, False),
        ("sex", "male", "male"),
        ("screening_date", date(2026, 11, 29), "2026-11-29"),
        ("last_chemotherapy_date", NEVER, "never"),
    ],
)
def test_json_storage_round_trips_exactly(key, value, stored):
    spec = SPECS[key]
    assert value_to_json(spec, value) == stored
    back = value_from_json(spec, json.loads(json.dumps(stored)))
    assert back == value
    assert str(back) == str(value)
    assert type(back) is type(value)


@pytest.mark.parametrize(
    ("key", "stored"),
    [("neutrophils", "NaN"), ("neutrophils", "abc"), ("ecog_performance_status", True),
     ("screening_date", "29/11/2026")],
)  # fmt: skip
def test_unreadable_stored_values_are_refused(key, stored):
    with pytest.raises(ValueProblem):
        value_from_json(SPECS[key], stored)
