"""A group's changes in words, part by part: on the Changes page and from criteria_diff."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from criteria.describe import rule_changes, rule_in_words
from criteria.protocol.reading import build_variables
from tests.criteria.group_editing import GROUP_PROTOCOL, edit_url, form_values, press

VARIABLES = build_variables(json.loads(GROUP_PROTOCOL.read_text(encoding="utf-8"))["variables"])
ULN = {"variable": "creatinine_x_uln_entered", "operator": "lte", "value": "1"}
CRCL_50 = {"variable": "crcl", "operator": "gt", "value": "50"}
CRCL_60 = {"variable": "crcl", "operator": "gt", "value": "60"}
AGE_80 = {"variable": "age", "operator": "lt", "value": "80"}
ULN_WORDS = "Creatinine as a multiple of ULN ≤ 1 × ULN"
CRCL_50_WORDS = "Creatinine clearance > 50 mL/min"


def test_a_group_in_words_says_which_parts_must_hold():
    assert rule_in_words({"any": [ULN, CRCL_50]}, VARIABLES) == (
        f"any of: {ULN_WORDS} or {CRCL_50_WORDS}"
    )
    nested = {"all": [AGE_80, {"any": [ULN, CRCL_50]}]}
    assert rule_in_words(nested, VARIABLES) == (
        f"all of: Age < 80 years and ({ULN_WORDS} or {CRCL_50_WORDS})"
    )
    assert rule_in_words(CRCL_50, VARIABLES) == CRCL_50_WORDS


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        ({"any": [ULN, CRCL_50]}, {"all": [ULN, CRCL_50]}, ["any of → all of"]),
        (
            {"any": [ULN, CRCL_50]},
            {"any": [ULN, CRCL_50, AGE_80]},
            ["part 3 added: Age < 80 years"],
        ),
        ({"any": [ULN, CRCL_50]}, {"any": [CRCL_50]}, [f"part 1 removed: {ULN_WORDS}"]),
        (
            {"any": [ULN, CRCL_50]},
            {"any": [ULN, CRCL_60]},
            [f"part 2 changed: {CRCL_50_WORDS} → Creatinine clearance > 60 mL/min"],
        ),
        (
            CRCL_50,
            {"any": [CRCL_50, ULN]},
            ["one comparison → any of", f"part 2 added: {ULN_WORDS}"],
        ),
        (
            {"any": [ULN, CRCL_50]},
            ULN,
            ["any of → one comparison", f"part 2 removed: {CRCL_50_WORDS}"],
        ),
        (
            {"any": [ULN, {"all": [CRCL_50, AGE_80]}]},
            {"any": [ULN, {"any": [CRCL_50, AGE_80, CRCL_60]}]},
            ["part 2: all of → any of", "part 2.3 added: Creatinine clearance > 60 mL/min"],
        ),
        ({"any": [ULN, CRCL_50]}, {"any": [CRCL_50, ULN]}, []),  # the same parts, reordered
        (CRCL_50, CRCL_60, []),  # no group: the rule's old → new says it all
        ({"any": [ULN]}, {"any": [{"variable": "gone", "operator": "gt", "value": "1"}]}, []),
    ],
)
def test_a_group_change_is_said_part_by_part(old, new, lines):
    assert rule_changes(old, new, VARIABLES) == lines


@pytest.mark.django_db
def test_the_changes_page_and_criteria_diff_say_what_happened_to_the_group(
    criteria_admin_client, group_draft
):
    url = edit_url(group_draft, "inc-renal")
    shown = form_values(press(criteria_admin_client, url, form_values(
        criteria_admin_client.get(url).content), "add:root").content)  # fmt: skip
    third = {"part-2-variable": "age", "part-2-operator": "lt", "part-2-value": "80"}
    assert (
        press(criteria_admin_client, url, shown, mode="all", reason="r", **third).status_code == 302
    )

    page = criteria_admin_client.get(reverse("criteria:set-diff", args=["NCT09990001", 2]))
    entry = next(e for e in page.context["diff"] if e["code"] == "inc-renal")
    assert entry["rule_changes"] == ["any of → all of", "part 3 added: Age < 80 years"]
    assert ("Rule", f"any of: {ULN_WORDS} or {CRCL_50_WORDS}", (
        f"all of: {ULN_WORDS} and {CRCL_50_WORDS} and Age < 80 years"
    )) in entry["fields"]  # fmt: skip
    assert "part 3 added: Age &lt; 80 years" in page.content.decode()

    out = io.StringIO()
    call_command("criteria_diff", "NCT09990001", "1", "2", stdout=out)
    assert "  rule: any of → all of\n  rule: part 3 added: Age < 80 years\n" in out.getvalue()
