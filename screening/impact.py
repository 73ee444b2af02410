"""Impact preview of a draft criteria set: which screening episodes would change outcome.

Reads only. Two queries whatever the number of episodes (the rule sets, then the episodes
with their candidates); each episode's latest values are evaluated under the published set
and under the draft, and only the episodes whose outcome differs are listed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from criteria.evaluator import Evaluation, evaluate
from criteria.models import CriteriaSet
from criteria.selectors import criteria_set_published, criteria_set_rules
from screening.models import Screening
from screening.selectors import screening_typed_values


@dataclass(frozen=True)
class OutcomeChange:
    screening_number: str
    episode: int
    old_outcome: str
    new_outcome: str
    causes: tuple[str, ...]  # codes of the criteria whose status differs


@dataclass(frozen=True)
class ImpactPreview:
    evaluated: int
    changes: tuple[OutcomeChange, ...]
    transitions: dict  # (old outcome, new outcome) -> count


def impact_preview(draft: CriteriaSet) -> ImpactPreview:
    """Evaluate every episode of the draft's trial under the published set and the draft."""
    published = criteria_set_published(draft.trial)
    old_rules = criteria_set_rules(published) if published else None
    new_rules = criteria_set_rules(draft)
    episodes = (
        Screening.objects.filter(candidate__trial=draft.trial)
        .select_related("candidate")
        .only("pk", "episode", "values", "value_sources", "candidate__screening_number")
    )
    # A draft usually asks the same questions as the published set: then the stored values
    # are read into typed values once per episode, not once per rule set.
    shared = old_rules is not None and old_rules.variables == new_rules.variables
    changes, evaluated = [], 0
    for screening in episodes.order_by("candidate__screening_number", "episode").iterator(2000):
        evaluated += 1
        values = screening_typed_values(screening, new_rules)
        new = evaluate(new_rules, values)
        if old_rules is None:
            old = None
        else:
            old_values = values if shared else screening_typed_values(screening, old_rules)
            old = evaluate(old_rules, old_values)
        if old is None or old.outcome != new.outcome:
            changes.append(_change(screening, old, new))
    transitions = Counter((c.old_outcome, c.new_outcome) for c in changes)
    return ImpactPreview(evaluated, tuple(changes), dict(transitions))


def _change(screening: Screening, old: Evaluation | None, new: Evaluation) -> OutcomeChange:
    before = {r.code: r.status for r in old.results} if old else {}
    causes = tuple(r.code for r in new.results if before.get(r.code) != r.status)
    causes += tuple(code for code in before if code not in {r.code for r in new.results})
    return OutcomeChange(
        screening_number=screening.candidate.screening_number,
        episode=screening.episode,
        old_outcome=old.outcome if old else "—",
        new_outcome=new.outcome,
        causes=causes,
    )
