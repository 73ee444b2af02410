"""Derivations as the shipped file declares them: age, creatinine clearance (measured or
Cockcroft-Gault), bilirubin × ULN. Kinds with other inputs: test_derivation_kinds.py."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_DOWN, ROUND_UP, Inexact, localcontext
from decimal import Decimal as D

import pytest

from criteria.derivations import (
    CONTEXT,
    DERIVATIONS,
    Derived,
    completed_years,
    days_between,
    derive,
    display,
)
from criteria.protocol import DERIVATION_KINDS, VariableSpec, protocol_from_dict
from criteria.values import to_canonical
from tests.criteria.cases import PROTOCOL_FILE

SPECS = protocol_from_dict(json.loads(PROTOCOL_FILE.read_text(encoding="utf-8")))[1].variables


def creatinine_clearance(values: dict[str, object]) -> Derived | None:
    return derive(SPECS["creatinine_clearance"], values, SPECS)


def age_years(values: dict[str, object]) -> Derived | None:
    return derive(SPECS["age_years"], values, SPECS)


def bilirubin_x_uln(values: dict[str, object]) -> Derived | None:
    return derive(SPECS["bilirubin_x_uln"], values, SPECS)


def clearance_inputs(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "age_years": 61, "sex": "female", "weight_kg": D("70"), "serum_creatinine": D("80"),
    }  # fmt: skip
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_cockcroft_gault_woman():
    # (140 − 61) × 70 × 0.85 / (72 × 80/88.4 mg/dL) = 4700.5 × 88.4 / 5760 = 72.1396… mL/min
    result = creatinine_clearance(clearance_inputs())
    assert result.value == CONTEXT.divide(D("415524.2"), D("5760"))
    assert display(result.value) == "72.14"
    assert result.method == "Cockcroft-Gault"
    assert result.how == (
        "Cockcroft-Gault: (140 − 61) × 70 kg × 0.85 / (72 × 0.90 mg/dL [80 µmol/L ÷ 88.4])"
        " = 72.14 mL/min"
    )


def test_cockcroft_gault_man_with_creatinine_entered_in_mg_dl():
    # 1.0 mg/dL = 88.4 µmol/L exactly; (140 − 50) × 80 / (72 × 1.0) = 7200 / 72 = 100 mL/min
    spec = VariableSpec("serum_creatinine", "Serum creatinine", "number", unit="µmol/L",
                        alt_units={"mg/dL": D("88.4")})  # fmt: skip
    creatinine = to_canonical(spec, D("1.0"), "mg/dL")
    assert creatinine == D("88.4")
    values = clearance_inputs(age_years=50, sex="male", weight_kg=D("80"),
                              serum_creatinine=creatinine)  # fmt: skip
    assert creatinine_clearance(values).value == D("100")


def test_measured_clearance_wins_over_the_estimate():
    result = creatinine_clearance(clearance_inputs(creatinine_clearance_measured=D("45")))
    assert (result.value, result.method, result.how) == (D("45"), "measured", "measured: 45 mL/min")


def test_measured_clearance_alone_is_enough():
    result = creatinine_clearance({"creatinine_clearance_measured": D("45")})
    assert result.value == D("45")


@pytest.mark.parametrize("gone", ["age_years", "sex", "weight_kg", "serum_creatinine"])
def test_clearance_is_missing_when_an_input_is(gone):
    assert creatinine_clearance(clearance_inputs(**{gone: None})) is None


def test_clearance_does_not_depend_on_the_callers_decimal_context():
    with localcontext() as ctx:
        ctx.prec = 3
        result = creatinine_clearance(clearance_inputs())
    assert result.value == CONTEXT.divide(D("415524.2"), D("5760"))


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (date(2008, 11, 29), date(2026, 11, 28), 17),  # the day before the 18th birthday
        (date(2008, 11, 29), date(2026, 11, 29), 18),  # on the birthday
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # leap-day birthday, common year
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(1965, 3, 2), date(2026, 11, 29), 61),
    ],
)
def test_completed_years(born, on, years):
    assert completed_years(born, on) == years
    assert age_years({"date_of_birth": born, "screening_date": on}).value == years


def test_age_says_how():
    result = age_years({"date_of_birth": date(1965, 3, 2), "screening_date": date(2026, 11, 29)})
    assert result.how == "61 completed years on 2026-11-29, born 1965-03-02"
    assert isinstance(result.value, int)


@pytest.mark.parametrize("gone", ["date_of_birth", "screening_date"])
def test_age_is_missing_without_both_dates(gone):
    values = {"date_of_birth": date(1965, 3, 2), "screening_date": date(2026, 11, 29)}
    del values[gone]
    assert age_years(values) is None


def test_bilirubin_as_multiple_of_uln():
    result = bilirubin_x_uln({"bilirubin": D("36"), "bilirubin_uln": D("18")})
    assert result.value == D("2")
    assert result.how == "36 µmol/L ÷ 18 µmol/L ULN = 2.00 × ULN"


@pytest.mark.parametrize(
    "values",
    [
        {"bilirubin": D("36")},
        {"bilirubin_uln": D("18")},
        {"bilirubin": D("36"), "bilirubin_uln": D("0")},
    ],
)
def test_bilirubin_ratio_is_missing_without_a_usable_uln(values):
    assert bilirubin_x_uln(values) is None


def test_days_between():
    assert days_between(date(2026, 11, 1), date(2026, 11, 29)) == 28
    assert days_between(date(2026, 11, 29), date(2026, 11, 1)) == -28


def test_display_rounds_half_even_to_two_places():
    assert display(D("72.125")) == "72.12"
    assert display(D("72.135")) == "72.14"


@pytest.mark.parametrize(
    "context",
    [
        {"prec": 3},  # 72.14 has 4 digits: quantize raised InvalidOperation
        {"rounding": ROUND_DOWN},
        {"rounding": ROUND_UP},
        {"traps": [Inexact]},  # quantize raised Inexact
    ],
)
def test_display_does_not_depend_on_the_callers_decimal_context(context):
    value = creatinine_clearance(clearance_inputs()).value  # 72.1396… mL/min
    with localcontext(**context):
        shown = [display(v) for v in (value, D("72.125"), D("72.135"), D("-0.005"))]
    assert shown == ["72.14", "72.12", "72.14", "-0.00"]


def test_every_kind_of_derivation_has_its_calculation():
    assert set(DERIVATIONS) == set(DERIVATION_KINDS)


def test_derived_is_immutable_and_compares_by_content():
    first = Derived(D("1"), "text", "m")
    assert first == Derived(D("1.0"), "text", "m")
    assert first != Derived(D("1"), "other text", "m")
    assert hash(first) == hash(Derived(D("1"), "text", "m"))
    with pytest.raises(AttributeError):
        first.value = D("2")  # type: ignore[misc]
