"""The screening log's query: one row per episode, its current decision found by annotation.

An episode's current decision is its newest one (highest chain sequence): a re-evaluation
under a new criteria version appends a decision to the same episode and supersedes the old.
Everything the log filters or sorts on is annotated, so the database does the work and the
number of queries does not depend on the number of rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import NotSupportedError, connection
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.utils import timezone

from screening.models import ChainHead, Decision, Screening, Signature

IN_PROGRESS = "in_progress"

# "failed" as the evaluator defines it: an inclusion not met, or an exclusion that applies.
_SQLITE_FAILED = (
    " FROM json_each(%(expressions)s) AS r"
    " WHERE (json_extract(r.value, '$.kind') = 'inclusion'"
    " AND json_extract(r.value, '$.status') = 'not_met')"
    " OR (json_extract(r.value, '$.kind') = 'exclusion'"
    " AND json_extract(r.value, '$.status') = 'met'))"
)
_POSTGRES_FAILED = (
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
    sqlite_items = "json_extract(r.value, '$.code')"
    postgres_items = "r.item->>'code'"

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"{type(self).__name__} has no SQL for {connection.vendor}")

    def as_sqlite(self, compiler, connection, **extra_context):
        template = f"(SELECT json_group_array({self.sqlite_items}){_SQLITE_FAILED}"
        return super().as_sql(compiler, connection, template=template)

    def as_postgresql(self, compiler, connection, **extra_context):
        items = f"COALESCE(jsonb_agg({self.postgres_items} ORDER BY r.n), '[]'::jsonb)::text"
        return super().as_sql(compiler, connection, template=f"(SELECT {items}{_POSTGRES_FAILED}")


class FailedResults(FailedCodes):
    """The entries of a decision's `results` that failed, whole, in rule order, as JSON text:
    what `failed_results` returns, without sending and parsing every criterion's result."""

    sqlite_items = "json(r.value)"
    postgres_items = "r.item"


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
    """Every episode with its current decision's id, outcome and time; its recorder, failed
    criteria codes and whether it is signed are there to filter and sort on (aliases: the
    database computes them only when asked, and a row shows them from its decision)."""
    current = current_decisions()
    return (
        Screening.objects.select_related("candidate")
        .defer("values", "entered_units")  # the log never shows the answers themselves
        .annotate(
            decision_id=Subquery(current.values("pk")[:1]),
            outcome=Subquery(current.values("outcome")[:1]),
            screened_at=Subquery(current.values("recorded_at")[:1]),
        )
        .alias(
            recorded_by_username=Subquery(current.values("recorded_by__username")[:1]),
            failed_codes=Subquery(
                current.annotate(codes=FailedCodes("results")).values("codes")[:1],
                output_field=TextField(),
            ),
            signed=Exists(Signature.objects.filter(decision_id=OuterRef("decision_id"))),
        )
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
    """Sort by one column, either way; undecided episodes last; ties by screening number
    (by screened date: first by chain position, as `LogPages` pages them)."""
    descending = sort.startswith("-")
    keys = [F(k) if isinstance(k, str) else k for k in SORTS.get(sort.lstrip("-"), [])]
    if not keys:
        keys, descending = [F("screened_at")], True
    if keys == [F("screened_at")]:
        queryset = queryset.annotate(decision_sequence=_current_sequence())
        keys.append(F("decision_sequence"))
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

    @cached_property
    def failed(self) -> list[dict]:
        # Decisions for rows are loaded with `failed_entries` (FailedResults), not `results`.
        return json.loads(self.decision.failed_entries) if self.decision else []

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


# The log as the page shows it, sorted by screened date (the default, and the sign-off
# queue's order): O(page), not O(episodes).
#
# Sorting episodes by a subquery makes the database compute every episode's current decision
# before it can return the first page: seconds at 100,000 decisions. Here the decided rows are
# found the other way round: walk the decisions by time on an index (migration 0004), keep the
# current ones (no newer decision of the same episode, one index probe each), stop after the
# page. Ties on the time are broken by chain position. Episodes not decided come last, by
# screening number. A page reached with "Next" carries the previous page's last key, so page
# 500 costs what page 1 costs; a page number alone skips rows with OFFSET.

PAGED_SORTS = ("screened_at", "-screened_at")
_COUNT_CACHE_SECONDS = 300


def log_pages(filters: LogFilters, cursor: str = "") -> LogPages | None:
    """The log for the page view, or None when its sort or filter needs the general query
    (`log_filter` + `log_order`): another column's sort, or episodes not decided."""
    if filters.sort not in PAGED_SORTS or filters.outcome == IN_PROGRESS:
        return None
    return LogPages(filters, cursor)


class LogPages:
    """What Django's Paginator needs: `count()` and slices of annotated episodes, in order.

    A slice costs one query; `count()` two, cached until a decision, signature or episode is
    added (the cache key holds the chain heads and the newest episode id).
    """

    ordered = True

    def __init__(self, filters: LogFilters, cursor: str = "") -> None:
        self.filters = filters
        self.descending = filters.sort.startswith("-")
        self.cursor = _parse_cursor(cursor)
        self.next_cursor = ""  # the key after the last slice taken, for the "Next" link
        self._count: tuple[int, int] | None = None

    def count(self) -> int:
        return sum(self._counts())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Screening]:
        start, stop = window.start or 0, window.stop
        decided_total, _ = self._counts()
        parts = Q(pk__in=[])
        if start < decided_total:
            keys = self._decided().values("screening_id")
            if self.cursor and self.cursor[0] == start:
                keys = keys.filter(self._after(self.cursor))[: min(stop, decided_total) - start]
            else:
                keys = keys[start : min(stop, decided_total)]
            parts |= Q(pk__in=Subquery(keys))
        if stop > decided_total:
            tail = self._undecided().values("pk")
            tail = tail[max(0, start - decided_total) : stop - decided_total]
            parts |= Q(pk__in=Subquery(tail))
        rows = list(log_order(log_queryset().filter(parts), self.filters.sort))
        last = rows[-1] if rows else None
        if last is not None and last.decision_id and len(rows) == stop - start:
            self.next_cursor = f"{stop}~{last.screened_at.isoformat()}~{last.decision_sequence}"
        return rows

    def _decided(self) -> QuerySet:
        """The current decisions that pass the filters, in the page's order."""
        newer = Decision.objects.filter(
            screening=OuterRef("screening"), sequence__gt=OuterRef("sequence")
        )
        decisions = Decision.objects.filter(~Exists(newer))
        f = self.filters
        if f.outcome:
            decisions = decisions.filter(outcome=f.outcome)
        if f.screened_from:
            decisions = decisions.filter(recorded_at__gte=_local_midnight(f.screened_from))
        if f.screened_to:
            next_day = f.screened_to + dt.timedelta(days=1)
            decisions = decisions.filter(recorded_at__lt=_local_midnight(next_day))
        if f.failed_criterion:
            decisions = decisions.annotate(codes=FailedCodes("results")).filter(
                codes__contains=f'"{f.failed_criterion}"'
            )
        if f.recorded_by:
            decisions = decisions.filter(recorded_by__username=f.recorded_by)
        if f.signoff:
            signed = Exists(Signature.objects.filter(decision_id=OuterRef("pk")))
            decisions = decisions.filter(signed if f.signoff == "signed" else ~signed)
        if f.search.strip():
            decisions = decisions.filter(
                screening__candidate__screening_number__icontains=f.search.strip()
            )
        keys = ("recorded_at", "sequence")
        return decisions.order_by(*(f"-{k}" if self.descending else k for k in keys))

    def _after(self, cursor: tuple) -> Q:
        _, at, sequence = cursor
        if self.descending:
            return Q(recorded_at__lte=at) & (
                Q(recorded_at__lt=at) | Q(recorded_at=at, sequence__lt=sequence)
            )
        return Q(recorded_at__gte=at) & (
            Q(recorded_at__gt=at) | Q(recorded_at=at, sequence__gt=sequence)
        )

    def _undecided(self) -> QuerySet:
        """Episodes without a decision (none when a filter asks about the decision)."""
        f = self.filters
        asks_decision = (
            f.outcome or f.screened_from or f.screened_to or f.failed_criterion or f.recorded_by
        )
        if asks_decision or f.signoff:
            return Screening.objects.none()
        decided = Exists(Decision.objects.filter(screening=OuterRef("pk")))
        episodes = Screening.objects.filter(~decided)
        if f.search.strip():
            episodes = episodes.filter(candidate__screening_number__icontains=f.search.strip())
        return episodes.order_by(
            Length("candidate__screening_number"), "candidate__screening_number", "episode"
        )

    def _counts(self) -> tuple[int, int]:
        if self._count is None:
            self._count = _counts_checked(self.filters, self._decided(), self._undecided())
        return self._count


def _current_sequence() -> Subquery:
    return Subquery(current_decisions().values("sequence")[:1])


def _parse_cursor(text: str) -> tuple | None:
    """ "offset~time~sequence" -> (offset, aware datetime, sequence), or None if malformed."""
    try:
        offset, at, sequence = text.split("~")
        moment = dt.datetime.fromisoformat(at)
        if timezone.is_naive(moment):
            return None
        return int(offset), moment, int(sequence)
    except ValueError:
        return None


def _counts_checked(filters: LogFilters, decided: QuerySet, undecided: QuerySet) -> tuple:
    """(decided, undecided) counts in one query. Counting costs a pass over every episode,
    so the last counts are kept per process with the version they were counted at — both
    chain heads' hashes and the newest episode, which change whenever a count can — and the
    query counts again only when the version differs (CASE evaluates lazily)."""
    key = _count_key(filters)
    cached = cache.get(key) if key else None
    version_parts = [
        _sql(ChainHead.objects.filter(name="decisions").values("entry_hash")),
        _sql(ChainHead.objects.filter(name="signatures").values("entry_hash")),
        _sql(Screening.objects.order_by("-pk").values("pk")[:1]),
    ]
    # COALESCE: no signature yet is a version too, and NULL = NULL is not true.
    version_parts = [(f"COALESCE(({sql}), %s)", [*p, ""]) for sql, p in version_parts[:2]] + [
        (f"COALESCE(({version_parts[2][0]}), 0)", version_parts[2][1])
    ]
    same = " AND ".join(f"{sql} = %s" for sql, _ in version_parts)
    known = list(cached[0]) if cached else ["", "", -1]
    sql, params = [], []
    for part_sql, part_params in version_parts:
        sql.append(part_sql)
        params += part_params
    for queryset in (decided, undecided):
        counted = _sql(queryset.order_by().values("pk"))
        # Only SQL that Django compiled is pasted; every value is a parameter.
        count_sql = f"(SELECT COUNT(*) FROM ({counted[0]}) n)"  # noqa: S608
        sql.append(f"CASE WHEN {same} THEN NULL ELSE {count_sql} END")
        for (_, part_params), value in zip(version_parts, known, strict=True):
            params += [*part_params, value]
        params += counted[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql), params)
        *version, decided_count, undecided_count = cursor.fetchone()
    if decided_count is None:
        return cached[1]
    counts = (decided_count, undecided_count)
    if key:
        cache.set(key, (tuple(version), counts), _COUNT_CACHE_SECONDS)
    return counts


def _sql(queryset: QuerySet) -> tuple[str, list]:
    """A queryset's SQL and parameters; one that can match nothing is written as such."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return "SELECT NULL WHERE 1 = 0", []
    return sql, list(params)


def _count_key(filters: LogFilters) -> str | None:
    # A renamed user changes neither chain: counts by recorder are never kept.
    if filters.recorded_by:
        return None
    asked = (
        filters.outcome, filters.screened_from, filters.screened_to, filters.failed_criterion,
        filters.signoff, filters.search.strip(), connection.alias, connection.settings_dict["NAME"],
    )  # fmt: skip
    return "screening-log-count:" + hashlib.sha256(repr(asked).encode()).hexdigest()


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
