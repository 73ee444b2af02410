"""Each criterion as one FHIRPath expression (TIRL and the FHIR characteristic's expression)."""

import json

import pytest

from screening.review.standards.rule_text import (
    NotExpressible,
    criterion_expression,
    expression_text,
)
from tests.cases import PROTOCOL_FILE

TYPES = {
    "neutrophils": "number",
    "ecog": "integer",
    "consent": "boolean",
    "stage": "choice",
    "disease": "choice",
    "last_chemo": "date",
    "start": "date",
    "her2": "choice",
    "odd-key": "number",
}


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        ({"variable": "neutrophils", "operator": "gt", "value": "1.5"}, "%neutrophils > 1.5"),
        ({"variable": "neutrophils", "operator": "gte", "value": "1.5"}, "%neutrophils >= 1.5"),
        ({"variable": "neutrophils", "operator": "lt", "value": "1.5"}, "%neutrophils < 1.5"),
        ({"variable": "ecog", "operator": "lte", "value": "1"}, "%ecog <= 1"),
        ({"variable": "ecog", "operator": "eq", "value": "0"}, "%ecog = 0"),
        ({"variable": "ecog", "operator": "ne", "value": "0"}, "%ecog != 0"),
        ({"variable": "consent", "operator": "is_true", "value": None}, "%consent = true"),
        ({"variable": "consent", "operator": "is_false", "value": None}, "%consent = false"),
        # A choice that looks like a number is still text.
        ({"variable": "stage", "operator": "eq", "value": "2"}, "%stage = '2'"),
        ({"variable": "stage", "operator": "in", "value": ["3", "4"]}, "%stage in ('3' | '4')"),
        (
            {"variable": "disease", "operator": "not_in", "value": ["none", "limited"]},
            "(%disease in ('none' | 'limited')).not()",
        ),
        ({"variable": "her2", "operator": "eq", "value": "it's"}, "%her2 = 'it\\'s'"),
        ({"variable": "odd-key", "operator": "gt", "value": "2"}, "%`odd-key` > 2"),
        (
            {
                "variable": "last_chemo",
                "operator": "within_days_before",
                "value": 28,
                "other": "start",
            },
            "(%last_chemo != 'never' and %last_chemo > %start - 28 days)",
        ),
        (
            {
                "variable": "last_chemo",
                "operator": "not_within_days_before",
                "value": 28,
                "other": "start",
            },
            "(%last_chemo = 'never' or %last_chemo <= %start - 28 days)",
        ),
    ],
)
def test_each_operator_has_its_fhirpath_form(condition, text):
    assert expression_text(condition, TYPES) == text


def test_groups_are_parenthesised_with_and_or_or():
    group = {
        "any": [
            {"all": [{"variable": "ecog", "operator": "gte", "value": "0"}]},
            {"variable": "consent", "operator": "is_true", "value": None},
        ]
    }
    assert expression_text(group, TYPES) == "((%ecog >= 0) or %consent = true)"


def _criterion(kind: str, applies_if: list) -> dict:
    return {
        "kind": kind,
        "expression": {"variable": "neutrophils", "operator": "gt", "value": "1.5"},
        "applies_if": applies_if,
    }


def test_an_inclusion_that_applies_only_sometimes_is_an_implication():
    when = [{"variable": "her2", "operator": "eq", "value": "positive"}]
    assert (
        criterion_expression(_criterion("inclusion", when), TYPES)
        == "(%her2 = 'positive') implies (%neutrophils > 1.5)"
    )


def test_an_exclusion_that_applies_only_sometimes_needs_both():
    when = [
        {"variable": "her2", "operator": "eq", "value": "positive"},
        {"variable": "consent", "operator": "is_true", "value": None},
    ]
    assert (
        criterion_expression(_criterion("exclusion", when), TYPES)
        == "%her2 = 'positive' and %consent = true and (%neutrophils > 1.5)"
    )


def test_a_criterion_that_always_applies_is_its_expression():
    assert criterion_expression(_criterion("inclusion", []), TYPES) == "%neutrophils > 1.5"


def test_an_operator_it_does_not_know_is_refused_not_guessed():
    with pytest.raises(NotExpressible):
        expression_text({"variable": "ecog", "operator": "between", "value": "1"}, TYPES)


def test_every_criterion_of_nct01387295_has_an_expression_within_sdtms_200_characters():
    data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    types = {v["key"]: v["data_type"] for v in data["variables"]}
    texts = [criterion_expression(c, types) for c in data["criteria_set"]["criteria"]]
    assert len(texts) == 37
    assert all(0 < len(t) <= 200 for t in texts)
    by_code = dict(zip([c["code"] for c in data["criteria_set"]["criteria"]], texts, strict=True))
    assert by_code["I13"] == "%neutrophils > 1.5"
    assert by_code["I18"] == "(%her2_status = 'positive') implies (%lvef_percent >= 50)"
