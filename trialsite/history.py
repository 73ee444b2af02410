"""Turns django-simple-history records into entries people read: when, who, what changed
(field old → new) and why: the criteria history. (A candidate's history is told in the
trial's own words by screening.trail.)"""

from __future__ import annotations

from collections.abc import Iterable

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


def history_entries(records: Iterable) -> list[dict]:
    """Newest first."""
    ordered = sorted(records, key=lambda r: r.history_date, reverse=True)
    return [_entry(record) for record in ordered]


def _entry(record) -> dict:
    previous = record.prev_record
    changes = []
    if previous is not None:
        changes = [(c.field, c.old, c.new) for c in record.diff_against(previous).changes]
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
