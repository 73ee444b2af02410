"""Playwright driving Debian's Chromium (never a downloaded browser) against live_server."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests import fhir_server as demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("Debian chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser context whose requests are recorded, so tests can prove no CDN is hit."""
    context = chromium_browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.server_url = live_server.url  # for sign_in's cookie
    page.requested_urls = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    yield page
    context.close()


@pytest.fixture
def screenshot_dir(tmp_path):
    """Screenshots go under the test's tmp dir, or ARTIFACTS_DIR when set (to look at them)."""
    target = Path(os.environ.get("ARTIFACTS_DIR", tmp_path))
    target.mkdir(parents=True, exist_ok=True)
    return target


def log_in(page, username: str, password: str) -> None:
    """Log in through the log-in form, as a person does (test_login.py, test_language.py)."""
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")  # the menu bar above has the language switch


def sign_in(page, username: str, server_url: str | None = None) -> None:
    """Signed in as `username` without the log-in form, then at home, where the form would
    have led: a session made as Django's test client makes one (the log-in signal's receivers
    run: the user's language, the session's stamp), its cookie given to the browser. Saves
    every test the log-in page and its post; the form itself is tested in test_login.py,
    test_language.py and by the accessibility sweep. `server_url`: the live server's, for a
    page not from the `page` fixture."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "url": server_url or page.server_url,
            }
        ]
    )
    page.goto("/")


def register_referral(page) -> None:
    """Register the standard referral (born 02-03-1965) through the menu, as a nurse does."""
    page.click("text=Register referral >> nth=0")
    page.fill("input[name=initials]", "KH")
    page.fill("input[name=date_of_birth]", "1965-03-02")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=referring_unit]", "Herlev Hospital, Oncology")
    page.fill("input[name=referral_date]", "2026-11-18")
    page.click("text=Register referral >> nth=-1")
    page.wait_for_selector("text=Referral registered as NCT01387295-S0001")


def save_and_record(page, outcome: str) -> None:
    """Save the screening form, record the decision, check the outcome the confirmation page
    states (e.g. "Eligible") and confirm it."""
    page.click("button[name=save]")
    page.wait_for_selector("text=Saved.")
    page.click("[data-testid=record-decision]")
    assert page.inner_text("[data-testid=confirm-outcome]").startswith(outcome)
    page.click("[data-testid=confirm-decision]")
    page.wait_for_selector("text=Decision recorded")


def new_draft(page) -> None:
    """As a signed-in criteria admin: Criteria in the menu, then New draft (v2 of the trial)."""
    page.click("nav >> text=Criteria")
    page.click("[data-testid=new-draft]")
    page.wait_for_selector("text=Draft v2 created")


def log_out(page) -> None:
    """Log out as a user would at any width: below 1200 px the menu is collapsed first."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.click("text=Log out")


fhir_server = demo.fhir_server  # the session's demo FHIR server, for the prefill test
