"""The screening data as one CDISC ODM 1.3.2 document (FileType "Transactional").

Per candidate a SubjectData keyed by screening number; per episode a StudyEventData; in it, for
every save of the episode's values, each value inserted, changed or removed as an ItemData
with its AuditRecord (who, when in UTC, the reason given, and the history record it comes from
as SourceID); and each decision as a repeating item group with its AuditRecord and, once
signed, its Signature (the SignatureDef in AdminData says what it means) and the statement
signed, word for word, as an Annotation. The document is checked against the ODM 1.3.2
schema before it is returned.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from lxml import etree

from screening.failures import failed_results
from screening.models import Decision, Screening, Signature
from screening.review.standards import odm_metadata as meta
from screening.review.standards.odm_schema import NAMESPACE, odm_validate
from screening.review.standards.scope import Scope, scope_episodes
from screening.review.standards.sdtm import iso_utc

element = meta.element


def odm_document(scope: Scope) -> tuple[bytes, list[str]]:
    """(the ODM XML, the screening numbers it holds), valid against the schema."""
    episodes = list(scope_episodes(scope).select_related("started_by"))
    users: dict = {}
    sections = {v["key"]: v["section"] for v in meta.entered_variables(scope)}
    clinical = _clinical_data(scope, episodes, users, sections)
    root = etree.Element(
        f"{{{NAMESPACE}}}ODM",
        nsmap={None: NAMESPACE},
        FileType="Transactional",
        FileOID=f"TrialSite.{uuid.uuid4()}",
        CreationDateTime=iso_utc(timezone.now()),
        ODMVersion="1.3.2",
        Granularity="All",
        SourceSystem="TrialSite",
        Description=f"{scope.trial.registry_id} screening data, criteria version {scope.version}",
    )
    meta.study_element(root, scope, other=[k for k, s in sections.items() if s == meta.OTHER])
    meta.admin_element(root, scope, users)
    root.append(clinical)
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    odm_validate(document)
    return document, list(dict.fromkeys(e.candidate.screening_number for e in episodes))


def _clinical_data(
    scope: Scope, episodes: list[Screening], users: dict, sections: dict
) -> etree._Element:
    clinical = etree.Element(
        f"{{{NAMESPACE}}}ClinicalData",
        StudyOID=f"ST.{scope.trial.registry_id}",
        MetaDataVersionOID=meta.metadata_oid(scope),
    )
    history = _history(episodes)
    decisions, signatures = _decisions(episodes)
    subject, current = None, None
    for episode in episodes:
        if episode.candidate_id != current:
            current = episode.candidate_id
            key = episode.candidate.screening_number
            subject = element(clinical, "SubjectData", SubjectKey=key, TransactionType="Upsert")
        event = element(
            subject,
            "StudyEventData",
            StudyEventOID=meta.STUDY_EVENT,
            StudyEventRepeatKey=episode.episode,
            TransactionType="Upsert",
        )
        form = element(event, "FormData", FormOID=meta.FORM, TransactionType="Upsert")
        _value_groups(form, _saves(episode, history[episode.pk]), sections, users)
        for decision in decisions[episode.pk]:
            _decision_group(form, decision, signatures.get(decision.pk), users)
    return clinical


def _history(episodes: list[Screening]) -> dict[int, list]:
    records = defaultdict(list)
    rows = Screening.history.filter(id__in=[e.pk for e in episodes]).select_related("history_user")
    for record in rows.order_by("history_id"):
        records[record.id].append(record)
    return records


def _decisions(episodes: list[Screening]) -> tuple[dict[int, list], dict[int, Signature]]:
    decisions = defaultdict(list)
    rows = Decision.objects.filter(screening__in=[e.pk for e in episodes])
    for decision in rows.select_related("recorded_by").order_by("sequence"):
        decisions[decision.screening_id].append(decision)
    signed = Signature.objects.filter(decision__screening__in=[e.pk for e in episodes])
    return decisions, {s.decision_id: s for s in signed.select_related("signer")}


@dataclass(frozen=True)
class Save:
    """One save of an episode's values: all of them as saved, who, when, why, and where from."""

    values: dict
    user: object
    when: object
    reason: str
    source: str


def _saves(episode: Screening, records: list) -> list[Save]:
    if not records:
        # Values written without a history row (bulk-loaded data) still leave, marked so.
        return [
            Save(
                episode.values or {},
                episode.started_by,
                episode.updated_at,
                "values as stored; no history record",
                f"TrialSite screening episode {episode.pk}",
            )
        ]
    return [
        Save(
            r.values or {},
            r.history_user,
            r.history_date,
            r.history_change_reason or "",
            f"TrialSite screening history {r.history_id}",
        )
        for r in records
    ]


def _value_groups(form, saves: list[Save], sections: dict, users: dict) -> None:
    """Every value change of the episode, in the order saved, under its section's group."""
    changes = defaultdict(list)
    before: dict = {}
    for record in saves:
        values = record.values
        for key in sorted(set(before) | set(values)):
            if before.get(key) == values.get(key):
                continue
            # A stored value of no variable of the trial still leaves with the rest.
            section = sections.setdefault(key, meta.OTHER)
            changes[section].append((key, before.get(key), values.get(key), record))
        before = values
    for section in dict.fromkeys(sections.values()):
        if not changes[section]:
            continue
        group = element(
            form, "ItemGroupData", ItemGroupOID=f"IG.{section}", TransactionType="Upsert"
        )
        for key, old, new, record in changes[section]:
            _item_change(group, key, old, new, record, users)


def _item_change(group, key: str, old, new, record: Save, users: dict) -> None:
    if new is None:
        item = element(group, "ItemData", ItemOID=meta.item_oid(key), TransactionType="Remove")
    else:
        kind = "Insert" if old is None else "Update"
        item = element(
            group,
            "ItemData",
            ItemOID=meta.item_oid(key),
            TransactionType=kind,
            Value=odm_value(new),
        )
    _audit(item, record.user, record.when, users, reason=record.reason, source=record.source)


def odm_value(value) -> str:
    """A stored value (the JSON form of criteria.values) as ODM text."""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _decision_group(form, decision: Decision, signature: Signature | None, users: dict) -> None:
    group = element(
        form,
        "ItemGroupData",
        ItemGroupOID=meta.DECISION_GROUP,
        ItemGroupRepeatKey=decision.sequence,
        TransactionType="Insert",
    )
    _audit(
        group,
        decision.recorded_by,
        decision.recorded_at,
        users,
        reason="decision recorded",
        source=f"TrialSite decision {decision.public_id}",
    )
    if signature is not None:
        _signature(group, signature, users)
    values = [
        decision.outcome,
        str(decision.criteria_set_version),
        " ".join(r["code"] for r in failed_results(decision.results)),
        decision.screen_failure_reason,
        decision.entry_hash,
    ]
    for (oid, *_), value in zip(meta.DECISION_ITEMS, values, strict=True):
        if value:
            element(group, "ItemData", ItemOID=oid, TransactionType="Insert", Value=value)


def _signature(group, signature: Signature, users: dict) -> None:
    signed = element(group, "Signature")
    element(signed, "UserRef", UserOID=_user(signature.signer, users))
    element(signed, "LocationRef", LocationOID=meta.LOCATION)
    element(signed, "SignatureRef", SignatureOID=meta.signature_def_oid(signature.meaning_kind))
    element(signed, "DateTimeStamp", iso_utc(signature.signed_at))
    note = element(group, "Annotation", SeqNum=1)
    element(note, "Comment", f"{signature.signer_full_name} signed: {signature.meaning}")


def _audit(parent, user, when, users: dict, *, reason: str, source: str) -> None:
    audit = element(parent, "AuditRecord")
    element(audit, "UserRef", UserOID=_user(user, users))
    element(audit, "LocationRef", LocationOID=meta.LOCATION)
    element(audit, "DateTimeStamp", iso_utc(when))
    if reason:
        element(audit, "ReasonForChange", reason)
    element(audit, "SourceID", source)


def _user(user, users: dict) -> str:
    # A history row written without a user (bulk-loaded data) still needs a UserRef.
    oid = meta.user_oid(user) if user is not None else meta.UNRECORDED_USER
    users[oid] = user
    return oid
