"""The nurse's flow in Danish, page by page: the work queue, registering a referral, the
screening form with its section index, the error summary and the confirmation page each speak
Danish. Its screenshots are docs/nurse.md's "På dansk" (docs/images/manifest.txt)."""

from pathlib import Path

import pytest

from tests.browser.conftest import sign_in
from tests.cases import fill, form_url, register
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, screenshot_dir: Path, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"{name}.png"))


def test_the_nurses_flow_reads_danish(page, protocol, screenshot_dir, settings):
    settings.LANGUAGE_CODE = "da"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE, first_name="Karen")
    started = register(protocol.trial, nurse)
    fill(started.screenings.get(), nurse, neutrophils=None, platelets=None)
    sign_in(page, "nurse")

    assert page.get_attribute("html", "lang") == "da"
    queue = page.locator("[data-testid=unfinished]")
    assert "Dine ufærdige screeninger" in queue.inner_text()
    assert "Manglende svar" in queue.inner_text()
    _shot(page, screenshot_dir, "nurse-da-home")

    page.click("[data-testid=role-nurse] >> text=Registrér henvisning")
    page.fill("input[name=initials]", "KH")
    page.fill("input[name=date_of_birth]", "02-03-1965")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=referring_unit]", "Herlev Hospital, Onkologisk afdeling")
    page.fill("input[name=referral_date]", "18-11-2026")
    _shot(page, screenshot_dir, "nurse-da-register")
    page.click("main [type=submit]")
    page.wait_for_selector("text=Henvisning registreret som NCT01387295-S0002")

    index = page.locator("[data-testid=section-index]")
    assert index.get_attribute("aria-label") == "Skemaets afsnit"
    assert "mangler svar" in index.inner_text()
    _shot(page, screenshot_dir, "nurse-da-form")

    page.fill("input[name=neutrophils]", "1,400")  # refused, never guessed
    page.click("[data-testid=save]")
    summary = page.locator("[data-testid=error-summary]")
    assert "Der er et problem" in summary.inner_text()
    assert "Intet blev gemt" in summary.inner_text()
    _shot(page, screenshot_dir, "nurse-da-errors")

    fill(started.screenings.get(), nurse)  # the first referral, now answered in full
    page.goto(form_url(started))
    page.click("[data-testid=record-decision]")
    assert page.inner_text("[data-testid=confirm-outcome]").startswith("Egnet")
    _shot(page, screenshot_dir, "nurse-da-confirm")
    page.click("[data-testid=confirm-decision]")
    history = page.locator("[data-testid=candidate-history]")
    history.scroll_into_view_if_needed()
    assert "Forløb 1: værdier gemt" in history.inner_text()
    page.screenshot(path=str(screenshot_dir / "nurse-da-candidate-history.png"), full_page=True)
