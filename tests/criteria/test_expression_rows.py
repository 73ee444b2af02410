"""A rule as the editor's rows and back (criteria.expression_rows): pure, no database."""

import json

import pytest

from criteria.expression_rows import (
    MAX_DEPTH,
    comparison_from_text,
    expression_from_rows,
    part_add,
    part_remove,
    row_tree,
    rows_from_expression,
    rows_problem,
    unrepresentable,
)
from criteria.forms import OPERATOR_LABELS
from criteria.protocol.reading import build_variables
from tests.criteria.group_editing import GROUP_PROTOCOL

VARIABLES = build_variables(json.loads(GROUP_PROTOCOL.read_text(encoding="utf-8"))["variables"])
A = {"variable": "age", "operator": "gte", "value": "18"}
B = {"variable": "crcl", "operator": "gt", "value": "50"}
C = {"variable": "stage", "operator": "in", "value": ["3", "4"]}
NESTED = {"any": [A, {"all": [B, C]}]}


def _read(rows):
    return expression_from_rows("any", rows, lambda _, row: comparison_from_text(row, VARIABLES)[0])


def test_a_nested_rule_becomes_rows_in_reading_order_and_back():
    mode, rows = rows_from_expression(NESTED, VARIABLES)
    assert mode == "any"
    assert [(r["depth"], r["mode"], r["variable"]) for r in rows] == [
        (1, "", "age"),
        (1, "all", ""),
        (2, "", "crcl"),
        (2, "", "stage"),
    ]
    assert rows[3]["value"] == "3, 4"
    assert row_tree(rows) == [(0, []), (1, [(2, []), (3, [])])]
    assert _read(rows) == NESTED
    assert rows_from_expression(A, VARIABLES) == ("", [])


@pytest.mark.parametrize(
    ("depths", "problem"),
    [
        ([1, 1], ""),
        ([2], "deeper than the group above it"),
        ([1, 2], "deeper than the group above it"),  # row 1 is a comparison
        ([0], "parts nest 1 to 8 deep"),
        ([MAX_DEPTH + 1], "parts nest 1 to 8 deep"),
        (["1"], "parts nest 1 to 8 deep"),
    ],
)
def test_rows_that_form_no_tree_are_named(depths, problem):
    rows = [{"depth": d, "mode": ""} for d in depths]
    assert (problem in rows_problem(rows)) if problem else rows_problem(rows) == ""


def test_a_group_row_may_have_parts_one_level_deeper():
    rows = [{"depth": 1, "mode": "all"}, {"depth": 2, "mode": ""}, {"depth": 1, "mode": ""}]
    assert rows_problem(rows) == ""


def test_parts_are_added_at_the_end_of_their_group_and_removed_with_their_parts():
    _, rows = rows_from_expression(NESTED, VARIABLES)
    added, at = part_add(rows, 1)
    assert at == 4 and added[4]["depth"] == 2 and added[4]["variable"] == ""
    grouped, at = part_add(rows, None, "all")
    assert at == 4 and [r["depth"] for r in grouped[4:]] == [1, 2, 2]
    assert part_remove(rows, 1) == rows[:1]
    assert part_remove(rows, 2) == [rows[0], rows[1], rows[3]]


@pytest.mark.parametrize(
    ("typed", "stored", "problem"),
    [
        ({"variable": "crcl", "operator": "gt", "value": " 50,5 "}, "50.5", ""),
        ({"variable": "crcl", "operator": "gt", "value": "50,000"}, "50,000", "could mean"),
        ({"variable": "stage", "operator": "in", "value": "3, 4,"}, ["3", "4"], ""),
        ({"variable": "hepatitis_b", "operator": "is_true", "value": "x"}, None, ""),
    ],
)
def test_typed_text_is_read_as_the_screening_form_reads_it(typed, stored, problem):
    condition, found = comparison_from_text(typed, VARIABLES)
    assert condition["value"] == stored
    assert (problem in found) if problem else found == ""


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        (NESTED, ""),
        (A, ""),
        ({"variable": "gone", "operator": "gt", "value": "1"}, 'it reads "gone"'),
        ({"variable": "age", "operator": "between", "value": "1"}, 'operator "between"'),
        ({"any": [{**B, "value": "50.000"}]}, "would store it differently"),
        ({"any": [{**B, "value": 50}]}, "would store it differently"),
        ({"any": [{**C, "value": ["3,4"]}]}, "would store it differently"),
        ([A], "not a comparison or a group"),
    ],
)
def test_what_the_fields_cannot_give_back_exactly_is_named(expression, why):
    found = unrepresentable(expression, VARIABLES, OPERATOR_LABELS)
    assert (why in found) if why else found == ""
