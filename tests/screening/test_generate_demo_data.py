"""The demo-data command records through the services: an intact chain, every outcome a
decision can have, refused without DEBUG or --force, and --decisions bounded."""

import pytest
from django.core.management import CommandError, call_command

from screening.audit import decision_chain_verify
from screening.management.commands import generate_demo_data
from screening.models import Decision, Screening

pytestmark = pytest.mark.django_db


def test_demo_decisions_are_recorded_as_a_nurse_records_them(trial, settings):
    settings.DEBUG = True
    call_command("generate_demo_data", decisions=12)
    call_command("generate_demo_data", decisions=2, seed=7)  # appends to the same chain
    report = decision_chain_verify()
    assert report.intact, report.message
    assert report.checked == 14 == Screening.objects.filter(status="decided").count()
    assert Decision.objects.filter(recorded_by__username="demo-data").count() == 14
    for decision in Decision.objects.filter(outcome="incomplete"):
        assert decision.screen_failure_reason
    # Each episode's history holds the values saved and the decision, as the services write it.
    episode = Screening.objects.first()
    assert episode.history.count() >= 2


def test_refused_with_debug_off_unless_forced(trial, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("generate_demo_data", decisions=1)
    assert refused.value.returncode == 2 and not Decision.objects.exists()
    call_command("generate_demo_data", decisions=1, force=True)
    assert Decision.objects.count() == 1


@pytest.mark.parametrize(("decisions", "accepted"), [(0, False), (1, True), (3, True), (4, False)])
def test_decisions_bounded(trial, settings, monkeypatch, decisions, accepted):
    settings.DEBUG = True
    monkeypatch.setattr(generate_demo_data, "MAX_DECISIONS", 3)
    if accepted:
        call_command("generate_demo_data", decisions=decisions)
        assert Decision.objects.count() == decisions
    else:
        with pytest.raises(CommandError, match="from 1 to 3") as refused:
            call_command("generate_demo_data", decisions=decisions)
        assert refused.value.returncode == 2 and not Decision.objects.exists()
