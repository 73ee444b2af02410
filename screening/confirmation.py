"""What recording a decision would record, shown to the nurse before she confirms it.

`decision_preview` evaluates the episode's saved values exactly as `decision_record` will, and
`decision_fingerprint` binds a confirmation to those values: `decision_record` refuses a
confirmation whose fingerprint no longer matches (someone saved other values meanwhile, or
other criteria were published), so what is recorded is what the nurse was shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from criteria.evaluator import Evaluation, evaluate
from criteria.models import CriteriaSet
from criteria.protocol import RuleSet
from criteria.selectors import criteria_set_published, criteria_set_rules
from screening.exceptions import NoPublishedCriteria
from screening.hashing import content_hash
from screening.models import Decision, Screening
from screening.selectors import screening_typed_values
from screening.wording import outcome_words

INCOMPLETE = Decision.Outcome.INCOMPLETE


@dataclass(frozen=True)
class DecisionPreview:
    screening: Screening
    criteria_set: CriteriaSet
    rule_set: RuleSet
    evaluation: Evaluation
    screen_failure_reason: str
    fingerprint: str

    @property
    def needs_reason(self) -> bool:
        """An incomplete screening is recorded only as a screen failure with a reason."""
        return self.evaluation.outcome == INCOMPLETE and not self.screen_failure_reason

    @property
    def words(self) -> str:
        failed = [r.code for r in self.evaluation.results if r.failed]
        return outcome_words(
            outcome=self.evaluation.outcome,
            failed_codes=failed,
            reason=self.screen_failure_reason,
        )


def screening_evaluation(screening: Screening) -> tuple[CriteriaSet, RuleSet, Evaluation]:
    """The episode's saved values under the trial's published criteria, as a decision records
    them. Raises NoPublishedCriteria."""
    criteria_set = criteria_set_published(screening.candidate.trial)
    if criteria_set is None:
        raise NoPublishedCriteria(f"{screening.candidate.trial} has no published criteria set.")
    rule_set = criteria_set_rules(criteria_set)
    return criteria_set, rule_set, evaluate(rule_set, screening_typed_values(screening, rule_set))


def decision_preview(*, screening: Screening, screen_failure_reason: str) -> DecisionPreview:
    """The decision that confirming would record now, with the fingerprint to confirm it by."""
    criteria_set, rule_set, evaluation = screening_evaluation(screening)
    reason = screen_failure_reason.strip()
    return DecisionPreview(
        screening=screening,
        criteria_set=criteria_set,
        rule_set=rule_set,
        evaluation=evaluation,
        screen_failure_reason=reason,
        fingerprint=decision_fingerprint(
            screening=screening, criteria_set=criteria_set, reason=reason
        ),
    )


def decision_fingerprint(*, screening: Screening, criteria_set: CriteriaSet, reason: str) -> str:
    """SHA-256 of everything a recorded decision depends on: the saved values and units, the
    criteria set and the screen failure reason."""
    return content_hash(
        {
            "episode": screening.pk,
            "values": screening.values,
            "entered_units": screening.entered_units,
            "criteria_set": criteria_set.pk,
            "screen_failure_reason": reason.strip(),
        }
    )
