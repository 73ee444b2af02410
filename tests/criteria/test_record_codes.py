"""Variables' codes in the hospital record and look-back windows: read, checked, written back."""

import io
import json

import pytest
from django.core.management import call_command

from criteria.models import Variable
from criteria.protocol import check_variable
from criteria.services import protocol_load
from tests.criteria.cases import PROTOCOL_FILE

NPU, LOINC = "urn:oid:1.2.208.176.2.1", "http://loinc.org"
SHIPPED = {
    "neutrophils": ([(NPU, "NPU02902"), (LOINC, "751-8")], 14),
    "platelets": ([(NPU, "NPU03568"), (LOINC, "777-3")], 14),
    "bilirubin": ([(NPU, "NPU01370"), (LOINC, "14631-6")], 14),
    "serum_creatinine": ([(NPU, "NPU18016"), (LOINC, "14682-9")], 14),
    "inr": ([(NPU, "NPU01685"), (LOINC, "6301-6")], 14),
    "weight_kg": ([(NPU, "NPU03804"), (LOINC, "29463-7")], 28),
    "lvef_percent": ([(LOINC, "10230-1")], 28),
}


def _protocol() -> dict:
    return json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))


def test_the_shipped_file_codes_exactly_these_variables_npu_first():
    found = {
        v["key"]: ([(c["system"], c["code"]) for c in v["codes"]], v["lookback_days"])
        for v in _protocol()["variables"]
        if v["codes"]
    }
    assert found == SHIPPED


@pytest.mark.django_db
def test_codes_and_windows_survive_the_database():
    # Byte for byte without a database: test_protocol_nct01387295. Through the database the
    # content is the same (PostgreSQL's jsonb orders an expression's keys its own way).
    call_command("load_protocol", str(PROTOCOL_FILE), stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_protocol", "NCT01387295", stdout=out)
    assert json.loads(out.getvalue()) == _protocol()
    neutrophils = Variable.objects.get(key="neutrophils")
    assert (neutrophils.codes[0]["code"], neutrophils.lookback_days) == ("NPU02902", 14)


@pytest.mark.django_db
def test_a_file_without_codes_still_loads():
    data = _protocol()
    for variable in data["variables"]:
        del variable["codes"], variable["lookback_days"]
    protocol_load(data=data, source="old.json")
    assert Variable.objects.get(key="neutrophils").as_spec().codes == ()
    assert Variable.objects.get(key="neutrophils").lookback_days is None


BASE = {"key": "x", "label": "X", "data_type": "number"}


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"codes": "NPU02902"}, "codes must be a list of {system, code}"),
        ({"codes": [{"system": NPU}]}, "must be {system, code}, both non-empty text"),
        ({"codes": [{"system": NPU, "code": " "}]}, "both non-empty text"),
        ({"codes": [{"system": NPU, "code": "A", "unit": "g"}]}, "must be {system, code}"),
        ({"codes": [{"system": NPU, "code": "A"}] * 2}, "codes lists a code twice"),
        ({"codes": [{"system": NPU, "code": "A"}], "lookback_days": -1}, "0 or more"),
        ({"codes": [{"system": NPU, "code": "A"}], "lookback_days": 1.5}, "whole number"),
        ({"codes": [{"system": NPU, "code": "A"}], "lookback_days": True}, "whole number"),
        ({"lookback_days": 14}, "lookback_days needs codes"),
        (
            {"codes": [{"system": NPU, "code": "A"}], "derivation": "age_years"},
            "a derived variable is computed",
        ),
    ],
)
def test_bad_codes_and_windows_are_named(fields, problem):
    problems = check_variable(BASE | fields)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize("days", [0, 1, 14, 36525])
def test_good_windows_pass(days):
    assert (
        check_variable(BASE | {"codes": [{"system": LOINC, "code": "1"}], "lookback_days": days})
        == []
    )
