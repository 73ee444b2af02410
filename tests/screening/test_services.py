"""The services of the nurse's workflow: registration, values, decisions and their chain."""

import datetime as dt
import json

import pytest

from criteria.evaluator import EVALUATOR_VERSION
from criteria.services import protocol_load
from screening import services
from screening.exceptions import EpisodeLocked, ReasonRequired
from screening.hashing import GENESIS_HASH
from screening.models import Decision
from tests.cases import PROTOCOL_FILE, eligible_values, fill, lvef_amended

pytestmark = pytest.mark.django_db


def test_registration_issues_consecutive_screening_numbers(candidate, trial, nurse):
    second = services.candidate_register(
        trial=trial,
        initials="cd",
        date_of_birth=dt.date(1970, 5, 1),
        sex="male",
        referring_unit="Rigshospitalet",
        referral_date=candidate.referral_date,
        registered_by=nurse,
    )
    assert candidate.screening_number == "NCT01387295-S0001"
    assert second.screening_number == "NCT01387295-S0002"
    assert second.initials == "CD"


def test_registration_opens_episode_one_with_sex_and_date_of_birth_filled_in(episode):
    assert episode.episode == 1
    assert episode.values == {"sex": "female", "date_of_birth": "1965-03-02"}
    assert episode.candidate.year_of_birth == 1965
    assert not episode.is_locked


def test_eligible_case_records_an_eligible_decision_with_snapshots(episode, nurse):
    fill(episode, nurse)
    decision = services.decision_record(screening=episode, recorded_by=nurse)

    assert decision.outcome == "eligible"
    assert decision.values_snapshot == eligible_values()
    codes = [c["code"] for c in decision.rules_snapshot.rules["criteria"]]
    assert codes[:2] == ["I01", "I02"] and len(codes) == 37
    assert {r["status"] for r in decision.results} <= {"met", "not_met", "not_applicable"}
    assert decision.criteria_set_version == 1
    assert decision.evaluator_version == EVALUATOR_VERSION  # which evaluator decided, kept
    assert decision.recorded_by == nurse
    assert decision.recorded_at.utcoffset().total_seconds() == 0
    assert "age_years" in decision.derived
    episode.refresh_from_db()
    assert episode.is_locked


def test_ineligible_case_names_the_failing_criterion(episode, nurse):
    fill(episode, nurse, neutrophils="1.2")
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    assert decision.outcome == "ineligible"
    failing = [r for r in decision.results if r["status"] == "not_met" and r["kind"] == "inclusion"]
    assert [r["code"] for r in failing] == ["I13"]


def test_incomplete_screening_needs_a_reason_and_records_nothing_without(episode, nurse):
    fill(episode, nurse, inr=None)
    with pytest.raises(ReasonRequired):
        services.decision_record(screening=episode, recorded_by=nurse)
    assert Decision.objects.count() == 0
    episode.refresh_from_db()
    assert not episode.is_locked


def test_incomplete_screening_recorded_as_screen_failure_with_reason(episode, nurse):
    fill(episode, nurse, inr=None)
    decision = services.decision_record(
        screening=episode, recorded_by=nurse, screen_failure_reason="  patient declined "
    )
    assert decision.outcome == "incomplete"
    assert decision.screen_failure_reason == "patient declined"
    assert decision.missing == ["inr"]


def test_decided_episode_is_locked(episode, nurse):
    fill(episode, nurse)
    services.decision_record(screening=episode, recorded_by=nurse)
    with pytest.raises(EpisodeLocked):
        fill(episode, nurse, neutrophils="1.0")
    with pytest.raises(EpisodeLocked):
        services.decision_record(screening=episode, recorded_by=nurse)
    assert Decision.objects.count() == 1


def test_rescreening_opens_a_new_episode_and_keeps_the_old(candidate, episode, nurse):
    with pytest.raises(EpisodeLocked):
        services.screening_start(candidate=candidate, started_by=nurse)
    fill(episode, nurse, neutrophils="1.2")
    services.decision_record(screening=episode, recorded_by=nurse)
    second = services.screening_start(candidate=candidate, started_by=nurse)
    assert second.episode == 2
    assert candidate.screenings.count() == 2
    assert episode.decisions.get().outcome == "ineligible"


def test_decisions_are_chained_by_hash(candidate, episode, nurse, trial):
    fill(episode, nurse, neutrophils="1.2")
    first = services.decision_record(screening=episode, recorded_by=nurse)
    second_episode = services.screening_start(candidate=candidate, started_by=nurse)
    fill(second_episode, nurse)
    second = services.decision_record(screening=second_episode, recorded_by=nurse)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.entry_hash != second.entry_hash


def test_changing_the_rules_afterwards_does_not_change_a_recorded_decision(episode, nurse):
    fill(episode, nurse, lvef_percent="52")
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    before = Decision.objects.get(pk=decision.pk)

    amended = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    i18 = next(c for c in amended["criteria_set"]["criteria"] if c["code"] == "I18")
    i18.update(lvef_amended(i18, "55"))
    result = protocol_load(data=amended, source="amendment")
    assert result.created_set and result.criteria_set.version == 2

    after = Decision.objects.get(pk=decision.pk)
    assert after.outcome == before.outcome == "eligible"
    assert after.results == before.results
    assert after.rules_snapshot.rules == before.rules_snapshot.rules
    assert after.criteria_set_version == 1
