"""Verification of the audit records: recompute every hash and name the first broken link;
check the data derived from the decisions (failed criteria, each episode's current decision)
against the decisions themselves."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from screening.failures import failed_positions
from screening.hashing import GENESIS_HASH, chain_hash, decision_payload
from screening.models import ChainHead, Decision, FailedCriterion, Screening, Signature
from screening.signoff import signature_payload


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    message: str
    # With `checked`, the head verified: the hash of the last record walked.
    head_hash: str = GENESIS_HASH


def decision_chain_verify() -> ChainReport:
    """Walk the decisions in chain order. Out: intact, or the first decision whose stored hash,
    predecessor or position does not match what its content says, or whose failed-criteria
    rows differ from its results."""
    previous_hash, expected_sequence, checked = GENESIS_HASH, 1, 0
    decisions = Decision.objects.select_related("screening__candidate", "recorded_by")
    failed, failed_upto = {}, 0
    # Streamed, not held in batches: thousands of decisions' JSON kept alive at once make
    # Python's garbage collector walk them over and over (twice the time at 100,000).
    for decision in decisions.order_by("sequence").iterator(chunk_size=2000):
        if decision.sequence > failed_upto:  # the failed criteria of the next 2000 decisions
            failed_upto = decision.sequence + 1999
            failed = _failed_rows(after=decision.sequence - 1, upto=failed_upto)
        problem = _link_problem(decision, previous_hash, expected_sequence) or (
            _failed_problem(decision, failed.get(decision.pk, []))
        )
        if problem:
            where = f"decision {decision.sequence} ({decision.public_id})"
            return ChainReport(False, checked, f"{where}: {problem}")
        previous_hash, expected_sequence = decision.entry_hash, expected_sequence + 1
        checked += 1
    if problem := _head_problem("decisions", "decision", checked, previous_hash):
        return ChainReport(False, checked, problem)
    pointers = current_decisions_verify()
    if not pointers.intact:
        return ChainReport(False, checked, pointers.message)
    return ChainReport(True, checked, f"audit chain intact: {checked} decisions", previous_hash)


def _link_problem(decision: Decision, previous_hash: str, expected_sequence: int) -> str:
    if decision.sequence != expected_sequence:
        return f"expected position {expected_sequence}: a decision is missing before it"
    if decision.previous_hash != previous_hash:
        return "its previous hash does not match the decision before it"
    if chain_hash(decision_payload(decision), previous_hash) != decision.entry_hash:
        return "its content does not match its hash (the record was altered)"
    return ""


def _failed_rows(*, after: int, upto: int) -> dict[int, list[tuple[int, str]]]:
    """The FailedCriterion rows of the decisions in a range of the chain, per decision."""
    rows = FailedCriterion.objects.filter(
        decision__sequence__gt=after, decision__sequence__lte=upto
    ).order_by("decision", "position")
    failed = defaultdict(list)
    for decision_id, position, code in rows.values_list("decision", "position", "code"):
        failed[decision_id].append((position, code))
    return failed


def _failed_problem(decision: Decision, rows: list[tuple[int, str]]) -> str:
    expected = failed_positions(decision.results)
    if rows == expected:
        return ""
    said = ", ".join(code for _, code in rows) or "none"
    found = ", ".join(code for _, code in expected) or "none"
    return f"its failed-criteria rows ({said}) differ from its results ({found})"


def signature_chain_verify() -> ChainReport:
    """Walk the signatures in chain order. Out: intact, or the first signature whose hash,
    predecessor or position is wrong, or which no longer carries its decision's entry hash
    (the decision was altered, or the signature re-pointed at another one)."""
    previous_hash, expected_sequence, checked = GENESIS_HASH, 1, 0
    for batch in _batches(Signature.objects.select_related("signer"), size=1000):
        decisions = Decision.objects.only("public_id", "entry_hash").in_bulk(
            {s.decision_id for s in batch}
        )
        for signature in batch:
            problem = _signature_problem(
                signature, decisions.get(signature.decision_id), previous_hash, expected_sequence
            )
            if problem:
                where = f"signature {signature.sequence} ({signature.public_id})"
                return ChainReport(False, checked, f"{where}: {problem}")
            previous_hash, expected_sequence = signature.entry_hash, expected_sequence + 1
            checked += 1
    if problem := _head_problem("signatures", "signature", checked, previous_hash):
        return ChainReport(False, checked, problem)
    message = f"signature chain intact: {checked} signatures"
    return ChainReport(True, checked, message, previous_hash)


def _head_problem(chain: str, record: str, checked: int, last_hash: str) -> str:
    """What is wrong when the chain head does not name the last record walked: a record
    after it was removed (the head alone remembers it)."""
    head = ChainHead.objects.filter(name=chain).first()
    if head is None or (head.sequence, head.entry_hash) == (checked, last_hash):
        return ""
    return (
        f"chain head names {record} {head.sequence}, "
        f"but the chain ends at {record} {checked}: a record is missing"
    )


def _signature_problem(signature, decision, previous_hash: str, expected_sequence: int) -> str:
    if signature.sequence != expected_sequence:
        return f"expected position {expected_sequence}: a signature is missing before it"
    if signature.previous_hash != previous_hash:
        return "its previous hash does not match the signature before it"
    if decision is None:
        return "the decision it signs no longer exists"
    signature.decision = decision
    if chain_hash(signature_payload(signature), previous_hash) != signature.entry_hash:
        return "its content does not match its hash (the record was altered)"
    if decision.entry_hash != signature.decision_hash:
        return "its decision's entry hash differs from the one signed (the decision was altered)"
    return ""


def _batches(queryset, size: int):
    """The queryset in chain order, in lists of `size`, without holding a cursor open."""
    last = 0
    while batch := list(queryset.filter(sequence__gt=last).order_by("sequence")[:size]):
        yield batch
        last = batch[-1].sequence


def current_decisions_verify() -> ChainReport:
    """Check that every episode points at its newest decision, and at none while it has none,
    and holds that decision's time and chain position (the log's order), or none.
    Out: correct, or how many episodes are wrong and the first of them."""
    newest = Decision.objects.filter(screening=OuterRef("pk")).order_by("-sequence")
    episodes = Screening.objects.annotate(
        pointed=Coalesce(F("current_decision"), Value(0)),
        newest=Coalesce(Subquery(newest.values("pk")[:1]), Value(0)),
    )
    wrong = episodes.exclude(pointed=F("newest")).order_by("pk")
    first = wrong.select_related("candidate").first()
    if first is None:
        return _copies_verify()
    sequences = dict(
        Decision.objects.filter(pk__in=[first.pointed, first.newest]).values_list("pk", "sequence")
    )

    def named(pk: int) -> str:
        if not pk:
            return "none"
        return f"decision {sequences[pk]}" if pk in sequences else f"a missing decision (id {pk})"

    return ChainReport(
        False,
        0,
        f"{first} ({wrong.count()} wrong in all): its current decision is "
        f"{named(first.pointed)}, but its newest is {named(first.newest)}",
    )


def _copies_verify() -> ChainReport:
    """With every pointer right: the episodes whose copy of their current decision's time
    and chain position differs from it, or that hold one without a decision."""
    decided = Q(current_decision__isnull=False)
    copied = Q(
        current_recorded_at=F("current_decision__recorded_at"),
        current_sequence=F("current_decision__sequence"),
    )
    empty = Q(current_recorded_at__isnull=True, current_sequence__isnull=True)
    wrong = Screening.objects.filter((decided & ~copied) | (~decided & ~empty)).order_by("pk")
    first = wrong.select_related("candidate", "current_decision").first()
    if first is None:
        checked = Screening.objects.count()
        return ChainReport(True, checked, f"current decisions correct: {checked} episodes")
    at, position = first.current_recorded_at, first.current_sequence
    held = f"time {at.isoformat() if at else 'none'}, position {position or 'none'}"
    current = first.current_decision
    told = (
        f"decision {current.sequence} was recorded at {current.recorded_at.isoformat()}"
        if current
        else "it has no decision"
    )
    return ChainReport(
        False,
        0,
        f"{first} ({wrong.count()} wrong in all): it holds its current decision's {held}, "
        f"but {told}",
    )
