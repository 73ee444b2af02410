"""load_protocol, export_protocol and screen: what they print, and every bad input refused."""

import io
import json
import sys

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from criteria.models import CriteriaSet, Trial, Variable
from tests.criteria.cases import PROTOCOL_FILE, eligible_values

pytestmark = pytest.mark.django_db


def _protocol() -> dict:
    return json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))


def _call(*args, stdin: str | None = None) -> str:
    out = io.StringIO()
    if stdin is not None:
        sys_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command(*args, stdout=out)
    finally:
        if stdin is not None:
            sys.stdin = sys_stdin
    return out.getvalue()


def _write(tmp_path, data, name="case.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def loaded(db):
    _call("load_protocol", str(PROTOCOL_FILE))


def test_load_protocol_loads_the_trial_and_publishes_version_1(loaded):
    trial = Trial.objects.get(registry_id="NCT01387295")
    published = trial.criteria_sets.get(status="published")
    assert published.version == 1
    assert published.criteria.count() == 37
    assert trial.variables.count() == 49


def test_load_protocol_twice_changes_nothing(loaded):
    output = _call("load_protocol", str(PROTOCOL_FILE))
    assert "already loaded: v1" in output
    assert CriteriaSet.objects.count() == 1


def test_load_protocol_with_changed_criteria_publishes_a_new_version(loaded, tmp_path):
    amended = _protocol()
    i13 = amended["criteria_set"]["criteria"][12]  # neutrophils
    i13["expression"]["value"] = "2.0"
    i13["label"] = i13["label"].replace("1.5", "2.0")
    i13["protocol_wording"] = i13["protocol_wording"].replace("1.5", "2.0")
    output = _call("load_protocol", _write(tmp_path, amended))
    assert "new published version v2" in output
    statuses = dict(CriteriaSet.objects.values_list("version", "status"))
    assert statuses == {1: "retired", 2: "published"}


def test_export_round_trips_through_an_empty_database(loaded, tmp_path):
    first = _call("export_protocol", "NCT01387295")
    exported = json.loads(first)
    assert (
        exported["criteria_set"]["criteria"] == _canonical(_protocol())["criteria_set"]["criteria"]
    )
    # Load the export into a fresh (empty) database by way of a second trial id.
    renamed = json.loads(first.replace("NCT01387295", "NCT99999999"))
    _call("load_protocol", _write(tmp_path, renamed))
    second = _call("export_protocol", "NCT99999999")
    assert second.replace("NCT99999999", "NCT01387295") == first


def _canonical(data: dict) -> dict:
    from criteria.protocol import criterion_from_dict, criterion_to_dict

    data["criteria_set"]["criteria"] = [
        criterion_to_dict(criterion_from_dict(c)) for c in data["criteria_set"]["criteria"]
    ]
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["criteria_set"]["criteria"][12]["expression"].update(operator="is_true"),
            'criterion I13: operator "is_true" does not fit number variable "neutrophils"',
        ),
        (
            lambda d: d["criteria_set"]["criteria"][0]["expression"].update(variable="foo"),
            'unknown variable "foo"',
        ),
        (
            lambda d: d["criteria_set"]["criteria"][17]["applies_if"][0].update(variable="x"),
            'unknown variable "x"',
        ),
        (lambda d: d["criteria_set"]["criteria"][12]["expression"].update(value="lots"), "I13"),
        (lambda d: d["criteria_set"]["criteria"].append(d["criteria_set"]["criteria"][0]), "I01"),
    ],
)
def test_invalid_protocol_is_refused_naming_the_entry_and_loads_nothing(tmp_path, mutate, message):
    data = _protocol()
    mutate(data)
    with pytest.raises(CommandError) as refused:
        _call("load_protocol", _write(tmp_path, data))
    assert refused.value.returncode == 2
    assert message in str(refused.value)
    assert Trial.objects.count() == Variable.objects.count() == CriteriaSet.objects.count() == 0


def test_load_protocol_refuses_malformed_json(tmp_path):
    with pytest.raises(CommandError) as refused:
        _call("load_protocol", _write(tmp_path, "{not json"))
    assert refused.value.returncode == 2
    assert "malformed JSON" in str(refused.value)


def test_export_of_unknown_trial_is_refused(loaded):
    with pytest.raises(CommandError, match='unknown trial "NCT00000000"'):
        _call("export_protocol", "NCT00000000")


def test_screen_prints_the_evaluation_as_json_and_writes_nothing(loaded, tmp_path):
    with CaptureQueriesContext(connection) as queries:
        output = json.loads(
            _call(
                "screen", "--trial", "NCT01387295", _write(tmp_path, {"values": eligible_values()})
            )
        )
    assert output["trial"] == "NCT01387295"
    assert output["criteria_set_version"] == 1
    assert output["outcome"] == "eligible"
    assert output["missing"] == []
    assert len(output["criteria"]) == 37
    assert set(output["criteria"][0]) >= {"code", "kind", "variable", "status", "reason"}
    assert output["derived"]["age_years"] == "61"
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements and set(statements) == {"SELECT"}


def test_screen_reads_stdin_and_converts_units(loaded):
    values = eligible_values() | {"bilirubin": {"value": 2.5, "unit": "mg/dL"}}
    output = json.loads(
        _call("screen", "--trial", "NCT01387295", "-", stdin=json.dumps({"values": values}))
    )
    i15 = next(c for c in output["criteria"] if c["code"] == "I15")
    # 2.5 mg/dL × 17.1 = 42.75 µmol/L; ÷ 22 ULN = 1.94 × ULN
    assert i15["status"] == "met"
    assert output["outcome"] == "eligible"


def test_screen_incomplete_lists_missing_keys(loaded, tmp_path):
    values = {k: v for k, v in eligible_values().items() if k not in ("inr", "her2_status")}
    output = json.loads(
        _call("screen", "--trial", "NCT01387295", _write(tmp_path, {"values": values}))
    )
    assert output["outcome"] == "incomplete"
    assert set(output["missing"]) == {"inr", "her2_status"}


@pytest.mark.parametrize(
    ("args", "case", "message"),
    [
        (["--trial", "NCT00000000"], {"values": {}}, 'unknown trial "NCT00000000"'),
        (["--trial", "NCT01387295", "--version", "7"], {"values": {}}, "no criteria set version 7"),
        (["--trial", "NCT01387295"], {"values": {"foo": 1}}, 'unknown variable "foo"'),
        (["--trial", "NCT01387295"], {"values": {"neutrophils": "many"}}, "neutrophils"),
        (["--trial", "NCT01387295"], {"values": {"neutrophils": True}}, "neutrophils"),
        (
            ["--trial", "NCT01387295"],
            {"values": {"bilirubin": {"value": 1, "unit": "mmol/L"}}},
            'unknown unit "mmol/L"',
        ),
        (["--trial", "NCT01387295"], {"values": {"neutrophils": 500}}, "plausible range"),
        (["--trial", "NCT01387295"], {"values": {"date_of_birth": "1960-02-31"}}, "date_of_birth"),
        (["--trial", "NCT01387295"], {"values": {"her2_status": "maybe"}}, "her2_status"),
        (["--trial", "NCT01387295"], {"values": {"neutrophils": "1,500"}}, "could mean 1.5 or"),
        (["--trial", "NCT01387295"], {"values": {"inr": "1 400"}}, "thousands separator"),
        (["--trial", "NCT01387295"], {"values": {"inr": "1e3"}}, '"1e3" is not a number'),
        (
            ["--trial", "NCT01387295"],
            {"values": {"ecog_performance_status": "1,0"}},
            "write digits only",
        ),
        (
            ["--trial", "NCT01387295"],
            {"values": {"screening_date": "2026-11-29", "date_of_birth": "0001-01-01"}},
            "date_of_birth: 0001-01-01: This gives an age of 2025",
        ),
        (
            ["--trial", "NCT01387295"],
            {"values": {"screening_date": "2026-11-29", "last_ami_date": "1899-12-31"}},
            "last_ami_date: 1899-12-31: This date cannot lie before 1900-01-01",
        ),
        (
            ["--trial", "NCT01387295"],
            {"values": {"screening_date": "2026-11-29", "planned_start_date": "2028-11-30"}},
            "planned_start_date: 2028-11-30: A planned date lies from the screening date",
        ),
        (["--trial", "NCT01387295"], {"valeus": {}}, '{"values": {...}}'),
        (["--trial", "NCT01387295"], "[1, 2", "malformed JSON"),
    ],
)
def test_screen_bad_input_exits_2_with_one_clear_message(loaded, tmp_path, args, case, message):
    with pytest.raises(CommandError) as refused:
        _call("screen", *args, _write(tmp_path, case))
    assert refused.value.returncode == 2
    assert message in str(refused.value)


def test_screen_reads_a_decimal_comma_in_a_json_string_as_the_form_does(loaded, tmp_path):
    comma = {"values": {**eligible_values(), "inr": "1,4", "neutrophils": "1,2"}}
    point = {"values": {**eligible_values(), "inr": 1.4, "neutrophils": 1.2}}
    with_comma = json.loads(_call("screen", "--trial", "NCT01387295", _write(tmp_path, comma)))
    with_point = json.loads(_call("screen", "--trial", "NCT01387295", _write(tmp_path, point)))
    assert with_comma == with_point
    assert with_comma["outcome"] == "ineligible"  # neutrophils 1.2, never 12
    assert "Neutrophils 1.2" in json.dumps(with_comma, ensure_ascii=False)


def test_screen_from_the_command_line_prints_one_line_on_stderr_and_exits_2(loaded, capsys):
    """As a script calling `manage.py screen` sees it: exit status 2, one line on stderr."""
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "screen", "--trial", "NCT00000000", "-"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == ['CommandError: unknown trial "NCT00000000"']
