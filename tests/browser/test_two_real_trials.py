"""The two real trials shipped in criteria/protocols/ (NCT01387295, NCT02104830) side by side:
a nurse registers and screens one patient in each with the keyboard; an investigator filters
the log and the summary by trial and exports one trial."""

import csv
import io
from datetime import date

import pytest

from screening import services
from screening.failures import failed_results
from screening.models import Decision
from tests.browser.conftest import save_and_record, sign_in
from tests.cases import eligible_values, register
from tests.criteria.second_trial import second_trial_values
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)

T1, T2 = "NCT01387295", "NCT02104830"
# NCT02104830's patient: a woman of 66 with liver metastases and ALT exactly at the higher limit.
# By hand: ALT 225/45 = 5.00 × ULN, not below 5 (nor below 2.5), so neither part of I13's any-of
# holds and she is ineligible on I13 alone; AST 60/35 = 1.71 × ULN.
WOMAN = {"liver_metastases": True, "alt": "225", "alt_uln": "45"}


def _type(page, selector: str, text: str) -> None:
    """Put the focus on a field and type into it, as a nurse does with the keyboard."""
    page.focus(selector)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)


def _answer(page, question, key: str, value) -> None:
    """Answer one question with the keyboard: Space on a radio, letters on a list, typing."""
    if value is True or value is False:
        question.locator(f'input[value="{"yes" if value else "no"}"]').focus()
        page.keyboard.press("Space")
    elif value == "never":
        question.locator(f'input[name="{key}__never"]').focus()
        page.keyboard.press("Space")
    elif question.locator(f'select[name="{key}"]').count():
        select = question.locator(f'select[name="{key}"]')
        select.focus()
        page.keyboard.type(str(value))
        assert select.input_value() == str(value)
    elif question.locator(f'input[name="{key}"]').is_enabled():  # not the registered birth date
        _type(page, f'input[name="{key}"]', str(value))


def _register(page, trial_label: str, born: str, sex: str) -> str:
    page.goto("/candidates/new/")
    page.select_option("select[name=trial]", label=trial_label)
    _type(page, "input[name=initials]", "KH")
    _type(page, "input[name=date_of_birth]", born)
    page.focus("select[name=sex]")
    page.keyboard.type(sex)
    _type(page, "input[name=referring_unit]", "Herlev Hospital, Oncology")
    _type(page, "input[name=referral_date]", "18-11-2026")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Referral registered as")
    return page.inner_text(".alert-success").split("registered as ")[1].rstrip(".").strip()


def _screen(page, values: dict, outcome: str) -> None:
    """Answer every visible question of every section, save, record and confirm."""
    for key, value in values.items():
        question = page.locator(f'[data-variable="{key}"]')
        if question.count() and question.is_visible():
            _answer(page, question, key, value)
    save_and_record(page, outcome)


def _shoot(page, directory, name: str) -> None:
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_nurse_screens_one_patient_in_each_trial_with_the_keyboard(
    page, protocol, second_real_trial, screenshot_dir
):
    page.set_viewport_size({"width": 1280, "height": 900})
    UserFactory(username="nurse", role=roles.STUDY_NURSE)
    sign_in(page, "nurse")

    first = _register(page, f"{T1} · {protocol.trial.title}", "02-03-1965", "female")
    _screen(page, eligible_values(), "Eligible")
    second = _register(page, f"{T2} · {second_real_trial.title}", "10-05-1960", "female")
    _screen(page, second_trial_values(**WOMAN), "Ineligible")
    assert (first, second) == (f"{T1}-S0001", f"{T2}-S0001")

    decided = {d.criteria_set.trial.registry_id: d for d in Decision.objects.all()}
    assert decided[T1].outcome == "eligible"
    assert [r["code"] for r in failed_results(decided[T2].results)] == ["I13"]
    page.goto(f"/candidates/{second}/")
    derived = page.inner_text("body")
    for shown in ("5.00 × ULN", "1.71 × ULN"):  # derived, rounded as the file says
        assert shown in derived
    _shoot(page, screenshot_dir, f"{T2}-decided")


def _decide(trial, nurse, values: dict, **registration) -> Decision:
    candidate = register(trial, nurse, **registration)
    episode = candidate.screenings.get(episode=1)
    services.screening_values_save(screening=episode, values=values, units={}, saved_by=nurse)
    return services.decision_record(
        screening=episode, recorded_by=nurse, screen_failure_reason="does not qualify"
    )


def test_an_investigator_filters_the_log_and_summary_by_trial_and_exports_one(
    page, protocol, second_real_trial, screenshot_dir
):
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    UserFactory(username="investigator", role=roles.INVESTIGATOR)
    born = date(1960, 5, 10)  # second_trial_values()'s date of birth
    _decide(protocol.trial, nurse, eligible_values())
    _decide(protocol.trial, nurse, eligible_values() | {"measurable_liver_disease": False})
    _decide(second_real_trial, nurse, second_trial_values(), date_of_birth=born, sex="female")
    _decide(
        second_real_trial, nurse, second_trial_values(**WOMAN), date_of_birth=born, sex="female"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "investigator")

    rows = page.locator("[data-testid=log-row]")
    for registry_id, count in ((T1, 2), (T2, 2)):
        page.goto("/log/")
        page.select_option("select[name=trial]", registry_id)
        with page.expect_navigation():  # the click returns once the next page starts loading
            page.click("[data-testid=log-filters] button[type=submit]")
        assert rows.count() == count
        trials = page.locator("[data-testid=log-row] [data-testid=trial]").all_inner_texts()
        assert trials == [registry_id] * count
        _shoot(page, screenshot_dir, f"two-trials-log-{registry_id}")

    with page.expect_download() as download:  # the log is still filtered on NCT02104830
        page.click("[data-testid=export-csv]")
    text = download.value.path().read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))
    assert sorted((r["Trial"], r["Screening number"], r["Criteria"]) for r in exported) == [
        (T2, f"{T2}-S0001", f"{T2} criteria version 1"),
        (T2, f"{T2}-S0002", f"{T2} criteria version 1"),
    ]

    page.goto("/log/summary/")
    bars = page.locator("[data-testid=failure-chart] [data-testid=bar] title")
    for registry_id, referred, failures in (
        (T1, "2", ["I07 Measurable disease in the liver (RECIST 1.1): 1"]),
        (T2, "2", ["I13 ALT and AST below 2.5 × ULN, or below 5 × ULN with liver metastases: 1"]),
    ):
        page.select_option("select[name=trial]", registry_id)
        with page.expect_navigation():
            page.click("[aria-label=Period] [type=submit]")
        assert page.inner_text("[data-testid=count-referred]") == referred
        assert bars.all_text_contents() == failures
        _shoot(page, screenshot_dir, f"two-trials-summary-{registry_id}")
