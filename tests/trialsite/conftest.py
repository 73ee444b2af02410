"""Fixtures of the site-wide tests: a small world every page of the application can show."""

import pytest

from criteria.services import criteria_set_draft_create
from screening import services
from tests.cases import eligible_values, fill, register
from tests.factories import UserFactory
from trialsite import roles


@pytest.fixture
def world(protocol):
    """One decided episode and a draft v2, made by their own users."""
    nurse = UserFactory(username="data-nurse", role=roles.STUDY_NURSE)
    admin = UserFactory(username="data-admin", role=roles.CRITERIA_ADMIN)
    candidate = register(
        protocol.trial, nurse, initials="PM", referral_date=eligible_values()["screening_date"]
    )
    episode = fill(candidate.screenings.get(), nurse)
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    criteria_set_draft_create(trial=protocol.trial, created_by=admin)
    return {"decision": str(decision.public_id)}
