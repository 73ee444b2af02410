"""The screening log's query: one row per episode, its current decision found by annotation.

An episode's current decision is its newest one (highest chain sequence): a re-evaluation
under a new criteria version appends a decision to the same episode and supersedes the old.
Everything the log filters or sorts on is annotated, so the database does the work and the
number of queries does not depend on the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import NotSupportedError
from django.db.models import Exists, F, Func, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Length
from django.utils import timezone

from screening.models import Decision, Screening, Signature

IN_PROGRESS = "in_progress"

# "failed" as the evaluator defines it: an inclusion not met, or an exclusion that applies.
_SQLITE_FAILED_CODES = (
    "(SELECT json_group_array(json_extract(r.value, '$.code'))"
    " FROM json_each(%(expressions)s) AS r"
    " WHERE (json_extract(r.value, '$.kind') = 'inclusion'"
    " AND json_extract(r.value, '$.status') = 'not_met')"
    " OR (json_extract(r.value, '$.kind') = 'exclusion'"
    " AND json_extract(r.value, '$.status') = 'met'))"
)
_POSTGRES_FAILED_CODES = (
    "(SELECT COALESCE(jsonb_agg(r.item->>'code' ORDER BY r.n), '[]'::jsonb)::text"
    " FROM jsonb_array_elements(%(expressions)s) WITH ORDINALITY AS r(item, n)"
    " WHERE (r.item->>'kind' = 'inclusion' AND r.item->>'status' = 'not_met')"
    " OR (r.item->>'kind' = 'exclusion' AND r.item->>'status' = 'met'))"
)


class FailedCodes(Func):
    """The codes of the criteria a decision's `results` failed, in rule order, as JSON text
    (`["I3","E5"]`). Computed in the database so that the log filters on a failed criterion
    and the summary counts failures without loading every decision's results."""

    arity = 1
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"FailedCodes has no SQL for {connection.vendor}")

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=_SQLITE_FAILED_CODES)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=_POSTGRES_FAILED_CODES)


@dataclass(frozen=True)
class LogFilters:
    """What the investigator asked the log for; empty means "no filter"."""

    outcome: str = ""  # a Decision.Outcome value, or IN_PROGRESS for episodes not decided
    screened_from: dt.date | None = None
    screened_to: dt.date | None = None
    failed_criterion: str = ""
    recorded_by: str = ""  # username of whoever recorded the current decision
    signoff: str = ""  # "signed" or "unsigned" (decided, current decision not signed)
    search: str = ""  # part of a screening number
    sort: str = "-screened_at"


SORTS = {
    "screening_number": [Length("candidate__screening_number"), "candidate__screening_number"],
    "referral_date": ["candidate__referral_date"],
    "screened_at": ["screened_at"],
    "outcome": ["outcome"],
    "recorded_by": ["recorded_by_username"],
}


def current_decisions(screening_ref: str = "pk") -> QuerySet:
    """The decisions of the outer query's episode, newest first."""
    return Decision.objects.filter(screening=OuterRef(screening_ref)).order_by("-sequence")


def log_queryset() -> QuerySet:
    """Every episode with its current decision's id, outcome, time, recorder, failed criteria
    codes and whether it is signed."""
    current = current_decisions()
    return (
        Screening.objects.select_related("candidate")
        .defer("values", "entered_units")  # the log never shows the answers themselves
        .annotate(
            decision_id=Subquery(current.values("pk")[:1]),
            outcome=Subquery(current.values("outcome")[:1]),
            screened_at=Subquery(current.values("recorded_at")[:1]),
            recorded_by_username=Subquery(current.values("recorded_by__username")[:1]),
            failed_codes=Subquery(
                current.annotate(codes=FailedCodes("results")).values("codes")[:1],
                output_field=TextField(),
            ),
        )
        .annotate(signed=Exists(Signature.objects.filter(decision_id=OuterRef("decision_id"))))
    )


def log_filter(queryset: QuerySet, filters: LogFilters) -> QuerySet:
    if filters.outcome == IN_PROGRESS:
        queryset = queryset.filter(decision_id__isnull=True)
    elif filters.outcome:
        queryset = queryset.filter(outcome=filters.outcome)
    if filters.screened_from:
        queryset = queryset.filter(screened_at__gte=_local_midnight(filters.screened_from))
    if filters.screened_to:
        next_day = filters.screened_to + dt.timedelta(days=1)
        queryset = queryset.filter(screened_at__lt=_local_midnight(next_day))
    if filters.failed_criterion:
        # The JSON text quotes each code, so "I3" never matches "I31".
        queryset = queryset.filter(failed_codes__contains=f'"{filters.failed_criterion}"')
    if filters.recorded_by:
        queryset = queryset.filter(recorded_by_username=filters.recorded_by)
    if filters.signoff == "signed":
        queryset = queryset.filter(signed=True)
    elif filters.signoff == "unsigned":
        queryset = queryset.filter(decision_id__isnull=False, signed=False)
    if filters.search.strip():
        queryset = queryset.filter(candidate__screening_number__icontains=filters.search.strip())
    return queryset


def log_order(queryset: QuerySet, sort: str) -> QuerySet:
    """Sort by one column, either way; undecided episodes last; ties by screening number."""
    descending = sort.startswith("-")
    keys = [F(k) if isinstance(k, str) else k for k in SORTS.get(sort.lstrip("-"), [])]
    if not keys:
        keys, descending = [F("screened_at")], True
    ordering = [k.desc(nulls_last=True) if descending else k.asc(nulls_last=True) for k in keys]
    tie = [Length("candidate__screening_number"), "candidate__screening_number", "episode"]
    return queryset.order_by(*ordering, *tie)


def failed_results(results: list[dict]) -> list[dict]:
    """The entries of a decision's stored results that made the patient ineligible."""
    return [r for r in results if r["status"] == ("not_met" if r["kind"] == "inclusion" else "met")]


def _local_midnight(day: dt.date) -> dt.datetime:
    # Dates are the site's local dates; stored times are UTC.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class LogRow:
    """One episode as the log, the exports and the audit trail show it: its current decision,
    the signature on that decision, and signatures left on decisions it superseded."""

    screening: Screening
    decision: Decision | None
    signature: Signature | None
    superseded: tuple[Signature, ...] = ()

    @property
    def failed(self) -> list[dict]:
        return failed_results(self.decision.results) if self.decision else []

    @property
    def failed_codes(self) -> list[str]:
        return [r["code"] for r in self.failed]

    @property
    def signoff_state(self) -> str:
        if self.decision is None:
            return "not decided"
        return "signed" if self.signature else "awaiting sign-off"


def log_rows(screenings: list[Screening], decisions: list[Decision], signatures) -> list[LogRow]:
    """Pair each episode with its current decision (the newest of `decisions` for it) and
    sort `signatures` (annotated with `screening_pk`) into the current one and superseded."""
    current: dict[int, Decision] = {}
    for decision in sorted(decisions, key=lambda d: d.sequence):
        current[decision.screening_id] = decision
    by_episode: dict[int, list[Signature]] = defaultdict(list)
    for signature in signatures:
        by_episode[signature.screening_pk].append(signature)
    rows = []
    for screening in screenings:
        decision = current.get(screening.pk)
        mine = by_episode[screening.pk]
        signed = next((s for s in mine if decision and s.decision_id == decision.pk), None)
        rows.append(LogRow(screening, decision, signed, tuple(s for s in mine if s is not signed)))
    return rows
