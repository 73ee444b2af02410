"""Every export reads with a fixed number of queries, however many patients it holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening.review.standards.exports import KINDS, standards_file_build
from screening.review.standards.scope import scope_get
from tests.screening.log_data import screen_patient

pytestmark = [pytest.mark.django_db]


def queries(kind: str) -> int:
    scope = scope_get(registry_id="NCT01387295", version=None)
    with CaptureQueriesContext(connection) as captured:
        standards_file_build(kind=kind, scope=scope)
    return len(captured)


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_number_of_queries_does_not_grow_with_the_patients(trial, first_cohort, nurse, kind):
    before = queries(kind)
    for fails in ((), ("I14",), ("E07",)):
        screen_patient(trial, nurse, fails=fails)
    assert queries(kind) == before <= 8
