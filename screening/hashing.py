"""The decision chain's hash: SHA-256 over a canonical JSON form (DESIGN.md, "Versions and audit").

Canonical means sorted keys, no insignificant white space, UTF-8, and every value already a
string, number, boolean, list or object, so the same record always gives the same bytes.
"""

import hashlib
import json

GENESIS_HASH = "0" * 64


def canonical_json(payload: dict) -> bytes:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def chain_hash(payload: dict, previous_hash: str) -> str:
    """The hash of one record, bound to its predecessor's hash."""
    return hashlib.sha256(
        canonical_json({"previous_hash": previous_hash, "record": payload})
    ).hexdigest()


def decision_payload(decision) -> dict:
    """Everything a decision asserts, as it is stored; the hash covers all of it."""
    return {
        "public_id": str(decision.public_id),
        "sequence": decision.sequence,
        "screening_number": decision.screening.candidate.screening_number,
        "episode": decision.screening.episode,
        "criteria_set_id": decision.criteria_set_id,
        "criteria_set_version": decision.criteria_set_version,
        "outcome": decision.outcome,
        "screen_failure_reason": decision.screen_failure_reason,
        "results": decision.results,
        "missing": decision.missing,
        "derived": decision.derived,
        "values_snapshot": decision.values_snapshot,
        "rules_snapshot": decision.rules_snapshot,
        "evaluator_version": decision.evaluator_version,
        "recorded_by": decision.recorded_by.get_username(),
        "recorded_at": decision.recorded_at.isoformat(),
    }
