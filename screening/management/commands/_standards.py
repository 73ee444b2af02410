"""What the standards export commands share: the scope arguments, who is exporting (for the
access log), and writing the file. Bad arguments: one line on stderr and exit code 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model

from criteria.management.commands._io import CriteriaVersionOption, fail
from screening.review.standards.exports import (
    EXPORT_PERMISSION,
    KINDS,
    standards_file_build,
    standards_file_export,
)
from screening.review.standards.scope import ScopeError, scope_get


class StandardsCommand(CriteriaVersionOption):
    """A base for `export_sdtm`, `export_fhir` and `export_odm` (mixed in before BaseCommand)."""

    def add_scope_arguments(self, parser) -> None:
        parser.add_argument("trial", help="registry id, e.g. NCT01387295")
        parser.add_argument("--from", dest="first", help="screened from this day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last", help="screened to this day (YYYY-MM-DD)")
        parser.add_argument(
            "--user",
            help="username of the person handing the file over (written in the access log); "
            "needed for files holding patients (IE, FHIR, ODM)",
        )
        parser.add_argument("--output", help="file to write (default: standard output)")

    def export(self, *, kind: str, options: dict, binary: bool = False) -> None:
        first, last = _day(options.get("first"), "--from"), _day(options.get("last"), "--to")
        try:
            scope = scope_get(
                registry_id=options["trial"], version=options.get("version"), first=first, last=last
            )
        except ScopeError as error:
            raise fail(str(error)) from error
        output = options.get("output")
        if binary and not output:
            raise fail("a SAS transport file is binary: name it with --output FILE")
        if KINDS[kind].subject_data:
            user = _exporter(options.get("user"))
            said = _said(kind, options)
            built = standards_file_export(kind=kind, scope=scope, user=user, path=said)
        else:  # the criteria alone: no patient is shown, so there is nothing to log
            built = standards_file_build(kind=kind, scope=scope)
        if output:
            _write(Path(output), built.content)
            self.stderr.write(f"wrote {output} ({len(built.screening_numbers)} patients)")
        else:
            self.stdout.write(built.content.decode("utf-8"), ending="")


def _day(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise fail(f"{option} {text!r} is not a date like 2026-11-30") from error


def _exporter(username: str | None):
    if not username:
        raise fail("--user USERNAME is required: the access log records who exported")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise fail(f"--user {username!r}: no active user of that name")
    if not user.has_perm(EXPORT_PERMISSION):
        raise fail(f"--user {username!r} may not export screening data")
    return user


def _said(kind: str, options: dict) -> str:
    """The command as the access log shows it (like a page's address)."""
    parts = [f"manage.py standards {kind} {options['trial']}"]
    for name, flag in (("version", "--version"), ("first", "--from"), ("last", "--to")):
        if options.get(name):
            parts.append(f"{flag} {options[name]}")
    return " ".join(parts)


def _write(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        raise fail(f"cannot write {path}: {error.strerror}") from error
