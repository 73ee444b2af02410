"""The screening log's rows: one per episode, joined to its current decision.

An episode's current decision is its newest one (highest chain sequence): a re-evaluation
under a new criteria version appends a decision to the same episode and supersedes the old.
The episode points at it (`Screening.current_decision`, kept where decisions are appended),
so everything the log filters or sorts on is one indexed join away, and the number of
queries does not depend on the number of rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from screening.models import Decision, Screening, Signature

IN_PROGRESS = "in_progress"


def log_queryset() -> QuerySet:
    """Every episode, with its candidate and trial. The log never shows the answers or where
    they came from: a prefilled episode's sources alone are kilobytes of JSON."""
    return Screening.objects.select_related("candidate__trial").defer(
        "values", "entered_units", "value_sources"
    )


class KeysFirst:
    """A queryset as Django's Paginator (and django-tables2) reads it, where a page is read in
    two steps inside one query: the page's keys, in order (the filters, the sort and OFFSET,
    on indexes where the sort has one), then only those rows with their joins. Read in one
    step, every row skipped by OFFSET was joined to its candidate, trial and decision first.
    A page comes back as `LogRow`s (`screening_log_rows`): two more queries, whatever its size.
    """

    def __init__(self, queryset: QuerySet, rows) -> None:
        self.queryset, self.rows, self.model = queryset, rows, queryset.model

    @property
    def query(self):
        return self.queryset.query

    def count(self) -> int:
        return self.queryset.count()

    def order_by(self, *ordering) -> KeysFirst:
        return KeysFirst(self.queryset.order_by(*ordering), self.rows)

    def __getitem__(self, window: slice) -> list:
        keys = self.queryset.values("pk")[window]
        return self.rows(self.queryset.filter(pk__in=keys))

    def __iter__(self):
        return iter(self.rows(self.queryset))

    def __len__(self) -> int:
        return self.count()


@dataclass(frozen=True)
class LogRow:
    """One episode as the log, the exports and the audit trail show it: its current decision,
    the signature on that decision, and signatures left on decisions it superseded."""

    screening: Screening
    decision: Decision | None
    signature: Signature | None
    superseded: tuple[Signature, ...] = ()
    # Labels in the reader's language by (criteria set id, code); else the recorded label.
    labels: Mapping[tuple[int, str], str] = field(default_factory=dict, compare=False)

    @cached_property
    def failed(self) -> list[dict]:
        # Decisions for rows are loaded with `failed_entries` (FailedEntries), not `results`.
        if self.decision is None:
            return []
        entries = json.loads(self.decision.failed_entries)
        key = self.decision.criteria_set_id
        return [{**r, "label": self.labels.get((key, r["code"]), r["label"])} for r in entries]

    @property
    def failed_codes(self) -> list[str]:
        return [r["code"] for r in self.failed]

    @property
    def screened_on(self):
        """The site-local day the current decision was recorded (None while not decided)."""
        return timezone.localdate(self.decision.recorded_at) if self.decision else None

    @property
    def signoff_state(self) -> str:
        if self.decision is None:
            return "not decided"
        return "signed" if self.signature else "awaiting sign-off"


def log_rows(
    screenings: list[Screening], decisions: list[Decision], signatures, labels=None
) -> list[LogRow]:
    """Pair each episode with its current decision (found among `decisions`) and sort
    `signatures` (annotated with `screening_pk`) into the current one and superseded.
    `labels`: criterion labels to show by (criteria set id, code)."""
    by_id = {decision.pk: decision for decision in decisions}
    by_episode: dict[int, list[Signature]] = defaultdict(list)
    for signature in signatures:
        by_episode[signature.screening_pk].append(signature)
    rows = []
    for screening in screenings:
        decision = by_id.get(screening.current_decision_id)
        mine = by_episode[screening.pk]
        signed = next((s for s in mine if decision and s.decision_id == decision.pk), None)
        superseded = tuple(s for s in mine if s is not signed)
        rows.append(LogRow(screening, decision, signed, superseded, labels or {}))
    return rows


def log_filter_recorders() -> QuerySet:
    """Users who recorded a decision, found by skipping along the recorder index: one probe
    per recorder, whatever the number of decisions.

    The plain forms (IN, EXISTS, a LIMIT 1 subquery) leave the plan to column statistics, and
    PostgreSQL scanned every decision with them (8-80 ms at 100,000) to prove that a user who
    never recorded one did not. MIN over an index is always an index probe.
    """
    table = connection.ops.quote_name(Decision._meta.db_table)
    column = connection.ops.quote_name(Decision._meta.get_field("recorded_by").column)
    # Only the model's own (quoted) table and column names are pasted; there are no values.
    recorders = RawSQL(  # noqa: S611
        f"WITH RECURSIVE r(id) AS (SELECT MIN({column}) FROM {table}"  # noqa: S608
        f" UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > r.id)"
        " FROM r WHERE r.id IS NOT NULL) SELECT id FROM r WHERE id IS NOT NULL",
        [],
    )
    return get_user_model().objects.filter(pk__in=recorders).order_by("username")
