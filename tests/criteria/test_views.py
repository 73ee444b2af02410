"""The criteria admin's pages: who may do what, and edits refused next to the field."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from criteria.services import criteria_set_draft_create, criteria_set_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(trial, criteria_admin):
    return criteria_set_draft_create(trial=trial, created_by=criteria_admin)


def _edit_url(version: int, code: str) -> str:
    return reverse("criteria:criterion-edit", args=["NCT01387295", version, code])


def _i18_post(**changes) -> dict:
    data = {
        "code": "I18",
        "kind": "inclusion",
        "label": "LVEF at least 55% (HER2-positive only)",
        "protocol_wording": "If the patient is HER2-positive: Baseline LVEF ≥ 55 %",
        "variable": "lvef_percent",
        "operator": "gte",
        "value": "55",
        "other": "",
        "order": "18",
        "note": "",
        "if_variable_1": "her2_status",
        "if_operator_1": "eq",
        "if_value_1": "positive",
        "reason": "Amendment 3: LVEF threshold 55 %",
    }
    return data | changes


def test_admin_changes_a_threshold_in_a_draft(criteria_admin_client, draft):
    response = criteria_admin_client.post(_edit_url(draft.version, "I18"), _i18_post())
    assert response.status_code == 302
    i18 = draft.criteria.get(code="I18")
    assert i18.expression == {"variable": "lvef_percent", "operator": "gte", "value": "55"}
    assert i18.applies_if == [{"variable": "her2_status", "operator": "eq", "value": "positive"}]
    assert i18.history.first().history_change_reason == "Amendment 3: LVEF threshold 55 %"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"operator": "is_true"}, "operator", "does not fit"),
        ({"value": "120"}, "value", "outside the plausible range"),
        ({"value": "lots"}, "value", "lots"),
        ({"variable": "no_such_variable"}, "variable", "Select a valid choice"),
        ({"code": "I17"}, "code", "already has a criterion I17"),
        ({"if_variable_1": "her2_status", "if_value_1": "purple"}, "if_value_1", "purple"),
        ({"reason": ""}, "reason", "This field is required."),
    ],
)
def test_bad_edits_are_refused_next_to_the_field(
    criteria_admin_client, draft, changes, field, message
):
    response = criteria_admin_client.post(_edit_url(draft.version, "I18"), _i18_post(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert draft.criteria.get(code="I18").expression["value"] == "50"


def test_published_set_cannot_be_edited_through_the_page(criteria_admin_client, trial):
    response = criteria_admin_client.post(_edit_url(1, "I18"), _i18_post(), follow=True)
    assert "make a new draft" in response.content.decode()
    assert trial.criteria_sets.get(version=1).criteria.get(code="I18").expression["value"] == "50"


def test_admin_publishes_with_a_reason_from_the_page(criteria_admin_client, draft, trial):
    url = reverse("criteria:set-publish", args=["NCT01387295", draft.version])
    criteria_admin_client.post(url, {"reason": ""})
    assert trial.criteria_sets.get(status="published").version == 1
    criteria_admin_client.post(url, {"reason": "Amendment 3"})
    assert trial.criteria_sets.get(status="published").version == 2


def test_admin_pages_render(criteria_admin_client, draft):
    for name in ("criteria:set-detail", "criteria:set-diff", "impact:preview"):
        url = reverse(name, args=["NCT01387295", draft.version])
        assert criteria_admin_client.get(url).status_code == 200
    detail = criteria_admin_client.get(reverse("criteria:set-detail", args=["NCT01387295", 1]))
    assert "Neutrophils &gt; 1.5 × 10⁹/L" in detail.content.decode()


@pytest.mark.parametrize("client_fixture", ["nurse_client", "investigator_client"])
def test_nurses_and_investigators_read_criteria_but_cannot_edit(
    request, client_fixture, draft, trial
):
    client = request.getfixturevalue(client_fixture)
    assert client.get(reverse("criteria:trial-list")).status_code == 200
    assert client.get(reverse("criteria:set-detail", args=["NCT01387295", 1])).status_code == 200
    assert client.get(reverse("criteria:history", args=["NCT01387295"])).status_code == 200
    assert client.get(_edit_url(draft.version, "I18")).status_code == 403
    assert client.post(_edit_url(draft.version, "I18"), _i18_post()).status_code == 403
    assert client.post(reverse("criteria:draft-create", args=["NCT01387295"])).status_code == 403
    publish = reverse("criteria:set-publish", args=["NCT01387295", draft.version])
    assert client.post(publish, {"reason": "x"}).status_code == 403
    assert trial.criteria_sets.get(status="published").version == 1
    assert draft.criteria.get(code="I18").expression["value"] == "50"


def test_criteria_history_shows_who_changed_what_and_why(
    investigator_client, criteria_admin_client, draft
):
    criteria_admin_client.post(_edit_url(draft.version, "I18"), _i18_post())
    page = investigator_client.get(reverse("criteria:history", args=["NCT01387295"]))
    content = page.content.decode()
    assert "Amendment 3: LVEF threshold 55 %" in content
    assert "criteria-admin" in content


def test_criteria_history_names_fields_and_statuses_in_the_readers_language(
    criteria_admin_client, criteria_admin, draft
):
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="Amendment 3")
    url = reverse("criteria:history", args=["NCT01387295"])
    criteria_admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    with translation.override("da"):
        danish = criteria_admin_client.get(url).content.decode()
    assert 'Status: <span translate="no">Udkast → Udgivet' in danish
    assert 'Udgivet af: <span translate="no">— → ' in danish
    assert "status:" not in danish and "published_by" not in danish
    criteria_admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = criteria_admin_client.get(url).content.decode()
    assert 'Status: <span translate="no">Draft → Published' in english
