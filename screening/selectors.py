"""Reads of the screening workflow; query counts do not grow with the rows shown."""

from __future__ import annotations

from django.utils import timezone

from criteria.describe import rules_in_words
from criteria.evaluator import Evaluation, evaluate
from criteria.models import CriteriaSet
from criteria.protocol import RuleSet
from criteria.values import value_from_json
from screening.models import (
    Candidate,
    Screening,
)
from screening.prefill.freshness import reference_day, stale_keys
from screening.prefill.shown import value_sources_shown


def screening_typed_values(screening: Screening, rule_set: RuleSet) -> dict:
    """The episode's stored JSON values as the evaluator's typed, canonical values.

    Keys the rule set does not know (a variable dropped by a later protocol version) are left
    out rather than guessed at, and so are values from the hospital record past their
    look-back window (screening.prefill.freshness): they count as unknown.
    """
    variables = rule_set.variables
    stale = screening_stale_keys(screening, rule_set)
    return {
        key: value_from_json(variables[key], raw)
        for key, raw in screening.values.items()
        if key in variables and not variables[key].derivation and key not in stale
    }


def screening_stale_keys(screening: Screening, rule_set: RuleSet) -> frozenset[str]:
    """The episode's fetched values outside their look-back window, counted back from the
    screening date (today while none is recorded)."""
    windows = {key: spec.lookback_days for key, spec in rule_set.variables.items()}
    reference = reference_day(screening.values, timezone.localdate())
    return stale_keys(screening.value_sources, windows, reference)


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
        "derived": [
            (rule_set.variables[key].label, derived.how)
            for key, derived in evaluation.derived.items()
        ]
        if evaluation
        else [],
        "published_set": published,
        "rule_words": rules_in_words(rule_set) if evaluation else {},
        "criteria_changed": published is not None and published.pk != screening.criteria_set_id,
        "can_reevaluate": screening.is_locked
        and published is not None
        and not screening.decisions.filter(criteria_set=published).exists(),
        "decisions": list(screening.decisions.select_related("recorded_by")),
        "value_sources": value_sources_shown(
            screening, rule_set, stale=screening_stale_keys(screening, rule_set)
        ),
    }


def candidate_get(screening_number: str) -> Candidate | None:
    return (
        Candidate.objects.select_related("trial").filter(screening_number=screening_number).first()
    )


def candidate_episodes(candidate: Candidate) -> list[Screening]:
    return list(
        candidate.screenings.select_related("criteria_set").prefetch_related(
            "decisions__recorded_by", "decisions__signatures", "decisions__rules_snapshot"
        )
    )
