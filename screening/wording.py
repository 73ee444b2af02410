"""A decision's outcome in words, the same on the confirmation page, in the message after
recording, on the candidate page, in the audit trail and in the log."""

from __future__ import annotations

from screening.failures import failed_results
from screening.models import Decision


def outcome_words(*, outcome: str, failed_codes: list[str], reason: str) -> str:
    """A decision's outcome as the nurse and the log read it: "Eligible", "Ineligible (failed:
    I13, E03)", "Screen failure (incomplete: patient declined)"."""
    if outcome == Decision.Outcome.INCOMPLETE:
        return f"Screen failure (incomplete: {reason})" if reason else "Incomplete"
    if outcome == Decision.Outcome.INELIGIBLE:
        details = [f"failed: {', '.join(failed_codes)}"] if failed_codes else []
        if reason:
            details.append(f"reason: {reason}")
        return "Ineligible" + (f" ({'; '.join(details)})" if details else "")
    return Decision.Outcome(outcome).label


def decision_words(decision: Decision) -> str:
    """`outcome_words` of a recorded decision."""
    return outcome_words(
        outcome=decision.outcome,
        failed_codes=[r["code"] for r in failed_results(decision.results)],
        reason=decision.screen_failure_reason,
    )
