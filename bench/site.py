"""The criteria admin's impact preview, timed on its own (not part of `make bench`):
`DATABASE_URL=postgres://.../trialsite_bench python bench/site.py impact` prints one JSON
object: episodes evaluated, outcomes changed, seconds, SQL queries and peak memory.
"""

from __future__ import annotations

import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from criteria.models import CriteriaSet, Trial  # noqa: E402
from criteria.services import criteria_set_draft_create, criterion_save  # noqa: E402
from screening.impact import impact_preview  # noqa: E402

TRIAL = "NCT01387295"


def bench_user():
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin",
        defaults={"first_name": "Bench", "last_name": "Admin", "is_staff": True},
    )
    if not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save()
    return user


def _draft() -> CriteriaSet:
    """A draft raising the LVEF threshold 50 → 55 % (the criteria admin's browser test)."""
    trial = Trial.objects.get(registry_id=TRIAL)
    draft = trial.criteria_sets.filter(status="draft").first()
    if draft is None:
        draft = criteria_set_draft_create(trial=trial, created_by=bench_user())
        criterion = draft.criteria.get(code="I18")
        criterion.expression = {**criterion.expression, "value": "55"}
        criterion.label = criterion.label.replace("50", "55")
        criterion.protocol_wording = criterion.protocol_wording.replace("50", "55")
        criterion.translations = {
            language: {**texts, "label": texts["label"].replace("50", "55")}
            for language, texts in criterion.translations.items()
        }
        criterion_save(criterion=criterion, changed_by=bench_user(), reason="bench: LVEF 55")
    return draft


def impact() -> dict:
    draft = _draft()
    impact_preview(draft)  # warm: rules compiled, connection open
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        preview = impact_preview(draft)
        seconds = time.perf_counter() - started
    tracemalloc.start()
    impact_preview(draft)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "episodes": preview.evaluated,
        "changed": len(preview.changes),
        "seconds": round(seconds, 2),
        "queries": len(queries),
        "peak_mib": round(peak / 2**20, 1),
    }


if __name__ == "__main__":
    action = {"impact": impact}[sys.argv[1]]
    print(json.dumps(action()))
