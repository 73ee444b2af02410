"""SDTM texts: ASCII, one line, at most 200 characters; IETESTCD at most 8, upper case, unique."""

import pytest

from screening.review.standards.sdtm_text import ascii_text, sdtm_text, short_names


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("expected survival ≥ 3 months", "expected survival >= 3 months"),
        ("Neutrophils > 1.5 × 10⁹/L", "Neutrophils > 1.5 x 10^9/L"),
        ("bilirubin ≤ 2 µmol/L", "bilirubin <= 2 umol/L"),
        ("Ærø, Søborg og Århus", "AEroe, Soeborg og AArhus"),
        ("café – “quoted”", 'cafe - "quoted"'),
        ("two\nlines\t and  spaces ", "two lines and spaces"),
        ("snow ☃ man", "snow ? man"),
    ],
)
def test_texts_become_ascii_by_the_documented_table(text, ascii):
    assert ascii_text(text) == ascii


def test_a_text_of_exactly_200_characters_is_kept_whole():
    text = "a" * 199 + "b"
    assert sdtm_text(text) == text


def test_a_text_of_201_characters_is_cut_at_a_word_and_says_so():
    text = ("word " * 40) + "x"  # 201 characters
    assert len(text) == 201
    short = sdtm_text(text)
    assert len(short) <= 200
    assert short.endswith(" ...")
    assert short[:-4] == ("word " * 39).strip()


def test_a_text_without_spaces_is_cut_at_the_limit():
    assert sdtm_text("x" * 300) == "x" * 197 + " ..."


def test_codes_are_upper_case_and_kept_when_they_fit():
    assert short_names(["I01", "e07", "inc-age"]) == {
        "I01": "I01",
        "e07": "E07",
        "inc-age": "INCAGE",
    }


def test_a_code_of_exactly_8_characters_is_kept_and_9_is_shortened_with_a_counter():
    codes = short_names(["ABCDEFGH", "ABCDEFGHI", "ABCDEFGHJ"])
    assert codes == {"ABCDEFGH": "ABCDEFGH", "ABCDEFGHI": "ABCDEF01", "ABCDEFGHJ": "ABCDEF02"}


def test_codes_that_would_collide_stay_unique():
    codes = short_names(["inc-1", "INC1", "inc_1"])
    assert codes["inc-1"] == "INC1"
    assert codes["INC1"] == "INC101"
    assert codes["inc_1"] == "INC_1"
    assert len(set(codes.values())) == 3


def test_a_code_starting_with_a_digit_starts_with_a_letter():
    assert short_names(["12"]) == {"12": "C12"}
