"""A nurse switches the interface to Danish: the choice outlives logging out and follows her to
another device; dates and numbers are shown the Danish way, and typed the Danish way too."""

import pytest
from django.urls import reverse

from screening.models import Screening
from tests.browser.conftest import log_in
from tests.cases import register
from tests.factories import TEST_PASSWORD, UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, screenshot_dir, name: str) -> None:
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=screenshot_dir / f"language-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_nurse_works_in_danish_on_any_device(
    chromium_browser, live_server, protocol, screenshot_dir
):
    # A long name: the menu must still fit one row.
    nurse = UserFactory(
        username="nurse",
        first_name="Karen-Margrethe",
        last_name="Johnson-Frederiksen",
        role=roles.STUDY_NURSE,
    )
    candidate = register(protocol.trial, nurse)  # referred 18-11-2026, born 02-03-1965
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "nurse", TEST_PASSWORD)
    assert page.get_attribute("html", "lang") == "en"

    switch = page.get_by_role("button", name="Change language to Dansk")
    switch.focus()  # reachable with the keyboard, named for a screen reader
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "da"
    assert page.get_by_role("button", name="Log ud").is_visible()
    # The Danish menu, longer than the English one, still fits one row on a 1280 px screen.
    tops = {round(link.bounding_box()["y"]) for link in page.locator("nav .nav-link").all()}
    assert len(tops) == 1, tops
    _shot(page, screenshot_dir, "home-da")

    page.click("[data-testid=log-out]")
    page.wait_for_url("**/login/")
    assert page.get_by_role("heading", name="Log ind i TrialSite").is_visible()
    _shot(page, screenshot_dir, "login-da")

    tablet = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
    page = tablet.new_page()
    page.set_viewport_size({"width": 768, "height": 1024})
    log_in(page, "nurse", TEST_PASSWORD)
    assert page.get_attribute("html", "lang") == "da"

    page.goto(reverse("screening:candidate-detail", args=[candidate.screening_number]))
    assert "18-11-2026" in page.locator("main").inner_text()
    page.goto(reverse("screening:screening-form", args=[candidate.screening_number, 1]))
    assert page.locator('input[name="date_of_birth"]').input_value() == "02-03-1965"
    page.locator('input[name="inr"]').fill("1,4")
    page.locator('input[name="last_chemotherapy_date"]').fill("01-10-2026")
    with page.expect_navigation():
        page.click("button[name=save]")
    stored = Screening.objects.get(candidate=candidate).values
    assert stored["inr"] == "1.4" and stored["last_chemotherapy_date"] == "2026-10-01"
    assert page.locator('input[name="inr"]').input_value() == "1,4"
    assert page.locator('input[name="last_chemotherapy_date"]').input_value() == "01-10-2026"
    _shot(page, screenshot_dir, "screening-form-da")
    tablet.close()
    context.close()
