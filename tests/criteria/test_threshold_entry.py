"""The criteria editor's threshold is a typed number too: read by the screening form's rule."""

import pytest

from criteria.services import criteria_set_draft_create
from tests.criteria.test_views import _edit_url, _i18_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(trial, criteria_admin):
    return criteria_set_draft_create(trial=trial, created_by=criteria_admin)


@pytest.mark.parametrize(("typed", "stored"), [("55", "55"), ("55,5", "55.5"), (" 52.5 ", "52.5")])
def test_a_threshold_with_a_decimal_comma_is_stored_as_the_number_meant(
    criteria_admin_client, draft, typed, stored
):
    response = criteria_admin_client.post(_edit_url(draft.version, "I18"), _i18_post(value=typed))
    assert response.status_code == 302
    assert draft.criteria.get(code="I18").expression["value"] == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("50,000", 'Threshold "50,000" could mean 50 or 50000'),
        ("5.000,5", "a thousands separator or space is not allowed"),
        ("5e1", '"5e1" is not a number'),
    ],
)
def test_a_threshold_that_reads_two_ways_is_refused_next_to_it(
    criteria_admin_client, draft, typed, message
):
    response = criteria_admin_client.post(_edit_url(draft.version, "I18"), _i18_post(value=typed))
    assert response.status_code == 200
    errors = response.context["form"].errors["value"]
    assert any(message in e for e in errors), errors
    assert draft.criteria.get(code="I18").expression["value"] == "50"
