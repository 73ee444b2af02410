"""The screening form guides the nurse: an error summary that takes the focus and links to
each field, the reason for a change asked beside the changed answer, a section index with
each section's state, checklists that answer only what is unanswered, and Record decision
within reach at every width."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from screening import services
from tests.browser.conftest import sign_in
from tests.cases import eligible_values, register
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVE = "() => document.activeElement.id || document.activeElement.className"


def _open(page, protocol, values: dict) -> None:
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    candidate = register(protocol.trial, nurse)
    episode = candidate.screenings.get()
    if values:
        services.screening_values_save(screening=episode, values=values, units={}, saved_by=nurse)
    sign_in(page, "nurse")
    page.goto(f"/candidates/{candidate.screening_number}/episodes/1/")


@pytest.mark.parametrize("width", [1280, 768])
def test_error_summary_links_each_problem_and_takes_the_focus(
    page, protocol, screenshot_dir, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_timeout(10_000)
    values = eligible_values()
    del values["neutrophils"]
    _open(page, protocol, values)
    assert page.locator("[data-testid=change-reason]").is_hidden()  # nothing changed yet
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d-%m-%Y")
    page.fill("input[name=last_ami_date]", tomorrow)  # saved as "never": a change
    reason = page.locator("[data-testid=change-reason]")
    assert reason.is_visible()
    beside = reason.evaluate("box => box.previousElementSibling.dataset.variable")
    assert beside == "last_ami_date"
    page.fill("input[name=neutrophils]", "1,400")  # a first answer: no reason needed
    page.click("[data-testid=save]")

    summary = page.locator("[data-testid=error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate(ACTIVE).startswith("error-summary")
    links = summary.locator("[data-testid=error-link]")
    texts = links.all_inner_texts()
    assert any(t.startswith("Neutrophils") for t in texts), texts
    assert any("future" in t for t in texts), texts
    page.screenshot(path=str(screenshot_dir / f"form-error-summary-{width}.png"))

    links.filter(has_text="future").click()
    assert page.evaluate(ACTIVE) == "id_last_ami_date"
    expect(page.locator("#id_last_ami_date")).to_be_in_viewport()
    index = page.locator("[data-testid=section-index]")
    assert index.locator("[data-section=history]").get_attribute("data-state") == "errors"
    assert index.locator("[data-section=referral]").get_attribute("data-state") == "complete"
    # The reason is asked right after the changed answer, not at the bottom of the form.
    beside = page.locator("[data-testid=change-reason]").evaluate(
        "box => box.previousElementSibling.dataset.variable"
    )
    assert beside == "last_ami_date"
    page.screenshot(path=str(screenshot_dir / f"form-error-field-{width}.png"))


@pytest.mark.parametrize("width", [1280, 768])
def test_section_index_and_record_decision_within_reach(page, protocol, screenshot_dir, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_timeout(10_000)
    values = eligible_values()
    for key in ("neutrophils", "platelets", "cns_metastases"):
        del values[key]
    _open(page, protocol, values)

    states = page.locator("[data-testid=section-index] [data-section]")
    by_section = dict(
        zip(
            states.evaluate_all("a => a.map(e => e.dataset.section)"),
            states.evaluate_all("a => a.map(e => e.dataset.state)"),
            strict=True,
        )
    )
    assert by_section == {
        "referral": "complete",
        "disease": "complete",
        "treatment": "complete",
        "labs": "missing",
        "history": "missing",
    }
    assert "2 to answer" in page.inner_text("[data-testid=section-index] [data-section=labs]")
    page.screenshot(path=str(screenshot_dir / f"form-section-index-{width}.png"))
    page.click("[data-testid=section-index] [data-section=history]")
    expect(page.locator("#section-history > legend")).to_be_in_viewport()
    record = page.locator("[data-testid=record-decision]")
    expect(record).to_be_in_viewport()  # the bar at the form's foot
    page.screenshot(path=str(screenshot_dir / f"form-record-{width}.png"))


def test_none_of_these_answers_only_unanswered_questions(page, protocol, screenshot_dir):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    _open(page, protocol, {})
    page.click("input[name=cns_metastases][value=yes]")
    page.click("#section-history [data-answer-all=none]")

    assert page.is_checked("input[name=cns_metastases][value=yes]")  # kept as answered
    assert page.is_checked("input[name=severe_cardiac_disease][value=no]")
    assert page.is_checked("input[name=last_ami_date__never]")
    assert page.input_value("select[name=other_malignancy]") == "none"
    # Not in the checklist: a grade, and a Yes/No whose No would exclude the patient.
    assert page.input_value("input[name=peripheral_neuropathy_grade]") == ""
    assert page.is_checked("input[name=able_to_understand_and_comply][value='']")
    # Shown only for a patient of childbearing potential: hidden, so left alone.
    assert not page.locator("[data-variable=nonhormonal_contraception]").is_visible()
    assert page.is_checked("input[name=nonhormonal_contraception][value='']")
    page.locator("#section-history [data-checklist=none]").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "form-none-of-these-1280.png"))
