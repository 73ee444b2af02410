"""Fill the database with synthetic screenings and a valid decision chain, fast.

For demos and benchmarks only (refused unless DEBUG is on or --force is given): values come
from screening.demo, each distinct case is evaluated once by the real evaluator and reused,
and every decision is hashed into the chain with screening.hashing exactly as
services.decision_record does, so `verify_audit` passes afterwards.

Where the time goes, and why it is written this way: a decision stores about 15 kB of JSON
(every criterion's result and reason, the values, the derived values). Encoding that in
Python and parsing it in the database once per row is what made the first version take
minutes for 100,000 rows. Here each distinct case is encoded and content-hashed once; on
PostgreSQL the cases are copied into a temporary table once, the per-row columns (ids,
numbers, hashes) are streamed with COPY, and one INSERT ... SELECT per table joins the two,
so the database copies the stored JSON instead of parsing it again (screening.demo_bulk).
Other databases get bulk_create in batches. Either way each batch also writes what
decision_record writes beside a decision: its failed criteria, and the episode's pointer to
it (on PostgreSQL set as the episode is inserted; elsewhere one UPDATE per batch).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from criteria.evaluator import EVALUATOR_VERSION, evaluate
from criteria.protocol import rules_to_dict
from criteria.selectors import criteria_set_lookup, criteria_set_rules
from criteria.values import value_to_json
from screening.demo import candidate
from screening.demo_bulk import Case, Row, failure_reason, write_postgresql
from screening.hashing import chain_hash, content_hash, decision_content_sha256, decision_payload
from screening.models import (
    Candidate,
    ChainHead,
    Decision,
    RulesSnapshot,
    Screening,
    ScreeningNumberCounter,
)
from screening.services import decision_content, decisions_derived_write

BATCH = 2000
POOL = 2000  # distinct cases evaluated; decisions cycle through them
SPACING = dt.timedelta(minutes=15)  # between generated decisions, the last one now


class Command(BaseCommand):
    help = "Generate synthetic candidates, episodes and hash-chained decisions (demo/bench)."

    def add_arguments(self, parser):
        parser.add_argument("--decisions", type=int, default=1000)
        parser.add_argument("--trial", default="NCT01387295")
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument("--force", action="store_true", help="allow with DEBUG off")

    def handle(self, *args, decisions: int, trial: str, seed: int, force: bool, **options):
        if not (settings.DEBUG or force):
            raise CommandError("demo data only with DJANGO_DEBUG=1 (or --force)", returncode=2)
        if decisions < 1:
            raise CommandError("--decisions must be at least 1", returncode=2)
        started = time.perf_counter()
        criteria_set = criteria_set_lookup(trial)
        rule_set = criteria_set_rules(criteria_set)
        pool = _evaluated_pool(rule_set, random.Random(seed))
        user = _demo_user()
        write = write_postgresql if connection.vendor == "postgresql" else _write_orm
        with transaction.atomic():
            snapshot = _snapshot(rules_to_dict(rule_set))
            head, _ = ChainHead.objects.select_for_update().get_or_create(name="decisions")
            counter, _ = ScreeningNumberCounter.objects.select_for_update().get_or_create(
                trial=criteria_set.trial
            )
            context = SimpleNamespace(
                criteria_set=criteria_set, snapshot=snapshot, user=user, pool=pool
            )
            rows = _chained_rows(context, head, counter, decisions)
            # Hash the next batch while the database writes this one (the driver releases
            # the GIL while it waits); only this one thread advances the chain.
            with ThreadPoolExecutor(max_workers=1) as ahead:
                upcoming = ahead.submit(_take, rows)
                while batch := upcoming.result():
                    upcoming = ahead.submit(_take, rows)
                    write(context, batch)
            head.save()
            counter.save()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"generated {decisions} decisions in {seconds:.1f} s (chain now at {head.sequence})"
        )


def _take(rows) -> list:
    return list(islice(rows, BATCH))


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
            screen_failure_reason=failure_reason(case),
            rules_snapshot_id=context.snapshot.pk,
            evaluator_version=EVALUATOR_VERSION,
            recorded_by=SimpleNamespace(get_username=lambda: username),
            recorded_at=recorded_at,
        )
        payload = decision_payload(link, content_sha256=case.content_sha256)
        entry_hash = chain_hash(payload, head.entry_hash)
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


def _write_orm(context, rows: list[Row]) -> None:
    """Any database: bulk_create, three statements per batch."""
    pool, user, criteria_set = context.pool, context.user, context.criteria_set
    candidates = Candidate.objects.bulk_create(
        Candidate(
            trial=criteria_set.trial,
            screening_number=row.number,
            initials="ZZ",
            **_registered_birth(pool[row.case].values),
            sex=pool[row.case].values.get("sex", "female"),
            referring_unit="Synthetic demo data",
            referral_date=row.referral_date,
            created_by=user,
        )
        for row in rows
    )
    screenings = Screening.objects.bulk_create(
        Screening(
            candidate=c,
            episode=1,
            criteria_set=criteria_set,
            values=pool[row.case].values,
            status=Screening.Status.DECIDED,
            started_by=user,
        )
        for c, row in zip(candidates, rows, strict=True)
    )
    decisions = Decision.objects.bulk_create(
        Decision(
            public_id=row.public_id,
            sequence=row.sequence,
            screening=screening,
            criteria_set=criteria_set,
            criteria_set_version=criteria_set.version,
            outcome=pool[row.case].outcome,
            screen_failure_reason=failure_reason(pool[row.case]),
            results=pool[row.case].results,
            missing=pool[row.case].missing,
            derived=pool[row.case].derived,
            values_snapshot=pool[row.case].values,
            rules_snapshot=context.snapshot,
            evaluator_version=EVALUATOR_VERSION,
            recorded_by=user,
            recorded_at=row.recorded_at,
            previous_hash=row.previous_hash,
            entry_hash=row.entry_hash,
        )
        for screening, row in zip(screenings, rows, strict=True)
    )
    decisions_derived_write(decisions)


def _registered_birth(values: dict) -> dict:
    # The registration holds the date of birth the episode was screened with.
    born = values.get("date_of_birth")
    if not born:
        return {"year_of_birth": 1960}
    born = dt.date.fromisoformat(born)
    return {"date_of_birth": born, "year_of_birth": born.year}


def _evaluated_pool(rule_set, rng: random.Random) -> list[Case]:
    """POOL distinct cases: their stored JSON values and what the evaluator decided."""
    pool = []
    for values in islice(iter(lambda: candidate(rng), None), POOL):
        evaluation = evaluate(rule_set, values)
        stored = {k: value_to_json(rule_set.variables[k], v) for k, v in values.items()}
        content = decision_content(evaluation)  # as decision_record stores it
        digest = decision_content_sha256(**content, values_snapshot=stored)
        pool.append(Case(stored, evaluation.outcome, **content, content_sha256=digest))
    return pool


def _snapshot(rules: dict) -> RulesSnapshot:
    sha256 = content_hash(rules)
    return RulesSnapshot.objects.filter(sha256=sha256).first() or RulesSnapshot.objects.create(
        sha256=sha256, rules=rules
    )


def _demo_user():
    user, _ = get_user_model().objects.get_or_create(
        username="demo-data", defaults={"first_name": "Synthetic", "last_name": "Data"}
    )
    return user
