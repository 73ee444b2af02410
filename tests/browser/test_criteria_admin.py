"""A criteria admin amends LVEF ≥ 50 → ≥ 55 in a draft, reviews the diff and the impact
preview, and publishes it with a reason."""

import pytest

from tests.browser.conftest import new_draft, sign_in
from tests.cases import eligible_values, fill, register
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)


def _her2_positive_episode(trial, nurse, lvef: str) -> None:
    candidate = register(
        trial, nurse, initials="LV", referral_date=eligible_values()["screening_date"]
    )
    fill(candidate.screenings.get(), nurse, lvef_percent=lvef)


def test_admin_amends_lvef_threshold_and_publishes(page, protocol, screenshot_dir):
    page.set_viewport_size({"width": 1400, "height": 1000})
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    for lvef in ("52", "52", "60"):
        _her2_positive_episode(protocol.trial, nurse, lvef)
    UserFactory(username="criteria-admin", role=roles.CRITERIA_ADMIN)
    sign_in(page, "criteria-admin")

    new_draft(page)
    page.click("[data-testid=edit-I18]")
    page.fill("input[name=value]", "55")
    page.fill("input[name=reason]", "Amendment 3: LVEF threshold 55 %")
    page.click("text=Save criterion")
    # The label and the wording still say 50: refused, next to each of them.
    label_error = page.locator("#div_id_label .invalid-feedback")
    assert "still names “50”" in label_error.inner_text()
    assert "still names “50”" in page.inner_text("#div_id_protocol_wording .invalid-feedback")
    assert "still names “50”" in page.inner_text("#div_id_label_da .invalid-feedback")
    page.locator("#div_id_label").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "criteria-label-refused.png"))
    page.fill("input[name=label]", "LVEF at least 55% (HER2-positive only)")
    page.fill("input[name=label_da]", "LVEF mindst 55 % (kun HER2-positive)")
    wording = "If the patient is HER2-positive: Baseline LVEF ≥ 55 %"
    page.fill("textarea[name=protocol_wording]", wording)
    page.click("text=Save criterion")
    page.wait_for_selector("text=Criterion I18 saved in the draft")
    assert page.inner_text("[data-testid=rule-I18]") == "LVEF ≥ 55 %"

    page.click("text=Changes")
    diff = page.locator("[data-testid=diff-I18]")
    assert "LVEF ≥ 50 %" in diff.inner_text() and "LVEF ≥ 55 %" in diff.inner_text()
    label_row = diff.locator("tr[data-field=Label]").inner_text()
    assert "LVEF at least 50%" in label_row and "LVEF at least 55%" in label_row
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 700})
        page.screenshot(path=str(screenshot_dir / f"criteria-diff-{width}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})

    page.click("text=Impact preview")
    totals = page.inner_text("[data-testid=impact-totals]")
    assert "3 episodes evaluated, 2 would change outcome" in totals
    assert page.locator("[data-testid=impact-row]").count() == 2
    page.screenshot(path=str(screenshot_dir / "criteria-impact.png"))

    page.fill("textarea[name=reason], input[name=reason]", "Amendment 3: LVEF threshold 55 %")
    page.click("[data-testid=publish]")
    page.wait_for_selector("text=v2 is published")
    assert protocol.trial.criteria_sets.get(status="published").version == 2
