"""Numbers at the edges of what the evaluator works with: a negative zero, values beyond the
fixed 28-digit context, infinity, a caller's own decimal context. Never "eligible" on them,
and never a traceback later.

Refusing NaN and infinity as input is tested in test_values.py; here, what reaches the
evaluator anyway: a caller's typed values, and protocols whose variables have no bounds.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import ROUND_DOWN, ROUND_UP, Inexact, localcontext
from decimal import Decimal as D

import pytest

from criteria.evaluator import evaluate
from criteria.exceptions import ValueProblem
from criteria.protocol import RuleSet, protocol_from_dict
from criteria.values import parse_values
from tests.criteria.cases import PROTOCOL_FILE, eligible_values

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
        # -0 ÷ 22 would be -0: the derived value, and its cached result, follow the entered one.
        ("bilirubin", "I15", "Bilirubin 0 × ULN — needs < 2.0", "eligible"),
    ],
)
@pytest.mark.parametrize(("first", "then"), [("0", "-0"), ("-0", "0")])
def test_zero_reads_as_zero_whether_entered_as_0_or_minus_0_and_whatever_came_first(
    key, code, reason, outcome, first, then
):
    # "-0" lies inside the range 0–100, so a nurse can enter it. Decimal("-0") == 0 and
    # they hash alike, so both share one cache entry: the reason must not depend on which
    # of the two made it, as "1.50" and "1.5" both read "1.5". An entered -0 is written 0
    # before anything is derived from it.
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


# --- entered numbers of 1E+21 or more -----------------------------------------------------

# What is refused, for every entered number: 1E+21 or more either way. Just inside: a cent
# less, for a number; one less, for an integer.
NUMBER_BELOW = D("999999999999999999999.99")
INTEGER_BELOW = 10**21 - 1


@pytest.mark.parametrize(
    ("key", "value", "code", "reason"),
    [
        # read only by a criterion
        ("neutrophils", NUMBER_BELOW, "I13",
         "Neutrophils 999999999999999999999.99 × 10⁹/L — needs > 1.5"),
        ("neutrophils", -NUMBER_BELOW, "I13",
         "Neutrophils -999999999999999999999.99 × 10⁹/L — needs > 1.5"),
        ("ecog_performance_status", INTEGER_BELOW, "I03",
         "ECOG performance status 999999999999999999999 — needs ≤ 1"),
        ("ecog_performance_status", -INTEGER_BELOW, "I03",
         "ECOG performance status -999999999999999999999 — needs ≤ 1"),
        # read only by a derivation: the clearance is a little above 0 or below it
        ("serum_creatinine", NUMBER_BELOW, "I16",
         "Creatinine clearance 0.00 mL/min (Cockcroft-Gault) — needs > 30"),
        ("serum_creatinine", -NUMBER_BELOW, "I16",
         "Creatinine clearance -0.00 mL/min (Cockcroft-Gault) — needs > 30"),
    ],
)  # fmt: skip
def test_an_entered_number_just_below_1e21_is_worked_with(key, value, code, reason):
    evaluation = evaluate(UNBOUNDED, {**screened(UNBOUNDED), key: value})
    assert result(evaluation, code).reason == reason
    json.dumps(evaluation.to_dict())


@pytest.mark.parametrize(
    ("rules", "key", "value"),
    [
        # read only by a criterion: it was accepted at any size
        (UNBOUNDED, "neutrophils", D("1E+21")),
        (UNBOUNDED, "neutrophils", D("-1E+21")),
        (UNBOUNDED, "neutrophils", D("1000000000000000000000.00")),
        (UNBOUNDED, "neutrophils", 10**21),  # an int, as a number variable may hold
        (UNBOUNDED, "ecog_performance_status", 10**21),
        (UNBOUNDED, "ecog_performance_status", -(10**21)),
        # read by nothing at all
        (fresh(UNBOUNDED, drop="I13"), "neutrophils", D("1E+21")),
        # read only by a derivation, as before
        (UNBOUNDED, "serum_creatinine", D("1E+21")),
        (UNBOUNDED, "serum_creatinine", D("-1E+21")),
    ],
)
def test_an_entered_number_of_1e21_or_more_is_refused(rules, key, value):
    with pytest.raises(ValueProblem) as caught:
        evaluate(rules, {**screened(rules), key: value})
    assert caught.value.key == key
    assert caught.value.message == f"{key}: {value} is too large to work with"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("999999999999999999999.99", None),
        ("-999999999999999999999.99", None),
        ("1000000000000000000000", "neutrophils: 1000000000000000000000 × 10⁹/L is too large"),
        (-1e21, "neutrophils: -1E+21 × 10⁹/L is too large to work with"),  # a JSON number
    ],
)
def test_the_screen_command_refuses_an_entered_number_of_1e21_or_more(raw, problem):
    if problem is None:
        assert parse_values(UNBOUNDED, {"neutrophils": raw}) == {"neutrophils": D(raw)}
    else:
        with pytest.raises(ValueProblem, match=re.escape(problem)):
            parse_values(UNBOUNDED, {"neutrophils": raw})


# --- the caller's decimal context ---------------------------------------------------------

CALLERS_CONTEXTS = [
    {"prec": 3},  # displaying 72.14 mL/min raised InvalidOperation
    {"prec": 3, "rounding": ROUND_UP},
    {"rounding": ROUND_DOWN},  # 1.9999995… × ULN read "1.999999", not "1.9999995…"
    {"traps": [Inexact]},  # rounding for the text raised Inexact
]


@pytest.mark.parametrize("context", CALLERS_CONTEXTS)
@pytest.mark.parametrize(
    "answers",
    [
        {},  # the clearance by Cockcroft-Gault, bilirubin 10 ÷ 22 × ULN
        {"bilirubin": "43.99999"},  # 1.9999995… × ULN: 2.00 would contradict "needs < 2.0"
        {"bilirubin": "44.0001"},  # 2.0000045… × ULN: 2.00 does not
        {"weight_kg": "22.2", "serum_creatinine": "61"},  # 30.0046… mL/min: "needs > 30"
    ],
)
def test_reasons_do_not_depend_on_the_callers_decimal_context(context, answers):
    # Reasons and hows are written when first read: each side has rules (and caches) of
    # its own, and is read inside its context.
    values = screened(SHIPPED, **answers)
    expected = evaluate(fresh(), values).to_dict()
    with localcontext(**context):
        assert evaluate(fresh(), values).to_dict() == expected


def test_a_derived_value_rounded_to_contradict_its_rule_is_shown_in_full():
    # The case above whose text a caller's rounding changed.
    evaluation = evaluate(fresh(), screened(SHIPPED, bilirubin="43.99999"))
    assert result(evaluation, "I15").reason == (
        "Bilirubin 1.999999545454545454545454545 × ULN — needs < 2.0"
    )
