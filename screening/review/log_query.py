"""The screening log's query: one row per episode, joined to its current decision.

An episode's current decision is its newest one (highest chain sequence): a re-evaluation
under a new criteria version appends a decision to the same episode and supersedes the old.
The episode points at it (`Screening.current_decision`, kept where decisions are appended),
so everything the log filters or sorts on is one indexed join away, the database does the
work, and the number of queries does not depend on the number of rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length

from screening.models import Decision, FailedCriterion, Screening, Signature
from trialsite.local_days import within_days

IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class LogFilters:
    """What the investigator asked the log for; empty means "no filter"."""

    trial: str = ""  # a trial's registry id
    outcome: str = ""  # a Decision.Outcome value, or IN_PROGRESS for episodes not decided
    screened_from: dt.date | None = None
    screened_to: dt.date | None = None
    # (registry id, criterion code): a code names a criterion only within its trial.
    failed_criterion: tuple[str, str] | tuple[()] = ()
    recorded_by: str = ""  # username of whoever recorded the current decision
    signoff: str = ""  # "signed" or "unsigned" (decided, current decision not signed)
    search: str = ""  # part of a screening number
    sort: str = "-screened_at"


SORTS = {
    "screening_number": [Length("candidate__screening_number"), "candidate__screening_number"],
    "referral_date": ["candidate__referral_date"],
    "screened_at": ["screened_at"],
    "outcome": ["outcome"],
    "recorded_by": ["current_decision__recorded_by__username"],
}
# The sorts by a column of the current decision, which episodes not decided lack.
DECISION_SORTS = ("screened_at", "outcome", "recorded_by")


def log_queryset() -> QuerySet:
    """Every episode with its current decision's id, outcome, time and chain position (NULL
    while not decided)."""
    return (
        Screening.objects.select_related("candidate__trial")
        .defer("values", "entered_units")  # the log never shows the answers themselves
        .annotate(
            decision_id=F("current_decision"),
            outcome=F("current_decision__outcome"),
            screened_at=F("current_decision__recorded_at"),
            decision_sequence=F("current_decision__sequence"),
        )
    )


def log_filter(
    queryset: QuerySet, filters: LogFilters, screened_at: str = "current_decision__recorded_at"
) -> QuerySet:
    """`queryset` (episodes) narrowed to what `filters` ask. Conditions name the current
    decision's fields by path, so a filter on the decision makes its join an inner one.
    `screened_at` names the screened time: the decision's, or the episode's copy of it
    (`current_recorded_at`), so a walk of the episodes in that order reads a date range from
    their index. Elsewhere (exports, the sorts by outcome or recorder) the decision's time is
    the better one: filtering on it makes the decision's join an inner one, probed row by row
    (a month's export, 100,000 decisions: 14-18 ms of SQL; on the copy, PostgreSQL hashed
    every candidate and decision: 55-64 ms)."""
    current = "current_decision"
    queryset = log_trial_filter(queryset, filters.trial)
    if filters.outcome == IN_PROGRESS:
        queryset = queryset.filter(current_decision__isnull=True)
    elif filters.outcome:
        queryset = queryset.filter(current_decision__outcome=filters.outcome)
    queryset = queryset.filter(within_days(screened_at, filters.screened_from, filters.screened_to))
    if filters.failed_criterion:
        trial, code = filters.failed_criterion
        failed = FailedCriterion.objects.filter(decision=OuterRef(current), code=code)
        queryset = log_trial_filter(queryset, trial).filter(Exists(failed))
    if filters.recorded_by:
        queryset = queryset.filter(current_decision__recorded_by__username=filters.recorded_by)
    signed = Exists(Signature.objects.filter(decision=OuterRef(current)))
    if filters.signoff == "signed":
        queryset = queryset.filter(signed)
    elif filters.signoff == "unsigned":
        queryset = queryset.filter(~signed, current_decision__isnull=False)
    if filters.search.strip():
        queryset = queryset.filter(candidate__screening_number__icontains=filters.search.strip())
    return queryset


def log_trial_filter(queryset: QuerySet, registry_id: str) -> QuerySet:
    """Episodes of one trial (all when `registry_id` is empty). A decision belongs to its
    episode's trial, so the candidate's trial decides for the decision's failures too."""
    return queryset.filter(candidate__trial__registry_id=registry_id) if registry_id else queryset


def log_order(queryset: QuerySet, sort: str) -> QuerySet:
    """Sort by one column, either way; undecided episodes last; ties by screening number
    (by screened date: first by chain position, as `LogPages` pages them)."""
    column, descending = sort.lstrip("-"), sort.startswith("-")
    if column not in SORTS:
        column, descending = "screened_at", True
    keys = [F(k) if isinstance(k, str) else k for k in SORTS[column]]
    if column == "screened_at":
        keys.append(F("decision_sequence"))
    # Only a decision's columns can be NULL. The candidate's are not, and a plain order on
    # them lets an index give it either way round.
    nulls = {"nulls_last": True} if column in DECISION_SORTS else {}
    ordering = [k.desc(**nulls) if descending else k.asc(**nulls) for k in keys]
    tie = [Length("candidate__screening_number"), "candidate__screening_number", "episode"]
    return queryset.order_by(*ordering, *tie)


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
        # Decisions for rows are loaded with `failed_entries` (FailedEntries), not `results`.
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
    """Pair each episode with its current decision (found among `decisions`) and sort
    `signatures` (annotated with `screening_pk`) into the current one and superseded."""
    by_id = {decision.pk: decision for decision in decisions}
    by_episode: dict[int, list[Signature]] = defaultdict(list)
    for signature in signatures:
        by_episode[signature.screening_pk].append(signature)
    rows = []
    for screening in screenings:
        decision = by_id.get(screening.current_decision_id)
        mine = by_episode[screening.pk]
        signed = next((s for s in mine if decision and s.decision_id == decision.pk), None)
        rows.append(LogRow(screening, decision, signed, tuple(s for s in mine if s is not signed)))
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
