"""Writes of the criteria app: protocol files, drafts, criterion edits, publishing.

One transaction each. Published and retired sets are frozen by the models; these services add
the workflow around them: a draft is a full copy of the published set, edits need a reason for
the history, and publishing retires the previous set atomically.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from criteria import protocol
from criteria.exceptions import CriteriaEditRefused
from criteria.labels import label_flags, stale_label_problems
from criteria.models import CriteriaSet, Criterion, Trial, Variable
from criteria.selectors import criteria_set_published, criterion_earlier_rules, trial_variables
from trialsite.history import history_note


@dataclass(frozen=True)
class ProtocolLoadResult:
    trial: Trial
    criteria_set: CriteriaSet
    created_set: bool
    variables_added: int
    variables_changed: int
    notes: tuple[str, ...] = ()


@transaction.atomic
def protocol_load(*, data: dict, source: str, loaded_by=None) -> ProtocolLoadResult:
    """Load a protocol file's dict: the trial, its variables and its criteria set.

    Validates everything first (criteria.exceptions.ProtocolError, naming the bad entry, and
    nothing is written). Loading the same criteria again changes nothing; different criteria
    become a new published version and the previous published set is retired.
    """
    trial_info, rule_set = protocol.protocol_from_dict(data)
    trial, _ = Trial.objects.update_or_create(
        registry_id=trial_info.registry_id,
        defaults={"title": trial_info.title, "sponsor_protocol_id": trial_info.sponsor_protocol_id},
    )
    added, changed = _variables_sync(trial, data["variables"])
    wanted = [_canonical_criterion(c) for c in data["criteria_set"]["criteria"]]
    current = criteria_set_published(trial)
    if current and [c.as_rule_dict() for c in current.criteria.all()] == wanted:
        return ProtocolLoadResult(trial, current, False, added, changed)
    variables = trial_variables(trial)
    problems = stale_label_problems(_replaced(current, wanted), variables)
    if problems:
        raise protocol.ProtocolError(problems)
    version = _next_version(trial, requested=data["criteria_set"].get("version"))
    new_set = CriteriaSet.objects.create(
        trial=trial, version=version, created_by=loaded_by, based_on=current
    )
    Criterion.objects.bulk_create(Criterion(criteria_set=new_set, **c) for c in wanted)
    criteria_set_publish(
        criteria_set=new_set, published_by=loaded_by, reason=f"Loaded from {source}"
    )
    new_set.refresh_from_db()
    notes = tuple(label_flags(wanted, variables))
    return ProtocolLoadResult(trial, new_set, True, added, changed, notes)


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
        history_note(copy, user=created_by, reason=f"copied from v{published.version}")
        copy.save()
    return draft


@transaction.atomic
def criterion_save(*, criterion: Criterion, changed_by, reason: str) -> Criterion:
    """Add or change a criterion of a draft; validated against the trial's variables."""
    _require_reason(reason)
    criterion.full_clean()
    earlier = criterion_earlier_rules(
        criteria_set=criterion.criteria_set, codes=[criterion.code], pk=criterion.pk
    )
    variables = trial_variables(criterion.criteria_set.trial)
    problems = stale_label_problems([(criterion.as_rule_dict(), earlier)], variables)
    if problems:
        raise CriteriaEditRefused("; ".join(problems))
    history_note(criterion, user=changed_by, reason=reason.strip())
    criterion.save()
    return criterion


@transaction.atomic
def criterion_retire(*, criterion: Criterion, retired_by, reason: str) -> None:
    """Remove a criterion from a draft (the history keeps it, with the reason)."""
    _require_reason(reason)
    history_note(criterion, user=retired_by, reason=reason.strip())
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
    after = [c.as_rule_dict() for c in draft.criteria.all()]
    problems = stale_label_problems(_replaced(draft.based_on, after), trial_variables(trial))
    if problems:
        raise CriteriaEditRefused("Not published: " + "; ".join(problems))
    if current is not None:
        current.status = CriteriaSet.Status.RETIRED
        why = f"retired by v{draft.version}: {reason.strip()}"
        history_note(current, user=published_by, reason=why)
        current.save()
    draft.status = CriteriaSet.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = published_by
    draft.change_reason = reason.strip()
    history_note(draft, user=published_by, reason=reason.strip())
    draft.save()
    return draft


def _replaced(base: CriteriaSet | None, after: list[dict]) -> list[tuple[dict, list[dict]]]:
    """Each rule of `after` (JSON form) with the rule of the same code in `base` that it
    replaces, if any."""
    before = {c.code: c.as_rule_dict() for c in base.criteria.all()} if base else {}
    return [(rule, [before[rule["code"]]] if rule["code"] in before else []) for rule in after]


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise CriteriaEditRefused("Give a reason; it is kept in the criteria history.")


def _variables_sync(trial: Trial, variable_dicts: list[dict]) -> tuple[int, int]:
    added = changed = 0
    for raw in protocol.upgraded_variables(variable_dicts):
        fields = _stored_fields(protocol.variable_from_dict(raw))
        variable = Variable.objects.filter(trial=trial, key=fields["key"]).first()
        if variable is None:
            Variable.objects.create(trial=trial, **fields)
            added += 1
        elif _stored_fields(variable.as_spec()) != fields:
            for name, value in fields.items():
                setattr(variable, name, value)
            variable._change_reason = "protocol file loaded"
            variable.save()
            changed += 1
    return added, changed


def _stored_fields(spec: protocol.VariableSpec) -> dict:
    """A variable's canonical dict, less the fields the Variable model does not store."""
    stored = Variable.stored_fields()
    return {k: v for k, v in protocol.variable_to_dict(spec).items() if k in stored}


def _canonical_criterion(raw: dict) -> dict:
    """A criterion's canonical dict, less the fields the Criterion model does not store."""
    canonical = protocol.criterion_to_dict(protocol.criterion_from_dict(raw))
    return {name: canonical[name] for name in Criterion.stored_fields()}


def _next_version(trial: Trial, requested: int | None) -> int:
    latest = trial.criteria_sets.order_by("-version").values_list("version", flat=True).first()
    if latest is None:
        return requested or 1
    return latest + 1
