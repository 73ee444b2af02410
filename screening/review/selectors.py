"""Reads of the investigator's review: the screening log, its exports, the summary, the
sign-off page and the audit trail; query counts do not grow with the rows shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import islice

from django.db.models import Count, Exists, F, OuterRef, QuerySet

from criteria.selectors import criterion_labels, criterion_labels_of_sets
from screening import trail
from screening.failures import FailedEntries
from screening.models import (
    Candidate,
    Decision,
    FailedCriterion,
    Screening,
    Signature,
    SignatureAttempt,
)
from screening.review.log_query import LogRow, log_rows

# Snapshots are large and the log never shows them.
_LOG_DEFERRED = ("values_snapshot", "rules_snapshot", "derived")


def screening_log_rows(screenings) -> list[LogRow]:
    """The rows of some episodes of the log (a page), failed criteria labelled in the
    reader's language: two queries whatever the size, one more in a language besides English."""
    screenings = list(screenings)
    decision_ids = [s.current_decision_id for s in screenings if s.current_decision_id]
    decisions = (
        Decision.objects.filter(pk__in=decision_ids)
        .select_related("recorded_by")
        .defer(*_LOG_DEFERRED, "results")  # each row needs its failed entries only
        .annotate(failed_entries=FailedEntries("results", "pk"))
    )
    # Rows show the name the signer signed with (stored on the signature), not the account's.
    signatures = Signature.objects.filter(
        decision__screening__in=[s.pk for s in screenings]
    ).annotate(screening_pk=F("decision__screening_id"))
    decisions = list(decisions)
    labels = criterion_labels_of_sets({d.criteria_set_id for d in decisions})
    return log_rows(screenings, decisions, list(signatures), labels)


def screening_log_all_rows(episodes: QuerySet, batch_size: int = 500):
    """Every row of the filtered, sorted log (`episodes`), in order, for exports. One query
    walks the episodes (one statement: a decision recorded meanwhile cannot shift rows
    between batches), and each `batch_size` rows add two, their decisions and signatures."""
    walk = episodes.iterator(chunk_size=batch_size)
    while batch := list(islice(walk, batch_size)):
        yield from screening_log_rows(batch)


@dataclass(frozen=True)
class ScreeningSummary:
    """Patients referred in a period, each counted once by their newest decision."""

    referred: int
    screened: int
    eligible: int
    ineligible: int
    incomplete: int
    signed_off: int
    eligible_signed_off: int
    # (registry id, criterion code, label, patients failing it)
    failures: list[tuple[str, str, str, int]]


def screening_summary(
    *, referred_from: dt.date | None, referred_to: dt.date | None, trial: str = ""
):
    """Counts, funnel and screen-failure reasons for patients referred in the period (either
    end may be open) to one trial (`trial`, a registry id) or all, counted in the database:
    one query for the patients, one for outcomes and sign-offs, one for failed criteria
    (by trial and code), one for the criteria labels."""
    candidates = Candidate.objects.all()
    if trial:
        candidates = candidates.filter(trial__registry_id=trial)
    if referred_from:
        candidates = candidates.filter(referral_date__gte=referred_from)
    if referred_to:
        candidates = candidates.filter(referral_date__lte=referred_to)
    newest = _newest_episodes(candidates if trial or referred_from or referred_to else None)
    by_outcome = {
        outcome: (n, signed)
        for outcome, n, signed in newest.order_by()
        .values_list("current_decision__outcome")
        # Counting the pointer, not the id, lets the database read the episodes' index only.
        .annotate(n=Count("current_decision"), signed=Count("current_decision__signatures"))
    }
    failures = (
        FailedCriterion.objects.filter(decision__in=newest.values("current_decision"))
        .order_by()
        .values_list("decision__criteria_set__trial__registry_id", "code")
        .annotate(n=Count("pk"))
    )
    labels = criterion_labels()
    eligible, eligible_signed = by_outcome.get(Decision.Outcome.ELIGIBLE, (0, 0))
    return ScreeningSummary(
        referred=candidates.count(),
        screened=sum(n for n, _ in by_outcome.values()),
        eligible=eligible,
        ineligible=by_outcome.get(Decision.Outcome.INELIGIBLE, (0, 0))[0],
        incomplete=by_outcome.get(Decision.Outcome.INCOMPLETE, (0, 0))[0],
        signed_off=sum(signed for _, signed in by_outcome.values()),
        eligible_signed_off=eligible_signed,
        failures=[
            (trial_id, code, labels.get((trial_id, code), ""), n)
            for trial_id, code, n in sorted(failures, key=lambda i: (-i[2], i[0], i[1]))
        ],
    )


def _newest_episodes(candidates: QuerySet | None) -> QuerySet:
    """Per patient (of `candidates`, or every one), the episode whose current decision is the
    patient's newest decision: a patient counts once, by its newest decision of any episode.
    An anti-join of the episodes on their copies of their current decision's chain position,
    read from one index (migration 0011)."""
    later = Screening.objects.filter(
        candidate=OuterRef("candidate"), current_sequence__gt=OuterRef("current_sequence")
    )
    episodes = Screening.objects.filter(current_decision__isnull=False)
    if candidates is not None:
        episodes = episodes.filter(candidate__in=candidates)
    return episodes.filter(~Exists(later))


def decision_for_signoff(public_id) -> Decision | None:
    """A decision with what its sign-off page shows, or None."""
    return (
        Decision.objects.select_related(
            "screening__candidate__trial", "recorded_by", "rules_snapshot"
        )
        .filter(public_id=public_id)
        .first()
    )


def candidate_audit_trail(candidate: Candidate) -> dict:
    """The candidate's episodes with their sign-off state, and one time-ordered list of
    everything that happened: registration, every change (old → new, who, when, why), each
    decision, each signature, each refused sign-off. A fixed number of queries."""
    screenings = list(candidate.screenings.order_by("episode"))
    decisions = list(
        Decision.objects.filter(screening__candidate=candidate)
        .select_related("recorded_by")
        .defer(*_LOG_DEFERRED)
        .annotate(failed_entries=FailedEntries("results", "pk"))
    )
    signatures = list(
        Signature.objects.filter(decision__screening__candidate=candidate)
        .select_related("signer", "decision")
        .defer(*(f"decision__{name}" for name in _LOG_DEFERRED))
        .annotate(screening_pk=F("decision__screening_id"))
    )
    refused = SignatureAttempt.objects.filter(
        decision__screening__candidate=candidate, succeeded=False
    ).select_related("user", "decision")
    return {
        "candidate": candidate,
        "episodes": log_rows(screenings, decisions, signatures),
        "entries": trail.audit_trail(
            candidate=candidate,
            screenings=screenings,
            decisions=decisions,
            signatures=signatures,
            refused=list(refused.defer(*(f"decision__{name}" for name in _LOG_DEFERRED))),
        ),
    }
