"""The bench's bulk data (bench/data.py, PostgreSQL only) is the application's own decision
chain: `verify_audit`'s check passes on it, a decision recorded afterwards by the service
chains onto it, and an altered stored result is still noticed."""

import pytest

from bench.data import generate
from screening.audit import decision_chain_verify
from screening.hashing import chain_hash, decision_payload
from screening.models import Decision, Screening
from tests.screening.log_data import screen_patient

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_bench_data_is_an_intact_chain_the_service_appends_to(trial, nurse):
    generate(30)
    generate(5)  # appends to the same chain
    report = decision_chain_verify()
    assert report.intact, report.message
    assert report.checked == 35 == Screening.objects.filter(status="decided").count()
    assert set(Decision.objects.values_list("outcome", flat=True)) <= {
        "eligible",
        "ineligible",
        "incomplete",
    }
    assert all(d.screen_failure_reason for d in Decision.objects.filter(outcome="incomplete"))

    screen_patient(trial, nurse)
    assert decision_chain_verify().checked == 36


def test_an_altered_result_changes_the_hash(trial):
    generate(3)
    decision = Decision.objects.select_related("screening__candidate", "recorded_by").last()
    assert chain_hash(decision_payload(decision), decision.previous_hash) == decision.entry_hash
    decision.results[0]["reason"] = "altered"
    assert chain_hash(decision_payload(decision), decision.previous_hash) != decision.entry_hash
