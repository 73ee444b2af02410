"""Reads of the screening workflow; query counts do not grow with the rows shown."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, TextField

from criteria.evaluator import Evaluation, evaluate
from criteria.models import CriteriaSet, Criterion
from criteria.rules import RuleSet
from criteria.values import value_from_json
from screening import trail
from screening.log_query import (
    FailedCodes,
    FailedResults,
    LogFilters,
    LogRow,
    log_filter,
    log_filter_recorders,
    log_order,
    log_queryset,
    log_rows,
)
from screening.models import Candidate, Decision, Screening, Signature, SignatureAttempt
from trialsite.history import history_entries


def screening_typed_values(screening: Screening, rule_set: RuleSet) -> dict:
    """The episode's stored JSON values as the evaluator's typed, canonical values.

    Keys the rule set does not know (a variable dropped by a later protocol version) are left
    out rather than guessed at.
    """
    variables = rule_set.variables
    return {
        key: value_from_json(variables[key], raw)
        for key, raw in screening.values.items()
        if key in variables and not variables[key].derivation
    }


def screening_standing(screening: Screening, rule_set: RuleSet) -> Evaluation:
    """Where the patient stands now: `rule_set` (the published criteria) applied to the
    values so far."""
    return evaluate(rule_set, screening_typed_values(screening, rule_set))


def screening_page(
    screening: Screening, *, published: CriteriaSet | None, rule_set: RuleSet
) -> dict:
    """What the screening page shows beside the form: standing, decisions, criteria notice.

    In: the episode, the trial's published set (None while there is none) and that set's
    rules, as the view already built them for the form; neither is looked up again here.
    Without a published set there is no standing.
    """
    evaluation = screening_standing(screening, rule_set) if published else None
    return {
        "screening": screening,
        "candidate": screening.candidate,
        "standing": evaluation,
        "still_needed": [(key, rule_set.variables[key].label) for key in evaluation.missing]
        if evaluation
        else [],
        "published_set": published,
        "criteria_changed": published is not None and published.pk != screening.criteria_set_id,
        "can_reevaluate": screening.is_locked
        and published is not None
        and not screening.decisions.filter(criteria_set=published).exists(),
        "decisions": list(screening.decisions.select_related("recorded_by")),
    }


def candidate_history(candidate: Candidate) -> list[dict]:
    """Every recorded change of the candidate and its episodes, newest first:
    when, who, what (field old → new) and why."""
    records = list(candidate.history.select_related("history_user"))
    records += list(
        Screening.history.filter(candidate_id=candidate.pk).select_related("history_user")
    )
    return history_entries(records)


def candidate_list(*, search: str = ""):
    candidates = Candidate.objects.select_related("trial", "created_by")
    if search:
        candidates = candidates.filter(screening_number__icontains=search.strip())
    return candidates.order_by("-created_at")


def candidate_get(screening_number: str) -> Candidate | None:
    return (
        Candidate.objects.select_related("trial").filter(screening_number=screening_number).first()
    )


def candidate_episodes(candidate: Candidate) -> list[Screening]:
    return list(
        candidate.screenings.select_related("criteria_set").prefetch_related(
            "decisions__recorded_by", "decisions__signatures"
        )
    )


def decision_latest(screening: Screening) -> Decision | None:
    return screening.decisions.order_by("-sequence").first()


# The investigator's screening log, summary, sign-off and audit trail (issue 5).

# Snapshots are large and the log never shows them.
_LOG_DEFERRED = ("values_snapshot", "rules_snapshot", "derived")


def screening_log(filters: LogFilters) -> QuerySet:
    """Every screening episode with its current decision, filtered and sorted; lazy, so the
    view paginates it in the database. Turn a page into rows with `screening_log_rows`."""
    return log_order(log_filter(log_queryset(), filters), filters.sort)


def screening_log_rows(screenings) -> list[LogRow]:
    """The rows of some episodes of `screening_log` (a page): two queries, whatever the size."""
    screenings = list(screenings)
    decision_ids = [s.decision_id for s in screenings if s.decision_id]
    decisions = (
        Decision.objects.filter(pk__in=decision_ids)
        .select_related("recorded_by")
        .defer(*_LOG_DEFERRED, "results")  # each row needs its failed entries only
        .annotate(failed_entries=FailedResults("results"))
    )
    signatures = (
        Signature.objects.filter(decision__screening__in=[s.pk for s in screenings])
        .select_related("signer")
        .annotate(screening_pk=F("decision__screening_id"))
    )
    return log_rows(screenings, list(decisions), list(signatures))


def screening_log_all_rows(filters: LogFilters, batch_size: int = 500):
    """Every row of the filtered log, in order, for exports. The matching episodes are fixed
    by one query first, so a decision recorded meanwhile cannot shift rows between batches;
    then a few queries per `batch_size` rows."""
    order = list(screening_log(filters).values_list("pk", flat=True))
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        found = {s.pk: s for s in log_queryset().filter(pk__in=batch)}
        yield from screening_log_rows([found[pk] for pk in batch])


def log_filter_choices() -> dict:
    """The log's filter menus: criterion codes (newest label) and who recorded decisions."""
    criteria: dict[str, str] = {}
    for code, label in Criterion.objects.order_by("-criteria_set__version", "order").values_list(
        "code", "label"
    ):
        criteria.setdefault(code, label)
    return {"criteria": criteria, "recorders": list(log_filter_recorders())}


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
    failures: list[tuple[str, str, int]]  # (criterion code, label, patients failing it)


def screening_summary(*, referred_from: dt.date | None, referred_to: dt.date | None):
    """Counts, funnel and screen-failure reasons for patients referred in the period (either
    end may be open). One query for the patients, one for the criteria labels."""
    candidates = Candidate.objects.all()
    if referred_from:
        candidates = candidates.filter(referral_date__gte=referred_from)
    if referred_to:
        candidates = candidates.filter(referral_date__lte=referred_to)
    newest = Decision.objects.filter(screening__candidate=OuterRef("pk")).order_by("-sequence")
    rows = (
        candidates.annotate(
            decision_id=Subquery(newest.values("pk")[:1]),
            outcome=Subquery(newest.values("outcome")[:1]),
            codes=Subquery(
                newest.annotate(c=FailedCodes("results")).values("c")[:1],
                output_field=TextField(),
            ),
        )
        .annotate(signed=Exists(Signature.objects.filter(decision_id=OuterRef("decision_id"))))
        .values_list("outcome", "signed", "codes")
    )
    outcomes, signed, eligible_signed, failures = Counter(), 0, 0, Counter()
    for outcome, is_signed, codes in rows:
        outcomes[outcome] += 1
        signed += bool(is_signed)
        eligible_signed += bool(is_signed and outcome == Decision.Outcome.ELIGIBLE)
        failures.update(json.loads(codes) if codes else [])
    labels = log_filter_choices()["criteria"]
    return ScreeningSummary(
        referred=sum(outcomes.values()),
        screened=sum(n for outcome, n in outcomes.items() if outcome),
        eligible=outcomes[Decision.Outcome.ELIGIBLE],
        ineligible=outcomes[Decision.Outcome.INELIGIBLE],
        incomplete=outcomes[Decision.Outcome.INCOMPLETE],
        signed_off=signed,
        eligible_signed_off=eligible_signed,
        failures=[
            (code, labels.get(code, ""), n)
            for code, n in sorted(failures.items(), key=lambda item: (-item[1], item[0]))
        ],
    )


def decision_for_signoff(public_id) -> Decision | None:
    """A decision with what its sign-off page shows, or None."""
    return (
        Decision.objects.select_related("screening__candidate__trial", "recorded_by")
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
        .annotate(failed_entries=FailedResults("results"))
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


def signature_failures_count(*, user, since: dt.datetime) -> int:
    """How many sign-off passwords `user` got wrong since `since` (for lock-out rules)."""
    return SignatureAttempt.objects.filter(
        user=user, succeeded=False, attempted_at__gte=since
    ).count()
