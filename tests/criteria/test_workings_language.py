"""A derivation's working in the reader's language: decimal commas and dd-mm-yyyy on a Danish
page, decimal points and ISO dates in English (what a decision records)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.utils import translation

from criteria.values import format_amount
from tests.criteria.test_derivations import (
    SPECS,
    age_years,
    bilirubin_x_uln,
    clearance_inputs,
    creatinine_clearance,
)


def test_cockcroft_gault_reads_decimal_commas_in_danish_and_points_in_english():
    # Worked out once, read in both languages: the text follows the reader, not the moment
    # the value was derived.
    result = creatinine_clearance(clearance_inputs(weight_kg=D("70.5"), serum_creatinine=D("80.5")))
    with translation.override("da"):
        danish = str(result.how)
    with translation.override("en"):
        english = str(result.how)
    assert danish == (
        "Cockcroft-Gault: (140 − 61) × 70,5 kg × 0,85 / (72 × 0,91 mg/dL [80,5 µmol/L ÷ 88,4])"
        " = 72,20 mL/min"
    )
    assert english == danish.replace(",", ".")


def test_a_measured_clearance_reads_a_decimal_comma_in_danish():
    result = creatinine_clearance(clearance_inputs(creatinine_clearance_measured=D("45.5")))
    with translation.override("da"):
        assert "45,5 mL/min" in str(result.how)
    with translation.override("en"):
        assert str(result.how) == "measured: 45.5 mL/min"


def test_times_uln_reads_danish_numbers_and_abbreviation():
    result = bilirubin_x_uln({"bilirubin": D("36.5"), "bilirubin_uln": D("18")})
    with translation.override("da"):
        assert str(result.how) == "36,5 µmol/L ÷ 18 µmol/L ØNG = 2,03 × ØNG"
    with translation.override("en"):
        assert str(result.how) == "36.5 µmol/L ÷ 18 µmol/L ULN = 2.03 × ULN"


def test_age_reads_danish_dates():
    result = age_years({"date_of_birth": date(1965, 3, 2), "screening_date": date(2026, 11, 29)})
    with translation.override("da"):
        danish = str(result.how)
    assert "29-11-2026" in danish and "02-03-1965" in danish
    assert "2026-11-29" not in danish


def test_a_value_with_its_unit_reads_a_decimal_comma_in_danish():
    # Beside a value from the hospital record, and in a plausible-range error.
    with translation.override("da"):
        assert format_amount(SPECS["weight_kg"], D("70.5")) == "70,5 kg"
    with translation.override("en"):
        assert format_amount(SPECS["weight_kg"], D("70.5")) == "70.5 kg"
