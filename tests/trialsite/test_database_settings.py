"""How the app's PostgreSQL connections are set up (trialsite/settings.py)."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_request_query_starts_no_parallel_workers():
    # Parallel workers took the CPU of concurrent requests on a small server: the log's
    # filtered count ran 24 ms alone and 105 ms with two workers (docs/performance.md).
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
