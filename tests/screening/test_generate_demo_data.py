"""The demo-data generator writes a valid hash chain (both the bulk_create path on SQLite and
the COPY path on PostgreSQL), and the two-level decision hash still notices altered content."""

import pytest
from django.core.management import call_command
from django.db import connection

from screening.audit import decision_chain_verify
from screening.hashing import chain_hash, decision_payload
from screening.models import Decision, Screening

pytestmark = pytest.mark.django_db


def test_generated_decisions_form_an_intact_chain(trial, settings):
    settings.DEBUG = True
    call_command("generate_demo_data", decisions=30)
    call_command("generate_demo_data", decisions=5)  # appends to the same chain
    report = decision_chain_verify()
    assert report.intact, report.message
    assert report.checked == 35 == Screening.objects.count()
    outcomes = set(Decision.objects.values_list("outcome", flat=True))
    assert outcomes <= {"eligible", "ineligible", "incomplete"}
    incomplete = Decision.objects.filter(outcome="incomplete").first()
    assert incomplete is None or incomplete.screen_failure_reason


def test_an_altered_result_changes_the_hash(trial, settings):
    settings.DEBUG = True
    call_command("generate_demo_data", decisions=3)
    decision = Decision.objects.select_related("screening__candidate", "recorded_by").last()
    decision.results[0]["reason"] = "altered"
    assert chain_hash(decision_payload(decision), decision.previous_hash) != decision.entry_hash


@pytest.mark.postgres
def test_postgres_path_reads_back_the_same_json(trial, settings):
    assert connection.vendor == "postgresql"
    settings.DEBUG = True
    call_command("generate_demo_data", decisions=10)
    assert decision_chain_verify().intact
