"""A nurse takes a HER2-positive referral from registration to a recorded eligible decision."""

import pytest

from screening import services
from screening.models import Decision
from tests.browser.conftest import register_referral, sign_in
from tests.cases import eligible_values, register
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)

SECTIONS = ["referral", "disease", "treatment", "labs", "history"]


def _fill_section(page, section: str, values: dict) -> None:
    fieldset = page.locator(f"#section-{section}")
    for key, value in values.items():
        question = fieldset.locator(f'[data-variable="{key}"]')
        if question.count() == 0 or not question.is_visible():
            continue
        if value is True or value is False:
            question.locator(f'input[value="{"yes" if value else "no"}"]').check()
        elif value == "never":
            question.locator(f'input[name="{key}__never"]').check()
        elif question.locator(f'select[name="{key}"]').count():
            question.locator(f'select[name="{key}"]').select_option(str(value))
        elif question.locator(f'input[name="{key}"]').is_enabled():  # not the registered birth date
            question.locator(f'input[name="{key}"]').fill(str(value))


def test_nurse_screens_an_eligible_her2_positive_patient(page, protocol, screenshot_dir):
    page.set_viewport_size({"width": 1400, "height": 1000})
    UserFactory(username="nurse", role=roles.STUDY_NURSE)
    sign_in(page, "nurse")

    register_referral(page)

    lvef = page.locator('[data-variable="lvef_percent"]')
    assert not lvef.is_visible()  # HER2 status not answered yet
    values = eligible_values()
    by_section = {s: page.locator(f"#section-{s}") for s in SECTIONS}
    for section in SECTIONS:
        keys = (
            by_section[section]
            .locator("[data-variable]")
            .evaluate_all("els => els.map(e => e.dataset.variable)")
        )
        _fill_section(page, section, {k: values[k] for k in keys if k in values})
        if section == "disease":
            assert lvef.is_visible()  # appeared when HER2 was set to positive
            lvef.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot_dir / "screening-lvef-shown.png"))
        page.click("button[name=save]")
        page.wait_for_selector("text=Saved.")
        if section == "referral":
            page.screenshot(path=str(screenshot_dir / "screening-partial.png"))

    outcome = page.locator("#standing [data-testid=outcome]")
    missing = page.locator("#standing").inner_text()[:600]
    assert outcome.inner_text() == "Eligible", missing
    page.screenshot(path=str(screenshot_dir / "screening-eligible.png"))

    page.click("[data-testid=record-decision]")
    assert page.inner_text("[data-testid=confirm-outcome]") == "Eligible"
    page.click("[data-testid=confirm-decision]")
    page.wait_for_selector("text=Decision recorded: Eligible")
    assert page.locator("[data-testid=decision]").count() == 1
    page.screenshot(path=str(screenshot_dir / "candidate-decided.png"))
    assert Decision.objects.get().outcome == "eligible"


def _open_episode(page, protocol, values: dict):
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    candidate = register(protocol.trial, nurse)
    episode = candidate.screenings.get()
    services.screening_values_save(screening=episode, values=values, units={}, saved_by=nurse)
    sign_in(page, "nurse")
    page.goto(f"/candidates/{candidate.screening_number}/episodes/1/")
    return episode


@pytest.mark.parametrize("width", [1280, 768])
def test_record_decision_without_save_keeps_the_typed_value(page, protocol, screenshot_dir, width):
    page.set_viewport_size({"width": width, "height": 900})
    values = eligible_values()
    del values["inr"]
    episode = _open_episode(page, protocol, values)
    page.locator("input[name=inr]").press_sequentially("1.1")
    rule = page.locator("#standing tr[data-code=I18] [data-testid=rule-words]")
    assert rule.inner_text() == "Rule: LVEF ≥ 50 %, when HER2 status is positive"
    rule.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"screening-form-{width}.png"))

    page.click("[data-testid=record-decision]")  # no Save first
    page.wait_for_selector("[data-testid=confirm]")
    assert page.inner_text("[data-testid=confirm-outcome]") == "Eligible"
    assert "permanent and cannot be changed" in page.inner_text("[data-testid=confirm]")
    episode.refresh_from_db()
    assert episode.values["inr"] == "1.1"
    assert Decision.objects.count() == 0
    page.screenshot(path=str(screenshot_dir / f"decision-confirm-{width}.png"), full_page=True)

    page.click("[data-testid=confirm-decision]")
    page.wait_for_selector("text=Decision recorded: Eligible")
    assert Decision.objects.get().values_snapshot["inr"] == "1.1"


def test_incomplete_record_asks_for_the_reason_and_says_screen_failure(
    page, protocol, screenshot_dir
):
    page.set_viewport_size({"width": 1280, "height": 900})
    values = eligible_values()
    del values["informed_consent"]
    _open_episode(page, protocol, values)
    page.click("[data-testid=record-decision]")
    page.wait_for_selector("text=it can be recorded only as a screen failure")
    page.screenshot(path=str(screenshot_dir / "decision-reason-needed.png"), full_page=True)
    assert Decision.objects.count() == 0

    page.fill("textarea[name=screen_failure_reason]", "Patient declined")
    page.click("[data-testid=record-decision]")
    words = "Screen failure (incomplete: Patient declined)"
    assert page.inner_text("[data-testid=confirm-outcome]") == words
    page.screenshot(path=str(screenshot_dir / "decision-confirm-incomplete.png"), full_page=True)
    page.click("[data-testid=confirm-decision]")
    page.wait_for_selector(f"text=Decision recorded: {words}.")
    assert page.inner_text("[data-testid=decision-words]") == words
    page.screenshot(path=str(screenshot_dir / "candidate-screen-failure.png"), full_page=True)
