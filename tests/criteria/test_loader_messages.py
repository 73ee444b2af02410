"""What load_protocol says about a file: valid choices listed, unquoted numbers read exactly,
every problem in one pass; the shipped file loads and exports byte for byte."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from criteria.models import Criterion, Trial, Variable
from tests.criteria.cases import PROTOCOL_FILE, V1_FILE

pytestmark = pytest.mark.django_db


def _protocol() -> dict:
    return json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))


def _criterion(data: dict, code: str) -> dict:
    return next(c for c in data["criteria_set"]["criteria"] if c["code"] == code)


def _variable(data: dict, key: str) -> dict:
    return next(v for v in data["variables"] if v["key"] == key)


def _load(tmp_path, text: str) -> str:
    path = tmp_path / "protocol.json"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("load_protocol", str(path), stdout=out)
    return out.getvalue()


def _refused(tmp_path, data: dict) -> str:
    with pytest.raises(CommandError) as refused:
        _load(tmp_path, json.dumps(data))
    assert refused.value.returncode == 2
    assert Trial.objects.count() == Variable.objects.count() == 0  # nothing written
    return str(refused.value)


def test_the_shipped_file_loads_and_exports_byte_for_byte(tmp_path):
    text = PROTOCOL_FILE.read_text(encoding="utf-8")
    _load(tmp_path, text)
    out = io.StringIO()
    call_command("export_protocol", "NCT01387295", stdout=out)
    assert out.getvalue().rstrip("\n") == text.rstrip("\n")


def test_an_unknown_operator_lists_the_valid_ones(tmp_path):
    data = _protocol()
    _criterion(data, "I13")["expression"]["operator"] = "between"
    message = _refused(tmp_path, data)
    assert 'criterion I13: unknown operator "between" (valid: lt, lte, gt, gte, eq, ne, in,' in (
        message
    )
    assert "within_days_before, not_within_days_before)" in message


def test_an_operator_that_does_not_fit_lists_those_that_do(tmp_path):
    data = _protocol()
    _criterion(data, "I13")["expression"].update(operator="is_true", value=None)
    assert 'variable "neutrophils" (use lt, lte, gt, gte, eq, ne)' in _refused(tmp_path, data)


def test_an_unknown_derivation_lists_the_valid_ones(tmp_path):
    data = _protocol()
    _variable(data, "age_years")["derivation"] = {"kind": "age_in_days"}
    assert (
        'variable age_years: unknown derivation kind "age_in_days" (valid: times_uln, '
        "age_years, days_between, creatinine_clearance)"
    ) in _refused(tmp_path, data)


def test_a_derivation_name_in_a_version_2_file_is_shown_as_its_object(tmp_path):
    data = _protocol()
    _variable(data, "age_years")["derivation"] = "age_years"
    assert (
        "variable age_years: in trialsite-protocol/2 a derivation is an object: "
        '{"kind": "age_years", "birth_date": "date_of_birth", "on": "screening_date"}'
    ) in _refused(tmp_path, data)


def test_an_unknown_derivation_of_a_version_1_file_lists_the_valid_names(tmp_path):
    data = json.loads(V1_FILE.read_text(encoding="utf-8"))
    _variable(data, "age_years")["derivation"] = "age_in_days"
    assert (
        'variable age_years: unknown derivation "age_in_days" (valid: age_years, '
        "creatinine_clearance, bilirubin_x_uln)"
    ) in _refused(tmp_path, data)


def test_an_unquoted_number_is_read_exactly_where_a_decimal_string_is_accepted(tmp_path):
    data = _protocol()
    threshold = _criterion(data, "I13")["expression"]["value"]  # neutrophils, "1.5"
    assert threshold == "1.5"
    _criterion(data, "I13")["expression"]["value"] = "__X__"
    _variable(data, "neutrophils")["maximum"] = "__M__"
    text = json.dumps(data, ensure_ascii=False, indent=2)
    text = text.replace('"__X__"', "1.50").replace('"__M__"', "100.0")
    _load(tmp_path, text)
    stored = Criterion.objects.get(code="I13").expression
    assert stored["value"] == "1.50"  # exact, as written, never through a float
    assert Variable.objects.get(key="neutrophils").maximum == Decimal("100")


def test_an_unquoted_number_in_exponent_form_is_refused_with_its_plain_form(tmp_path):
    data = _protocol()
    _criterion(data, "I13")["expression"]["value"] = "__X__"
    text = json.dumps(data).replace('"__X__"', "1e1")
    with pytest.raises(CommandError) as refused:
        _load(tmp_path, text)
    assert (
        'criterion I13: threshold for number variable "neutrophils": 1E+1: write it as the '
        'string "10"'
    ) in str(refused.value)


def test_every_problem_of_a_file_in_one_pass(tmp_path):
    data = _protocol()
    _variable(data, "lvef_percent")["minimum"] = "abc"  # a variable's problem
    _criterion(data, "I13")["expression"]["operator"] = "between"  # a criterion's problem
    _criterion(data, "E02")["expression"]["value"] = "maybe"
    message = _refused(tmp_path, data)
    assert 'variable lvef_percent: minimum "abc" is not a decimal' in message
    assert 'criterion I13: unknown operator "between"' in message
    assert "criterion E02: value 'maybe' is not a choice" in message


def test_a_criterion_is_not_blamed_for_a_broken_variable_it_reads(tmp_path):
    data = _protocol()
    _variable(data, "neutrophils")["data_type"] = "text"
    message = _refused(tmp_path, data)
    assert 'variable neutrophils: unknown data type "text"' in message
    assert 'unknown variable "neutrophils"' not in message
