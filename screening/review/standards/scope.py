"""What a standards export holds: one trial, one criteria set version, and for subject data
the episodes screened (decided, or started when undecided) on site-local days in a range.

An episode belongs to a version when its current decision was taken under that version; an
episode not yet decided belongs to the version it was started under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from criteria.exceptions import CriteriaSetNotFound
from criteria.models import CriteriaSet, Trial
from criteria.selectors import criteria_set_lookup, criteria_set_protocol
from screening.models import Screening
from trialsite.local_days import within_days


class ScopeError(ValueError):
    """A scope that cannot be exported; the message says which part and why."""


@dataclass(frozen=True)
class Scope:
    criteria_set: CriteriaSet
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def trial(self) -> Trial:
        return self.criteria_set.trial

    @property
    def version(self) -> int:
        return self.criteria_set.version

    @cached_property
    def protocol(self) -> dict:
        """The trial, its variables and this version's criteria (the protocol file's form)."""
        return criteria_set_protocol(self.criteria_set)

    @cached_property
    def types(self) -> dict[str, str]:
        """Each variable's data type by key."""
        return {v["key"]: v["data_type"] for v in self.protocol["variables"]}


def scope_get(
    *, registry_id: str, version: int | None, first: dt.date | None = None, last=None
) -> Scope:
    """The scope of an export; without `version`, the published set. Raises ScopeError for an
    unknown trial or version, a draft (not yet criteria of the trial) or an inverted range."""
    try:
        criteria_set = criteria_set_lookup(registry_id, version)
    except CriteriaSetNotFound as error:
        raise ScopeError(str(error)) from error
    if criteria_set.status == CriteriaSet.Status.DRAFT:
        raise ScopeError(
            f"{registry_id} criteria version {criteria_set.version} is a draft: only published "
            "or retired criteria are exported"
        )
    if first and last and first > last:
        raise ScopeError(f"the date range ends ({last}) before it starts ({first})")
    return Scope(criteria_set, first, last)


def scope_episodes(scope: Scope) -> QuerySet[Screening]:
    """The scope's episodes with their candidate and current decision, by screening number
    (S0999 before S1000) and episode."""
    decided = Q(current_decision__criteria_set=scope.criteria_set) & within_days(
        "current_recorded_at", scope.first, scope.last
    )
    undecided = Q(current_decision__isnull=True, criteria_set=scope.criteria_set) & within_days(
        "started_at", scope.first, scope.last
    )
    return (
        Screening.objects.filter(candidate__trial=scope.trial)
        .filter(decided | undecided)
        .select_related("candidate", "current_decision")
        .order_by(Length("candidate__screening_number"), "candidate__screening_number", "episode")
    )
