"""Append-only audit records, guarded twice: in the ORM and below it.

`AppendOnlyModel` and `AppendOnlyQuerySet` refuse changes through the ORM: an audit model
(the screening decisions and signatures, the candidate access log) subclasses the one and
takes its manager from the other. They live here, not in an app's models, so every app
that keeps audit records uses them without importing another app's models. The refusal is
`trialsite.exceptions.AppendOnlyViolation`.

PostgreSQL triggers refuse UPDATE and DELETE as well: raw SQL, a database console, or a bug
that bypasses the models. They are row triggers, so TRUNCATE (used by test flushes, and only
open to the table owner) does not fire them. On other databases the trigger functions here
do nothing: SQLite keeps the ORM guard only (DESIGN.md, "Versions and audit"). Migrations
import this module, so it must stay importable under this name.

A migration protects a new table with one call:

    RunPython(lambda apps, se: install_append_only_triggers(se, ["screening_signature"]),
              lambda apps, se: remove_append_only_triggers(se, ["screening_signature"]))
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from trialsite.exceptions import AppendOnlyViolation


class AppendOnlyModel(models.Model):
    """A row that may be inserted once and never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyViolation(
                f"{self._meta.verbose_name} {self.pk} is append-only and cannot be changed."
            )
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation(
            f"{self._meta.verbose_name} {self.pk} is append-only and cannot be deleted."
        )


class AppendOnlyQuerySet(models.QuerySet):
    """An append-only model's queries: bulk update and delete are refused as well."""

    def update(self, **kwargs):
        raise AppendOnlyViolation(f"{self.model._meta.verbose_name} rows cannot be updated.")

    def delete(self):
        raise AppendOnlyViolation(f"{self.model._meta.verbose_name} rows cannot be deleted.")


FUNCTION = "trialsite_refuse_change"
TRIGGER_SUFFIX = "_append_only"

# One function serves every table; the message names the table and what was tried, so the
# person who meets it knows the refusal is deliberate and where to look.
_CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %.% refused: the table is an append-only audit record',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit records are never changed or deleted; record a new one instead.';
END;
$$
"""


def trigger_name(table: str) -> str:
    return f"{table}{TRIGGER_SUFFIX}"


def install_append_only_triggers(schema_editor, tables: Iterable[str]) -> None:
    """Make each table refuse UPDATE and DELETE on PostgreSQL; do nothing elsewhere.

    Safe to run again: the function is replaced and each trigger recreated.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(_CREATE_FUNCTION, params=None)  # % is plpgsql here
    for table in tables:
        name = quote(trigger_name(table))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {quote(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )


def remove_append_only_triggers(schema_editor, tables: Iterable[str]) -> None:
    """Undo `install_append_only_triggers` for these tables (the function stays: other tables
    may still use it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table in tables:
        name = quote(trigger_name(table))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quote(table)}")
