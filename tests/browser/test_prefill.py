"""A nurse prefills a referral from the hospital record (the demo FHIR server), approves the
values, records the decision; the sources show in the panel, the audit trail and the snapshot.
Counts the fields the nurse types per patient without and with the prefill."""

import pytest

from screening.models import Decision
from tests.browser.conftest import log_out, register_referral, sign_in
from tests.browser.test_nurse_screening import SECTIONS, _fill_section
from tests.cases import eligible_values
from tests.factories import UserFactory
from tests.fhir_server import KAREN_CPR, SCREENING_DATE
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)
PREFILLED = {
    "date_of_birth", "sex", "neutrophils", "platelets", "bilirubin", "serum_creatinine",
    "inr", "weight_kg", "lvef_percent",
}  # fmt: skip


def _questions(page, section: str) -> list[str]:
    return (
        page.locator(f"#section-{section} [data-variable]")
        .evaluate_all("els => els.map(e => e.dataset.variable)")
    )  # fmt: skip


def _type_the_rest(page, values: dict, skip: set) -> int:
    """Fill every section but the `skip` keys, saving each; the number of fields typed."""
    typed = 0
    for section in SECTIONS:
        keys = [k for k in _questions(page, section) if k in values and k not in skip]
        _fill_section(page, section, {k: values[k] for k in keys})
        typed += len(keys)
        page.click("button[name=save]")
        page.wait_for_selector("text=Saved.")
    return typed


def _shots(page, screenshot_dir, name: str, part: str = "") -> None:
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        path = str(screenshot_dir / f"{name}-{width}.png")
        if part:
            page.locator(part).screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)


def test_prefill_approve_record_and_find_the_sources(
    page, protocol, settings, fhir_server, screenshot_dir
):
    settings.FHIR_BASE_URL = fhir_server
    page.set_viewport_size({"width": 1280, "height": 900})
    UserFactory(username="nurse", role=roles.STUDY_NURSE)
    UserFactory(username="investigator", role=roles.INVESTIGATOR)
    sign_in(page, "nurse")
    register_referral(page)
    values = eligible_values() | {"screening_date": SCREENING_DATE}
    # Without the prefill the nurse answers every question but those the registration gave.
    every = {k for s in SECTIONS for k in _questions(page, s) if k in values}
    every -= {"sex", "date_of_birth"}

    _fill_section(page, "referral", {"screening_date": SCREENING_DATE})
    page.click("button[name=save]")
    page.wait_for_selector("text=Saved.")
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 500})
        page.screenshot(path=str(screenshot_dir / f"prefill-button-{width}.png"))
    page.click("[data-testid=prefill]")
    page.fill("input[name=identifier]", KAREN_CPR)
    page.click("[data-testid=lookup]")
    page.wait_for_selector("[data-testid=proposals]")
    assert page.locator("tr[data-usable=yes]").count() == len(PREFILLED)
    assert KAREN_CPR not in page.content()
    _shots(page, screenshot_dir, "prefill-proposals")
    page.click("[data-testid=approve-all]")
    page.wait_for_selector("text=9 values approved from the hospital record")

    typed = _type_the_rest(page, values, skip=PREFILLED | {"screening_date"}) + 1
    assert typed == len(every - PREFILLED)
    # Of those, the ones typed as text (numbers and dates, not a tick or a choice):
    kinds = dict(protocol.trial.variables.values_list("key", "data_type"))
    text = {k for k in every if kinds[k] in ("number", "integer", "date") and values[k] != "never"}
    print(
        f"answers per patient: before {len(every)} -> after {typed}; typed as text: "
        f"before {len(text)} -> after {len(text - PREFILLED)} (+ the CPR number once)"
    )
    assert (len(every), typed, len(text), len(text - PREFILLED)) == (41, 34, 15, 8)
    panel = page.locator("#standing [data-testid=value-sources]")
    neutrophils = panel.locator("li[data-key=neutrophils]").inner_text()
    assert "3.2 × 10⁹/L" in neutrophils
    assert "Observation/karen-neut · 18-11-2026 08:10 · approved by nurse" in neutrophils
    bilirubin = panel.locator("li[data-key=bilirubin] [title]").get_attribute("title")
    assert "as 0.6 mg/dL" in bilirubin
    assert page.inner_text("#standing [data-testid=outcome]") == "Eligible"
    panel.scroll_into_view_if_needed()
    _shots(page, screenshot_dir, "prefill-panel", part="#standing")

    page.click("[data-testid=record-decision]")
    page.click("[data-testid=confirm-decision]")
    page.wait_for_selector("text=Decision recorded: Eligible")
    snapshot = Decision.objects.get().sources_snapshot
    assert snapshot["neutrophils"]["resource"] == "Observation/karen-neut"
    assert snapshot["neutrophils"]["approved_by"] == "nurse"
    assert snapshot["informed_consent"]["source"] == "typed"

    log_out(page)
    sign_in(page, "investigator")
    page.goto("/log/candidates/NCT01387295-S0001/audit-trail/")
    page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
    trail = page.inner_text("[data-testid=audit-trail]")
    assert "Neutrophils (10⁹/L) (source)" in trail
    assert "hospital record Observation/karen-neut" in trail
    assert "values from the hospital record: bilirubin, date_of_birth" in trail
    _shots(page, screenshot_dir, "prefill-audit-trail", part="[data-testid=audit-trail]")
