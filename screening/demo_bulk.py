"""Writing generated demo rows in bulk (generate_demo_data): the row shapes, and the
PostgreSQL path, which COPYs the per-row columns and joins each distinct case's stored JSON in
the database instead of sending and parsing 15 kB per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from dataclasses import dataclass

from django.db import connection

from criteria.evaluator import EVALUATOR_VERSION
from screening.failures import failed_positions
from screening.models import Decision

DECLINED = "synthetic: patient declined"


@dataclass(frozen=True)
class Case:
    """One evaluated synthetic case, in the JSON form it is stored in."""

    values: dict
    outcome: str
    results: list
    missing: list
    derived: dict
    content_sha256: str


@dataclass(frozen=True)
class Row:
    """One generated candidate + episode + decision: the columns that differ per row."""

    number: str
    case: int  # index into the pool
    referral_date: dt.date
    public_id: uuid.UUID
    sequence: int
    recorded_at: dt.datetime
    previous_hash: str
    entry_hash: str


def failure_reason(case: Case) -> str:
    return DECLINED if case.outcome == Decision.Outcome.INCOMPLETE else ""


def write_postgresql(context, rows: list[Row]) -> None:
    """PostgreSQL: COPY the per-row columns, join the pool's JSON in the database."""
    with connection.cursor() as cursor:
        if not getattr(context, "pool_table", False):
            _copy_pool(cursor, context.pool)
            context.pool_table = True
        cursor.execute("TRUNCATE demo_rows")
        _copy(cursor, "demo_rows", [_row_columns(row) for row in rows])
        params = {
            "trial": context.criteria_set.trial_id,
            "set": context.criteria_set.pk,
            "version": context.criteria_set.version,
            "user": context.user.pk,
            "rules": context.snapshot.pk,
            "evaluator": EVALUATOR_VERSION,
        }
        for statement in (
            _INSERT_CANDIDATES,
            _INSERT_SCREENINGS,
            _INSERT_DECISIONS,
            _INSERT_FAILED_CRITERIA,
        ):
            cursor.execute(statement, params)


def _row_columns(row: Row) -> tuple:
    return (
        row.number,
        row.case,
        row.referral_date.isoformat(),
        str(row.public_id),
        row.sequence,
        row.recorded_at.isoformat(),
        row.previous_hash,
        row.entry_hash,
    )


def _copy_pool(cursor, pool: list[Case]) -> None:
    # lz4 compresses the stored JSON several times faster than the default pglz; it applies
    # to this transaction only, and reading the rows back needs nothing special.
    cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
    # ON COMMIT DROP is enough on its own, unless the caller's transaction is still open.
    cursor.execute("DROP TABLE IF EXISTS demo_pool, demo_rows, demo_failed")
    cursor.execute(
        "CREATE TEMPORARY TABLE demo_pool (i integer PRIMARY KEY, outcome text, sex text,"
        " reason text, vals jsonb, results jsonb, missing jsonb, derived jsonb) ON COMMIT DROP"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE demo_rows (number text, i integer, referral_date date,"
        " public_id uuid, sequence bigint, recorded_at timestamptz, previous_hash text,"
        " entry_hash text) ON COMMIT DROP"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE demo_failed (i integer, position smallint, code text)"
        " ON COMMIT DROP"
    )
    _copy(
        cursor,
        "demo_failed",
        [
            (i, position, code)
            for i, case in enumerate(pool)
            for position, code in failed_positions(case.results)
        ],
    )
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    _copy(
        cursor,
        "demo_pool",
        [
            (
                i,
                case.outcome,
                case.values.get("sex", "female"),
                failure_reason(case),
                dump(case.values),
                dump(case.results),
                dump(case.missing),
                dump(case.derived),
            )
            for i, case in enumerate(pool)
        ],
    )


def _copy(cursor, table: str, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    # Every field quoted: an empty string stays an empty string, not NULL.
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(rows)
    buffer.seek(0)
    cursor.cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", buffer)


_INSERT_CANDIDATES = """
INSERT INTO screening_candidate (trial_id, screening_number, initials, year_of_birth,
    date_of_birth, sex, referring_unit, referral_date, created_by_id, created_at)
SELECT %(trial)s, r.number, 'ZZ',
    COALESCE(EXTRACT(YEAR FROM (p.vals->>'date_of_birth')::date)::int, 1960),
    (p.vals->>'date_of_birth')::date, p.sex, 'Synthetic demo data', r.referral_date,
    %(user)s, r.recorded_at
FROM demo_rows r JOIN demo_pool p ON p.i = r.i ORDER BY r.sequence
"""
# Each generated episode has exactly one decision, its current one. The decision's id is
# drawn from its sequence as the episode is inserted (after ORDER BY: volatile functions run
# after the sort), and the decision is inserted under it: no UPDATE of the episodes after.
_INSERT_SCREENINGS = """
INSERT INTO screening_screening (candidate_id, episode, criteria_set_id, "values",
    entered_units, status, started_by_id, started_at, updated_at, current_decision_id,
    current_recorded_at, current_sequence)
SELECT c.id, 1, %(set)s, p.vals, '{}'::jsonb, 'decided', %(user)s, r.recorded_at,
    r.recorded_at, nextval(pg_get_serial_sequence('screening_decision', 'id')),
    r.recorded_at, r.sequence
FROM demo_rows r JOIN demo_pool p ON p.i = r.i
JOIN screening_candidate c ON c.screening_number = r.number ORDER BY r.sequence
"""
_INSERT_DECISIONS = """
INSERT INTO screening_decision (id, public_id, sequence, screening_id, criteria_set_id,
    criteria_set_version, outcome, screen_failure_reason, results, missing, derived,
    values_snapshot, rules_sha256, evaluator_version, recorded_by_id, recorded_at,
    previous_hash, entry_hash)
SELECT s.current_decision_id, r.public_id, r.sequence, s.id, %(set)s, %(version)s, p.outcome,
    p.reason, p.results, p.missing, p.derived, p.vals, %(rules)s, %(evaluator)s, %(user)s,
    r.recorded_at, r.previous_hash, r.entry_hash
FROM demo_rows r JOIN demo_pool p ON p.i = r.i
JOIN screening_candidate c ON c.screening_number = r.number
JOIN screening_screening s ON s.candidate_id = c.id AND s.episode = 1 ORDER BY r.sequence
"""

_INSERT_FAILED_CRITERIA = """
INSERT INTO screening_failedcriterion (decision_id, position, code)
SELECT d.id, f.position, f.code
FROM demo_rows r JOIN demo_failed f ON f.i = r.i
JOIN screening_decision d ON d.sequence = r.sequence ORDER BY r.sequence, f.position
"""
