"""Registration records the date of birth; the screening form shows it and cannot change it;
an implausible date is refused next to its field."""

import datetime as dt

import pytest

from screening.models import Candidate
from tests.browser.conftest import sign_in
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)


def _shoot(page, screenshot_dir, name: str, anchor: str) -> None:
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(anchor).scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"{name}-{width}.png"))


def test_the_registered_date_of_birth_is_the_one_screened(
    chromium_browser, live_server, protocol, screenshot_dir
):
    UserFactory(username="nurse", role=roles.STUDY_NURSE)
    # An American-English browser, as on some ward PCs: dates are still read day first.
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    sign_in(page, "nurse", live_server.url)
    page.click("text=Register referral >> nth=0")
    page.fill("input[name=initials]", "KH")
    page.locator("input[name=date_of_birth]").press_sequentially("10-03-1870")  # age 156
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=referring_unit]", "Herlev Hospital, Oncology")
    page.click("text=Register referral >> nth=-1")
    feedback = page.locator("#div_id_date_of_birth .invalid-feedback")
    assert "an age of 0 to 120 is possible" in feedback.inner_text()
    assert Candidate.objects.count() == 0
    _shoot(page, screenshot_dir, "register-birth-refused", "input[name=date_of_birth]")

    page.locator("input[name=date_of_birth]").fill("")
    page.locator("input[name=date_of_birth]").press_sequentially("10-03-1970")
    page.click("text=Register referral >> nth=-1")
    page.wait_for_selector("text=Referral registered as NCT01387295-S0001")
    assert Candidate.objects.get().date_of_birth == dt.date(1970, 3, 10)

    born = page.locator("input[name=date_of_birth]")
    assert born.is_disabled() and born.input_value() == "10-03-1970"
    assert "From the registration" in page.locator("#div_id_date_of_birth").inner_text()
    page.fill("input[name=screening_date]", "2026-11-20")
    page.fill("input[name=last_chemotherapy_date]", "1899-12-31")
    page.click("button[name=save]")
    feedback = page.locator("#div_id_last_chemotherapy_date .invalid-feedback")
    assert "cannot lie before 1900-01-01" in feedback.inner_text()
    _shoot(page, screenshot_dir, "screening-birth-date", "input[name=date_of_birth]")
    context.close()
