"""Numbers at the edges of what the evaluator works with: a negative zero, values beyond the
fixed 28-digit context, infinity. Never "eligible" on them, and never a traceback later.

Refusing NaN and infinity as input is tested in test_values.py; here, what reaches the
evaluator anyway: a caller's typed values, and protocols whose variables have no bounds.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from criteria.evaluator import evaluate
from criteria.exceptions import ValueProblem
from criteria.rules import RuleSet, protocol_from_dict
from criteria.values import parse_values
from tests.cases import PROTOCOL_FILE, eligible_values

SHIPPED = protocol_from_dict(json.loads(PROTOCOL_FILE.read_text(encoding="utf-8")))[1]


def fresh(rules: RuleSet = SHIPPED, drop: str = "") -> RuleSet:
    """Equal rules (less the criterion `drop`) in a new object: a plan and caches of its own."""
    criteria = tuple(c for c in rules.criteria if c.code != drop)
    return RuleSet(rules.trial, rules.version, rules.variables, criteria)


# The shipped variables without their plausible ranges, as a protocol may leave them out.
UNBOUNDED = RuleSet(
    SHIPPED.trial,
    SHIPPED.version,
    {k: replace(s, minimum=None, maximum=None) for k, s in SHIPPED.variables.items()},
    SHIPPED.criteria,
)


def screened(rules: RuleSet, **answers: object) -> dict[str, object]:
    """The eligible case, through the `screen` command's parsing, with `answers` changed."""
    return parse_values(rules, {**eligible_values(), **answers})


def result(evaluation, code: str):
    return next(r for r in evaluation.results if r.code == code)


# --- a negative zero --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "code", "reason", "outcome"),
    [
        ("neutrophils", "I13", "Neutrophils 0 × 10⁹/L — needs > 1.5", "ineligible"),
        # -0 ÷ 22 is -0: the derived value, and its cached result, follow the entered one.
        ("bilirubin", "I15", "Bilirubin 0 × ULN — needs < 2.0", "eligible"),
    ],
)
@pytest.mark.parametrize(("first", "then"), [("0", "-0"), ("-0", "0")])
def test_zero_reads_as_zero_whether_entered_as_0_or_minus_0_and_whatever_came_first(
    key, code, reason, outcome, first, then
):
    # "-0" lies inside the range 0–100, so a nurse can enter it. Decimal("-0") == 0 and
    # they hash alike, so both share one cache entry: the reason must not depend on which
    # of the two made it, as "1.50" and "1.5" both read "1.5".
    rules = fresh()
    before = evaluate(rules, screened(rules, **{key: first}))
    after = evaluate(rules, screened(rules, **{key: then}))
    alone = evaluate(fresh(), screened(rules, **{key: then}))
    assert result(before, code).reason == result(after, code).reason == reason
    assert result(alone, code).reason == reason
    assert before.outcome == after.outcome == alone.outcome == outcome
    assert after.to_dict() == alone.to_dict()


# --- derived values beyond the context --------------------------------------------------


def test_a_derived_value_too_large_to_show_cannot_be_worked_out():
    # Without bounds a laboratory ULN of 1e-24 µmol/L passes input: 10 ÷ 1e-24 is 1E+25 × ULN,
    # beyond the 28 digits a reason shows it in (it raised when to_dict wrote the reason).
    values = screened(UNBOUNDED, bilirubin_uln="0.000000000000000000000001")
    evaluation = evaluate(UNBOUNDED, values)
    assert result(evaluation, "I15").status == "unknown"
    assert result(evaluation, "I15").reason == (
        "Bilirubin cannot be worked out from the values given"
    )
    assert evaluation.outcome == "incomplete"
    assert evaluation.missing == ("bilirubin", "bilirubin_uln")  # to check again
    out = json.loads(json.dumps(evaluation.to_dict()))
    assert "bilirubin_x_uln" not in out["derived"]


def test_a_derivation_that_overflows_the_context_cannot_be_worked_out():
    # decimal traps the overflow (it raised out of evaluate); it is never an infinite value.
    values = {**screened(SHIPPED), "bilirubin_uln": D("1E-999999")}
    evaluation = evaluate(SHIPPED, values)
    assert result(evaluation, "I15").status == "unknown"
    assert evaluation.outcome == "incomplete"
    evaluation.to_dict()


@pytest.mark.parametrize(
    ("rules", "answers", "key", "problem"),
    [
        # An input of a derived value no criterion reads: it was kept and to_dict raised.
        (fresh(drop="I15"), {"bilirubin": D("Infinity")}, "bilirubin", "not a finite number"),
        # 0 × infinity when the age is 140: decimal's InvalidOperation came out of evaluate.
        (SHIPPED, {"date_of_birth": date(1886, 11, 20), "weight_kg": D("Infinity")},
         "weight_kg", "not a finite number"),
        # Its clearance is small, but writing how it was worked out raised in to_dict.
        (UNBOUNDED, {"serum_creatinine": D("1E+30")}, "serum_creatinine", "too large"),
    ],
)  # fmt: skip
def test_a_derivation_input_it_cannot_work_with_is_refused(rules, answers, key, problem):
    with pytest.raises(ValueProblem, match=problem) as caught:
        evaluate(rules, {**screened(rules), **answers})
    assert caught.value.key == key
