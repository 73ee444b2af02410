"""A nurse types lab values with the keyboard, as on the ward, in an English and a Danish
Chromium: what is stored, what the page shows, and what is refused next to the field."""

import pytest
from django.urls import reverse

from screening.models import Screening
from tests.browser.conftest import sign_in
from tests.cases import register
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)

ACCEPTED = {"inr": "1,4", "bilirubin": "1.4", "neutrophils": "1,2", "platelets": "12,5"}
STORED = {"inr": "1.4", "bilirubin": "1.4", "neutrophils": "1.2", "platelets": "12.5"}
SHOWN = {"inr": "1.4", "bilirubin": "1.4", "neutrophils": "1.2", "platelets": "12.5"}
REFUSED = {
    "inr": ("1,400", '"1,400" could mean 1.4 or 1400: write 1,4 or 1400'),
    "weight_kg": ("abc", '"abc" is not a number'),
}


def _type(page, key: str, text: str) -> None:
    field = page.locator(f'input[name="{key}"]')
    field.click()
    field.press("Control+A")
    field.press("Backspace")
    field.press_sequentially(text)


def _save(page) -> None:
    with page.expect_navigation():
        page.click("button[name=save]")


@pytest.mark.parametrize("locale", ["en-GB", "da-DK"])
def test_a_nurse_types_lab_values_and_sees_what_was_stored(
    chromium_browser, live_server, protocol, screenshot_dir, locale
):
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    candidate = register(protocol.trial, nurse)
    context = chromium_browser.new_context(base_url=live_server.url, locale=locale)
    page = context.new_page()
    sign_in(page, "nurse", live_server.url)
    page.goto(reverse("screening:screening-form", args=[candidate.screening_number, 1]))

    for key, text in ACCEPTED.items():
        _type(page, key, text)
    _save(page)
    page.wait_for_selector("text=Saved.")
    stored = Screening.objects.get(candidate=candidate).values
    assert {key: stored[key] for key in STORED} == STORED
    for key, shown in SHOWN.items():
        assert page.locator(f'input[name="{key}"]').input_value() == shown
    # Neutrophils 1,2 is 1.2, below the protocol's 1.5: never 12, never a wrong "eligible".
    standing = page.locator("#standing").inner_text()
    assert "Neutrophils 1.2" in standing and "Neutrophils 12" not in standing

    for key, (text, _) in REFUSED.items():
        _type(page, key, text)
    page.set_viewport_size({"width": 1280, "height": 900})
    _save(page)
    for key, (text, message) in REFUSED.items():
        question = page.locator(f'[data-variable="{key}"]')
        assert message in question.locator(".invalid-feedback").inner_text()
        assert page.locator(f'input[name="{key}"]').input_value() == text  # kept as typed
    assert "Nothing was saved" in page.content()
    assert Screening.objects.get(candidate=candidate).values == stored  # nothing stored

    if locale == "en-GB":
        page.locator('[data-variable="inr"]').scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / "number-refused-1280.png"))
        page.set_viewport_size({"width": 768, "height": 900})
        page.locator('[data-variable="inr"]').scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / "number-refused-768.png"))
    context.close()
