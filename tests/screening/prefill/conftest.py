"""Fixtures of the prefill tests: TrialSite pointed at the demo FHIR server, an open episode."""

import pytest

from screening import services
from tests import fhir_server as demo
from tests.fhir_server import SCREENING_DATE

# The session's demo FHIR server fixtures, made visible to the tests of this folder.
fhir_server = demo.fhir_server
fhir_server_with_token = demo.fhir_server_with_token


@pytest.fixture
def hospital_record(settings, fhir_server):
    settings.FHIR_BASE_URL = fhir_server
    settings.FHIR_ACCESS_TOKEN = ""
    settings.FHIR_TIMEOUT_SECONDS = 5
    return fhir_server


@pytest.fixture
def open_episode(episode, nurse):
    """The candidate's first episode with its screening date saved (windows count back)."""
    return services.screening_values_save(
        screening=episode,
        values={**episode.values, "screening_date": SCREENING_DATE},
        units={},
        saved_by=nurse,
    )
