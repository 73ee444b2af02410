"""Backups of the database, for `make backup` and `make restore FILE=...` (README, "Security and
audit"). Runs without Django's settings, so a backup works even when the app would not start.

    python -m trialsite.backup create [--dir backups]
    python -m trialsite.backup restore FILE [--dir backups]

The database is the one DATABASE_URL names (default: the project's db.sqlite3, as in
settings.py). PostgreSQL is dumped with pg_dump (custom format) and restored with pg_restore in
one transaction; SQLite is copied with its online backup API, which is safe while the app runs.
A restore first backs up what it is about to replace, so no restore can lose a record for good.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = BASE_DIR / "backups"
# The same default as trialsite/settings.py.
DEFAULT_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}


class BackupError(Exception):
    """A backup or restore did not complete; the message says what to check."""


def database_config() -> dict:
    """DATABASE_URL as Django's settings read it (ENGINE, NAME, HOST, PORT, USER, PASSWORD)."""
    return environ.Env().db("DATABASE_URL", default=DEFAULT_URL)


def _vendor(db: dict) -> str:
    for vendor in SUFFIX:
        if vendor in db["ENGINE"]:
            return vendor
    raise BackupError(f"backups support SQLite and PostgreSQL, not {db['ENGINE']}")


def backup(
    db: dict, directory: Path, now: dt.datetime | None = None, label: str = "trialsite"
) -> Path:
    """Write a complete copy of the database to `directory`, named `label` + the UTC time."""
    vendor = _vendor(db)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{label}-{stamp}{SUFFIX[vendor]}"
    if target.exists():
        raise BackupError(f"{target} exists already; wait a second and run the backup again")
    try:
        if vendor == "sqlite":
            with _sqlite_open(db["NAME"]) as source:
                sqlite_backup(source, target)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}"], db)
    except BaseException:
        target.unlink(missing_ok=True)  # never leave a half-written file that looks like a backup
        raise
    return target


def restore(db: dict, source: Path, directory: Path) -> Path:
    """Replace the database's contents with the backup `source`. Returns the safety backup of
    the contents it replaced. Stop the app servers first."""
    vendor = _vendor(db)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if source.suffix != SUFFIX[vendor]:
        raise BackupError(f"{source.name} is not a {vendor} backup (expected {SUFFIX[vendor]})")
    safety = backup(db, directory, label="before-restore")
    if vendor == "sqlite":
        with _sqlite_open(db["NAME"]) as target:
            sqlite_restore(source, target)
    else:
        args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*args, "--exit-on-error", str(source)], db)
    return safety


def sqlite_backup(source: sqlite3.Connection, target: Path) -> None:
    """Copy a live SQLite database (file or in-memory) to `target`, then check the copy."""
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"the copy in {target} fails SQLite's integrity check: {result}")
    finally:
        copy.close()


def sqlite_restore(source: Path, target: sqlite3.Connection) -> None:
    """Replace everything in `target` with the backup file `source`, in one step."""
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        (result,) = backup_file.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"{source} fails SQLite's integrity check: {result}")
        backup_file.backup(target)
    finally:
        backup_file.close()


@contextmanager
def _sqlite_open(name) -> Iterator[sqlite3.Connection]:
    if not Path(name).is_file():  # sqlite3.connect would quietly create an empty database
        raise BackupError(f"no SQLite database at {name}")
    connection = sqlite3.connect(name)
    try:
        yield connection
    finally:
        connection.close()


def _run(command: list[str], db: dict) -> None:
    """Run a PostgreSQL client program against `db`; the password goes by environment."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)")
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    connection = [f"--dbname={db['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            connection.append(f"{option}={db[key]}")
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from the configuration
        [*command, *connection], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trialsite.backup", description=__doc__)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where backups go")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("create", help="back up the database now")
    restoring = actions.add_parser("restore", help="replace the database with a backup")
    restoring.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.action == "create":
            print(f"backup written: {backup(database_config(), args.dir)}")
        else:
            safety = restore(database_config(), args.file, args.dir)
            print(f"restored {args.file}; the replaced contents were saved as {safety}")
    except (BackupError, sqlite3.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
