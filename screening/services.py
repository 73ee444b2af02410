"""Writes of the screening workflow. Each service is one transaction and checks its invariants.

Eligibility is never decided here: `decision_record` hands the values to the pure evaluator and
stores what it answered, with everything needed to prove it later.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.evaluator import EVALUATOR_VERSION, Evaluation
from criteria.models import Trial
from criteria.protocol import rules_to_dict
from criteria.selectors import criteria_set_published
from screening.birth_dates import birth_date_conflict, birth_date_values, open_episodes_follow
from screening.confirmation import decision_fingerprint, screening_evaluation
from screening.exceptions import (
    BirthDateConflict,
    ConfirmationStale,
    EpisodeLocked,
    NoPublishedCriteria,
    ReasonRequired,
)
from screening.failures import failed_criteria
from screening.hashing import chain_hash, content_hash, decision_payload
from screening.models import (
    Candidate,
    ChainHead,
    Decision,
    FailedCriterion,
    RulesSnapshot,
    Screening,
    ScreeningNumberCounter,
)
from screening.prefill.sources import sources_after_typing
from screening.wording import decision_words
from trialsite.history import history_note
from trialsite.language import in_english

DECISION_CHAIN = "decisions"


@transaction.atomic
def candidate_register(
    *,
    trial: Trial,
    initials: str,
    date_of_birth: dt.date,
    sex: str,
    referring_unit: str,
    referral_date: dt.date,
    registered_by,
) -> Candidate:
    """Register a referral under the next screening number and open its first episode."""
    counter = ScreeningNumberCounter.objects.select_for_update().get_or_create(trial=trial)[0]
    counter.last_issued += 1
    counter.save()
    candidate = Candidate(
        trial=trial,
        screening_number=f"{trial.registry_id}-S{counter.last_issued:04d}",
        initials=initials.upper(),
        date_of_birth=date_of_birth,
        year_of_birth=date_of_birth.year,
        sex=sex,
        referring_unit=referring_unit,
        referral_date=referral_date,
        created_by=registered_by,
    )
    candidate.full_clean()
    history_note(candidate, user=registered_by, reason="referral registered")
    candidate.save()
    screening_start(candidate=candidate, started_by=registered_by)
    return candidate


@transaction.atomic
def candidate_update(*, candidate: Candidate, changes: dict, reason: str, changed_by) -> Candidate:
    """Change a candidate's details; the history keeps old → new, who, when and why. A new
    date of birth is carried into the undecided episodes, with the same reason."""
    if not reason.strip():
        raise ReasonRequired(_("Say why the referral details are changed."))
    for name, value in changes.items():
        setattr(candidate, name, value)
    if changes.get("date_of_birth"):
        candidate.year_of_birth = candidate.date_of_birth.year
    candidate.full_clean()
    history_note(candidate, user=changed_by, reason=reason.strip())
    candidate.save()
    open_episodes_follow(candidate, user=changed_by, reason=reason.strip())
    return candidate


@transaction.atomic
def screening_start(*, candidate: Candidate, started_by) -> Screening:
    """Open a new screening episode under the trial's published criteria (re-screening keeps
    the earlier episodes as they are)."""
    criteria_set = criteria_set_published(candidate.trial)
    if criteria_set is None:
        raise NoPublishedCriteria(
            _("%(trial)s has no published criteria set yet.") % {"trial": candidate.trial}
        )
    open_episode = candidate.screenings.filter(status=Screening.Status.IN_PROGRESS).first()
    if open_episode is not None:
        raise EpisodeLocked(
            _("Episode %(episode)s of %(candidate)s is still in progress; finish it first.")
            % {"episode": open_episode.episode, "candidate": candidate}
        )
    last = candidate.screenings.order_by("-episode").values_list("episode", flat=True).first()
    screening = Screening(
        candidate=candidate,
        episode=(last or 0) + 1,
        criteria_set=criteria_set,
        values={"sex": candidate.sex, **birth_date_values(candidate)},
        started_by=started_by,
    )
    history_note(screening, user=started_by, reason="screening started")
    screening.save()
    return screening


@transaction.atomic
def screening_values_save(
    *, screening: Screening, values: dict, units: dict, saved_by, reason: str = ""
) -> Screening:
    """Store entered values (JSON form of criteria.values, canonical units) and typed units.

    `values` holds every answered variable; a variable left out is "not answered". Refused
    once the episode has a decision, or with a date of birth other than the registered one.
    """
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.is_locked:
        raise EpisodeLocked(
            _(
                "%(episode)s already has a recorded decision; its values can no longer change. "
                "Start a new screening episode to screen again."
            )
            % {"episode": locked}
        )
    conflict = birth_date_conflict(locked.candidate, values)
    if conflict:
        raise BirthDateConflict(conflict)
    locked.value_sources = sources_after_typing(
        locked.values, values, locked.value_sources, by=saved_by.get_username(), at=timezone.now()
    )
    locked.values = values
    locked.entered_units = units
    history_note(locked, user=saved_by, reason=reason or "values saved")
    locked.save()
    return locked


@transaction.atomic
def decision_record(
    *,
    screening: Screening,
    recorded_by,
    screen_failure_reason: str = "",
    confirmed_fingerprint: str | None = None,
) -> Decision:
    """Evaluate the episode's values against the published criteria and append a Decision.

    In: an in-progress screening episode and the user recording. An incomplete result is only
    recorded as a screen failure with a reason. `confirmed_fingerprint`, when given, is the
    `decision_fingerprint` of what the nurse was shown and confirmed. Out: the Decision,
    chained by hash to the previous one; the episode is locked. Raises EpisodeLocked,
    NoPublishedCriteria, ReasonRequired, ConfirmationStale, BirthDateConflict, and writes
    nothing then.
    """
    screening = _episode_locked_for_update(screening)
    if screening.is_locked:
        raise EpisodeLocked(
            _("%(episode)s already has a recorded decision.") % {"episode": screening}
        )
    conflict = birth_date_conflict(screening.candidate, screening.values)
    if conflict:  # an episode saved before the registration held the date of birth
        raise BirthDateConflict(conflict)
    decision = _decide(screening, recorded_by, screen_failure_reason, confirmed_fingerprint)
    screening.status = Screening.Status.DECIDED
    # The history keeps system wording in English, whichever language the nurse reads.
    words = in_english(decision_words)(decision)
    history_note(screening, user=recorded_by, reason=f"decision recorded: {words}")
    screening.save()
    return decision


@transaction.atomic
def decision_reevaluate(
    *,
    screening: Screening,
    recorded_by,
    screen_failure_reason: str = "",
    confirmed_fingerprint: str | None = None,
) -> Decision:
    """Re-evaluate a decided episode under criteria published since its last decision.

    In: a decided episode whose latest decision used an older criteria set;
    `confirmed_fingerprint`, when given, as for `decision_record`. Out: a new Decision on the
    same stored values; the earlier decision stays as it was (and its signatures show as
    superseded). Raises EpisodeLocked when the episode is not decided or was already decided
    under the published set, ConfirmationStale, ReasonRequired.
    """
    screening = _episode_locked_for_update(screening)
    reevaluation_check(screening)
    return _decide(screening, recorded_by, screen_failure_reason, confirmed_fingerprint)


def reevaluation_check(screening: Screening) -> None:
    """Raise EpisodeLocked unless `screening` has a decision under criteria older than its
    trial's published set: only then is there anything to re-evaluate."""
    latest = screening.current_decision
    published = criteria_set_published(screening.candidate.trial)
    if latest is None:
        raise EpisodeLocked(
            _("%(episode)s has no decision yet: record one instead.") % {"episode": screening}
        )
    if published is not None and latest.criteria_set_id == published.pk:
        raise EpisodeLocked(
            _("%(episode)s was already decided under the published v%(version)s.")
            % {"episode": screening, "version": published.version}
        )


def _rules_snapshot(rules: dict) -> RulesSnapshot:
    sha256 = content_hash(rules)
    snapshot = RulesSnapshot.objects.filter(sha256=sha256).first()
    return snapshot or RulesSnapshot.objects.create(sha256=sha256, rules=rules)


def _episode_locked_for_update(screening: Screening) -> Screening:
    # Lock the episode row only (not the joined candidate and trial): otherwise every
    # decision of a trial, and every referral registered meanwhile, would queue on one row.
    return (
        Screening.objects.select_for_update(of=("self",))
        .select_related("candidate__trial")
        .get(pk=screening.pk)
    )


def _decide(
    screening: Screening, recorded_by, screen_failure_reason: str, fingerprint: str | None = None
) -> Decision:
    criteria_set, rule_set, evaluation = screening_evaluation(screening)
    reason = screen_failure_reason.strip()
    shown = decision_fingerprint(screening=screening, criteria_set=criteria_set, reason=reason)
    if fingerprint is not None and fingerprint != shown:
        raise ConfirmationStale(
            _(
                "Nothing was recorded: the values or the criteria changed after the outcome was "
                "shown to you (someone may have saved this screening meanwhile). Check the "
                "outcome shown now and confirm again."
            )
        )
    if evaluation.outcome == Decision.Outcome.INCOMPLETE and not reason:
        raise ReasonRequired(
            _(
                "The screening is incomplete. Record it as a screen failure only with a reason "
                "(for example: patient declined)."
            )
        )
    return _decision_append(
        screening=screening,
        criteria_set=criteria_set,
        evaluation=evaluation,
        rules=rules_to_dict(rule_set),
        screen_failure_reason=reason if evaluation.outcome != Decision.Outcome.ELIGIBLE else "",
        recorded_by=recorded_by,
    )


def _decision_append(
    *,
    screening,
    criteria_set,
    evaluation: Evaluation,
    rules: dict,
    screen_failure_reason,
    recorded_by,
) -> Decision:
    # The chain head row is the lock: appends are serialised, predecessors never shared.
    head, _created = ChainHead.objects.select_for_update().get_or_create(name=DECISION_CHAIN)
    # Under the chain lock, so two first uses of the same rules cannot both insert them.
    rules_snapshot = _rules_snapshot(rules)
    decision = Decision(
        sequence=head.sequence + 1,
        screening=screening,
        criteria_set=criteria_set,
        criteria_set_version=criteria_set.version,
        outcome=evaluation.outcome,
        screen_failure_reason=screen_failure_reason,
        **decision_content(evaluation),
        values_snapshot=dict(screening.values),
        sources_snapshot=dict(screening.value_sources),
        rules_snapshot=rules_snapshot,
        evaluator_version=EVALUATOR_VERSION,
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
        previous_hash=head.entry_hash,
    )
    decision.entry_hash = chain_hash(decision_payload(decision), head.entry_hash)
    decision.save()
    FailedCriterion.objects.bulk_create(failed_criteria([decision]))
    # Derived data, set under the episode and chain locks: an UPDATE, so no history row.
    current = _current_decision_fields(decision)
    Screening.objects.filter(pk=screening.pk).update(**current)
    for name, value in current.items():
        setattr(screening, name, value)
    head.sequence = decision.sequence
    head.entry_hash = decision.entry_hash
    head.save()
    return decision


def _current_decision_fields(decision: Decision) -> dict:
    """What an episode keeps of its newest decision (`screening.models.DERIVED`)."""
    return {
        "current_decision": decision,
        "current_recorded_at": decision.recorded_at,
        "current_sequence": decision.sequence,
    }


@in_english
def decision_content(evaluation: Evaluation) -> dict:
    """What a decision stores of its evaluation, as JSON: every criterion's result and reason,
    the variables still missing, and each derived value with how it was derived. In English,
    whichever language the nurse read the reasons in: a record's words do not depend on who
    recorded it."""
    return {
        # Made afresh: results first read elsewhere (a page) may be in another language.
        "results": [result.to_dict() for result in evaluation.make_results()],
        "missing": list(evaluation.missing),
        # str(): a working is worded when it is read (derivations._worded), here in English.
        "derived": {
            key: {"value": str(d.value), "how": str(d.how)} for key, d in evaluation.derived.items()
        },
    }
