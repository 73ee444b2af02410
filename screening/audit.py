"""Verification of the decision chain: recompute every hash, name the first broken link."""

from __future__ import annotations

from dataclasses import dataclass

from screening.hashing import GENESIS_HASH, chain_hash, decision_payload
from screening.models import ChainHead, Decision, Signature
from screening.signoff import signature_payload


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    message: str


def decision_chain_verify() -> ChainReport:
    """Walk the decisions in chain order. Out: intact, or the first decision whose stored hash,
    predecessor or position does not match what its content says."""
    previous_hash, expected_sequence, checked = GENESIS_HASH, 1, 0
    decisions = Decision.objects.select_related("screening__candidate", "recorded_by").order_by(
        "sequence"
    )
    for decision in decisions.iterator(chunk_size=2000):
        problem = _link_problem(decision, previous_hash, expected_sequence)
        if problem:
            return ChainReport(
                False, checked, f"decision {decision.sequence} ({decision.public_id}): {problem}"
            )
        previous_hash, expected_sequence = decision.entry_hash, expected_sequence + 1
        checked += 1
    head = ChainHead.objects.filter(name="decisions").first()
    if head is not None and (head.sequence, head.entry_hash) != (checked, previous_hash):
        return ChainReport(
            False,
            checked,
            f"chain head names decision {head.sequence}, "
            f"but the chain ends at decision {checked}: a record is missing",
        )
    return ChainReport(True, checked, f"audit chain intact: {checked} decisions")


def _link_problem(decision: Decision, previous_hash: str, expected_sequence: int) -> str:
    if decision.sequence != expected_sequence:
        return f"expected position {expected_sequence}: a decision is missing before it"
    if decision.previous_hash != previous_hash:
        return "its previous hash does not match the decision before it"
    if chain_hash(decision_payload(decision), previous_hash) != decision.entry_hash:
        return "its content does not match its hash (the record was altered)"
    return ""


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
    head = ChainHead.objects.filter(name="signatures").first()
    if head is not None and (head.sequence, head.entry_hash) != (checked, previous_hash):
        return ChainReport(
            False,
            checked,
            f"chain head names signature {head.sequence}, "
            f"but the chain ends at signature {checked}: a record is missing",
        )
    return ChainReport(True, checked, f"signature chain intact: {checked} signatures")


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
