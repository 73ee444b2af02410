"""Reads of the criteria app: the published set of a trial, and a set as a protocol/rule set."""

from __future__ import annotations

from criteria import rules
from criteria.exceptions import CriteriaSetNotFound
from criteria.models import CriteriaSet, Trial

PROTOCOL_FORMAT = "trialsite-protocol/1"


def trial_get(registry_id: str) -> Trial | None:
    return Trial.objects.filter(registry_id=registry_id).first()


def criteria_set_published(trial: Trial) -> CriteriaSet | None:
    return trial.criteria_sets.filter(status=CriteriaSet.Status.PUBLISHED).first()


def criteria_set_by_version(trial: Trial, version: int) -> CriteriaSet | None:
    return trial.criteria_sets.filter(version=version).first()


def protocol_dict(criteria_set: CriteriaSet) -> dict:
    """One criteria set with its trial and variables, in the protocol file's JSON form."""
    trial = criteria_set.trial
    return {
        "format": PROTOCOL_FORMAT,
        "trial": {
            "registry_id": trial.registry_id,
            "title": trial.title,
            "sponsor_protocol_id": trial.sponsor_protocol_id,
        },
        "variables": [
            rules.variable_to_dict(variable.as_spec()) for variable in trial.variables.all()
        ],
        "criteria_set": {
            "version": criteria_set.version,
            "criteria": [criterion.as_rule_dict() for criterion in criteria_set.criteria.all()],
        },
    }


def criteria_set_rules(criteria_set: CriteriaSet) -> rules.RuleSet:
    """The set as the evaluator's frozen RuleSet (variables of its trial included)."""
    _, rule_set = rules.protocol_from_dict(protocol_dict(criteria_set))
    return rule_set


def criteria_set_lookup(registry_id: str, version: int | None = None) -> CriteriaSet:
    """The given version of a trial's criteria, or else its published set.

    Raises CriteriaSetNotFound, saying what is missing.
    """
    trial = trial_get(registry_id)
    if trial is None:
        raise CriteriaSetNotFound(f'unknown trial "{registry_id}"')
    found = criteria_set_by_version(trial, version) if version else criteria_set_published(trial)
    if found is None:
        which = f"criteria set version {version}" if version else "published criteria set"
        raise CriteriaSetNotFound(f"{registry_id} has no {which}")
    return found
