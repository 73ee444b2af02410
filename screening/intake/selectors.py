"""Reads of the nurse's work queue: where each referral stands, and the unfinished screenings.

A referral's state is its newest episode's: in progress, decided, or signed (its current
decision signed off). Status, outcome, last change and the filters are worked out by the
database in the same query as the page's rows; the answers still missing are the evaluator's
(the criteria decide what is needed), for the rows of one page, with the published criteria
read once per trial. The number of queries does not grow with the rows.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from criteria.selectors import criteria_set_published, criteria_set_rules
from screening.models import Candidate, Screening, Signature
from screening.selectors import screening_standing

IN_PROGRESS, DECIDED, SIGNED = "in_progress", "decided", "signed"
STATES = (IN_PROGRESS, DECIDED, SIGNED)


def _newest_episode():
    return Screening.objects.filter(candidate=OuterRef("pk")).order_by("-episode")


def candidate_queue(*, search: str = "", trial: str = "", state: str = "") -> QuerySet:
    """Candidates, newest first, each with its newest episode's number (`episode_no`), state
    (`episode_status`, and `signed`), outcome and last change (`last_change`). `state`
    keeps those in progress, decided (not signed) or signed."""
    newest = _newest_episode()
    signed = Signature.objects.filter(decision_id=OuterRef("current_decision_id"))
    candidates = Candidate.objects.select_related("trial").annotate(
        episode_no=Subquery(newest.values("episode")[:1]),
        episode_status=Subquery(newest.values("status")[:1]),
        outcome=Subquery(newest.values("current_decision__outcome")[:1]),
        last_change=Subquery(newest.values("updated_at")[:1]),
        signed=Subquery(newest.annotate(signed=Exists(signed)).values("signed")[:1]),
    )
    if trial:
        candidates = candidates.filter(trial__registry_id=trial)
    if search:
        candidates = candidates.filter(screening_number__icontains=search.strip())
    if state == IN_PROGRESS:
        candidates = candidates.filter(episode_status=Screening.Status.IN_PROGRESS)
    elif state in (DECIDED, SIGNED):
        candidates = candidates.filter(
            episode_status=Screening.Status.DECIDED, signed=state == SIGNED
        )
    return candidates.order_by("-created_at")


def candidate_state(candidate: Candidate) -> str:
    """IN_PROGRESS, DECIDED or SIGNED for a row of `candidate_queue`."""
    if candidate.episode_status == Screening.Status.IN_PROGRESS:
        return IN_PROGRESS
    return SIGNED if candidate.signed else DECIDED


def unfinished_screenings(user) -> list[Screening]:
    """The episodes `user` started that have no decision yet, most recently changed first,
    each with `missing`: how many answers the criteria still need."""
    episodes = list(
        Screening.objects.filter(started_by=user, status=Screening.Status.IN_PROGRESS)
        .select_related("candidate__trial")
        .order_by("-updated_at")
    )
    counts = missing_counts(episodes)
    for episode in episodes:
        episode.missing = counts.get(episode.pk)
    return episodes


def queue_rows(candidates) -> list[Candidate]:
    """The rows of one page of `candidate_queue`, each with `state` and, while in progress,
    `missing` (answers the criteria still need)."""
    rows = list(candidates)
    open_ids = [(c.pk, c.episode_no) for c in rows if c.episode_status == IN_PROGRESS]
    episodes = []
    if open_ids:
        by_candidate = dict(open_ids)
        episodes = [
            episode
            for episode in Screening.objects.filter(candidate_id__in=by_candidate).select_related(
                "candidate__trial"
            )
            if by_candidate[episode.candidate_id] == episode.episode
        ]
    counts = {e.candidate_id: n for e, n in zip(episodes, _counts(episodes), strict=True)}
    for candidate in rows:
        candidate.state = candidate_state(candidate)
        candidate.missing = counts.get(candidate.pk)
    return rows


def missing_counts(episodes: list[Screening]) -> dict[int, int | None]:
    """By episode id: how many answers the trial's published criteria still need (None
    without published criteria)."""
    return {e.pk: n for e, n in zip(episodes, _counts(episodes), strict=True)}


def _counts(episodes: list[Screening]) -> list[int | None]:
    rules: dict[int, object] = {}
    counts = []
    for episode in episodes:
        trial = episode.candidate.trial
        if trial.pk not in rules:
            published = criteria_set_published(trial)
            rules[trial.pk] = criteria_set_rules(published) if published else None
        rule_set = rules[trial.pk]
        counts.append(len(screening_standing(episode, rule_set).missing) if rule_set else None)
    return counts
