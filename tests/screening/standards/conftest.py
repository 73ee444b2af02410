"""Fixtures of the standards exports: the second trial (tests/data/NCT09990001.json) and
patients screened under each trial through the real services."""

import datetime as dt
import json
from pathlib import Path

import pytest

from criteria.services import protocol_load
from screening import services
from screening.signoff import signature_sign
from tests.cases import register
from tests.factories import TEST_PASSWORD
from tests.screening.log_data import make_cohort

SECOND_PROTOCOL = Path(__file__).resolve().parents[2] / "data/NCT09990001.json"


def second_values(**changes) -> dict:
    """A patient who meets every criterion of the second trial (JSON form)."""
    values = {
        "screening_date": "2026-11-20",
        "age": 55,
        "stage": "3",
        "hepatitis_b": False,
        "last_anthracycline_date": "never",
        "creatinine_x_uln_entered": "1.4",
        "crcl": "62",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def second_trial(db):
    data = json.loads(SECOND_PROTOCOL.read_text(encoding="utf-8"))
    return protocol_load(data=data, source=SECOND_PROTOCOL.name).trial


@pytest.fixture
def second_cohort(second_trial, nurse, investigator) -> dict[str, str]:
    """P eligible and signed; Q fails inc-age and exc-hbv (values corrected once, with a
    reason); R being screened (values saved, no decision); S registered only."""
    numbers = {}
    for name in "PQRS":
        candidate = register(second_trial, nurse, referral_date=dt.date(2026, 11, 2))
        numbers[name] = candidate.screening_number
        episode = candidate.screenings.get()
        if name == "S":
            continue
        if name == "Q":
            services.screening_values_save(
                screening=episode, values=second_values(age=17), units={}, saved_by=nurse
            )
            values = second_values(age=75, hepatitis_b=True)
            episode = services.screening_values_save(
                screening=episode,
                values=values,
                units={},
                saved_by=nurse,
                reason="age misread from the referral letter",
            )
        else:
            episode = services.screening_values_save(
                screening=episode, values=second_values(), units={}, saved_by=nurse
            )
        if name == "R":
            continue
        decision = services.decision_record(screening=episode, recorded_by=nurse)
        if name == "P":
            signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    return numbers


@pytest.fixture
def first_cohort(trial, nurse, investigator, db):
    from tests.factories import UserFactory
    from trialsite import roles

    second_nurse = UserFactory(username="nurse2", role=roles.STUDY_NURSE)
    return make_cohort(trial, nurse, second_nurse, investigator)
