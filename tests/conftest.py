"""Fixtures shared by the whole suite: users per role, logged-in clients, the loaded protocol,
a registered candidate, and the marker rules."""

import dataclasses
import json
import os

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings

from criteria.models import CriteriaSet, Trial
from criteria.services import criteria_set_draft_create, protocol_load
from screening import services
from tests.cases import PROTOCOL_FILE, SHARED_CODES_FILE, eligible_values, fill, register
from tests.criteria.second_trial import SECOND_TRIAL_FILE
from tests.factories import UserFactory
from tests.rows import rows_insert, rows_written_by
from trialsite import roles, translations


def pytest_sessionstart(session):
    """Compile the translations whose .po changed (as `make test` does), so `pytest` alone on a
    fresh clone or after a merge serves the Danish pages from the current catalogues. Under
    pytest-xdist only the controller does it, before it starts the workers, so no two
    processes write the same .mo file."""
    if not hasattr(session.config, "workerinput"):
        translations.compile_all(only_stale=True)


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests on SQLite, with a reason; refuse to skip them where required.

    `.ci/run` sets REQUIRE_POSTGRES=1 on its PostgreSQL pass, so a test that would silently
    skip there fails instead.
    """
    on_postgres = connection.vendor == "postgresql"
    required = os.environ.get("REQUIRE_POSTGRES") == "1"
    if required and not on_postgres:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not a PostgreSQL database")
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """With REQUIRE_POSTGRES=1 a test marked `postgres` that skips for any reason (a missing
    tool, a skipif) fails: the PostgreSQL pass is there to run them. Decided per test, so it
    holds in each pytest-xdist worker as in one process."""
    report = yield
    required = os.environ.get("REQUIRE_POSTGRES") == "1"
    skipped = report.skipped and not hasattr(report, "wasxfail")
    if required and skipped and "postgres" in item.keywords:
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_POSTGRES=1 but this PostgreSQL test skipped: {report.longrepr}"
    return report


@pytest.fixture(autouse=True, scope="session")
def fast_passwords():
    """A cheap password hasher for every test: the production hasher's deliberate cost (about
    3 s a hash on a loaded 2-core host) buys nothing in a test. The production setting itself
    is checked in tests/trialsite/test_settings.py by reading the settings module."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def static_files_found_when_asked():
    """WhiteNoise looks a static file up when it is asked for (its autorefresh), instead of
    listing every file the finders know (Bootstrap's whole dist) each time a test client loads
    the middleware: that listing was about 5% of the suite's CPU time. The files served, and
    their headers, are the same (tests/trialsite/test_headers.py)."""
    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(autouse=True)
def audit_anchors(tmp_path, settings, monkeypatch):
    """Each test's own audit anchor file (none yet): verify_audit appends the heads it
    verified, and one test's chain must never be checked against another's anchors, nor the
    developer's file touched. The variable is set too, for verify_audit in a subprocess."""
    path = tmp_path / "audit-anchors.jsonl"
    settings.AUDIT_ANCHORS_FILE = path
    monkeypatch.setenv("TRIALSITE_AUDIT_ANCHORS", str(path))
    return path


@pytest.fixture
def nurse(db):
    return UserFactory(username="nurse", role=roles.STUDY_NURSE)


@pytest.fixture
def investigator(db):
    return UserFactory(username="investigator", role=roles.INVESTIGATOR)


@pytest.fixture
def criteria_admin(db):
    return UserFactory(username="criteria-admin", role=roles.CRITERIA_ADMIN)


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


@pytest.fixture
def investigator_client(client, investigator):
    client.force_login(investigator)
    return client


@pytest.fixture
def criteria_admin_client(client, criteria_admin):
    client.force_login(criteria_admin)
    return client


@pytest.fixture(scope="session")
def protocol_rows(django_db_setup, django_db_blocker):
    """NCT01387295 loaded once a session through protocol_load, in a transaction rolled back:
    the result, and the rows it wrote."""
    data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    with django_db_blocker.unblock():
        # Rows written over an existing NCT01387295 would be a new version, not a first load.
        assert not Trial.objects.filter(registry_id=data["trial"]["registry_id"]).exists()
        return rows_written_by(lambda: protocol_load(data=data, source="NCT01387295.json"))


@pytest.fixture
def protocol(db, protocol_rows):
    """NCT01387295 v1 published: the session's load written again, row for row. Where a trial
    is already there (another fixture loaded one), its rows could hold the same keys, so the
    protocol is loaded through the service instead."""
    loaded, rows = protocol_rows
    if Trial.objects.exists():
        data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
        return protocol_load(data=data, source="NCT01387295.json")
    rows_insert(rows)
    return dataclasses.replace(
        loaded,
        trial=Trial.objects.get(pk=loaded.trial.pk),
        criteria_set=CriteriaSet.objects.get(pk=loaded.criteria_set.pk),
    )


@pytest.fixture
def trial(protocol):
    return protocol.trial


@pytest.fixture
def shared_codes_trial(db):
    """NCT09990002: a second trial whose criterion codes are also NCT01387295's."""
    data = json.loads(SHARED_CODES_FILE.read_text(encoding="utf-8"))
    return protocol_load(data=data, source="NCT09990002.json").trial


@pytest.fixture
def second_real_trial(db):
    """NCT02104830, the second real trial, as shipped in criteria/protocols/."""
    data = json.loads(SECOND_TRIAL_FILE.read_text(encoding="utf-8"))
    return protocol_load(data=data, source="NCT02104830.json").trial


@pytest.fixture
def candidate(trial, nurse):
    return register(trial, nurse)


@pytest.fixture
def episode(candidate):
    return candidate.screenings.get(episode=1)


@pytest.fixture
def world(protocol):
    """One decided episode (screening number S0001) and a draft v2, made by their own users:
    every page of the application has something to show."""
    nurse = UserFactory(username="data-nurse", role=roles.STUDY_NURSE)
    admin = UserFactory(username="data-admin", role=roles.CRITERIA_ADMIN)
    candidate = register(
        protocol.trial, nurse, initials="PM", referral_date=eligible_values()["screening_date"]
    )
    episode = fill(candidate.screenings.get(), nurse)
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    criteria_set_draft_create(trial=protocol.trial, created_by=admin)
    return {"decision": str(decision.public_id)}


@pytest.fixture
def root_client(client, db):
    """A superuser: every page and every admin list, whatever its permission."""
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(root)
    return client
