"""A criterion's label never silently disagrees with its rule: the editor, publishing and
load_protocol refuse a label or wording left naming a threshold the rule no longer has; the
Changes page lists labels beside rule changes (what nurses read: tests/screening)."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from criteria.exceptions import CriteriaEditRefused, ProtocolError
from criteria.labels import label_flags, stale_numbers, text_numbers, thresholds
from criteria.models import CriteriaSet
from criteria.protocol.reading import build_variables
from criteria.services import (
    criteria_set_draft_create,
    criteria_set_publish,
    criterion_save,
    protocol_load,
)
from tests.criteria.cases import PROTOCOL_FILE, lvef_amended

pytestmark = pytest.mark.django_db

LVEF_50 = {"variable": "lvef_percent", "operator": "gte", "value": "50"}
LVEF_55 = {"variable": "lvef_percent", "operator": "gte", "value": "55"}


def _protocol() -> dict:
    return json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))


def _rule(label: str, expression: dict, wording: str = "", applies_if=()) -> dict:
    return {
        "code": "X01",
        "label": label,
        "protocol_wording": wording,
        "expression": expression,
        "applies_if": list(applies_if),
    }


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("LVEF at least 50%", {"50": {"50"}}),
        ("Neutrophils above 1.5 × 10⁹/L", {"1.5": {"1.5"}}),
        ("thrombocytes > 100 x 10^9/l", {"100": {"100"}}),
        ("INR below 1,6", {"1,6": {"1.6"}}),
        ("HER2-positive, criterion E01", {}),
        ("within 4 weeks before start", {"4 weeks": {"4", "28"}}),
        ("within the 4-week period", {"4-week": {"4", "28"}}),
        ("AMI < 1 year", {"1 year": {"1", "365"}}),
        ("ECOG 0–1", {"0": {"0"}, "1": {"1"}}),
    ],
)
def test_numbers_a_text_names(text, numbers):
    found = {
        shown: {format(v.normalize(), "f") for v in values} for shown, values in text_numbers(text)
    }
    assert found == numbers


def test_thresholds_of_groups_and_applies_if():
    rule = _rule(
        "Age 18–70",
        {"all": [{"variable": "age_years", "operator": "gte", "value": "18"},
                 {"variable": "age_years", "operator": "lte", "value": "70"}]},
        applies_if=[{"variable": "her2_status", "operator": "eq", "value": "positive"}],
    )  # fmt: skip
    assert thresholds(rule) == {Decimal("18"), Decimal("70")}


@pytest.mark.parametrize(
    ("label", "old", "new", "stale"),
    [
        ("LVEF at least 50%", "50", "55", ["50"]),  # the old threshold left behind
        ("LVEF at least 55%", "50", "55", []),  # the label follows the rule
        ("LVEF at least 50%", "50", "50", []),  # nothing changed
        ("LVEF at least 50.0%", "50", "55", ["50.0"]),  # the same number written otherwise
        ("LVEF at least 49%", "50", "55", []),  # a number that never was a threshold
        ("LVEF at least 51%", "50", "51", []),  # the boundary: the new threshold itself
    ],
)
def test_a_label_naming_a_threshold_the_rule_no_longer_has(label, old, new, stale):
    earlier = [_rule(label, {**LVEF_50, "value": old})]
    rule = _rule(label, {**LVEF_50, "value": new})
    assert [shown for shown, _ in stale_numbers(label, earlier=earlier, rule=rule)] == stale


def test_a_range_keeps_the_bound_it_still_has():
    def age(low, high):
        return {"all": [{"variable": "age_years", "operator": "gte", "value": low},
                        {"variable": "age_years", "operator": "lte", "value": high}]}  # fmt: skip

    earlier = [_rule("Age 18–70", age("18", "70"))]
    stale = stale_numbers("Age 18–70", earlier=earlier, rule=_rule("Age 18–70", age("18", "75")))
    assert stale == [("70", Decimal("70"))]


def test_the_shipped_protocol_has_no_flagged_label():
    data = _protocol()
    variables = build_variables(data["variables"])
    assert label_flags(data["criteria_set"]["criteria"], variables) == []


def test_a_label_naming_none_of_the_thresholds_is_flagged():
    variables = build_variables(_protocol()["variables"])
    rule = _rule("LVEF at least 45%", LVEF_55)
    assert label_flags([rule], variables) == [
        "criterion X01: the label names 45, which is none of the rule's thresholds: check "
        "that the label says what the rule does."
    ]
    # ECOG's scale starts at 0: "0–1" names the bound, not a stale threshold.
    ecog = _rule(
        "ECOG 0–1", {"variable": "ecog_performance_status", "operator": "lte", "value": "1"}
    )
    # A rule without numeric thresholds cannot disagree with a number ("RECIST 1.1").
    recist = _rule("Measurable (RECIST 1.1)", {"variable": "measurable_liver_disease",
                                              "operator": "is_true", "value": None})  # fmt: skip
    assert label_flags([ecog, recist], variables) == []


# The editor


@pytest.fixture
def draft(trial, criteria_admin):
    return criteria_set_draft_create(trial=trial, created_by=criteria_admin)


def _edit_url(draft, code="I18") -> str:
    return reverse("criteria:criterion-edit", args=["NCT01387295", draft.version, code])


def _i18_post(**changes) -> dict:
    return {
        "code": "I18",
        "kind": "inclusion",
        "label": "LVEF at least 50% (HER2-positive only)",
        "protocol_wording": "If the patient is HER2-positive: Baseline LVEF ≥ 50 %",
        "variable": "lvef_percent",
        "operator": "gte",
        "value": "55",
        "order": "18",
        "if_variable_1": "her2_status",
        "if_operator_1": "eq",
        "if_value_1": "positive",
        "reason": "Amendment 3: LVEF threshold 55 %",
    } | changes


def test_editor_refuses_a_label_and_wording_left_at_the_old_threshold(criteria_admin_client, draft):
    response = criteria_admin_client.post(_edit_url(draft), _i18_post())
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["label"] == [
        "The label still names “50”, but 50 is no longer a threshold of the rule (now: LVEF "
        "≥ 55 %). Change “50” in the label to match the rule."
    ]
    assert "The wording still names “50”" in errors["protocol_wording"][0]
    assert draft.criteria.get(code="I18").expression == LVEF_50  # nothing saved


def test_editor_saves_once_the_label_and_wording_follow_the_rule(criteria_admin_client, draft):
    fixed = _i18_post(
        label="LVEF at least 55% (HER2-positive only)",
        protocol_wording="If the patient is HER2-positive: Baseline LVEF ≥ 55 %",
    )
    assert criteria_admin_client.post(_edit_url(draft), fixed).status_code == 302
    assert draft.criteria.get(code="I18").label == "LVEF at least 55% (HER2-positive only)"
    # A second amendment in the same draft: 55 and the published 50 are both old now.
    again = fixed | {"value": "60", "label": "LVEF at least 50% (HER2-positive only)"}
    response = criteria_admin_client.post(_edit_url(draft), again)
    assert "still names “50”" in response.context["form"].errors["label"][0]
    assert "still names “55”" in response.context["form"].errors["protocol_wording"][0]


def test_the_service_refuses_what_the_editor_refuses(draft, criteria_admin):
    i18 = draft.criteria.get(code="I18")
    i18.expression = LVEF_55
    with pytest.raises(CriteriaEditRefused, match="criterion I18: The label still names “50”"):
        criterion_save(criterion=i18, changed_by=criteria_admin, reason="Amendment 3")
    assert draft.criteria.get(code="I18").expression == LVEF_50


def test_publish_refuses_a_label_left_at_the_old_threshold(trial, draft, criteria_admin):
    i18 = draft.criteria.get(code="I18")
    i18.expression = LVEF_55  # saved below the service, as a data fix would
    i18.save()
    with pytest.raises(CriteriaEditRefused, match="Not published: criterion I18: The label"):
        criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="Amend")
    assert dict(trial.criteria_sets.values_list("version", "status")) == {
        1: "published",
        2: "draft",
    }


def test_load_protocol_refuses_an_amendment_with_a_stale_label(protocol, tmp_path):
    amended = _protocol()
    i18 = next(c for c in amended["criteria_set"]["criteria"] if c["code"] == "I18")
    i18["expression"]["value"] = "55"
    with pytest.raises(ProtocolError, match="criterion I18: The label still names “50”"):
        protocol_load(data=amended, source="amendment")
    path = tmp_path / "amended.json"
    path.write_text(json.dumps(amended), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_protocol", str(path))
    assert refused.value.returncode == 2
    assert "The wording still names “50”" in str(refused.value)
    assert CriteriaSet.objects.count() == 1  # nothing written

    i18.update(lvef_amended(i18, "55"))
    path.write_text(json.dumps(amended), encoding="utf-8")
    out = io.StringIO()
    call_command("load_protocol", str(path), stdout=out)
    assert "new published version v2" in out.getvalue()
    assert "check:" not in out.getvalue()


def test_load_protocol_flags_a_label_naming_none_of_the_thresholds(db, tmp_path):
    data = _protocol()
    i18 = next(c for c in data["criteria_set"]["criteria"] if c["code"] == "I18")
    i18["label"] = "LVEF at least 45%"
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    call_command("load_protocol", str(path), stdout=out)
    assert "check: criterion I18: the label names 45" in out.getvalue()


# The Changes page


def test_changes_page_shows_the_label_beside_the_rule_change(
    criteria_admin_client, draft, criteria_admin
):
    i18 = draft.criteria.get(code="I18")
    i18.expression = LVEF_55
    i18.label = "LVEF at least 45% (HER2-positive only)"  # changed, but not to the rule
    i18.protocol_wording = "If the patient is HER2-positive: Baseline LVEF ≥ 55 %"
    criterion_save(criterion=i18, changed_by=criteria_admin, reason="Amendment 3")
    page = criteria_admin_client.get(
        reverse("criteria:set-diff", args=["NCT01387295", draft.version])
    )
    entry = page.context["diff"][0]
    assert [field for field, _, _ in entry["fields"]] == ["Rule", "Label", "Protocol wording"]
    content = page.content.decode()
    assert "LVEF at least 50% (HER2-positive only)" in content
    assert "LVEF at least 45% (HER2-positive only)" in content
    assert 'data-testid="label-warning"' in content and "the label names 45" in content


def test_changes_page_lists_an_unchanged_label_beside_a_changed_rule(draft):
    from criteria.selectors import criteria_set_diff

    i17 = draft.criteria.get(code="I17")  # "INR below 1.6": a new rule the label allows
    i17.expression = {"all": [i17.expression, {**i17.expression, "value": "1.6"}]}
    i17.save()
    entry = criteria_set_diff(draft.based_on, draft)[0]
    label = next(f for f in entry["fields"] if f[0] == "Label")
    assert label[1] == label[2] == "INR below 1.6"  # shown, marked unchanged
