"""An investigator filters the screening log, opens a candidate, signs off, sees the summary."""

import datetime as dt

import pytest

from screening.models import Decision, Signature
from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD, UserFactory
from tests.screening.log_data import clone_decisions, make_cohort, screen_patient
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)


def test_investigator_filters_opens_signs_off_and_sees_the_summary(
    page, live_server, protocol, screenshot_dir
):
    page.set_viewport_size({"width": 1400, "height": 1000})
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    second_nurse = UserFactory(username="nurse2", role=roles.STUDY_NURSE)
    investigator = UserFactory(
        username="investigator", first_name="Inge", last_name="Larsen", role=roles.INVESTIGATOR
    )
    make_cohort(protocol.trial, nurse, second_nurse, investigator)
    unsigned = screen_patient(
        protocol.trial,
        nurse,
        referral_date=dt.date(2026, 11, 6),
        at=dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC),
    )
    number = unsigned.screening.candidate.screening_number

    sign_in(page, "investigator")
    page.click("nav >> text=Screening log")
    page.wait_for_selector('[data-testid="log-table"]')
    assert page.locator('[data-testid="log-row"]').count() == 6
    page.screenshot(path=str(screenshot_dir / "log-all.png"), full_page=True)

    page.select_option("select[name=outcome]", "eligible")
    page.click("button:has-text('Filter'), input[value='Filter']")
    page.wait_for_selector("text=2 episodes match the filters")
    rows = page.locator('[data-testid="log-row"]')
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-number") == number  # newest decision first
    page.screenshot(path=str(screenshot_dir / "log-filtered-eligible.png"), full_page=True)

    page.click(f"[data-testid=log-row][data-number='{number}'] >> text={number}")
    page.wait_for_selector('[data-testid="audit-trail"]')
    assert page.locator('[data-testid="trail-entry"][data-kind="decision"]').count() == 1
    page.screenshot(path=str(screenshot_dir / "audit-trail-before.png"), full_page=True)

    page.click('[data-testid="signoff-link"]')
    meaning = (
        "I confirm that this patient meets all eligibility criteria of NCT01387295, "
        "criteria version 1."
    )
    page.wait_for_selector(f"text={meaning}")
    page.fill("input[name=password]", "a wrong password")
    page.check("input[name=confirm]")
    page.click("button:has-text('Sign off'), input[value='Sign off']")
    page.wait_for_selector("text=The password is not correct. Nothing was signed.")
    assert not Signature.objects.filter(decision=unsigned).exists()
    page.screenshot(path=str(screenshot_dir / "signoff-wrong-password.png"), full_page=True)

    page.fill("input[name=password]", TEST_PASSWORD)
    page.check("input[name=confirm]")
    page.click("button:has-text('Sign off'), input[value='Sign off']")
    page.wait_for_selector("text=Signed off. The signature is recorded below.")
    assert page.locator('[data-testid="trail-entry"][data-kind="signature"]').count() == 1
    assert page.locator('[data-testid="trail-entry"][data-kind="refused"]').count() == 1
    signature = Signature.objects.get(decision=unsigned)
    assert signature.signer_full_name == "Inge Larsen"
    page.screenshot(path=str(screenshot_dir / "audit-trail-signed.png"), full_page=True)

    page.click("nav >> text=Summary")
    chart = page.wait_for_selector('[data-testid="failure-chart"]')
    assert chart.is_visible()
    assert chart.bounding_box()["height"] > 50  # drawn, not an empty box
    assert page.locator('[data-testid="failure-chart"] [data-testid="bar"]').count() == 3
    assert page.locator('[data-testid="funnel-chart"] [data-testid="bar"]').count() == 4
    page.screenshot(path=str(screenshot_dir / "summary.png"), full_page=True)

    external = [u for u in page.requested_urls if not u.startswith(live_server.url)]
    assert external == []


@pytest.mark.parametrize("width", [1280, 768])
def test_the_signoff_page_and_the_signed_trail_show_the_audit_chain_head(
    page, live_server, protocol, screenshot_dir, width
):
    page.set_viewport_size({"width": width, "height": 900})
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    UserFactory(
        username="investigator", first_name="Inge", last_name="Larsen", role=roles.INVESTIGATOR
    )
    decision = screen_patient(protocol.trial, nurse)
    sign_in(page, "investigator")
    page.goto(f"/log/decisions/{decision.public_id}/sign/")
    head = page.locator('[data-testid="chain-head"]')
    assert head.is_visible()
    assert head.inner_text() == (
        f"decision 1, hash {decision.entry_hash[:16]}…; signature 0, hash {'0' * 16}…"
    )
    page.screenshot(path=str(screenshot_dir / f"signoff-chain-head-{width}.png"), full_page=True)

    page.fill("input[name=password]", TEST_PASSWORD)
    page.check("input[name=confirm]")
    page.click("button:has-text('Sign off'), input[value='Sign off']")
    signature = Signature.objects.get()
    told = f"signature 1, hash {signature.entry_hash[:16]}…"
    page.wait_for_selector(f"text=It is the head of the signature chain: {told}")
    entry = page.locator('[data-testid="trail-entry"][data-kind="signature"]')
    assert f"Signature 1 of the signature chain, hash {signature.entry_hash[:16]}…" in (
        entry.inner_text()
    )
    page.screenshot(path=str(screenshot_dir / f"signed-trail-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 768])
def test_the_log_pages_sorts_and_jumps_to_a_page(
    page, live_server, protocol, screenshot_dir, width
):
    page.set_viewport_size({"width": width, "height": 900})
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    second_nurse = UserFactory(username="nurse2", role=roles.STUDY_NURSE)
    investigator = UserFactory(username="investigator", role=roles.INVESTIGATOR)
    make_cohort(protocol.trial, nurse, second_nurse, investigator)
    clone_decisions(list(Decision.objects.select_related("screening__candidate__trial")), 150)
    sign_in(page, "investigator")
    page.goto("/log/")
    assert page.locator('[data-testid="log-row"]').count() == 50
    assert page.locator('[data-testid="log-count"]').inner_text().startswith("155 episodes")
    page.screenshot(path=str(screenshot_dir / f"log-{width}.png"), full_page=True)

    jump = page.locator('[data-testid="page-jump"]')
    assert "Page 1 of 4" in jump.inner_text()
    jump.locator("input[name=page]").fill("4")
    jump.locator("button").click()
    page.wait_for_selector("text=Page 4 of 4")
    assert page.locator('[data-testid="log-row"]').count() == 5
    # The episode not decided is last in the default order, newest decision first.
    assert page.locator('[data-testid="log-row"] [data-testid="outcome"]').last.inner_text() == (
        "Not decided"
    )
    page.screenshot(path=str(screenshot_dir / f"log-last-page-{width}.png"), full_page=True)

    page.click("thead >> text=Screening number")
    page.wait_for_selector("text=Page 1 of 4")
    numbers = page.locator('[data-testid="log-row"]').evaluate_all(
        "rows => rows.map(r => r.dataset.number)"
    )
    assert numbers[:2] == [f"{protocol.trial.registry_id}-S{n:04d}" for n in (1, 2)]
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Screening number")
