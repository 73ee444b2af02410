"""On PostgreSQL, audit records refuse UPDATE and DELETE below the ORM, raw SQL included."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from screening import services
from screening.models import Candidate, Decision
from tests.cases import fill, protected_tables, register
from trialsite.append_only import AppendOnlyModel

pytestmark = pytest.mark.postgres


def decided_candidate(trial, nurse, initials="AB") -> Decision:
    """A registered candidate whose first episode has a recorded (eligible) decision."""
    candidate = register(trial, nurse, initials=initials)
    episode = fill(candidate.screenings.get(), nurse)
    return services.decision_record(screening=episode, recorded_by=nurse)


def _refused(sql: str, params: list) -> str:
    """Run raw SQL that must fail; the savepoint keeps the test's transaction usable."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(raised.value)


@pytest.mark.django_db
def test_raw_update_of_a_decision_is_refused(trial, nurse):
    decision = decided_candidate(trial, nurse)
    message = _refused(
        "UPDATE screening_decision SET outcome = %s WHERE id = %s", ["ineligible", decision.pk]
    )
    assert "UPDATE on public.screening_decision refused" in message
    assert "append-only" in message
    assert Decision.objects.get(pk=decision.pk).outcome == "eligible"


@pytest.mark.django_db
def test_raw_delete_of_a_decision_is_refused(trial, nurse):
    decision = decided_candidate(trial, nurse)
    message = _refused("DELETE FROM screening_decision WHERE id = %s", [decision.pk])
    assert "DELETE on public.screening_decision refused" in message
    assert Decision.objects.filter(pk=decision.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("UPDATE screening_historicalcandidate SET initials = 'ZZ' WHERE id = %s", "UPDATE"),
        ("DELETE FROM screening_historicalcandidate WHERE id = %s", "DELETE"),
    ],
)
def test_raw_change_of_a_history_row_is_refused(trial, nurse, sql, operation):
    candidate = decided_candidate(trial, nurse).screening.candidate
    message = _refused(sql, [candidate.pk])
    assert f"{operation} on public.screening_historicalcandidate refused" in message
    assert list(candidate.history.values_list("initials", flat=True)) == ["AB"]


@pytest.mark.django_db
def test_raw_change_of_a_criteria_history_row_is_refused(protocol):
    from criteria.models import Variable

    assert Variable.history.exists()
    message = _refused("UPDATE criteria_historicalvariable SET label = 'X'", [])
    assert "criteria_historicalvariable refused" in message
    assert not Variable.history.filter(label="X").exists()


@pytest.mark.django_db
def test_inserting_is_still_allowed(trial, nurse):
    """The triggers guard changes only: recording decisions and keeping history still work."""
    decided_candidate(trial, nurse, initials="AB")
    decided_candidate(trial, nurse, initials="CD")
    assert Decision.objects.count() == 2
    assert Candidate.history.count() == 2


def _audit_models() -> list:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) or model.__name__.startswith("Historical")
    ]


@pytest.mark.django_db
def test_every_audit_table_has_the_trigger():
    """A new history table or append-only model needs a migration that calls
    trialsite.append_only.install_append_only_triggers(schema_editor, [its table])."""
    expected = {model._meta.db_table for model in _audit_models()}
    assert {"screening_decision", "trialsite_candidateaccess"} <= expected
    assert expected - protected_tables(connection) == set()


@pytest.mark.django_db(transaction=True)
def test_truncate_still_works_so_test_flushes_do(trial, nurse):
    """Row triggers do not fire on TRUNCATE, which transactional tests use to flush."""
    decided_candidate(trial, nurse)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE screening_decision, screening_historicalcandidate CASCADE")
    assert Decision.objects.count() == 0
    assert Candidate.history.count() == 0
    assert "screening_decision" in protected_tables(connection)
