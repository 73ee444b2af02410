"""Writes of the criteria admin: drafts, criterion edits, publishing. One transaction each.

Published and retired sets are frozen by the models; these services add the workflow around
them: a draft is a full copy of the published set, edits need a reason for the history, and
publishing retires the previous set atomically.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from criteria.exceptions import CriteriaEditRefused
from criteria.models import CriteriaSet, Criterion, Trial
from criteria.selectors import criteria_set_published


@transaction.atomic
def criteria_set_draft_create(*, trial: Trial, created_by) -> CriteriaSet:
    """A new draft holding a full copy of the trial's published criteria."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    published = criteria_set_published(trial)
    if published is None:
        raise CriteriaEditRefused(f"{trial} has no published criteria set to copy.")
    latest = trial.criteria_sets.aggregate(Max("version"))["version__max"]
    draft = CriteriaSet.objects.create(
        trial=trial, version=latest + 1, created_by=created_by, based_on=published
    )
    for criterion in published.criteria.all():
        copy = Criterion(criteria_set=draft, **criterion.as_rule_dict())
        copy._change_reason = f"copied from v{published.version}"
        copy._history_user = created_by
        copy.save()
    return draft


@transaction.atomic
def criterion_save(*, criterion: Criterion, changed_by, reason: str) -> Criterion:
    """Add or change a criterion of a draft; validated against the trial's variables."""
    _require_reason(reason)
    criterion.full_clean()
    criterion._change_reason = reason.strip()
    criterion._history_user = changed_by
    criterion.save()
    return criterion


@transaction.atomic
def criterion_retire(*, criterion: Criterion, retired_by, reason: str) -> None:
    """Remove a criterion from a draft (the history keeps it, with the reason)."""
    _require_reason(reason)
    criterion._change_reason = reason.strip()
    criterion._history_user = retired_by
    criterion.delete()


@transaction.atomic
def criteria_set_publish(*, criteria_set: CriteriaSet, published_by, reason: str) -> CriteriaSet:
    """Publish a draft: the previous published set is retired in the same transaction.

    The trial row is locked, so two publishes are serialised; a draft copied from a set that
    is no longer the published one is refused (its diff and impact preview are out of date).
    """
    _require_reason(reason)
    trial = Trial.objects.select_for_update().get(pk=criteria_set.trial_id)
    draft = CriteriaSet.objects.get(pk=criteria_set.pk)
    if draft.status != CriteriaSet.Status.DRAFT:
        raise CriteriaEditRefused(f"v{draft.version} is {draft.status}, not a draft.")
    current = criteria_set_published(trial)
    if current is not None and current.pk != draft.based_on_id:
        raise CriteriaEditRefused(
            f"v{current.version} was published after this draft was made from "
            f"v{draft.based_on.version if draft.based_on else '?'}; make a new draft from "
            f"v{current.version} and apply the changes there."
        )
    if not draft.criteria.exists():
        raise CriteriaEditRefused("A criteria set without criteria cannot be published.")
    if current is not None:
        current.status = CriteriaSet.Status.RETIRED
        current._change_reason = f"retired by v{draft.version}: {reason.strip()}"
        current._history_user = published_by
        current.save()
    draft.status = CriteriaSet.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = published_by
    draft.change_reason = reason.strip()
    draft._change_reason = reason.strip()
    draft._history_user = published_by
    draft.save()
    return draft


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise CriteriaEditRefused("Give a reason; it is kept in the criteria history.")
