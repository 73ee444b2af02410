"""The decision chain's hash: SHA-256 over a canonical JSON form (DESIGN.md, "Versions and audit").

Canonical means sorted keys, no insignificant white space, UTF-8, and every value already a
string, number, boolean, list or object, so the same record always gives the same bytes.

A decision is hashed in two levels. Its large parts — per-criterion results, missing
variables, derived values and the values snapshot — are hashed on their own into
`content_sha256`; the chained record holds that digest beside every other field. Changing any
stored field still changes the entry hash (a changed result changes `content_sha256`, which
changes the record). Every writer and `verify_audit` compute both levels from the stored
fields with `decision_payload`: there is no other way to hash a decision.
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


def content_hash(payload: dict) -> str:
    """SHA-256 of a JSON object's canonical form (content addressing of rule snapshots)."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def decision_content_sha256(
    *, results, missing, derived, values_snapshot, sources_snapshot=None
) -> str:
    """The hash of a decision's large parts, as stored (JSON values). The values' sources are
    hashed only when there are any, so decisions recorded before sources were kept verify
    as they always did."""
    content = {
        "results": results,
        "missing": missing,
        "derived": derived,
        "values_snapshot": values_snapshot,
    }
    if sources_snapshot:
        content["sources_snapshot"] = sources_snapshot
    return content_hash(content)


def decision_payload(decision) -> dict:
    """Everything a decision asserts, as it is stored; the hash covers all of it."""
    content_sha256 = decision_content_sha256(
        results=decision.results,
        missing=decision.missing,
        derived=decision.derived,
        values_snapshot=decision.values_snapshot,
        sources_snapshot=decision.sources_snapshot,
    )
    return {
        "public_id": str(decision.public_id),
        "sequence": decision.sequence,
        "screening_number": decision.screening.candidate.screening_number,
        "episode": decision.screening.episode,
        "criteria_set_id": decision.criteria_set_id,
        "criteria_set_version": decision.criteria_set_version,
        "outcome": decision.outcome,
        "screen_failure_reason": decision.screen_failure_reason,
        "content_sha256": content_sha256,
        "rules_sha256": decision.rules_snapshot_id,
        "evaluator_version": decision.evaluator_version,
        "recorded_by": decision.recorded_by.get_username(),
        "recorded_at": decision.recorded_at.isoformat(),
    }
