"""Decisions are append-only, and verify_audit proves the chain or names the broken link."""

import pytest
from django.db import connection

from screening import services
from screening.exceptions import AppendOnlyViolation
from screening.models import Decision
from tests.cases import fill, verify_audit_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_decisions(candidate, episode, nurse):
    fill(episode, nurse, neutrophils="1.2")
    services.decision_record(screening=episode, recorded_by=nurse)
    second = services.screening_start(candidate=candidate, started_by=nurse)
    fill(second, nurse)
    services.decision_record(screening=second, recorded_by=nurse)
    return list(Decision.objects.order_by("sequence"))


def test_saving_an_existing_decision_raises(two_decisions):
    decision = two_decisions[0]
    decision.outcome = "eligible"
    with pytest.raises(AppendOnlyViolation):
        decision.save()
    assert Decision.objects.get(pk=decision.pk).outcome == "ineligible"


def test_deleting_a_decision_raises(two_decisions):
    with pytest.raises(AppendOnlyViolation):
        two_decisions[0].delete()
    with pytest.raises(AppendOnlyViolation):
        Decision.objects.all().delete()
    with pytest.raises(AppendOnlyViolation):
        Decision.objects.update(outcome="eligible")
    assert Decision.objects.count() == 2


def test_verify_audit_passes_on_a_clean_chain(two_decisions):
    code, output = verify_audit_run()
    assert code == 0
    assert "audit chain intact: 2 decisions" in output


def _as_superuser_bypassing_triggers(cursor) -> None:
    """On PostgreSQL the append-only trigger refuses raw changes; an attacker with superuser
    rights can switch it off (rolled back with the test's transaction). verify_audit must
    still catch what they do; SQLite has no trigger to switch off."""
    if connection.vendor == "postgresql":
        # ALTER TABLE waits for no deferred foreign-key checks: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE screening_decision DISABLE TRIGGER USER")


def test_verify_audit_names_the_decision_altered_with_raw_sql(two_decisions):
    with connection.cursor() as cursor:
        _as_superuser_bypassing_triggers(cursor)
        cursor.execute(
            "UPDATE screening_decision SET outcome = %s WHERE sequence = %s", ["eligible", 1]
        )
    code, output = verify_audit_run()
    assert code == 1
    assert "decision 1" in output and "altered" in output


def test_verify_audit_notices_a_missing_decision(two_decisions):
    with connection.cursor() as cursor:
        _as_superuser_bypassing_triggers(cursor)
        cursor.execute("DELETE FROM screening_decision WHERE sequence = %s", [2])
    code, output = verify_audit_run()
    assert code == 1
    assert "missing" in output
