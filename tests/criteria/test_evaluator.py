"""The evaluator: three-valued logic, outcomes, missing values, types, and properties."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.evaluator import evaluate
from criteria.exceptions import ValueProblem
from criteria.protocol import (
    Condition,
    CriterionRule,
    Derivation,
    Group,
    RuleSet,
    VariableSpec,
    protocol_from_dict,
)
from criteria.values import NEVER

PROTOCOL = Path(__file__).resolve().parents[2] / "criteria" / "protocols" / "NCT01387295.json"
SHIPPED = protocol_from_dict(json.loads(PROTOCOL.read_text(encoding="utf-8")))[1]


def variables() -> dict[str, VariableSpec]:
    specs = [
        VariableSpec("screening_date", "Screening date", "date", order=1),
        VariableSpec("date_of_birth", "Date of birth", "date", order=2),
        VariableSpec("creatinine_x_uln", "Creatinine", "number", order=3, unit="× ULN"),
        VariableSpec("clearance", "Creatinine clearance", "number", order=4, unit="mL/min"),
        VariableSpec("consent", "Consent", "boolean", order=5),
        VariableSpec("arm", "Arm", "choice", order=6, choices=("a", "b")),
        VariableSpec("last_dose", "Last dose", "date", order=7, never_allowed=True),
        VariableSpec("age_years", "Age", "integer", order=8, unit="years",
                     derivation=Derivation("age_years", {"birth_date": "date_of_birth",
                                                         "on": "screening_date"})),
    ]  # fmt: skip
    return {s.key: s for s in specs}


def rule(code: str, expression, kind: str = "inclusion", applies_if=()) -> CriterionRule:
    return CriterionRule(code, kind, f"rule {code}", "wording", expression, tuple(applies_if))


KIDNEY = Group("any", (Condition("creatinine_x_uln", "lte", D("1")),
                       Condition("clearance", "gt", D("50"))))  # fmt: skip
AGE_18_70 = Group("all", (Condition("age_years", "gte", D("18")),
                          Condition("age_years", "lte", D("70"))))  # fmt: skip
CONSENT = Condition("consent", "is_true")
RECENT_DOSE = Condition("last_dose", "within_days_before", 28, "screening_date")


def rules(*criteria: CriterionRule) -> RuleSet:
    return RuleSet("TEST", 1, variables(), criteria)


def born(years_before: int, on: date = date(2026, 11, 29)) -> dict[str, object]:
    return {"screening_date": on, "date_of_birth": on.replace(year=on.year - years_before)}


@pytest.mark.parametrize(
    ("values", "status", "missing"),
    [
        ({"creatinine_x_uln": D("0.9")}, "met", ()),  # one part met decides an any-of
        ({"clearance": D("60")}, "met", ()),
        ({"creatinine_x_uln": D("1.2")}, "unknown", ("clearance",)),
        ({"clearance": D("40")}, "unknown", ("creatinine_x_uln",)),
        ({"creatinine_x_uln": D("1.2"), "clearance": D("40")}, "not_met", ()),
        ({"creatinine_x_uln": D("1"), "clearance": D("40")}, "met", ()),
        ({}, "unknown", ("creatinine_x_uln", "clearance")),
    ],
)
def test_any_of_group(values, status, missing):
    evaluation = evaluate(rules(rule("K", KIDNEY)), values)
    assert evaluation.results[0].status == status
    assert evaluation.missing == missing


@pytest.mark.parametrize(
    ("values", "status", "missing"),
    [
        (born(17), "not_met", ()),
        (born(18), "met", ()),
        (born(70), "met", ()),
        (born(71), "not_met", ()),
        ({"screening_date": date(2026, 11, 29)}, "unknown", ("date_of_birth",)),
        ({}, "unknown", ("screening_date", "date_of_birth")),
    ],
)
def test_all_of_group_on_a_derived_age(values, status, missing):
    evaluation = evaluate(rules(rule("A", AGE_18_70)), values)
    assert evaluation.results[0].status == status
    assert evaluation.missing == missing  # entered keys, in form order, never "age_years"


def test_all_of_is_decided_by_one_false_part_even_with_another_unknown():
    group = Group("all", (CONSENT, Condition("clearance", "gt", D("50"))))
    evaluation = evaluate(rules(rule("G", group)), {"consent": False})
    assert evaluation.results[0].status == "not_met"
    assert evaluation.outcome == "ineligible"


def test_a_definite_failure_beats_missing_values():
    evaluation = evaluate(rules(rule("C", CONSENT), rule("K", KIDNEY)), {"consent": False})
    assert evaluation.outcome == "ineligible"
    assert evaluation.missing == ("creatinine_x_uln", "clearance")
    assert [r.code for r in evaluation.failed()] == ["C"]


def test_missing_alone_gives_incomplete():
    evaluation = evaluate(rules(rule("C", CONSENT), rule("K", KIDNEY)), {"consent": True})
    assert evaluation.outcome == "incomplete"
    assert evaluation.failed() == ()


def test_all_decided_and_none_failing_is_eligible():
    values = {"consent": True, "clearance": D("60"), **born(40)}
    evaluation = evaluate(rules(rule("C", CONSENT), rule("K", KIDNEY), rule("A", AGE_18_70)),
                          values)  # fmt: skip
    assert evaluation.outcome == "eligible"
    assert evaluation.derived["age_years"].value == 40


@pytest.mark.parametrize(
    ("last_dose", "status"),
    [(NEVER, "not_met"), (None, "unknown"), (date(2026, 11, 2), "met"),
     (date(2026, 11, 1), "not_met")],
)  # fmt: skip
def test_never_differs_from_missing(last_dose, status):
    values = {"screening_date": date(2026, 11, 29)}
    if last_dose is not None:
        values["last_dose"] = last_dose
    evaluation = evaluate(rules(rule("D", RECENT_DOSE, kind="exclusion")), values)
    assert evaluation.results[0].status == status


def test_never_decides_a_window_even_without_the_reference_date():
    evaluation = evaluate(rules(rule("D", RECENT_DOSE, kind="exclusion")), {"last_dose": NEVER})
    assert evaluation.results[0].status == "not_met"
    assert evaluation.outcome == "eligible"


def test_applies_if_false_wins_over_applies_if_unknown():
    applies = (Condition("arm", "eq", "a"), CONSENT)
    evaluation = evaluate(rules(rule("L", KIDNEY, applies_if=applies)), {"arm": "b"})
    result = evaluation.results[0]
    assert result.status == "not_applicable"
    assert result.reason == "Arm is b — applies only when arm is a"
    assert evaluation.outcome == "eligible"


def test_applies_if_unknown_asks_for_that_variable_first():
    evaluation = evaluate(rules(rule("L", KIDNEY, applies_if=(Condition("arm", "eq", "a"),))), {})
    assert evaluation.results[0].status == "unknown"
    assert evaluation.results[0].reason == "needs Arm first"
    assert evaluation.missing == ("arm",)


def test_a_derived_value_in_the_input_is_never_used():
    evaluation = evaluate(rules(rule("A", AGE_18_70)), {"age_years": 40})
    assert evaluation.results[0].status == "unknown"
    assert evaluation.missing == ("screening_date", "date_of_birth")


def test_unknown_derived_reason_names_what_to_enter():
    evaluation = evaluate(rules(rule("A", AGE_18_70)), {"screening_date": date(2026, 11, 29)})
    assert evaluation.results[0].reason == "Age cannot be worked out yet — needs date of birth"


@pytest.mark.parametrize(
    ("key", "value"),
    [("clearance", 60.0), ("clearance", True), ("clearance", "60"), ("consent", 1),
     ("consent", D("1")), ("arm", "A"), ("screening_date", "2026-11-29"),
     ("screening_date", NEVER), ("last_dose", "nope")],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_refused_not_read_as_not_met(key, value):
    with pytest.raises(ValueProblem) as caught:
        evaluate(rules(rule("C", CONSENT), rule("K", KIDNEY)), {key: value})
    assert caught.value.key == key


def test_nan_is_refused():
    with pytest.raises(ValueProblem, match="not a finite number"):
        evaluate(rules(rule("K", KIDNEY)), {"clearance": D("NaN")})


def test_keys_that_are_not_variables_are_ignored():
    evaluation = evaluate(rules(rule("C", CONSENT)), {"consent": True, "shoe_size": 42})
    assert evaluation.outcome == "eligible"


def test_reasons_do_not_depend_on_how_a_number_was_written():
    one = evaluate(rules(rule("K", KIDNEY)), {"clearance": D("60.0"), "creatinine_x_uln": D("2")})
    two = evaluate(rules(rule("K", KIDNEY)), {"clearance": D("60"), "creatinine_x_uln": D("2")})
    assert (
        one.results[0].reason
        == two.results[0].reason
        == ("Creatinine clearance 60 mL/min — needs > 50")
    )
    assert one == two


def test_a_derived_value_near_the_threshold_shows_enough_places():
    values = {"creatinine_clearance_measured": D("30.004"), "informed_consent": True}
    result = next(r for r in evaluate(SHIPPED, values).results if r.code == "I16")
    assert result.status == "met"
    assert result.reason == "Creatinine clearance 30.004000 mL/min (measured) — needs > 30"


def test_to_dict_is_the_screen_commands_json():
    evaluation = evaluate(rules(rule("C", CONSENT), rule("A", AGE_18_70)),
                          {"consent": True, **born(17)})  # fmt: skip
    out = json.loads(json.dumps(evaluation.to_dict()))
    assert out["outcome"] == "ineligible"
    assert out["missing"] == []
    assert out["derived"] == {"age_years": "17"}
    assert out["criteria"][1] == {
        "code": "A", "kind": "inclusion", "label": "rule A", "variable": "age_years",
        "variables": ["age_years"], "status": "not_met",
        "reason": "Age 17 years — needs ≥ 18", "note": "",
    }  # fmt: skip


def test_results_are_immutable():
    evaluation = evaluate(rules(rule("C", CONSENT)), {"consent": True})
    with pytest.raises(AttributeError):
        evaluation.results[0].status = "not_met"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        evaluation.outcome = "eligible"  # type: ignore[misc]


def test_equal_rule_sets_evaluate_alike():
    values = {"consent": True}
    assert evaluate(rules(rule("C", CONSENT)), values) == evaluate(rules(rule("C", CONSENT)),
                                                                   values)  # fmt: skip


def test_the_first_non_finite_value_in_form_order_is_named():
    values = {"creatinine_clearance_measured": D("NaN"), "inr": D("Infinity"),
              "neutrophils": D("1E+21")}  # fmt: skip
    with pytest.raises(ValueProblem) as caught:
        evaluate(SHIPPED, values)
    # The entered value to correct, first in form order, not the clearance derived from it.
    assert caught.value.key == "neutrophils"
    del values["neutrophils"]
    with pytest.raises(ValueProblem) as caught:
        evaluate(SHIPPED, values)
    assert caught.value.key == "creatinine_clearance_measured"


def test_results_are_made_when_read_and_are_the_same_every_time():
    evaluation = evaluate(rules(rule("K", KIDNEY), rule("C", CONSENT)), {"clearance": D("60")})
    assert evaluation.outcome == "incomplete" and evaluation.missing == ("consent",)
    assert "results" not in vars(evaluation)  # bulk re-evaluation reads only the outcome
    assert evaluation.results[0].reason == "Creatinine clearance 60 mL/min — needs > 50"
    assert evaluation.results is evaluation.results


# --- properties over the shipped rules -------------------------------------------------


def value_strategy(spec: VariableSpec) -> st.SearchStrategy:
    if spec.data_type == "number":
        low = spec.minimum if spec.minimum is not None else D("-1000")
        high = spec.maximum if spec.maximum is not None else D("100000")
        return st.decimals(min_value=low, max_value=high, places=2)
    if spec.data_type == "integer":
        return st.integers(min_value=int(spec.minimum or 0), max_value=int(spec.maximum or 200))
    if spec.data_type == "boolean":
        return st.booleans()
    if spec.data_type == "choice":
        return st.sampled_from(spec.choices)
    dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
    return st.one_of(dates, st.just(NEVER)) if spec.never_allowed else dates


ENTERED = {k: s for k, s in SHIPPED.variables.items() if not s.derivation}
CANDIDATES = st.fixed_dictionaries(
    {}, optional={key: value_strategy(spec) for key, spec in ENTERED.items()}
)
PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


@PROPERTY
@given(values=CANDIDATES)
def test_never_raises_and_the_outcome_follows_the_statuses(values):
    evaluation = evaluate(SHIPPED, values)
    out = evaluation.to_dict()  # writes every reason
    statuses = {r.status for r in evaluation.results}
    assert statuses <= {"met", "not_met", "unknown", "not_applicable"}
    assert all(c["reason"] for c in out["criteria"])
    if evaluation.failed():
        assert evaluation.outcome == "ineligible"
    elif "unknown" in statuses:
        assert evaluation.outcome == "incomplete"
    else:
        assert evaluation.outcome == "eligible"
    assert bool(evaluation.missing) == ("unknown" in statuses)
    assert set(evaluation.missing) <= set(ENTERED) - set(values)


@PROPERTY
@given(values=CANDIDATES, seed=st.randoms(use_true_random=False))
def test_the_outcome_does_not_depend_on_the_order_of_the_rules(values, seed):
    shuffled = list(SHIPPED.criteria)
    seed.shuffle(shuffled)
    other = RuleSet(SHIPPED.trial, SHIPPED.version, SHIPPED.variables, tuple(shuffled))
    first, second = evaluate(SHIPPED, values), evaluate(other, values)
    assert first.outcome == second.outcome
    assert first.missing == second.missing
    by_code = {r.code: (r.status, r.reason) for r in first.results}
    assert {r.code: (r.status, r.reason) for r in second.results} == by_code


# Criterion -> the entered value it compares: "> / ≥" (raising helps), "< / ≤" (lowering helps).
RISING = {"I13": "neutrophils", "I14": "platelets", "I04": "expected_survival_months",
          "I18": "lvef_percent", "I16": "creatinine_clearance_measured"}  # fmt: skip
FALLING = {"I17": "inr", "I12": "liver_involvement_percent"}


@PROPERTY
@given(
    values=CANDIDATES,
    code=st.sampled_from(sorted({**RISING, **FALLING})),
    step=st.decimals(min_value=D("0"), max_value=D("50"), places=2),
)
def test_moving_a_value_away_from_its_threshold_never_undoes_met(values, code, step):
    key = RISING.get(code) or FALLING[code]
    spec = SHIPPED.variables[key]
    start = values.get(key, (spec.minimum + spec.maximum) / 2)
    moved = start + step if code in RISING else start - step
    moved = min(max(moved, spec.minimum), spec.maximum)
    before = evaluate(SHIPPED, {**values, key: start})
    after = evaluate(SHIPPED, {**values, key: moved})
    status = {r.code: r.status for r in after.results}
    if next(r for r in before.results if r.code == code).status == "met":
        assert status[code] == "met", (start, moved)
