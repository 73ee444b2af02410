"""Pages on a tablet (768 or 820 px upright, 1,024 lengthwise) and wider: the candidates, the
standing beside the screening form, the screening log and the criteria history fit the
screen, with no sideways scrolling."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from criteria.services import protocol_load
from tests.browser.conftest import sign_in
from tests.cases import fill, form_url, register
from tests.factories import UserFactory
from tests.screening.log_data import make_cohort
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)

UNIT = "Herlev Hospital, Onkologisk Afdeling"

_SCROLLS = (
    "(() => { const t = document.querySelector('.table-responsive');"
    " return t.scrollWidth > t.clientWidth; })()"
)


@pytest.mark.parametrize("language", ["da", "en"])
def test_on_a_tablet_the_list_fits_and_the_referral_is_read_under_its_number(
    page, live_server, protocol, screenshot_dir, language
):
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    for initials in ("AB", "CD"):
        candidate = register(protocol.trial, nurse, initials=initials, referring_unit=UNIT)
    fill(candidate.screenings.get(), nurse)  # one in progress with answers, one not begun
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in(page, "nurse")
    born = {"da": "født", "en": "born"}[language]
    for width in (768, 820, 1024, 1280):  # tablets upright and lengthwise, a laptop
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto("/candidates/")
        assert not page.evaluate(_SCROLLS)
        details = page.locator("[data-testid=candidate-row] [data-testid=referral-details]")
        assert details.count() == 2 and details.first.is_visible()
        assert f"CD, {born} 1965" in details.first.inner_text()
        assert UNIT in details.first.inner_text()
        page.screenshot(path=str(screenshot_dir / f"candidates-{language}-{width}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto("/candidates/")
    assert not page.evaluate(_SCROLLS)
    # Wide enough for the details as columns of their own.
    assert not page.locator("[data-testid=referral-details]").first.is_visible()
    row = page.locator("[data-testid=candidate-row]").first.inner_text()
    assert "CD" in row and UNIT in row and "1965" in row
    page.screenshot(path=str(screenshot_dir / f"candidates-{language}-1400.png"))


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_standing_beside_the_form_fits_its_panel(
    page, live_server, protocol, screenshot_dir, language
):
    """Each criterion's label, rule and reason beside the questions, at the width where the
    panel is narrowest (1,024 px: a tablet lengthwise), and wider."""
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    candidate = register(protocol.trial, nurse)
    fill(candidate.screenings.get(), nurse, ecog_performance_status=2)  # one criterion fails
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in(page, "nurse")
    for width in (1024, 1280):
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(form_url(candidate))
        panel = page.locator(".standing-column .table-responsive").first
        assert panel.is_visible()
        assert not panel.evaluate("t => t.scrollWidth > t.clientWidth")
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"standing-{language}-{width}.png"))


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_criteria_history_fits_a_tablet(page, live_server, screenshot_dir, language):
    """A version's history names the file it was loaded from, as `make run` loads it: a long
    path, which wraps."""
    source = "criteria/protocols/NCT02104830.json"
    data = json.loads((Path(settings.BASE_DIR) / source).read_text(encoding="utf-8"))
    trial = protocol_load(data=data, source=source).trial
    UserFactory(username="admin", role=roles.CRITERIA_ADMIN)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in(page, "admin")
    for width in (768, 1024):
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(f"/criteria/{trial.registry_id}/history/")
        assert source in page.inner_text("main")
        assert not page.evaluate(_SCROLLS)
        page.screenshot(path=str(screenshot_dir / f"criteria-history-{language}-{width}.png"))


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_log_fits_a_tablet_with_each_episode_described_under_its_number(
    page, live_server, protocol, screenshot_dir, language
):
    """The sign-off column, where the investigator acts, is never behind a sideways scroll:
    on a tablet the episode's details go under its number, on a laptop they are columns."""
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    second_nurse = UserFactory(username="nurse2", role=roles.STUDY_NURSE)
    investigator = UserFactory(username="investigator", role=roles.INVESTIGATOR)
    make_cohort(protocol.trial, nurse, second_nurse, investigator)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in(page, "investigator")
    recorded = {"da": "registreret af", "en": "recorded by"}[language]
    for width in (768, 820, 1024, 1280):
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto("/log/")
        assert not page.evaluate(_SCROLLS)
        details = page.locator("[data-testid=log-row] [data-testid=episode-details]")
        trial = page.locator("[data-testid=log-row] [data-testid=trial]").first
        if width < 1200:
            assert details.count() == 5 and details.first.is_visible()
            assert recorded in details.first.inner_text()  # the newest row is decided
        else:
            assert not details.first.is_visible() and trial.is_visible()
        for link in page.locator("[data-testid=signoff-link]").all():
            box = link.bounding_box()
            assert box["x"] + box["width"] <= width
        page.screenshot(path=str(screenshot_dir / f"log-{language}-{width}.png"), full_page=True)
