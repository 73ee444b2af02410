"""What bench/run.py needs from one database, made with the code of the tree it runs in.

Run as `python bench/prepare.py ACTION ...` with the working directory at a checkout (this one
or the earlier revision's worktree) and DATABASE_URL naming that checkout's database: it
imports the application from the working directory, not from beside this file, and uses only
what both revisions have (the services that register a referral and save values, sessions,
the auth models), so one script serves both sides.

- `pool FILE COUNT KIND`: COUNT fresh referrals, each with its own signed-in session of the
  bench superuser; KIND `record` also saves the values of the production smoke test's
  patient (deploy/smoke-case.json) into each, ready for Record decision. Writes one JSON
  object a line: number, session, and the fingerprint that confirming would send (empty
  where the revision has no confirmation step).
- `targets`: one JSON object: how many episodes and decisions, a decided candidate in the
  middle of the data and its decision, a fresh candidate whose values await Record decision,
  and a session.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from criteria.models import Trial  # noqa: E402
from screening import services  # noqa: E402
from screening.models import Decision, Screening  # noqa: E402

TRIAL = "NCT01387295"
# The production smoke test's patient, who meets every criterion (JSON form).
SMOKE_CASE = Path(__file__).resolve().parents[1] / "deploy/smoke-case.json"
CASE = json.loads(SMOKE_CASE.read_text())["values"]


def bench_user():
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"first_name": "Bench", "last_name": "Admin"}
    )
    if not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save()
    return user


def sessions(count: int) -> list[str]:
    """`count` sessions of the bench superuser, copies of one signed in by force_login."""
    client = Client()
    client.force_login(bench_user())
    data = SessionStore(session_key=client.cookies["sessionid"].value).load()
    keys = []
    for _ in range(count):
        store = SessionStore()
        store.update(data)
        store.create()
        keys.append(store.session_key)
    return keys


def register(user, *, with_values: bool) -> Screening:
    born = dt.date.fromisoformat(CASE["date_of_birth"])
    details = {
        "trial": Trial.objects.get(registry_id=TRIAL),
        "initials": "BE",
        "sex": CASE["sex"],
        "referring_unit": "Bench",
        "referral_date": dt.date.fromisoformat(CASE["screening_date"]),
        "registered_by": user,
    }
    # The earlier revision registered a year of birth, the current one a date of birth.
    if "date_of_birth" in inspect.signature(services.candidate_register).parameters:
        details["date_of_birth"] = born
    else:
        details["year_of_birth"] = born.year
    episode = services.candidate_register(**details).screenings.get()
    if with_values:
        services.screening_values_save(screening=episode, values=CASE, units={}, saved_by=user)
    return episode


def fingerprint(episode: Screening) -> str:
    try:
        from screening.confirmation import decision_preview
    except ImportError:  # the revision records without a confirmation step
        return ""
    episode.refresh_from_db()
    return decision_preview(screening=episode, screen_failure_reason="").fingerprint


def pool(path: str, count: str, kind: str) -> None:
    user, record = bench_user(), kind == "record"
    with open(path, "w", encoding="utf-8") as out:
        for session in sessions(int(count)):
            episode = register(user, with_values=record)
            number = episode.candidate.screening_number
            shown = fingerprint(episode) if record else ""
            out.write(json.dumps({"number": number, "session": session, "fingerprint": shown}))
            out.write("\n")
    _analyze()


def targets() -> None:
    decided = Screening.objects.filter(status="decided").order_by("pk")
    middle = decided.select_related("candidate")[decided.count() // 2]
    decision = middle.decisions.order_by("-sequence").first()
    undecided = register(bench_user(), with_values=True)
    found = {
        "episodes": Screening.objects.count(),
        "decisions": Decision.objects.count(),
        "number": middle.candidate.screening_number,
        "decision": str(decision.public_id),
        "undecided": undecided.candidate.screening_number,
        "session": sessions(1)[0],
    }
    print(json.dumps(found))


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    {"pool": pool, "targets": targets}[sys.argv[1]](*sys.argv[2:])
