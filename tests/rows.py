"""The rows a set-up step writes, captured once and written again as they were.

Loading a protocol through `protocol_load` checks the file and writes a few hundred rows
(trial, variables, criteria, their history); at 0.2-0.5 s a load and over 400 tests that start
from NCT01387295, it was a large part of the suite's time. The suite runs the real service once
a session, keeps the rows it wrote, and puts those rows back for each test that asks (a few ms).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass(frozen=True)
class TableRows:
    table: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def _models_by_table() -> dict:
    models = apps.get_models(include_auto_created=True)
    return {m._meta.db_table: m for m in models if m._meta.managed and not m._meta.proxy}


def _read(table: str) -> tuple[tuple[str, ...], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return tuple(c[0] for c in cursor.description), cursor.fetchall()


def _keys(model, columns: tuple[str, ...], rows: list[tuple]) -> list:
    at = columns.index(model._meta.pk.column)
    return [row[at] for row in rows]


def _as_parameter(value):
    # psycopg2 reads jsonb as Python objects but will not write them back as parameters.
    return json.dumps(value) if isinstance(value, dict | list) else value


def rows_written_by(step: Callable[[], object]) -> tuple[object, list[TableRows]]:
    """Run `step` in a transaction that is rolled back. Out: what it returned, and the rows it
    added to each table (rows it changed or deleted are not tracked: a load only adds)."""
    models = sorted(_models_by_table().items())
    with transaction.atomic():
        before = {table: set(_keys(model, *_read(table))) for table, model in models}
        result = step()
        written = []
        for table, model in models:
            columns, rows = _read(table)
            keys = _keys(model, columns, rows)
            added = tuple(
                tuple(map(_as_parameter, row))
                for key, row in zip(keys, rows, strict=True)
                if key not in before[table]
            )
            if added:
                written.append(TableRows(table, columns, added))
        transaction.set_rollback(True)
    return result, written


def rows_insert(written: list[TableRows]) -> None:
    """Insert the captured rows with their own keys, then move PostgreSQL's id sequences past
    them (SQLite takes the next id from the table itself)."""
    models = _models_by_table()
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for part in written:
            names = ", ".join(quote(c) for c in part.columns)
            marks = ", ".join(["%s"] * len(part.columns))
            sql = f"INSERT INTO {quote(part.table)} ({names}) VALUES ({marks})"
            cursor.executemany(sql, part.rows)
        reset = [models[part.table] for part in written]
        for sql in connection.ops.sequence_reset_sql(no_style(), reset):
            cursor.execute(sql)
