"""The one rule for typed numbers (criteria.typed_numbers): what is read, what is refused and
how a stored number is shown back so that it reads back the same."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from criteria.values import decimal_from_text, integer_from_text, number_text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.4", D("1.4")),
        ("1,4", D("1.4")),
        ("-0,5", D("-0.5")),
        ("−0,5", D("-0.5")),  # the minus sign copied from a lab report
        ("+2", D("2")),
        ("12", D("12")),
        ("12,5", D("12.5")),
        ("1,2", D("1.2")),
        (".5", D("0.5")),
        (",5", D("0.5")),
        ("  1,4 ", D("1.4")),
        ("0", D("0")),
        ("007", D("7")),
        # Two or four digits after the separator are never a thousands group: a decimal part.
        ("12,50", D("12.50")),
        ("1,40", D("1.40")),
        ("1,4000", D("1.4000")),
        ("1234,5678", D("1234.5678")),
        # Three digits after a bare 0 cannot be thousands either.
        ("0,400", D("0.400")),
        ("0.125", D("0.125")),
        (",125", D("0.125")),
        ("-0,125", D("-0.125")),
        ("1" * 40, D("1" * 40)),  # the longest text read; too large is number_problem's call
    ],
)
def test_read(text, value):
    read = decimal_from_text(text)
    assert read == value
    assert str(read) == str(value)  # the digits as typed: 12,50 stays 12.50


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1,400", '"1,400" could mean 1.4 or 1400: write 1,4 or 1400'),
        ("1.400", '"1.400" could mean 1.4 or 1400: write 1,4 or 1400'),
        ("1,000", '"1,000" could mean 1 or 1000: write 1 or 1000'),
        ("1,234", '"1,234" could mean 1.234 or 1234: write 1,2340 or 1234'),
        ("12,500", '"12,500" could mean 12.5 or 12500'),
        ("-1,500", '"-1,500" could mean -1.5 or -1500'),
        ("1.234,5", "a thousands separator or space is not allowed"),
        ("1,234.5", "a thousands separator or space is not allowed"),
        ("1.234.567", "a thousands separator or space is not allowed"),
        ("1 400", "a thousands separator or space is not allowed"),
        ("1\u00a0400", "a thousands separator or space is not allowed"),
        ("1'400", "a thousands separator or space is not allowed"),
        ("1,2,3", "a thousands separator or space is not allowed"),
        ("5,", "write the digits after the decimal separator"),
        ("5.", "write the digits after the decimal separator"),
        ("1e3", '"1e3" is not a number'),
        ("1E-2", '"1E-2" is not a number'),
        ("abc", '"abc" is not a number'),
        ("1,4abc", '"1,4abc" is not a number'),
        ("NaN", '"NaN" is not a number'),
        ("Infinity", '"Infinity" is not a number'),
        ("0x10", '"0x10" is not a number'),
        ("١٫٤", "is not a number"),  # Arabic-Indic digits: not what the ward types
        ("--1", '"--1" is not a number'),
        ("-", '"-" is not a number'),
        (",", '",": write the digits after'),
        ("", "Enter a number"),
        ("   ", "Enter a number"),
        ("1" * 41, "A number has at most 40 characters"),
        ("1" * 100_000, "A number has at most 40 characters"),
    ],
)
def test_refused_saying_how_to_write_it(text, says):
    with pytest.raises(ValueError) as refused:
        decimal_from_text(text)
    assert says in str(refused.value)


def test_zero_before_three_digits_is_read_with_more_zeros_too():
    assert decimal_from_text("00,400") == D("0.4")


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("2", 2), (" 5 ", 5), ("12", 12)])
def test_whole_numbers_read(text, value):
    assert integer_from_text(text) == value


@pytest.mark.parametrize("text", ["1,0", "1.0", "-1", "+1", "1e0", "one", "", "1 0", "²"])
def test_whole_numbers_are_digits_only(text):
    with pytest.raises(ValueError, match="write digits only, like 2"):
        integer_from_text(text)


@pytest.mark.parametrize(
    ("value", "english", "danish"),
    [
        (D("1.4"), "1.4", "1,4"),
        (D("12.50"), "12.50", "12,50"),
        (D("0.400"), "0.400", "0,400"),
        (D("1.250"), "1.2500", "1,2500"),  # 1,250 would be refused as two readings
        (D("-1.234"), "-1.2340", "-1,2340"),
        (D("1E-7"), "0.0000001", "0,0000001"),  # never 1E-7, which the rule refuses
        (D("1E+2"), "100", "100"),
        (D("12"), "12", "12"),
        (3, "3", "3"),
    ],
)
def test_a_stored_number_is_shown_in_the_languages_form_and_reads_back_the_same(
    value, english, danish
):
    with translation.override("en-gb"):
        assert number_text(value) == english
    with translation.override("da"):
        assert number_text(value) == danish
    assert decimal_from_text(english) == value == decimal_from_text(danish)
