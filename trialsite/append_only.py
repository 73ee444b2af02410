"""Append-only protection below the ORM: PostgreSQL triggers that refuse UPDATE and DELETE.

The models refuse changes through the ORM; these triggers also refuse raw SQL, a database
console, or a bug that bypasses the models. They are row triggers, so TRUNCATE (used by test
flushes, and only open to the table owner) does not fire them. On other databases the
functions here do nothing: SQLite keeps the ORM guard only (DESIGN.md, "Versions and audit").

A migration protects a new table with one call:

    RunPython(lambda apps, se: install_append_only_triggers(se, ["screening_signature"]),
              lambda apps, se: remove_append_only_triggers(se, ["screening_signature"]))
"""

from __future__ import annotations

from collections.abc import Iterable

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


def protected_tables(connection) -> set[str]:
    """The tables that carry an append-only trigger (PostgreSQL; empty elsewhere)."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || %s AND NOT t.tgisinternal",
            [TRIGGER_SUFFIX],
        )
        return {row[0] for row in cursor.fetchall()}
