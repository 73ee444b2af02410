"""Two trials at one site: a nurse registers and screens one patient in each; an investigator
filters the log and the summary by trial and exports one trial."""

import csv
import io

import pytest

from screening.failures import failed_results
from screening.models import Decision
from tests.browser.conftest import save_and_record, sign_in
from tests.browser.test_nurse_screening import _fill_section
from tests.cases import eligible_values, shared_codes_values
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)

T1, T2 = "NCT01387295", "NCT09990002"


def _shoot(page, directory, name: str) -> None:
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _register(page, trial_label: str, initials: str) -> str:
    page.goto("/candidates/new/")
    page.select_option("select[name=trial]", label=trial_label)
    page.fill("input[name=initials]", initials)
    page.fill("input[name=date_of_birth]", "02-03-1965")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=referring_unit]", "Herlev Hospital, Oncology")
    page.fill("input[name=referral_date]", "18-11-2026")
    page.click("input[name=submit]")
    page.wait_for_selector("text=Referral registered as")
    return page.inner_text(".alert-success").split("registered as ")[1].rstrip(".").strip()


def _screen(page, values: dict, outcome: str) -> None:
    """Fill every section the trial's form has, save, record and confirm."""
    sections = page.locator("fieldset[id^=section-]").evaluate_all(
        "els => els.map(e => e.id.replace('section-', ''))"
    )
    for section in sections:
        _fill_section(page, section, values)
    save_and_record(page, outcome)


def test_two_trials_registered_screened_filtered_and_exported(
    page, protocol, shared_codes_trial, screenshot_dir
):
    page.set_viewport_size({"width": 1280, "height": 900})
    UserFactory(username="nurse", role=roles.STUDY_NURSE)
    UserFactory(username="investigator", role=roles.INVESTIGATOR)
    sign_in(page, "nurse")

    page.goto("/candidates/new/")
    assert page.locator("select[name=trial] option").all_inner_texts()[0] == "Choose the trial"
    _shoot(page, screenshot_dir, "register-choose-trial")
    first = _register(page, f"{T1} · {protocol.trial.title}", "KH")
    # I07 of NCT01387295: measurable liver disease; everything else eligible.
    _screen(page, eligible_values() | {"measurable_liver_disease": False}, "Ineligible")
    second = _register(page, f"{T2} · {shared_codes_trial.title}", "LM")
    # I07 of NCT09990002: platelets above 100.
    _screen(page, shared_codes_values(platelets="80"), "Ineligible")
    assert (first, second) == (f"{T1}-S0001", f"{T2}-S0001")
    by_trial = {d.criteria_set.trial.registry_id: d for d in Decision.objects.all()}
    assert [r["code"] for r in failed_results(by_trial[T1].results)] == ["I07"]
    assert [r["code"] for r in failed_results(by_trial[T2].results)] == ["I07"]
    page.goto("/candidates/")
    _shoot(page, screenshot_dir, "candidates-two-trials")

    page.context.clear_cookies()
    sign_in(page, "investigator")
    page.goto("/log/")
    rows = page.locator("[data-testid=log-row]")
    assert rows.count() == 2
    _shoot(page, screenshot_dir, "log-two-trials")
    page.select_option("select[name=failed_criterion]", f"{T2} I07")
    with page.expect_navigation():  # the click returns once the next page starts loading
        page.click("[data-testid=log-filters] button[type=submit]")
    assert page.locator("[data-testid=log-row]").all_inner_texts()[0].startswith(second)
    assert rows.count() == 1
    page.goto("/log/")
    page.select_option("select[name=trial]", T1)
    with page.expect_navigation():
        page.click("[data-testid=log-filters] button[type=submit]")
    assert rows.count() == 1
    assert page.locator("[data-testid=log-row] [data-testid=trial]").inner_text() == T1
    _shoot(page, screenshot_dir, "log-one-trial")

    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    text = download.value.path().read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))
    assert [(r["Trial"], r["Screening number"], r["Criteria"]) for r in exported] == [
        (T1, first, f"{T1} criteria version 1")
    ]

    page.goto("/log/summary/")
    for registry_id, bar in [
        (T1, "I07 Measurable disease in the liver (RECIST 1.1): 1"),
        (T2, "I07 Platelets above 100 × 10⁹/L: 1"),
    ]:
        chart = page.locator(f"[data-testid=failure-chart-{registry_id}] [data-testid=bar] title")
        assert chart.all_text_contents() == [bar]
    bars = page.locator("[data-testid=failure-chart] [data-testid=bar] title")
    _shoot(page, screenshot_dir, "summary-two-trials")
    page.select_option("select[name=trial]", T2)
    with page.expect_navigation():
        page.click("[aria-label=Period] [type=submit]")
    assert bars.all_text_contents() == ["I07 Platelets above 100 × 10⁹/L: 1"]
    assert page.inner_text("[data-testid=count-referred]") == "1"
    _shoot(page, screenshot_dir, "summary-one-trial")

    page.goto("/access-log/")
    _shoot(page, screenshot_dir, "access-log-two-trials")
    assert not [u for u in page.requested_urls if not u.startswith(page.url.split("/access")[0])]
