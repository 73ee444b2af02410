"""A nurse logs in, sees her home page styled from the server's own static files, logs out."""

import pytest

from tests.browser.conftest import log_in, log_out
from tests.factories import TEST_PASSWORD, UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)


def test_nurse_logs_in_sees_home_and_logs_out(page, live_server, screenshot_dir):
    UserFactory(username="nurse", role=roles.STUDY_NURSE)
    log_in(page, "nurse", TEST_PASSWORD)

    page.wait_for_selector('[data-testid="role-nurse"]')
    # Bootstrap's CSS really applied: the navbar is coloured, not an unstyled list.
    navbar_colour = page.eval_on_selector(".navbar", "e => getComputedStyle(e).backgroundColor")
    assert navbar_colour not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=str(screenshot_dir / "home-nurse.png"), full_page=True)

    external = [u for u in page.requested_urls if not u.startswith(live_server.url)]
    assert external == []
    assert any(u.endswith("bootstrap.min.css") for u in page.requested_urls)

    log_out(page)
    page.wait_for_selector("text=Log in to TrialSite")
    assert "/login/" in page.url
