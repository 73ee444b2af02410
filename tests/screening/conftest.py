"""Fixtures of the screening tests: the investigator's cohort of screened patients."""

import pytest

from tests.factories import UserFactory
from tests.screening.log_data import make_cohort
from trialsite import roles


@pytest.fixture
def second_nurse(db):
    return UserFactory(username="nurse2", role=roles.STUDY_NURSE)


@pytest.fixture
def cohort(trial, nurse, second_nurse, investigator):
    """Five patients A-E covering every outcome (see `make_cohort`): name → screening number."""
    return make_cohort(trial, nurse, second_nurse, investigator)
