"""Reads of the screening workflow; query counts do not grow with the rows shown."""

from __future__ import annotations

from criteria.evaluator import Evaluation, evaluate
from criteria.rules import RuleSet
from criteria.selectors import criteria_set_published, criteria_set_rules
from criteria.values import value_from_json
from screening.models import Candidate, Decision, Screening


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


def screening_standing(screening: Screening) -> tuple[Evaluation, RuleSet] | None:
    """Where the patient stands now: the published criteria applied to the values so far."""
    criteria_set = criteria_set_published(screening.candidate.trial)
    if criteria_set is None:
        return None
    rule_set = criteria_set_rules(criteria_set)
    return evaluate(rule_set, screening_typed_values(screening, rule_set)), rule_set


def screening_page(screening: Screening) -> dict:
    """What the screening page shows beside the form: standing, decisions, criteria notice."""
    published = criteria_set_published(screening.candidate.trial)
    standing = screening_standing(screening)
    evaluation, rule_set = standing if standing else (None, None)
    return {
        "screening": screening,
        "candidate": screening.candidate,
        "standing": evaluation,
        "still_needed": [(key, rule_set.variables[key].label) for key in evaluation.missing]
        if evaluation
        else [],
        "published_set": published,
        "criteria_changed": published is not None and published.pk != screening.criteria_set_id,
        "decisions": list(screening.decisions.select_related("recorded_by")),
    }


def candidate_history(candidate: Candidate) -> list[dict]:
    """Every recorded change of the candidate and its episodes, newest first:
    when, who, what (field old → new) and why."""
    records = list(candidate.history.select_related("history_user"))
    records += list(
        Screening.history.filter(candidate_id=candidate.pk).select_related("history_user")
    )
    records.sort(key=lambda r: r.history_date, reverse=True)
    return [_history_entry(record) for record in records]


def _history_entry(record) -> dict:
    previous = record.prev_record
    changes = []
    if previous is not None:
        delta = record.diff_against(previous)
        for change in delta.changes:
            changes += _field_changes(change.field, change.old, change.new)
    return {
        "when": record.history_date,
        "who": record.history_user,
        "what": f"{record.instance._meta.verbose_name} {record.get_history_type_display().lower()}",
        "object": str(record.instance),
        "changes": changes,
        "reason": record.history_change_reason or "",
    }


def _field_changes(field: str, old, new) -> list[tuple]:
    # The values JSON is shown per question: which answer changed, not the whole dict.
    if field in ("values", "entered_units") and isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new))
        return [(key, old.get(key), new.get(key)) for key in keys if old.get(key) != new.get(key)]
    return [(field, old, new)]


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
            "decisions__recorded_by"
        )
    )


def decision_latest(screening: Screening) -> Decision | None:
    return screening.decisions.order_by("-sequence").first()
