"""All-of / any-of groups in the criteria editor: parts shown, added, removed, regrouped and
nested, checked as the protocol loader checks them, and never rewritten unasked."""

import json

import pytest
from django.urls import reverse

from criteria.services import criteria_set_draft_create, protocol_load
from tests.criteria.cases import PROTOCOL_FILE
from tests.criteria.group_editing import (
    GROUP_PROTOCOL,
    edit_url,
    focused,
    form_values,
    parts_shown,
    press,
)

pytestmark = pytest.mark.django_db

RENAL_ANY = {
    "any": [
        {"variable": "creatinine_x_uln_entered", "operator": "lte", "value": "1"},
        {"variable": "crcl", "operator": "gt", "value": "50"},
    ]
}
REASON = {"reason": "Amendment 4"}


def _codes(path):
    return [
        c["code"] for c in json.loads(path.read_text(encoding="utf-8"))["criteria_set"]["criteria"]
    ]


def _open(client, draft, code):
    url = edit_url(draft, code)
    response = client.get(url)
    assert response.status_code == 200
    return url, form_values(response.content)


def _stored(draft, code):
    return draft.criteria.get(code=code).as_rule_dict()


@pytest.mark.parametrize("code", _codes(GROUP_PROTOCOL))
def test_a_criterion_opened_and_saved_unchanged_is_stored_unchanged(
    criteria_admin_client, group_draft, code
):
    before = _stored(group_draft, code)
    url, shown = _open(criteria_admin_client, group_draft, code)
    assert press(criteria_admin_client, url, shown, **REASON).status_code == 302
    assert _stored(group_draft, code) == before


@pytest.mark.parametrize("code", _codes(PROTOCOL_FILE))
def test_every_shipped_criterion_saved_unchanged_is_stored_unchanged(
    criteria_admin_client, trial, criteria_admin, code
):
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    before = _stored(draft, code)
    url, shown = _open(criteria_admin_client, draft, code)
    assert press(criteria_admin_client, url, shown, **REASON).status_code == 302
    assert _stored(draft, code) == before


def test_a_group_is_shown_part_by_part(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    assert shown["mode"] == "any"
    assert (shown["part-0-variable"], shown["part-0-operator"], shown["part-0-value"]) == (
        "creatinine_x_uln_entered",
        "lte",
        "1",
    )
    assert (shown["part-1-variable"], shown["part-1-operator"], shown["part-1-value"]) == (
        "crcl",
        "gt",
        "50",
    )
    assert "variable" not in shown  # no single comparison to be saved in its place


def test_adding_a_part_shows_it_empty_and_saves_nothing(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    response = press(criteria_admin_client, url, shown, "add:root", label="Typed, not saved")
    assert response.status_code == 200
    assert parts_shown(response.content) == ["1", "2", "3"]
    again = form_values(response.content)
    assert again["label"] == "Typed, not saved"  # what was typed stays on the page
    assert again["part-2-variable"] == "" and again["part-2-operator"] == ""
    assert focused(response.content) == "part-2-variable"  # the keyboard goes on there
    assert _stored(group_draft, "inc-renal")["expression"] == RENAL_ANY


def test_an_added_part_is_saved(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    shown = form_values(press(criteria_admin_client, url, shown, "add:root").content)
    third = {"part-2-variable": "age", "part-2-operator": "lt", "part-2-value": "80"}
    assert press(criteria_admin_client, url, shown, **third, **REASON).status_code == 302
    expression = _stored(group_draft, "inc-renal")["expression"]
    assert expression == {
        "any": [*RENAL_ANY["any"], {"variable": "age", "operator": "lt", "value": "80"}]
    }


def test_removing_a_part_then_saving(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    response = press(criteria_admin_client, url, shown, "remove:0")
    assert parts_shown(response.content) == ["1"]
    assert focused(response.content) == "add:root"
    assert _stored(group_draft, "inc-renal")["expression"] == RENAL_ANY
    shown = form_values(response.content)
    wording = {"protocol_wording": "Creatinine clearance > 50 mL/min"}
    assert press(criteria_admin_client, url, shown, **wording, **REASON).status_code == 302
    assert _stored(group_draft, "inc-renal")["expression"] == {"any": [RENAL_ANY["any"][1]]}


def test_switching_any_of_to_all_of(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    assert press(criteria_admin_client, url, shown, mode="all", **REASON).status_code == 302
    assert _stored(group_draft, "inc-renal")["expression"] == {"all": RENAL_ANY["any"]}


def test_a_nested_group_is_added_edited_and_shown_again(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    response = press(criteria_admin_client, url, shown, "add:root:group")
    assert parts_shown(response.content) == ["1", "2", "3", "3.1", "3.2"]
    shown = form_values(response.content)
    assert shown["part-2-mode"] == "all"  # inside an any-of group, most often all-of
    typed = {
        "part-3-variable": "crcl",
        "part-3-operator": "gt",
        "part-3-value": "40",
        "part-4-variable": "age",
        "part-4-operator": "gte",
        "part-4-value": "75",
    }
    assert press(criteria_admin_client, url, shown, **typed, **REASON).status_code == 302
    nested = {
        "all": [
            {"variable": "crcl", "operator": "gt", "value": "40"},
            {"variable": "age", "operator": "gte", "value": "75"},
        ]
    }
    stored = _stored(group_draft, "inc-renal")
    assert stored["expression"] == {"any": [*RENAL_ANY["any"], nested]}
    # Shown again part by part, and saved unchanged it stays as it is.
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    assert press(criteria_admin_client, url, shown, **REASON).status_code == 302
    assert _stored(group_draft, "inc-renal") == stored


def test_a_part_added_inside_a_nested_group(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    shown = form_values(press(criteria_admin_client, url, shown, "add:root:group").content)
    response = press(criteria_admin_client, url, shown, "add:2")
    assert parts_shown(response.content) == ["1", "2", "3", "3.1", "3.2", "3.3"]
    assert focused(response.content) == "part-5-variable"
    shown = form_values(
        press(criteria_admin_client, url, form_values(response.content), "remove:2").content
    )
    assert "part-2-mode" not in shown and shown["part-TOTAL_FORMS"] == "2"


def test_one_comparison_becomes_the_first_part_of_a_group_and_back(
    criteria_admin_client, group_draft
):
    url, shown = _open(criteria_admin_client, group_draft, "inc-stage")
    response = press(criteria_admin_client, url, shown, "wrap:any")
    assert parts_shown(response.content) == ["1", "2"]
    grouped = form_values(response.content)
    assert (grouped["mode"], grouped["part-0-variable"], grouped["part-0-value"]) == (
        "any",
        "stage",
        "3, 4",
    )
    unwrapped = press(criteria_admin_client, url, grouped, "remove:1")
    unwrapped = press(criteria_admin_client, url, form_values(unwrapped.content), "unwrap")
    back = form_values(unwrapped.content)
    assert (back.get("mode", ""), back["variable"], back["operator"], back["value"]) == (
        "",
        "stage",
        "in",
        "3, 4",
    )
    typed = {"part-1-variable": "age", "part-1-operator": "gte", "part-1-value": "65"}
    assert press(criteria_admin_client, url, grouped, **typed, **REASON).status_code == 302
    assert _stored(group_draft, "inc-stage")["expression"] == {
        "any": [
            {"variable": "stage", "operator": "in", "value": ["3", "4"]},
            {"variable": "age", "operator": "gte", "value": "65"},
        ]
    }


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"part-1-value": "500"},
            "value",
            'outside the plausible range 0–250 of variable "Creatinine clearance"',
        ),
        ({"part-1-value": "250,000"}, "value", "could mean"),
        (
            {"part-1-operator": "is_true"},
            "operator",
            'does not fit number variable "Creatinine clearance"',
        ),
        ({"part-1-variable": ""}, "variable", "This field is required."),
        (
            {"part-1-value": ""},
            "value",
            'threshold for number variable "Creatinine clearance": "" is not',
        ),
    ],
)
def test_a_bad_part_is_refused_next_to_it(
    criteria_admin_client, group_draft, typed, field, message
):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    response = press(criteria_admin_client, url, shown, **typed, **REASON)
    assert response.status_code == 200
    part = response.context["form"].parts.forms[1]
    assert any(message in error for error in part.errors[field]), part.errors
    assert not response.context["form"].parts.forms[0].errors
    assert message.split('"')[0] in response.content.decode()
    assert _stored(group_draft, "inc-renal")["expression"] == RENAL_ANY


def test_an_empty_group_is_refused_next_to_it(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    shown = form_values(press(criteria_admin_client, url, shown, "add:root:group").content)
    shown = form_values(press(criteria_admin_client, url, shown, "remove:3").content)
    shown = form_values(press(criteria_admin_client, url, shown, "remove:3").content)
    response = press(criteria_admin_client, url, shown, **REASON)
    assert response.status_code == 200
    assert response.context["form"].parts.forms[2].errors["mode"] == [
        "a group needs a non-empty list of parts"
    ]
    assert _stored(group_draft, "inc-renal")["expression"] == RENAL_ANY


def test_a_group_without_parts_is_refused(criteria_admin_client, group_draft):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    shown = form_values(press(criteria_admin_client, url, shown, "remove:0").content)
    shown = form_values(press(criteria_admin_client, url, shown, "remove:0").content)
    response = press(criteria_admin_client, url, shown, **REASON)
    assert response.context["form"].errors["mode"] == ["a group needs a non-empty list of parts"]
    assert _stored(group_draft, "inc-renal")["expression"] == RENAL_ANY


@pytest.mark.parametrize(
    "forged",
    [
        {"part-0-depth": "2"},  # deeper than the group above it
        {"part-1-depth": "0"},
        {"part-1-depth": "9223372036854775808"},
        {"part-1-depth": "x"},
        {"part-TOTAL_FORMS": "9"},
        {"part-TOTAL_FORMS": "100000"},
        {"part-0-mode": "none"},
    ],
)
def test_parts_that_do_not_form_a_rule_are_refused(criteria_admin_client, group_draft, forged):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    response = press(criteria_admin_client, url, shown, **forged, **REASON)
    assert response.status_code == 200
    assert not response.context["form"].is_valid()
    assert _stored(group_draft, "inc-renal")["expression"] == RENAL_ANY


@pytest.mark.parametrize("action", ["remove:7", "add:0", "add:x", "unwrap", "wrap:any", "odd"])
def test_a_stale_or_forged_rule_button_saves_nothing(criteria_admin_client, group_draft, action):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    response = press(criteria_admin_client, url, shown, action, mode="all", **REASON)
    assert response.status_code in (200, 302)
    assert _stored(group_draft, "inc-renal")["expression"] in (RENAL_ANY, {"all": RENAL_ANY["any"]})


def _deep(depth: int) -> dict:
    """inc-age's rule (age 18 to 70) as the innermost of `depth` nested groups."""
    expression = {
        "all": [
            {"variable": "age", "operator": "gte", "value": "18"},
            {"variable": "age", "operator": "lte", "value": "70"},
        ]
    }
    for level in range(depth - 1):
        expression = {("any", "all")[level % 2]: [expression]}
    return expression


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"expression": _deep(9)}, "parts nest 1 to 8 deep"),
        (
            {"applies_if": [{"variable": "stage", "operator": "ne", "value": "2"}] * 3},
            "3 applies-if conditions",
        ),
    ],
)
def test_a_rule_the_editor_cannot_show_exactly_is_not_saved_unasked(
    criteria_admin_client, group_draft, changes, why
):
    criterion = group_draft.criteria.get(code="inc-age")
    for name, value in changes.items():
        setattr(criterion, name, value)
    criterion.save()
    before = _stored(group_draft, "inc-age")
    url, shown = _open(criteria_admin_client, group_draft, "inc-age")
    response = press(criteria_admin_client, url, shown, **REASON)
    assert response.status_code == 200
    (refusal,) = response.context["form"].errors["replace_rule"]
    assert refusal.startswith("Not saved: tick this box to replace the stored rule")
    assert why in response.context["form"].fields["replace_rule"].help_text
    assert _stored(group_draft, "inc-age") == before


def test_ticked_the_shown_rule_replaces_one_the_editor_cannot_show(
    criteria_admin_client, group_draft
):
    criterion = group_draft.criteria.get(code="exc-anthra-180d")
    criterion.applies_if = [{"variable": "stage", "operator": "ne", "value": "2"}] * 3
    criterion.save()
    url, shown = _open(criteria_admin_client, group_draft, "exc-anthra-180d")
    assert press(criteria_admin_client, url, shown, replace_rule="on", **REASON).status_code == 302
    assert (
        _stored(group_draft, "exc-anthra-180d")["applies_if"]
        == [{"variable": "stage", "operator": "ne", "value": "2"}] * 2
    )


def test_a_rule_nested_eight_deep_is_shown_and_kept(criteria_admin_client, group_draft):
    criterion = group_draft.criteria.get(code="inc-age")
    criterion.expression = _deep(8)
    criterion.save()
    url, shown = _open(criteria_admin_client, group_draft, "inc-age")
    assert "replace_rule" not in shown
    assert press(criteria_admin_client, url, shown, **REASON).status_code == 302
    assert _stored(group_draft, "inc-age")["expression"] == _deep(8)


def test_a_stored_number_the_fields_cannot_give_back_is_not_rewritten(
    criteria_admin_client, db, criteria_admin
):
    data = json.loads(GROUP_PROTOCOL.read_text(encoding="utf-8"))
    renal = data["criteria_set"]["criteria"][1]
    renal["expression"]["any"][1]["value"] = "50.000"  # shown as 50.0000, read back so
    trial = protocol_load(data=data, source="renal.json").trial
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    url, shown = _open(criteria_admin_client, draft, "inc-renal")
    response = press(criteria_admin_client, url, shown, **REASON)
    help_text = response.context["form"].fields["replace_rule"].help_text
    assert help_text == (
        "Stored now: any of: Creatinine as a multiple of ULN ≤ 1 × ULN or Creatinine clearance "
        "> 50.000 mL/min. This page cannot show it exactly: the editor would store it "
        "differently (a value its fields cannot show exactly)."
    )
    assert response.context["form"].errors["replace_rule"]
    assert _stored(draft, "inc-renal")["expression"]["any"][1]["value"] == "50.000"


def test_a_new_criterion_is_added_as_a_group(criteria_admin_client, group_draft):
    url = reverse("criteria:criterion-add", args=["NCT09990001", group_draft.version])
    new = {
        "code": "inc-new",
        "kind": "inclusion",
        "label": "Young or early stage",
        "protocol_wording": "Age under 40 or stage 2",
        "order": "60",
        "variable": "age",
        "operator": "lt",
        "value": "40",
    }
    shown = form_values(press(criteria_admin_client, url, new, "wrap:any").content)
    assert shown["code"] == "inc-new" and shown["part-0-value"] == "40"
    second = {"part-1-variable": "stage", "part-1-operator": "eq", "part-1-value": "2"}
    assert press(criteria_admin_client, url, shown, **second, **REASON).status_code == 302
    assert _stored(group_draft, "inc-new")["expression"] == {
        "any": [
            {"variable": "age", "operator": "lt", "value": "40"},
            {"variable": "stage", "operator": "eq", "value": "2"},
        ]
    }


@pytest.mark.parametrize(("count", "saved"), [(40, True), (41, False)])
def test_a_rule_has_at_most_40_parts(criteria_admin_client, group_draft, count, saved):
    url, shown = _open(criteria_admin_client, group_draft, "inc-renal")
    for index in range(2, count):
        shown |= {
            f"part-{index}-depth": "1",
            f"part-{index}-variable": "crcl",
            f"part-{index}-operator": "gt",
            f"part-{index}-value": str(index),
        }
    shown["part-TOTAL_FORMS"] = str(count)
    response = press(criteria_admin_client, url, shown, **REASON)
    stored = _stored(group_draft, "inc-renal")["expression"]
    if saved:
        assert response.status_code == 302 and len(stored["any"]) == 40
    else:
        assert response.context["form"].parts.non_form_errors() == [
            "A rule has at most 40 parts: remove one."
        ]
        assert stored == RENAL_ANY
