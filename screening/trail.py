"""A candidate's audit trail: everything that happened to it, as one time-ordered list; and
its history of recorded changes, which the candidate page shows, in the same words.

The sources are the history tables (registration, detail changes, every saved value, old → new)
and the append-only records (decisions, signatures, refused sign-off attempts). Each history
record is compared with the previous record of the same object in memory, so the trail costs a
fixed number of queries however long it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from criteria.exceptions import ValueProblem
from criteria.protocol import NEVER
from criteria.translations import choice_label_for, label_for, unit_for
from criteria.values import shown_number, value_from_json
from screening.failures import failed_results
from screening.models import Candidate, Decision, Screening, Signature, SignatureAttempt
from screening.prefill.freshness import FHIR
from screening.prefill.sources import source_text
from screening.wording import decision_words

# What happens first when two events share a time stamp.
KIND_ORDER = ["registered", "details", "episode", "values", "decision", "refused", "signature"]


@dataclass(frozen=True)
class TrailEntry:
    when: dt.datetime
    kind: str  # registered, details, episode, values, decision, signature, refused
    who: str
    title: str
    changes: tuple[tuple[str, str, str], ...] = ()  # (what, old, new)
    detail: str = ""
    reason: str = ""
    superseded: bool = False


def audit_trail(
    *,
    candidate: Candidate,
    screenings: list[Screening],
    decisions: list[Decision],
    signatures: list[Signature],
    refused: list[SignatureAttempt],
) -> list[TrailEntry]:
    """Every event of the candidate, oldest first."""
    episode_of = {s.pk: s.episode for s in screenings}
    newest = {s.pk: s.current_decision_id for s in screenings}
    entries = _changes_recorded(candidate)
    entries += [_decision_entry(d, episode_of, newest) for d in decisions]
    entries += [_signature_entry(s, episode_of, newest) for s in signatures]
    entries += [
        TrailEntry(a.attempted_at, "refused", _who(a.user), _("Sign-off refused: wrong password"))
        for a in refused
    ]
    return sorted(entries, key=lambda e: (e.when, KIND_ORDER.index(e.kind)))


def candidate_history(candidate: Candidate) -> list[TrailEntry]:
    """The candidate's and its episodes' recorded changes (registration, details, episodes
    started, values saved), newest first, in the reader's words: the candidate page's history.
    The audit trail adds the decisions and signatures."""
    return sorted(
        _changes_recorded(candidate),
        key=lambda e: (e.when, KIND_ORDER.index(e.kind)),
        reverse=True,
    )


def _changes_recorded(candidate: Candidate) -> list[TrailEntry]:
    labels = _Answers(candidate.trial.variables.all())
    entries = _history(candidate.history.select_related("history_user"), labels, candidate)
    episodes = Screening.history.filter(candidate_id=candidate.pk)
    return entries + _history(episodes.select_related("history_user"), labels, candidate)


def _history(records, labels: _Answers, candidate: Candidate) -> list[TrailEntry]:
    # Insertion order, not the clock, says which record came before which.
    entries, previous = [], {}
    for record in records.order_by("history_id"):
        before = previous.get(record.id)
        previous[record.id] = record
        entries.append(_history_entry(record, before, labels, candidate))
    return entries


def _history_entry(record, before, labels: _Answers, candidate: Candidate) -> TrailEntry:
    reason = record.history_change_reason or ""
    who = _who(record.history_user) if record.history_user else ""
    # `instance_type`, not `instance`: building the instance reads the fields left out of
    # the history (Screening.current_decision) from the database, once per record.
    if issubclass(record.instance_type, Candidate):
        if before is None:
            detail = _(
                "%(initials)s, born %(born)s, %(sex)s, referred by %(unit)s on %(referred)s"
            ) % {
                "initials": record.initials,
                "born": record.year_of_birth,
                "sex": str(Candidate.Sex(record.sex).label).lower() if record.sex else "",
                "unit": record.referring_unit,
                "referred": date_format(record.referral_date, "SHORT_DATE_FORMAT"),
            }
            who = who or _who(candidate.created_by)
            title = _("Referral registered as %(number)s") % {"number": record.screening_number}
            return TrailEntry(record.history_date, "registered", who, title, detail=detail)
        changes = _changes(record.diff_against(before), record, labels)
        return TrailEntry(
            record.history_date,
            "details",
            who,
            _("Referral details changed"),
            changes,
            reason=reason,
        )
    if before is None:
        title = _("Screening episode %(episode)s started") % {"episode": record.episode}
        # "screening started" is the service's own reason: it says nothing the title does not.
        reason = "" if reason == "screening started" else reason
        return TrailEntry(record.history_date, "episode", who, title, reason=reason)
    delta = record.diff_against(before)
    saved = {"values", "entered_units", "value_sources"} & set(delta.changed_fields)
    title = (
        _("Episode %(episode)s: values saved")
        if saved
        else _("Episode %(episode)s: status changed")
    ) % {"episode": record.episode}
    changes = _changes(delta, record, labels)
    # "values saved" is the service's default reason: it says nothing the title does not.
    reason = "" if reason == "values saved" else reason
    return TrailEntry(record.history_date, "values", who, title, changes, reason=reason)


def _changes(delta, record, labels: _Answers) -> tuple[tuple[str, str, str], ...]:
    changes = []
    for change in delta.changes:
        old, new = change.old, change.new
        if change.field in ("values", "entered_units") and isinstance(old, dict):
            suffix = _(" (unit typed)") if change.field == "entered_units" else ""
            new = new if isinstance(new, dict) else {}
            for key in sorted(set(old) | set(new), key=labels.label):
                if old.get(key) != new.get(key):
                    what = labels.label(key) + suffix
                    shown = labels.answer if change.field == "values" else _blank_or
                    changes.append((what, shown(key, old.get(key)), shown(key, new.get(key))))
        elif change.field == "value_sources":
            changes += _source_changes(old, new, labels)
        else:
            field = record.instance_type._meta.get_field(change.field)
            shown = dict(field.flatchoices) if field.choices else {}
            what = str(field.verbose_name)
            changes.append((what, _shown(shown.get(old, old)), _shown(shown.get(new, new))))
    return tuple(changes)


def _source_changes(old, new, labels: _Answers) -> list[tuple[str, str, str]]:
    # A value's source beside it whenever the hospital record is involved: "Neutrophils
    # (source): typed by nurse -> hospital record Observation/obs-1, ...". Typed over typed
    # says nothing the value's own change and the entry's author do not.
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    return [
        (
            _("%(label)s (source)") % {"label": labels.label(key)},
            _source_shown(old.get(key)),
            source_text(new[key]),
        )
        for key in sorted(set(new), key=labels.label)
        if old.get(key) != new[key] and FHIR in (_kind(old.get(key)), _kind(new[key]))
    ]


def _kind(source) -> str:
    return source.get("source", "") if isinstance(source, dict) else ""


def _source_shown(source) -> str:
    return "—" if source is None else source_text(source)


def _decision_entry(decision: Decision, episode_of: dict, newest: dict) -> TrailEntry:
    codes = [r["code"] for r in failed_results(decision.results)]
    parts = [_("criteria version %(version)s") % {"version": decision.criteria_set_version}]
    if codes:
        parts.append(_("failed %(codes)s") % {"codes": ", ".join(codes)})
    if decision.screen_failure_reason:
        parts.append(_("reason: %(reason)s") % {"reason": decision.screen_failure_reason})
    fetched = sorted(
        key for key, s in (decision.sources_snapshot or {}).items() if s.get("source") == FHIR
    )
    if fetched:
        parts.append(
            _("values from the hospital record: %(labels)s") % {"labels": ", ".join(fetched)}
        )
    parts.append(_("entry hash %(hash)s…") % {"hash": decision.entry_hash[:12]})
    return TrailEntry(
        decision.recorded_at,
        "decision",
        _who(decision.recorded_by),
        _("Episode %(episode)s: decision recorded — %(outcome)s")
        % {"episode": episode_of[decision.screening_id], "outcome": decision_words(decision)},
        detail="; ".join(parts),
        superseded=newest[decision.screening_id] != decision.pk,
    )


def _signature_entry(signature: Signature, episode_of: dict, newest: dict) -> TrailEntry:
    return TrailEntry(
        signature.signed_at,
        "signature",
        f"{signature.signer_full_name} ({signature.signer.get_username()})",
        _("Episode %(episode)s: signed off — %(meaning)s")
        % {
            "episode": episode_of[signature.screening_pk],
            "meaning": signature.get_meaning_kind_display(),
        },
        detail=_(
            "“%(meaning)s” Signed decision hash %(decision_hash)s… Signature %(sequence)s of the "
            "signature chain, hash %(hash)s…"
        )
        % {
            "meaning": signature.meaning,
            "decision_hash": signature.decision_hash[:12],
            "sequence": signature.sequence,
            "hash": signature.entry_hash[:16],
        },
        superseded=newest[signature.screening_pk] != signature.decision_id,
    )


class _Answers:
    """The trial's variables as the reader reads them: each label (with its unit), and each
    stored answer in the reader's language: a date 05-12-2026, a number 1,4, a choice by its
    label. The stored JSON (ISO dates, decimal points, choice values) stays as it is."""

    def __init__(self, variables) -> None:
        self.variables = {v.key: v for v in variables}
        self.labels = {key: _variable_label(v) for key, v in self.variables.items()}
        self.specs: dict = {}  # built on first use: most trails show a few answers

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def answer(self, key: str, stored) -> str:
        variable = self.variables.get(key)
        if variable is None or stored is None or stored == "" or isinstance(stored, bool):
            return _shown(stored)
        if stored == NEVER:
            return _("Never")
        try:
            if key not in self.specs:
                self.specs[key] = variable.as_spec()
            value = value_from_json(self.specs[key], stored)
        except ValueProblem:
            return _shown(stored)  # as stored, rather than no trail at all
        if isinstance(value, dt.date):
            return date_format(value, "SHORT_DATE_FORMAT")
        if variable.data_type == "choice":
            return choice_label_for(variable, str(value))
        return shown_number(str(value))


def _blank_or(key: str, stored) -> str:
    return _shown(stored)


def _variable_label(variable) -> str:
    label, unit = label_for(variable), unit_for(variable)
    return f"{label} ({unit})" if unit else label


def _who(user) -> str:
    name = user.get_full_name().strip()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def _shown(value) -> str:
    # As a reader expects it: a blank answer is "not answered", never an empty string.
    if value is None or value == "":
        return "—"
    if value is True or value is False:
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return str(value)
