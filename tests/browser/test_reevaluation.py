"""A nurse re-evaluates a decided patient after an amendment: the new outcome is shown beside
the earlier one before anything is recorded, and recorded only when she confirms."""

import pytest

from criteria.services import criteria_set_draft_create, criteria_set_publish, criterion_save
from screening import services
from tests.browser.conftest import sign_in
from tests.cases import fill, register
from tests.criteria.cases import lvef_amended
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_nurse_sees_the_new_outcome_before_confirming_a_reevaluation(
    page, trial, criteria_admin, screenshot_dir
):
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    candidate = register(trial, nurse)
    episode = fill(candidate.screenings.get(), nurse, lvef_percent="52")
    services.decision_record(screening=episode, recorded_by=nurse)
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    i18 = draft.criteria.get(code="I18")
    for name, value in lvef_amended(i18.as_rule_dict(), "55").items():
        setattr(i18, name, value)
    criterion_save(criterion=i18, changed_by=criteria_admin, reason="Amendment 3: LVEF 55 %")
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="Amendment 3")
    page.set_viewport_size({"width": 768, "height": 1000})
    sign_in(page, "nurse")

    page.goto(f"/candidates/{candidate.screening_number}/episodes/1/")
    page.click("[data-testid=reevaluate]")

    assert page.inner_text("[data-testid=confirm-outcome]").startswith("Ineligible")
    assert "criteria version 1" in page.inner_text("[data-testid=confirm-earlier]")
    page.screenshot(path=str(screenshot_dir / "reevaluation-confirm-768.png"), full_page=True)
    assert episode.decisions.count() == 1  # shown, not recorded
    page.click("[data-testid=confirm-decision]")
    page.wait_for_selector("text=Re-evaluated under criteria v2: Ineligible")
    assert list(episode.decisions.order_by("sequence").values_list("outcome", flat=True)) == [
        "eligible",
        "ineligible",
    ]
