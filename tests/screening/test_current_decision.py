"""The data derived from each decision — the episode's pointer to its current decision and the
failed criteria — is written with the decision, stays out of the history, is filled by the
migration for older decisions, and verify_audit notices when it is tampered with."""

import importlib

import pytest
from django.db import connection

from criteria.services import criteria_set_draft_create, criteria_set_publish
from screening import services
from screening.audit import current_decisions_verify, decision_chain_verify
from screening.models import Decision, FailedCriterion, Screening
from tests.cases import assert_append_only, fill, verify_audit_run
from tests.screening.log_data import clone_decisions, screen_patient

pytestmark = pytest.mark.django_db

BACKFILL = importlib.import_module("screening.migrations.0007_backfill_current_decision")
COPY_CURRENT = importlib.import_module("screening.migrations.0010_screened_order")


def _raw(sql: str, params: list, *, unprotect: str = "") -> None:
    """Raw SQL as an attacker would run it; on PostgreSQL a superuser first switches off the
    append-only trigger of `unprotect` (rolled back with the test's transaction)."""
    with connection.cursor() as cursor:
        if unprotect and connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {unprotect} DISABLE TRIGGER USER")
        cursor.execute(sql, params)


@pytest.fixture
def reevaluated(episode, nurse, criteria_admin):
    """An episode decided under v1, then re-evaluated under v2: two decisions."""
    fill(episode, nurse, neutrophils="1.2", platelets="80")
    services.decision_record(screening=episode, recorded_by=nurse)
    draft = criteria_set_draft_create(trial=episode.candidate.trial, created_by=criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="v2")
    services.decision_reevaluate(screening=episode, recorded_by=nurse)
    return episode


def test_recording_a_decision_points_the_episode_at_it(episode, nurse):
    fill(episode, nurse, neutrophils="1.2", cns_metastases=True)
    assert Screening.objects.get(pk=episode.pk).current_decision is None
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    assert Screening.objects.get(pk=episode.pk).current_decision == decision
    failed = FailedCriterion.objects.filter(decision=decision)
    assert list(failed.values_list("code", flat=True)) == ["I13", "E07"]
    assert [decision.results[f.position]["code"] for f in failed] == ["I13", "E07"]


def test_the_episode_holds_its_current_decisions_time_and_position(episode, nurse):
    fill(episode, nurse)
    assert Screening.objects.get(pk=episode.pk).current_sequence is None
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    stored = Screening.objects.get(pk=episode.pk)
    assert (stored.current_recorded_at, stored.current_sequence) == (
        decision.recorded_at,
        decision.sequence,
    )


def test_an_eligible_decision_has_no_failed_criteria(episode, nurse):
    decision = services.decision_record(screening=fill(episode, nurse), recorded_by=nurse)
    assert decision.outcome == "eligible"
    assert not FailedCriterion.objects.exists()


def test_a_reevaluation_moves_the_pointer_to_the_new_decision(reevaluated):
    first, second = Decision.objects.filter(screening=reevaluated).order_by("sequence")
    stored = Screening.objects.get(pk=reevaluated.pk)
    assert stored.current_decision == second
    assert (stored.current_recorded_at, stored.current_sequence) == (second.recorded_at, 2)
    assert first.failures.count() == second.failures.count() == 2
    assert decision_chain_verify().intact


def test_the_pointer_stays_out_of_the_history(episode, nurse):
    fill(episode, nurse)
    before = episode.history.count()
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    # One history row, for the status change the nurse made; none for the pointer.
    assert episode.history.count() == before + 1
    newest = episode.history.first()
    for derived in ("current_decision_id", "current_recorded_at", "current_sequence"):
        assert not hasattr(newest, derived)
    assert [c.field for c in newest.diff_against(newest.prev_record).changes] == ["status"]
    assert newest.instance_type.objects.get(pk=episode.pk).current_decision == decision


def test_saving_an_instance_read_before_the_decision_keeps_the_pointer(episode, nurse):
    stale = Screening.objects.get(pk=episode.pk)
    decision = services.decision_record(screening=fill(episode, nurse), recorded_by=nurse)
    stale._change_reason = "unrelated edit"
    stale.save()
    stored = Screening.objects.get(pk=episode.pk)
    assert stored.current_decision == decision
    assert (stored.current_recorded_at, stored.current_sequence) == (decision.recorded_at, 1)


def test_failed_criteria_are_append_only(episode, nurse):
    fill(episode, nurse, neutrophils="1.2")
    services.decision_record(screening=episode, recorded_by=nurse)
    assert_append_only(FailedCriterion.objects.get(), code="I01")
    assert FailedCriterion.objects.get().code == "I13"


@pytest.mark.parametrize("pointer", ["older", "none"])
def test_verify_audit_names_an_episode_whose_pointer_was_tampered_with(reevaluated, pointer):
    first = Decision.objects.filter(screening=reevaluated).order_by("sequence").first()
    target = first.pk if pointer == "older" else None
    _raw(
        "UPDATE screening_screening SET current_decision_id = %s WHERE id = %s",
        [target, reevaluated.pk],
    )
    report = current_decisions_verify()
    assert not report.intact
    assert report.message.startswith(f"{reevaluated} (1 wrong in all)")
    shown = "decision 1" if pointer == "older" else "none"
    assert f"its current decision is {shown}, but its newest is decision 2" in report.message
    code, output = verify_audit_run()
    assert code == 1
    assert f"audit chain BROKEN at {reevaluated} (1 wrong in all)" in output


def test_verify_audit_names_an_undecided_episode_that_points_at_a_decision(episode, nurse):
    decision = screen_patient(episode.candidate.trial, nurse)
    _raw(
        "UPDATE screening_screening SET current_decision_id = %s WHERE id = %s",
        [decision.pk, episode.pk],
    )
    code, output = verify_audit_run()
    assert code == 1
    assert f"{episode} (1 wrong in all): its current decision is decision 1" in output
    assert "but its newest is none" in output


@pytest.mark.parametrize(
    ("change", "held"),
    [
        ("current_sequence = 1", "position 1"),
        ("current_sequence = NULL", "position none"),
        ("current_recorded_at = NULL", "time none"),
        ("current_recorded_at = '2020-01-01 00:00:00'", "time 2020-01-01T00:00:00+00:00"),
    ],
)
def test_verify_audit_names_an_episode_whose_copy_of_its_decision_was_tampered_with(
    reevaluated, change, held
):
    second = Decision.objects.get(screening=reevaluated, sequence=2)
    _raw(f"UPDATE screening_screening SET {change} WHERE id = %s", [reevaluated.pk])
    code, output = verify_audit_run()
    assert code == 1
    assert f"audit chain BROKEN at {reevaluated} (1 wrong in all)" in output
    assert held in output
    assert f"but decision 2 was recorded at {second.recorded_at.isoformat()}" in output


def test_verify_audit_names_an_undecided_episode_that_holds_a_decisions_time(episode, nurse):
    decision = screen_patient(episode.candidate.trial, nurse)
    assert current_decisions_verify().intact
    _raw(
        "UPDATE screening_screening SET current_sequence = %s WHERE id = %s",
        [decision.sequence, episode.pk],
    )
    report = current_decisions_verify()
    assert not report.intact
    assert report.message == (
        f"{episode} (1 wrong in all): it holds its current decision's time none, position 1, "
        "but it has no decision"
    )


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("DELETE FROM screening_failedcriterion WHERE code = 'E07'", "(I13) differ"),
        ("UPDATE screening_failedcriterion SET code = 'I14' WHERE code = 'E07'", "(I13, I14)"),
    ],
)
def test_verify_audit_names_a_decision_whose_failed_criteria_were_tampered_with(
    trial, nurse, sql, said
):
    screen_patient(trial, nurse)
    decision = screen_patient(trial, nurse, fails=("I13", "E07"))
    _raw(sql, [], unprotect="screening_failedcriterion")
    code, output = verify_audit_run()
    assert code == 1
    assert f"audit chain BROKEN at decision 2 ({decision.public_id})" in output
    assert f"its failed-criteria rows {said}" in output
    assert "from its results (I13, E07)" in output


def test_decisions_written_in_bulk_get_what_the_service_writes(trial, nurse):
    templates = [screen_patient(trial, nurse, fails=("I14",)), screen_patient(trial, nurse)]
    clone_decisions(templates, 6)
    assert not Screening.objects.filter(current_decision__isnull=True).exists()
    for episode in Screening.objects.select_related("current_decision"):
        assert episode.current_recorded_at == episode.current_decision.recorded_at
        assert episode.current_sequence == episode.current_decision.sequence
    assert FailedCriterion.objects.filter(code="I14").count() == 1 + 3
    report = decision_chain_verify()
    assert report.intact, report.message


def test_the_migration_fills_pointers_and_failed_criteria_as_the_services_do(
    reevaluated, trial, nurse
):
    """0007's SQL, run on decisions recorded before it, writes exactly what the services
    write (here: thrown away first, then filled again)."""
    screen_patient(trial, nurse, fails=("I13", "E07"))
    screen_patient(trial, nurse)
    written = list(FailedCriterion.objects.values_list("decision", "position", "code"))
    pointers = dict(Screening.objects.values_list("pk", "current_decision"))
    _raw("DELETE FROM screening_failedcriterion", [], unprotect="screening_failedcriterion")
    _raw("UPDATE screening_screening SET current_decision_id = NULL", [])
    assert not current_decisions_verify().intact

    with connection.cursor() as cursor:
        cursor.execute(BACKFILL.POINT_EPISODES)
        cursor.execute(BACKFILL.FAILED[connection.vendor])

    assert list(FailedCriterion.objects.values_list("decision", "position", "code")) == written
    assert dict(Screening.objects.values_list("pk", "current_decision")) == pointers
    assert decision_chain_verify().intact


def test_0010_copies_each_episodes_decision_time_and_position_as_the_services_do(
    reevaluated, trial, nurse
):
    screen_patient(trial, nurse)
    copies = list(Screening.objects.values_list("pk", "current_recorded_at", "current_sequence"))
    _raw("UPDATE screening_screening SET current_recorded_at = NULL, current_sequence = NULL", [])
    assert not current_decisions_verify().intact

    with connection.cursor() as cursor:
        cursor.execute(COPY_CURRENT.COPY_CURRENT)

    assert (
        list(Screening.objects.values_list("pk", "current_recorded_at", "current_sequence"))
        == copies
    )
    assert current_decisions_verify().intact
