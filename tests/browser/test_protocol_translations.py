"""The protocol's Danish texts in the browser: a criteria admin edits a criterion's Danish
label beside the English one; a nurse working in Danish reads the form and the criteria in
Danish, with the protocol wording as registered."""

import pytest

from tests.browser.conftest import new_draft, sign_in
from tests.cases import fill, form_url, register
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (1280, 768)


def _shots(page, screenshot_dir, name: str, at: str = "") -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        if at:
            page.locator(at).first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"{name}-{width}.png"))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"


def test_admin_edits_the_danish_label_beside_the_english(page, protocol, screenshot_dir):
    UserFactory(username="criteria-admin", role=roles.CRITERIA_ADMIN)
    sign_in(page, "criteria-admin")
    new_draft(page)
    page.click("[data-testid=edit-I14]")
    danish = page.locator("input[name=label_da]")
    assert danish.input_value() == "Trombocytter over 100 × 10⁹/L"
    danish.fill("Trombocytter (blodplader) over 100 × 10⁹/L")
    page.fill("input[name=reason]", "Danish label: both names nurses use")
    _shots(page, screenshot_dir, "criterion-danish-label", "#div_id_label_da")
    page.click("text=Save criterion")
    page.wait_for_selector("text=Criterion I14 saved in the draft")
    shown = page.inner_text("[data-testid=translations-I14]")
    assert "Trombocytter (blodplader) over 100 × 10⁹/L" in shown
    _shots(page, screenshot_dir, "criteria-set-translations", "tr[data-code=I14]")
    page.click("text=Changes")
    diff = page.locator("[data-testid=diff-I14]").inner_text()
    assert "Trombocytter over 100 × 10⁹/L" in diff
    assert "Trombocytter (blodplader) over 100 × 10⁹/L" in diff
    _shots(page, screenshot_dir, "criteria-diff-translation")


def test_a_nurse_working_in_danish_reads_the_protocol_in_danish(
    page, protocol, screenshot_dir, settings
):
    settings.LANGUAGE_CODE = "da"  # the site's language, as TRIALSITE_LANGUAGE sets it
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    candidate = register(protocol.trial, nurse)
    fill(candidate.screenings.get(), nurse, neutrophils="1.2")
    sign_in(page, "nurse")
    page.goto(form_url(candidate))
    assert "Neutrofile granulocytter" in page.inner_text("label[for=id_neutrophils]")
    assert "Positiv" in page.inner_text("select[name=her2_status]")
    standing = page.inner_text("#standing")
    assert "Neutrofile granulocytter over 1,5 × 10⁹/L" in standing
    _shots(page, screenshot_dir, "screening-form-danish", "#div_id_neutrophils")
    page.locator("tr[data-code=I13]").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "screening-standing-danish-768.png"))
