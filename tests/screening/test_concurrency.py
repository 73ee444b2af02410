"""Decisions recorded at the same moment, on real PostgreSQL connections in real threads.

The chain must stay one line: no two decisions share a predecessor or a position, and one
episode never gets two decisions.
"""

import threading
from functools import partial

import pytest
from django.db import connection

from screening import confirmation, services
from screening.audit import decision_chain_verify
from screening.exceptions import EpisodeLocked
from screening.models import ChainHead, Decision
from tests.cases import fill, register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20  # seconds; a deadlock fails the test instead of hanging it


def _episode(trial, nurse, initials: str):
    return fill(register(trial, nurse, initials=initials).screenings.get(), nurse)


def _run_together(jobs) -> list:
    """Start every job on its own thread and connection at the same moment; return what each
    returned or raised, in order."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=TIMEOUT)
            outcomes[index] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread met
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
        assert not thread.is_alive(), "a thread is still waiting: deadlock?"
    return outcomes


def test_two_nurses_deciding_the_same_episode_record_one_decision(trial, nurse):
    episode = _episode(trial, nurse, "AB")
    record = lambda: services.decision_record(screening=episode, recorded_by=nurse)  # noqa: E731
    outcomes = _run_together([record, record])
    decisions = [o for o in outcomes if isinstance(o, Decision)]
    refused = [o for o in outcomes if isinstance(o, EpisodeLocked)]
    assert (len(decisions), len(refused)) == (1, 1), outcomes
    assert "already has a recorded decision" in str(refused[0])
    assert Decision.objects.filter(screening=episode).count() == 1
    assert decision_chain_verify().intact


@pytest.mark.parametrize("chain_started", [False, True], ids=["empty-chain", "chain-started"])
def test_decisions_on_different_episodes_at_once_keep_one_chain(
    trial, nurse, monkeypatch, chain_started
):
    if chain_started:
        services.decision_record(screening=_episode(trial, nurse, "ZZ"), recorded_by=nurse)
    else:
        assert not ChainHead.objects.exists()  # the first decisions race to create the head
    episodes = [_episode(trial, nurse, initials) for initials in ("AB", "CD", "EF", "GH")]

    # Hold every thread after its evaluation, so all reach the chain head at the same instant.
    at_chain_head = threading.Barrier(len(episodes))
    real_evaluate = confirmation.evaluate  # decision_record evaluates through it

    def evaluate_then_wait(*args, **kwargs):
        result = real_evaluate(*args, **kwargs)
        at_chain_head.wait(timeout=TIMEOUT)
        return result

    monkeypatch.setattr(confirmation, "evaluate", evaluate_then_wait)
    jobs = [
        (lambda e=e: services.decision_record(screening=e, recorded_by=nurse)) for e in episodes
    ]
    outcomes = _run_together(jobs)

    assert all(isinstance(o, Decision) for o in outcomes), outcomes
    count = len(episodes) + chain_started
    decisions = list(Decision.objects.order_by("sequence"))
    assert [d.sequence for d in decisions] == list(range(1, count + 1))
    predecessors = [d.previous_hash for d in decisions]
    assert len(set(predecessors)) == count, "two decisions name the same predecessor"
    report = decision_chain_verify()
    assert report.intact, report.message
    assert report.checked == count


def test_referrals_registered_at_once_get_distinct_screening_numbers(trial, nurse):
    jobs = [partial(register, trial, nurse, initials=i) for i in ("AB", "CD", "EF")]
    outcomes = _run_together(jobs)
    numbers = sorted(o.screening_number for o in outcomes)
    assert numbers == [f"{trial.registry_id}-S{n:04d}" for n in (1, 2, 3)], outcomes
