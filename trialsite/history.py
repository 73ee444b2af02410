"""Turns django-simple-history records into entries people read: when, who, what changed
(field old → new) and why: the criteria history. (A candidate's history is told in the
trial's own words by screening.trail.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ObjectDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

# How a history row reads, by the kind of record and what happened to it. A model's own
# verbose_name is not translated: marking it would change every app's migrations.
RECORD_NAMES = {
    "criteria set": gettext_lazy("criteria set"),
    "criterion": gettext_lazy("criterion"),
    "variable": gettext_lazy("variable"),
}
HAPPENED = {
    "+": gettext_lazy("%(record)s created"),
    "~": gettext_lazy("%(record)s changed"),
    "-": gettext_lazy("%(record)s deleted"),
}


def history_note(instance, *, user, reason: str) -> None:
    """Who and why for the history row the next save() or delete() of `instance` writes
    (django-simple-history reads these two attributes)."""
    instance._change_reason = reason
    instance._history_user = user


def history_entries(records: Iterable, names: Mapping[str, str] | None = None) -> list[dict]:
    """Newest first. `names`: the fields' names in the reader's words, by field; a field not
    named there goes by its model's verbose name."""
    ordered = sorted(records, key=lambda r: r.history_date, reverse=True)
    return [_entry(record, names or {}) for record in ordered]


def _entry(record, names: Mapping[str, str]) -> dict:
    previous = record.prev_record
    changes = []
    if previous is not None:
        changes = [
            _change(record, previous, change, names)
            for change in record.diff_against(previous).changes
        ]
    # `history_object`, not `instance`: the latter reads the fields a model leaves out of its
    # history from the database, once per record.
    name = str(record.instance_type._meta.verbose_name)
    what = HAPPENED[record.history_type] % {"record": RECORD_NAMES.get(name, name)}
    return {
        "when": record.history_date,
        "who": record.history_user,
        "what": what,
        "object": str(record.history_object),
        "changes": changes,
        "reason": record.history_change_reason or "",
    }


def _change(record, previous, change, names: Mapping[str, str]) -> tuple:
    """(field name, old, new): a choice by its label, a linked record by its name, any other
    value as stored; an empty text as nothing, as a missing value."""
    field = record.instance_type._meta.get_field(change.field)
    old, new = change.old, change.new
    if field.choices:
        labels = dict(field.flatchoices)
        old, new = labels.get(old, old), labels.get(new, new)
    elif field.is_relation:
        old, new = _linked(previous, field.name, old), _linked(record, field.name, new)
    name = names.get(change.field) or capfirst(field.verbose_name)
    return name, None if old == "" else old, None if new == "" else new


def _linked(record, name: str, stored):
    # Only a change of link reads the linked row (a set's publisher, once in its life).
    if stored is None:
        return None
    try:
        return getattr(record, name)
    except ObjectDoesNotExist:
        return stored
