"""Backups hold every decision, and a restored database still proves its audit chain."""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from screening import services
from screening.audit import decision_chain_verify
from screening.models import Decision
from tests.cases import fill, register
from trialsite import backup

ROOT = Path(__file__).resolve().parents[2]


def _two_decisions(trial, nurse) -> None:
    for initials in ("AB", "CD"):
        candidate = register(trial, nurse, initials=initials)
        episode = fill(candidate.screenings.get(), nurse)
        services.decision_record(screening=episode, recorded_by=nurse)


def _cli(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "trialsite.backup", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup path")
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_and_restore_keep_the_audit_chain(trial, nurse, tmp_path):
    _two_decisions(trial, nurse)
    connection.ensure_connection()
    copy = tmp_path / "copy.sqlite3"
    backup.sqlite_backup(connection.connection, copy)
    with sqlite3.connect(copy) as saved:
        assert saved.execute("SELECT count(*) FROM screening_decision").fetchone() == (2,)

    with connection.cursor() as cursor:  # a record lost after the backup
        cursor.execute("DELETE FROM screening_decision WHERE sequence = 2")
    assert not decision_chain_verify().intact

    backup.sqlite_restore(copy, connection.connection)
    report = decision_chain_verify()
    assert report.intact, report.message
    assert report.checked == 2 and Decision.objects.count() == 2


def test_make_backup_and_restore_on_a_sqlite_file(tmp_path):
    """The command line `make backup` / `make restore` run, on a throwaway SQLite file."""
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE record (note TEXT)")
        db.execute("INSERT INTO record VALUES ('kept')")
    url = f"sqlite:///{database}"
    backups = tmp_path / "backups"

    created = _cli("--dir", str(backups), "create", database_url=url)
    assert created.returncode == 0, created.stderr
    (file,) = backups.iterdir()
    assert file.name.startswith("trialsite-") and file.name.endswith("Z.sqlite3")
    stamp = dt.datetime.strptime(file.name[10:25], "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
    assert abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=5)  # UTC, not local

    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM record")
    restored = _cli("--dir", str(backups), "restore", str(file), database_url=url)
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT note FROM record").fetchall() == [("kept",)]
    (safety,) = backups.glob("before-restore-*Z.sqlite3")  # the replaced contents, saved first
    with sqlite3.connect(safety) as db:
        assert db.execute("SELECT count(*) FROM record").fetchone() == (0,)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["restore", "nowhere.sqlite3"], "no backup file at nowhere.sqlite3"),
        (["create"], "no SQLite database at"),
    ],
)
def test_backup_mistakes_are_refused_clearly(tmp_path, args, message):
    result = _cli("--dir", str(tmp_path), *args, database_url=f"sqlite:///{tmp_path}/none.db")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def _pg_tools_or_skip() -> None:
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail("REQUIRE_POSTGRES=1 but pg_dump/pg_restore are missing (postgresql-client)")
    pytest.skip("pg_dump/pg_restore are not installed")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_dump_and_restore_keep_the_audit_chain_and_the_triggers(trial, nurse, tmp_path):
    _pg_tools_or_skip()
    _two_decisions(trial, nurse)
    source = dict(connection.settings_dict)
    dump = backup.backup(source, tmp_path)
    assert dump.suffix == ".pgdump" and dump.stat().st_size > 0

    scratch = {**source, "NAME": f"trialsite_restore_{uuid.uuid4().hex[:8]}"}
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch["NAME"]}"')
    try:
        backup.restore(scratch, dump, tmp_path)
        url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**scratch)
        verified = subprocess.run(
            [sys.executable, "manage.py", "verify_audit"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "audit chain intact: 2 decisions" in verified.stdout
        tampering = subprocess.run(
            ["psql", url, "-c", "UPDATE screening_decision SET outcome = 'eligible'"],
            capture_output=True,
            text=True,
        )
        assert tampering.returncode != 0
        assert "append-only" in tampering.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch["NAME"]}" WITH (FORCE)')
