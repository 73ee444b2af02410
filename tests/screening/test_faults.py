"""A database failure in the middle of recording a decision leaves nothing half-done, and the
nurse sees a clear message with her entries still in place."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from criteria.services import criteria_set_draft_create, criteria_set_publish
from screening import services
from screening.audit import decision_chain_verify
from screening.models import ChainHead, Decision, Screening
from tests.cases import fill, record_via_pages, reevaluate_via_pages

FAULT_POINTS = {
    # After the decision row is written, while the chain head is moved on.
    "chain-head": ChainHead,
    # After the decision and the chain head, while the episode is locked.
    "episode": Screening,
    # The very last write: the episode's history row.
    "episode-history": Screening.history.model,
}


def _fail_when_saving(monkeypatch, model) -> None:
    def broken_save(self, *args, **kwargs):
        raise DatabaseError("simulated: connection to the database server lost")

    monkeypatch.setattr(model, "save", broken_save)


def _state(episode) -> tuple:
    head = ChainHead.objects.filter(name="decisions").values_list("sequence", "entry_hash")
    episode.refresh_from_db()
    return (
        Decision.objects.count(),
        list(head),
        episode.status,
        episode.history.count(),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault_point", FAULT_POINTS)
def test_an_error_after_the_first_write_leaves_no_trace(
    candidate, episode, nurse, monkeypatch, fault_point
):
    # One decision already in the chain, so the chain head exists and must stay as it was.
    services.decision_record(screening=fill(episode, nurse), recorded_by=nurse)
    second = fill(services.screening_start(candidate=candidate, started_by=nurse), nurse)
    before = _state(second)

    with monkeypatch.context() as patch:
        _fail_when_saving(patch, FAULT_POINTS[fault_point])
        with pytest.raises(DatabaseError):
            services.decision_record(screening=second, recorded_by=nurse)

    assert _state(second) == before
    assert before[2] == Screening.Status.IN_PROGRESS
    assert decision_chain_verify().intact
    # Nothing half-done stands in the way: recording again simply works.
    decision = services.decision_record(screening=second, recorded_by=nurse)
    assert decision.sequence == 2
    assert decision_chain_verify().intact


def _episode_url(candidate):
    return reverse("screening:screening-form", args=[candidate.screening_number, 1])


@pytest.mark.django_db
def test_nurse_sees_a_clear_error_and_keeps_her_entries(
    nurse_client, candidate, episode, nurse, monkeypatch
):
    fill(episode, nurse, neutrophils="1.7", informed_consent=None)  # incomplete: needs a reason
    _fail_when_saving(monkeypatch, ChainHead)
    response = record_via_pages(nurse_client, episode, reason="Patient declined <b>today</b>")
    page = response.content.decode()
    confirm = reverse("screening:decision-record", args=[candidate.screening_number, 1])
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == confirm  # back where she pressed Confirm
    assert "so no decision was recorded" in page
    assert "call IT support" in page
    assert "Traceback" not in page
    assert "Screen failure (incomplete: Patient declined &lt;b&gt;today&lt;/b&gt;)" in page
    assert response.context["form"].initial["screen_failure_reason"] == (
        "Patient declined <b>today</b>"
    )
    assert Decision.objects.count() == 0
    saved = Screening.objects.get(pk=episode.pk)
    assert saved.status == Screening.Status.IN_PROGRESS
    assert saved.values["neutrophils"] == "1.7"
    form_page = nurse_client.get(_episode_url(candidate)).content.decode()
    assert 'value="1.7"' in form_page  # the saved values are on the form
    assert "Patient declined &lt;b&gt;today&lt;/b&gt;" in form_page  # and the reason


@pytest.mark.django_db
def test_a_failed_save_of_values_keeps_what_was_typed(nurse_client, candidate, monkeypatch):
    _fail_when_saving(monkeypatch, Screening)
    typed = {"sex": "female", "neutrophils": "2.4", "inr": "1.1"}
    response = nurse_client.post(_episode_url(candidate), typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "so nothing was saved" in page
    assert 'value="2.4"' in page and 'value="1.1"' in page
    assert candidate.screenings.get().values == {"sex": "female", "date_of_birth": "1965-03-02"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_real_database_error_after_the_decision_insert_rolls_everything_back(
    candidate, episode, nurse
):
    """Not a mock: PostgreSQL itself refuses the episode update that follows the decision
    insert and the chain head update (the trigger is dropped with the test's transaction)."""
    from django.db import connection

    episode = fill(episode, nurse)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "CREATE TRIGGER test_fault BEFORE UPDATE ON screening_screening "
            "FOR EACH ROW EXECUTE FUNCTION trialsite_refuse_change()"
        )
    before = _state(episode)
    with pytest.raises(DatabaseError, match="screening_screening"):
        services.decision_record(screening=episode, recorded_by=nurse)
    assert _state(episode) == before
    assert before[0] == 0 and before[1] == []


def test_a_failed_reevaluation_shows_a_clear_error_and_keeps_the_old_decision(
    nurse_client, candidate, episode, nurse, criteria_admin, monkeypatch
):
    fill(episode, nurse)
    services.decision_record(screening=episode, recorded_by=nurse)
    draft = criteria_set_draft_create(trial=candidate.trial, created_by=criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="v2")
    _fail_when_saving(monkeypatch, ChainHead)
    _, response = reevaluate_via_pages(nurse_client, episode)
    assert "no decision was recorded" in response.content.decode()
    assert list(Decision.objects.values_list("criteria_set_version", flat=True)) == [1]
