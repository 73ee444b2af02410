"""The criteria admin: drafts, edits, diff, impact preview, publishing, and what stays fixed."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from criteria.exceptions import CriteriaEditRefused, CriteriaSetFrozen
from criteria.models import CriteriaSet
from criteria.selectors import criteria_set_diff
from criteria.services import criteria_set_draft_create, criteria_set_publish, criterion_save
from tests.criteria.cases import lvef_amended
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(trial, criteria_admin):
    return criteria_set_draft_create(trial=trial, created_by=criteria_admin)


def _set_lvef_threshold(draft, threshold: str, user) -> None:
    i18 = draft.criteria.get(code="I18")
    for name, value in lvef_amended(i18.as_rule_dict(), threshold).items():
        setattr(i18, name, value)
    criterion_save(criterion=i18, changed_by=user, reason="Amendment 3: LVEF 55 %")


def test_a_draft_is_a_full_copy_of_the_published_set(trial, draft):
    published = trial.criteria_sets.get(status="published")
    assert (draft.version, draft.status, draft.based_on) == (2, "draft", published)
    copied = [c.as_rule_dict() for c in draft.criteria.all()]
    assert copied == [c.as_rule_dict() for c in published.criteria.all()]


def test_publishing_retires_the_previous_set(trial, draft, criteria_admin):
    _set_lvef_threshold(draft, "55", criteria_admin)
    criteria_set_publish(
        criteria_set=draft, published_by=criteria_admin, reason="Amendment 3: LVEF threshold 55 %"
    )
    statuses = dict(trial.criteria_sets.values_list("version", "status"))
    assert statuses == {1: "retired", 2: "published"}
    draft.refresh_from_db()
    assert draft.change_reason == "Amendment 3: LVEF threshold 55 %"
    assert draft.published_by == criteria_admin


def test_publishing_needs_a_reason(draft, criteria_admin):
    with pytest.raises(CriteriaEditRefused):
        criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason=" ")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_draft_made_from_an_older_version_is_refused_cleanly(trial, draft, criteria_admin):
    second = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="first")
    with pytest.raises(CriteriaEditRefused, match="published after this draft"):
        criteria_set_publish(criteria_set=second, published_by=criteria_admin, reason="second")
    assert trial.criteria_sets.filter(status="published").count() == 1
    second.refresh_from_db()
    assert second.status == "draft"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_publishes_leave_exactly_one_published_set(protocol):
    trial = protocol.trial
    admin = UserFactory(username="criteria-admin", role=roles.CRITERIA_ADMIN)
    drafts = [criteria_set_draft_create(trial=trial, created_by=admin) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def publish(draft):
        try:
            barrier.wait()
            criteria_set_publish(criteria_set=draft, published_by=admin, reason="race")
            outcomes.append("published")
        except CriteriaEditRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["published", "refused"]
    assert trial.criteria_sets.filter(status="published").count() == 1


def test_published_and_retired_sets_cannot_be_edited(trial, draft, criteria_admin):
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="v2")
    for version in (1, 2):
        frozen = trial.criteria_sets.get(version=version)
        criterion = frozen.criteria.get(code="I18")
        criterion.note = "tampered"
        with pytest.raises(CriteriaSetFrozen):
            criterion.save()
        with pytest.raises(CriteriaSetFrozen):
            criterion.delete()
        frozen.change_reason = "tampered"
        with pytest.raises(CriteriaSetFrozen):
            frozen.save()
    retired = trial.criteria_sets.get(version=1)
    retired.status = CriteriaSet.Status.PUBLISHED
    with pytest.raises(CriteriaSetFrozen):
        retired.save()


def test_diff_names_the_changed_criterion_in_words(draft, criteria_admin):
    _set_lvef_threshold(draft, "55", criteria_admin)
    diff = criteria_set_diff(draft.based_on, draft)
    assert [(e["code"], e["change"]) for e in diff] == [("I18", "changed")]
    assert diff[0]["fields"] == [
        ("Rule", "LVEF ≥ 50 %", "LVEF ≥ 55 %"),
        (
            "Label",
            "LVEF at least 50% (HER2-positive only)",
            "LVEF at least 55% (HER2-positive only)",
        ),
        (
            "Protocol wording",
            "If the patient is HER2-positive:Baseline LVEF ≥ 50 %",
            "If the patient is HER2-positive:Baseline LVEF ≥ 55 %",
        ),
    ]
    assert diff[0]["warnings"] == []
    out = io.StringIO()
    call_command("criteria_diff", "NCT01387295", "1", "2", stdout=out)
    assert "I18 changed" in out.getvalue()
    assert "Rule: LVEF ≥ 50 % → LVEF ≥ 55 %" in out.getvalue()
    assert "Label: LVEF at least 50% (HER2-positive only) → LVEF at least 55%" in out.getvalue()
