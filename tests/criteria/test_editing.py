"""The criteria admin: drafts, edits, diff, impact preview, publishing, and what stays fixed."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from criteria.exceptions import CriteriaEditRefused, CriteriaSetFrozen
from criteria.models import CriteriaSet
from criteria.selectors import criteria_set_diff
from criteria.services import criteria_set_draft_create, criteria_set_publish, criterion_save
from screening import services
from screening.impact import impact_preview
from screening.models import Decision
from tests.cases import eligible_values, fill, lvef_amended, register
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


def _screen(trial, nurse, decide=False, **changes):
    candidate = register(
        trial, nurse, initials="XY", referral_date=eligible_values()["screening_date"]
    )
    episode = fill(candidate.screenings.get(), nurse, **changes)
    if decide:
        services.decision_record(screening=episode, recorded_by=nurse)
    return candidate


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
            "Translations",
            "Danish label: “LVEF mindst 50 % (kun HER2-positive)”",
            "Danish label: “LVEF mindst 55 % (kun HER2-positive)”",
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
    assert "Translations: Danish label: “LVEF mindst 50 % (kun" in out.getvalue()


def test_impact_preview_lists_exactly_the_episodes_that_flip(trial, nurse, draft, criteria_admin):
    flipping = [_screen(trial, nurse, lvef_percent="52") for _ in range(2)]
    _screen(trial, nurse, lvef_percent="60")
    _screen(
        trial,
        nurse,
        her2_status="negative",
        lvef_percent=None,
        dyspnoea_from_malignancy_or_oxygen_need=None,
    )
    _set_lvef_threshold(draft, "55", criteria_admin)

    preview = impact_preview(draft)

    assert preview.evaluated == 4
    assert [c.screening_number for c in preview.changes] == [c.screening_number for c in flipping]
    assert {(c.old_outcome, c.new_outcome, c.causes) for c in preview.changes} == {
        ("eligible", "ineligible", ("I18",))
    }
    assert preview.transitions == {("eligible", "ineligible"): 2}


def test_impact_preview_query_count_does_not_grow(
    trial, nurse, draft, criteria_admin, django_assert_max_num_queries
):
    for _ in range(3):
        _screen(trial, nurse)
    with django_assert_max_num_queries(12) as few:
        impact_preview(draft)
    for _ in range(12):
        _screen(trial, nurse)
    with django_assert_max_num_queries(len(few.captured_queries)):
        impact_preview(draft)


def test_old_decisions_render_identically_after_a_new_version(
    trial, nurse, nurse_client, criteria_admin
):
    candidate = _screen(trial, nurse, decide=True, lvef_percent="52")
    url = reverse("screening:candidate-detail", args=[candidate.screening_number])

    def decision_html() -> str:
        page = nurse_client.get(url).content.decode()
        start = page.index('<article class="mb-3" data-testid="decision">')
        return page[start : page.index("</article>", start)]

    before = decision_html()
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    _set_lvef_threshold(draft, "55", criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="A3")
    assert decision_html() == before
    assert "Eligible" in before


def test_reevaluation_under_new_criteria_adds_a_decision_and_keeps_the_old(
    trial, nurse, criteria_admin
):
    candidate = _screen(trial, nurse, decide=True, lvef_percent="52")
    episode = candidate.screenings.get()
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    _set_lvef_threshold(draft, "55", criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="A3")

    newer = services.decision_reevaluate(screening=episode, recorded_by=nurse)

    outcomes = list(
        episode.decisions.order_by("sequence").values_list("criteria_set_version", "outcome")
    )
    assert outcomes == [(1, "eligible"), (2, "ineligible")]
    assert newer.previous_hash == Decision.objects.get(sequence=1).entry_hash
