"""Writes of the criteria app. Each service is one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from criteria import rules
from criteria.editing import criteria_set_publish
from criteria.models import CriteriaSet, Criterion, Trial, Variable
from criteria.selectors import criteria_set_published


@dataclass(frozen=True)
class ProtocolLoadResult:
    trial: Trial
    criteria_set: CriteriaSet
    created_set: bool
    variables_added: int
    variables_changed: int


@transaction.atomic
def protocol_load(*, data: dict, source: str, loaded_by=None) -> ProtocolLoadResult:
    """Load a protocol file's dict: the trial, its variables and its criteria set.

    Validates everything first (criteria.exceptions.ProtocolError, naming the bad entry, and
    nothing is written). Loading the same criteria again changes nothing; different criteria
    become a new published version and the previous published set is retired.
    """
    trial_info, rule_set = rules.protocol_from_dict(data)
    trial, _ = Trial.objects.update_or_create(
        registry_id=trial_info.registry_id,
        defaults={"title": trial_info.title, "sponsor_protocol_id": trial_info.sponsor_protocol_id},
    )
    added, changed = _variables_sync(trial, data["variables"])
    wanted = [_canonical_criterion(c) for c in data["criteria_set"]["criteria"]]
    current = criteria_set_published(trial)
    if current and [c.as_rule_dict() for c in current.criteria.all()] == wanted:
        return ProtocolLoadResult(trial, current, False, added, changed)
    version = _next_version(trial, requested=data["criteria_set"].get("version"))
    new_set = CriteriaSet.objects.create(
        trial=trial, version=version, created_by=loaded_by, based_on=current
    )
    Criterion.objects.bulk_create(Criterion(criteria_set=new_set, **c) for c in wanted)
    criteria_set_publish(
        criteria_set=new_set, published_by=loaded_by, reason=f"Loaded from {source}"
    )
    new_set.refresh_from_db()
    return ProtocolLoadResult(trial, new_set, True, added, changed)


def _variables_sync(trial: Trial, variable_dicts: list[dict]) -> tuple[int, int]:
    added = changed = 0
    for raw in variable_dicts:
        spec = rules.variable_from_dict(raw)
        fields = {k: v for k, v in rules.variable_to_dict(spec).items() if k != "key"}
        variable = Variable.objects.filter(trial=trial, key=spec.key).first()
        if variable is None:
            Variable.objects.create(trial=trial, key=spec.key, **fields)
            added += 1
        elif rules.variable_to_dict(variable.as_spec()) != rules.variable_to_dict(spec):
            for name, value in fields.items():
                setattr(variable, name, value)
            variable._change_reason = "protocol file loaded"
            variable.save()
            changed += 1
    return added, changed


def _canonical_criterion(raw: dict) -> dict:
    canonical = rules.criterion_to_dict(rules.criterion_from_dict(raw))
    return {
        "code": canonical["code"],
        "kind": canonical["kind"],
        "label": canonical["label"],
        "protocol_wording": canonical["protocol_wording"],
        "expression": canonical["expression"],
        "applies_if": canonical.get("applies_if", []),
        "order": canonical.get("order", 0),
        "note": canonical.get("note", ""),
    }


def _next_version(trial: Trial, requested: int | None) -> int:
    latest = trial.criteria_sets.order_by("-version").values_list("version", flat=True).first()
    if latest is None:
        return requested or 1
    return latest + 1
