"""Rule records: the JSON form round-trips exactly, and every bad entry is named."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

import pytest

from criteria.exceptions import ProtocolError
from criteria.protocol import (
    Condition,
    Group,
    RuleSet,
    check_condition,
    check_criterion,
    criterion_from_dict,
    criterion_to_dict,
    expression_from_dict,
    expression_to_dict,
    protocol_from_dict,
    protocol_to_dict,
    rules_from_dict,
    rules_to_dict,
    validate_protocol,
    variable_from_dict,
    variable_to_dict,
)

PROTOCOL = Path(__file__).resolve().parents[2] / "criteria" / "protocols" / "NCT01387295.json"


def shipped() -> dict:
    return json.loads(PROTOCOL.read_text(encoding="utf-8"))


def shipped_rules() -> RuleSet:
    return protocol_from_dict(shipped())[1]


def criterion(data: dict, code: str) -> dict:
    return next(c for c in data["criteria_set"]["criteria"] if c["code"] == code)


def variable(data: dict, key: str) -> dict:
    return next(v for v in data["variables"] if v["key"] == key)


def test_protocol_round_trip_is_exact():
    data = shipped()
    info, rules = protocol_from_dict(data)
    assert info.registry_id == "NCT01387295"
    assert info.sponsor_protocol_id == "MA 0918"
    assert rules.version == 1
    assert protocol_to_dict(info, rules) == data


def test_rules_snapshot_round_trip_is_exact_and_equal():
    rules = shipped_rules()
    snapshot = json.loads(json.dumps(rules_to_dict(rules)))
    again = rules_from_dict(snapshot)
    assert again == rules
    assert hash(again) == hash(rules)
    assert rules_to_dict(again) == snapshot


def test_each_part_round_trips():
    data = shipped()
    rules = shipped_rules()
    for raw in data["variables"]:
        assert variable_to_dict(rules.variables[raw["key"]]) == raw
    for raw in data["criteria_set"]["criteria"]:
        assert criterion_to_dict(criterion_from_dict(raw, rules.variables)) == raw
        assert (
            expression_to_dict(expression_from_dict(raw["expression"], rules.variables))
            == (raw["expression"])
        )


def test_thresholds_are_decimals_never_floats():
    i13 = next(c for c in shipped_rules().criteria if c.code == "I13")
    assert i13.expression == Condition("neutrophils", "gt", D("1.5"))
    assert type(i13.expression.value) is D


def test_groups_round_trip():
    variables = shipped_rules().variables
    raw = {"any": [
        {"variable": "bilirubin_x_uln", "operator": "lte", "value": "1"},
        {"all": [
            {"variable": "creatinine_clearance", "operator": "gt", "value": "50"},
            {"variable": "sex", "operator": "in", "value": ["female"]},
        ]},
    ]}  # fmt: skip
    expr = expression_from_dict(raw, variables)
    assert isinstance(expr, Group) and expr.mode == "any"
    assert expr.reads == ("bilirubin_x_uln", "creatinine_clearance", "sex")
    assert expression_to_dict(expr) == raw


def test_criterion_without_variables_still_round_trips():
    # The services canonicalise a criterion before the trial's variables are at hand.
    for raw in shipped()["criteria_set"]["criteria"]:
        assert criterion_to_dict(criterion_from_dict(raw)) == raw


def test_variable_alone_keeps_shown_if_on_other_variables():
    raw = variable(shipped(), "lvef_percent")
    spec = variable_from_dict(raw)
    assert spec.shown_if == (Condition("her2_status", "eq", "positive"),)
    assert variable_to_dict(spec) == raw


def edit(change: Callable[[dict], None]) -> list[str]:
    data = copy.deepcopy(shipped())
    change(data)
    with pytest.raises(ProtocolError) as caught:
        protocol_from_dict(data)
    return caught.value.problems


def set_expr(code: str, **fields: object) -> Callable[[dict], None]:
    return lambda data: criterion(data, code)["expression"].update(fields)


def set_var(key: str, **fields: object) -> Callable[[dict], None]:
    return lambda data: variable(data, key).update(fields)


def add_criterion(**fields: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        new = {**copy.deepcopy(criterion(data, "E03")), **fields}
        data["criteria_set"]["criteria"].append(new)

    return change


CHOICES = "none, treated_cervical_cis_or_skin_scc, other"
BAD_ENTRIES = [
    (set_expr("I13", operator="is_true", value=None),
     'criterion I13: operator "is_true" does not fit number variable "neutrophils" '
     "(use lt, lte, gt, gte, eq, ne)"),
    (add_criterion(code="E99", expression={"variable": "foo", "operator": "is_true",
                                           "value": None}),
     'criterion E99: unknown variable "foo"'),
    (lambda d: criterion(d, "I02")["applies_if"].append(
        {"variable": "x", "operator": "is_true", "value": None}),
     'criterion I02 applies_if: unknown variable "x"'),
    (set_var("lvef_percent", minimum="abc"),
     'variable lvef_percent: minimum "abc" is not a decimal'),
    (set_var("lvef_percent", maximum=90.0),
     'variable lvef_percent: maximum 90.0: write 90.0 as the string "90.0" so it is not rounded'),
    (add_criterion(code="I01"), 'criteria_set: two criteria with code "I01"'),
    (set_expr("I13", value="high"),
     'criterion I13: threshold for number variable "neutrophils": "high" is not a decimal'),
    (set_expr("I13", value=1.5),
     'criterion I13: threshold for number variable "neutrophils": 1.5: write 1.5 as the '
     'string "1.5" so it is not rounded'),
    (set_expr("I13", value=D("1E+1")),
     'criterion I13: threshold for number variable "neutrophils": 1E+1: write it as the '
     'string "10"'),
    (set_expr("E01", value=D("28.5")),
     "criterion E01: days 28.5 must be a whole number of days, at least 1"),
    (set_expr("I13", value="500"),
     'criterion I13: threshold "500" is outside the plausible range 0–100 '
     'of variable "neutrophils"'),
    (set_expr("I03", value="1.5"),
     'criterion I03: threshold "1.5" for integer variable "ecog_performance_status" '
     "is not a whole number"),
    (set_expr("E02", value=3),
     f'criterion E02: value 3 is not a choice of variable "other_malignancy" ({CHOICES})'),
    (set_expr("E02", value="maybe"),
     f"criterion E02: value 'maybe' is not a choice of variable \"other_malignancy\" ({CHOICES})"),
    (set_expr("I09", value=[]),
     'criterion I09: operator "in" needs a non-empty list of choices of "extrahepatic_disease"'),
    (set_expr("E01", value=28.5),
     "criterion E01: days 28.5 must be a whole number of days, at least 1"),
    (set_expr("E01", value="28"),
     "criterion E01: days '28' must be a whole number of days, at least 1"),
    (set_expr("E01", value=0), "criterion E01: days 0 must be a whole number of days, at least 1"),
    (set_expr("E01", value=36_526), "criterion E01: days 36526 must be at most 36525 (100 years)"),
    (set_expr("E01", value=2**63),
     f"criterion E01: days {2**63} must be at most 36525 (100 years)"),
    (set_expr("E01", other="informed_consent"),
     'criterion E01: "other" variable "informed_consent" is not a date'),
    (set_expr("E01", other="last_ami_date"),
     'criterion E01: "other" variable "last_ami_date" may be "never"; it cannot anchor a window'),
    (set_expr("I13", other="screening_date"),
     'criterion I13: "other" is only for date windows, not for operator "gt"'),
    (set_expr("I01", value="1"), "criterion I01: operator \"is_true\" takes no value (got '1')"),
    (set_expr("I13", operator="between"),
     'criterion I13: unknown operator "between" (valid: lt, lte, gt, gte, eq, ne, in, not_in, '
     "is_true, is_false, within_days_before, not_within_days_before)"),
    (lambda d: criterion(d, "I13").update(kind="optional"),
     'criterion I13: unknown kind "optional" (inclusion or exclusion)'),
    (lambda d: criterion(d, "I13").update(protocol_wording=""),
     "criterion I13: protocol_wording must be non-empty text"),
    (set_var("neutrophils", data_type="text"), 'variable neutrophils: unknown data type "text"'),
    (set_var("age_years", derivation={"kind": "age_in_days"}),
     'variable age_years: unknown derivation kind "age_in_days" (valid: times_uln, age_years, '
     "days_between, creatinine_clearance)"),
    (set_var("neutrophils", maximun="100"), 'variable neutrophils: unknown field "maximun"'),
    (set_var("neutrophils", minimum="100", maximum="0"),
     "variable neutrophils: minimum is above maximum"),
    (set_var("sex", choices=[]), "variable sex: a choice variable needs choices"),
    (set_var("sex", never_allowed=True), 'variable sex: only a date may be answered "never"'),
    (set_var("bilirubin", alt_units={"mg/dL": "0"}),
     'variable bilirubin: factor for unit "mg/dL" must be above 0'),
    (lambda d: d["variables"].remove(variable(d, "weight_kg")),
     'variable creatinine_clearance: derivation creatinine_clearance: "weight" names '
     '"weight_kg", which is not a variable of this trial; it needs a number variable in kg '
     "(there is none)"),
    (lambda d: d["variables"].append(copy.deepcopy(variable(d, "sex"))),
     'variables: two variables with key "sex"'),
    (lambda d: variable(d, "lvef_percent")["shown_if"][0].update(value="unknown"),
     "variable lvef_percent shown_if: value 'unknown' is not a choice of variable \"her2_status\" "
     "(positive, negative)"),
    (lambda d: d.update(format="trialsite-protocol/3"),
     'protocol: format must be "trialsite-protocol/2" (or "trialsite-protocol/1"), '
     "not 'trialsite-protocol/3'"),
    (lambda d: d["criteria_set"].update(version=0),
     "criteria_set: version 0 must be a whole number, at least 1"),
    (lambda d: d["trial"].update(registry_id=""), "trial: registry_id must be non-empty text"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD_ENTRIES)
def test_each_bad_entry_is_named(change, message):
    assert message in edit(change)


def test_every_problem_is_reported_at_once():
    def two(data: dict) -> None:
        set_expr("I13", value="high")(data)
        set_expr("I14", operator="is_false", value=None)(data)

    problems = edit(two)
    assert len(problems) == 2
    assert all(p.startswith(("criterion I13", "criterion I14")) for p in problems)


def test_validate_protocol_accepts_the_shipped_file():
    assert validate_protocol(shipped()) is None


@pytest.mark.parametrize("data", [None, [], "protocol"])
def test_validate_protocol_refuses_non_objects(data):
    with pytest.raises(ProtocolError, match="must be a JSON object"):
        validate_protocol(data)


def test_check_condition_returns_messages_for_dicts_and_objects():
    variables = shipped_rules().variables
    assert check_condition({"variable": "neutrophils", "operator": "gt", "value": "1.5"},
                           variables) == []  # fmt: skip
    assert check_condition(Condition("neutrophils", "is_true"), variables) == [
        'operator "is_true" does not fit number variable "neutrophils" '
        "(use lt, lte, gt, gte, eq, ne)"
    ]
    extra = {"variable": "neutrophils", "operator": "gt", "value": "1.5", "op": "gt"}
    assert check_condition(extra, variables) == ['unknown field "op" in condition']


def test_check_criterion_for_model_clean():
    variables = shipped_rules().variables
    raw = criterion(shipped(), "I13")
    assert check_criterion(raw, variables) == []
    bad = {**raw, "expression": {"variable": "neutrophils", "operator": "gt", "value": 1.5}}
    assert check_criterion(bad, variables) == [
        'criterion I13: threshold for number variable "neutrophils": 1.5: write 1.5 as the '
        'string "1.5" so it is not rounded'
    ]
    rule = criterion_from_dict(raw, variables)
    assert check_criterion(rule, variables) == []


def test_from_dict_refuses_what_validation_refuses():
    variables = shipped_rules().variables
    with pytest.raises(ProtocolError, match='unknown variable "foo"'):
        criterion_from_dict({**criterion(shipped(), "I13"), "expression": {
            "variable": "foo", "operator": "gt", "value": "1"}}, variables)  # fmt: skip
    with pytest.raises(ProtocolError, match='write 1.5 as the string "1.5"'):
        criterion_from_dict({**criterion(shipped(), "I13"), "expression": {
            "variable": "neutrophils", "operator": "gt", "value": 1.5}})  # fmt: skip
    with pytest.raises(ProtocolError, match="unknown data type"):
        variable_from_dict({**variable(shipped(), "sex"), "data_type": "text"})


def test_rule_objects_are_immutable_and_hashable():
    rules = shipped_rules()
    assert hash(rules) == hash(rules_from_dict(rules_to_dict(rules)))
    with pytest.raises(AttributeError):
        rules.version = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.variables["sex"] = None  # type: ignore[index]
