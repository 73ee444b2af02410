"""The bench's data: N synthetic candidates, each with one decided episode, on PostgreSQL, fast.

Bench-only. The application records a decision in one way, `screening.services.
decision_record`; recording 100,000 through it would take most of an hour here, so this writes
the same rows in bulk. What it must not do is invent a chain of its own: every decision is
hashed with the application's `decision_payload` and `chain_hash`, onto the chain head, as
`decision_record` does, so `verify_audit` passes on bench data (tests/test_bench_data.py).

Why it is fast: a decision stores about 15 kB of JSON. Each distinct case (POOL of them) is
evaluated once by the real evaluator; the cases go into a temporary table once, the per-row
columns (ids, numbers, hashes) are streamed with COPY, and one INSERT ... SELECT per table
joins the two, so PostgreSQL copies the stored JSON instead of parsing it per row.

Run: `DATABASE_URL=postgres://... python bench/data.py DECISIONS` (after migrate and
load_protocol). Prints the seconds taken.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import SimpleNamespace

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")
    import django

    django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from criteria.evaluator import EVALUATOR_VERSION, evaluate  # noqa: E402
from criteria.protocol import rules_to_dict  # noqa: E402
from criteria.selectors import criteria_set_lookup, criteria_set_rules  # noqa: E402
from criteria.values import value_to_json  # noqa: E402
from screening.demo import candidate  # noqa: E402
from screening.failures import failed_positions  # noqa: E402
from screening.hashing import chain_hash, content_hash, decision_payload  # noqa: E402
from screening.models import ChainHead, RulesSnapshot, Screening, ScreeningNumberCounter  # noqa: E402
from screening.services import decision_content  # noqa: E402

BATCH = 2000
POOL = 2000  # distinct cases evaluated; decisions cycle through them
SPACING = dt.timedelta(minutes=15)  # between generated decisions, the last one now
DECLINED = "synthetic: patient declined"
TRIAL = "NCT01387295"


@dataclass(frozen=True)
class Case:
    """One evaluated synthetic case, in the JSON form it is stored in."""

    values: dict
    outcome: str
    results: list
    missing: list
    derived: dict

    @property
    def reason(self) -> str:
        return DECLINED if self.outcome == "incomplete" else ""


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


def generate(decisions: int, *, seed: int = 20261129) -> float:
    """Append `decisions` decided candidates of NCT01387295 to the chain; the seconds taken."""
    if connection.vendor != "postgresql":
        raise SystemExit("bench data is written with COPY: PostgreSQL only")
    started = time.perf_counter()
    criteria_set = criteria_set_lookup(TRIAL)
    rule_set = criteria_set_rules(criteria_set)
    pool = _evaluated_pool(rule_set, random.Random(seed))
    user, _ = get_user_model().objects.get_or_create(
        username="demo-data", defaults={"first_name": "Synthetic", "last_name": "Data"}
    )
    with transaction.atomic():
        rules = rules_to_dict(rule_set)
        snapshot = RulesSnapshot.objects.get_or_create(
            sha256=content_hash(rules), defaults={"rules": rules}
        )[0]
        head, _ = ChainHead.objects.select_for_update().get_or_create(name="decisions")
        counter, _ = ScreeningNumberCounter.objects.select_for_update().get_or_create(
            trial=criteria_set.trial
        )
        context = SimpleNamespace(criteria_set=criteria_set, snapshot=snapshot, user=user)
        context.pool = pool
        rows = _chained_rows(context, head, counter, decisions)
        # Hash the next batch while the database writes this one (the driver releases the
        # GIL while it waits); only this one thread advances the chain.
        with ThreadPoolExecutor(max_workers=1) as ahead:
            upcoming = ahead.submit(_take, rows)
            while batch := upcoming.result():
                upcoming = ahead.submit(_take, rows)
                _write(context, batch)
        head.save()
        counter.save()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _take(rows) -> list:
    return list(islice(rows, BATCH))


def _evaluated_pool(rule_set, rng: random.Random) -> list[Case]:
    """POOL distinct cases: their stored JSON values and what the evaluator decided."""
    pool = []
    for values in islice(iter(lambda: candidate(rng), None), POOL):
        evaluation = evaluate(rule_set, values)
        stored = {k: value_to_json(rule_set.variables[k], v) for k, v in values.items()}
        pool.append(Case(stored, evaluation.outcome, **decision_content(evaluation)))
    return pool


def _chained_rows(context, head, counter, count: int):
    """The rows in chain order, each hashed onto the one before; advances head and counter."""
    registry_id = context.criteria_set.trial.registry_id
    username = context.user.get_username()
    first_at = timezone.now() - SPACING * (count - 1)
    for i in range(count):
        counter.last_issued += 1
        case_index = i % POOL
        case = context.pool[case_index]
        number = f"{registry_id}-S{counter.last_issued:04d}"
        recorded_at = first_at + SPACING * i
        # What decision_payload reads of a decision, without a model instance per row.
        link = SimpleNamespace(
            public_id=uuid.uuid4(),
            sequence=head.sequence + 1,
            screening=SimpleNamespace(
                candidate=SimpleNamespace(screening_number=number), episode=1
            ),
            criteria_set_id=context.criteria_set.pk,
            criteria_set_version=context.criteria_set.version,
            outcome=case.outcome,
            screen_failure_reason=case.reason,
            results=case.results,
            missing=case.missing,
            derived=case.derived,
            values_snapshot=case.values,
            sources_snapshot={},
            rules_snapshot_id=context.snapshot.pk,
            evaluator_version=EVALUATOR_VERSION,
            recorded_by=SimpleNamespace(get_username=lambda: username),
            recorded_at=recorded_at,
        )
        entry_hash = chain_hash(decision_payload(link), head.entry_hash)
        yield Row(
            number=number,
            case=case_index,
            referral_date=timezone.localdate(recorded_at) - dt.timedelta(days=i % 14),
            public_id=link.public_id,
            sequence=link.sequence,
            recorded_at=recorded_at,
            previous_hash=head.entry_hash,
            entry_hash=entry_hash,
        )
        head.sequence, head.entry_hash = link.sequence, entry_hash


def _write(context, rows: list[Row]) -> None:
    """COPY the per-row columns, join the pool's JSON in the database."""
    with connection.cursor() as cursor:
        if not getattr(context, "pool_table", False):
            _copy_pool(cursor, context.pool)
            context.pool_table = True
        cursor.execute("TRUNCATE bench_rows")
        _copy(cursor, "bench_rows", [_row_columns(row) for row in rows])
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
            _insert_screenings(),
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
    cursor.execute("DROP TABLE IF EXISTS bench_pool, bench_rows, bench_failed")
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_pool (i integer PRIMARY KEY, outcome text, sex text,"
        " reason text, vals jsonb, results jsonb, missing jsonb, derived jsonb) ON COMMIT DROP"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_rows (number text, i integer, referral_date date,"
        " public_id uuid, sequence bigint, recorded_at timestamptz, previous_hash text,"
        " entry_hash text) ON COMMIT DROP"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_failed (i integer, position smallint, code text)"
        " ON COMMIT DROP"
    )
    failed = [
        (i, position, code)
        for i, case in enumerate(pool)
        for position, code in failed_positions(case.results)
    ]
    _copy(cursor, "bench_failed", failed)
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    cases = [
        (i, case.outcome, case.values.get("sex", "female"), case.reason)
        + (dump(case.values), dump(case.results), dump(case.missing), dump(case.derived))
        for i, case in enumerate(pool)
    ]
    _copy(cursor, "bench_pool", cases)


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
FROM bench_rows r JOIN bench_pool p ON p.i = r.i ORDER BY r.sequence
"""


def _insert_screenings() -> str:
    """Each episode has exactly one decision, its current one. The decision's id is drawn
    from its sequence as the episode is inserted (after ORDER BY: volatile functions run after
    the sort), and the decision is inserted under it: no UPDATE of the episodes after. The
    episode's copies of its decision's time and position are written where the model has
    them."""
    fields = {field.name for field in Screening._meta.get_fields()}
    copies = [("current_recorded_at", "r.recorded_at"), ("current_sequence", "r.sequence")]
    copies = [(column, value) for column, value in copies if column in fields]
    columns = "".join(f", {column}" for column, _ in copies)
    values = "".join(f", {value}" for _, value in copies)
    return f"""
INSERT INTO screening_screening (candidate_id, episode, criteria_set_id, "values",
    entered_units, status, started_by_id, started_at, updated_at, current_decision_id{columns})
SELECT c.id, 1, %(set)s, p.vals, '{{}}'::jsonb, 'decided', %(user)s, r.recorded_at,
    r.recorded_at, nextval(pg_get_serial_sequence('screening_decision', 'id')){values}
FROM bench_rows r JOIN bench_pool p ON p.i = r.i
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
FROM bench_rows r JOIN bench_pool p ON p.i = r.i
JOIN screening_candidate c ON c.screening_number = r.number
JOIN screening_screening s ON s.candidate_id = c.id AND s.episode = 1 ORDER BY r.sequence
"""

_INSERT_FAILED_CRITERIA = """
INSERT INTO screening_failedcriterion (decision_id, position, code)
SELECT d.id, f.position, f.code
FROM bench_rows r JOIN bench_failed f ON f.i = r.i
JOIN screening_decision d ON d.sequence = r.sequence ORDER BY r.sequence, f.position
"""


if __name__ == "__main__":
    print(f"{generate(int(sys.argv[1])):.1f}")
