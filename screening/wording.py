"""A decision's outcome in words, the same on the confirmation page, in the message after
recording, on the candidate page, in the audit trail and in the log."""

from __future__ import annotations

from django.utils.translation import gettext as _

from screening.failures import failed_results
from screening.models import Decision


def outcome_words(*, outcome: str, failed_codes: list[str], reason: str) -> str:
    """A decision's outcome as the nurse and the log read it: "Eligible", "Ineligible (failed:
    I13, E03)", "Screen failure (incomplete: patient declined)"."""
    if outcome == Decision.Outcome.INCOMPLETE:
        if reason:
            return _("Screen failure (incomplete: %(reason)s)") % {"reason": reason}
        return str(Decision.Outcome.INCOMPLETE.label)
    if outcome == Decision.Outcome.INELIGIBLE:
        details = (
            [_("failed: %(codes)s") % {"codes": ", ".join(failed_codes)}] if failed_codes else []
        )
        if reason:
            details.append(_("reason: %(reason)s") % {"reason": reason})
        label = str(Decision.Outcome.INELIGIBLE.label)
        return f"{label} ({'; '.join(details)})" if details else label
    return str(Decision.Outcome(outcome).label)


def decision_words(decision: Decision) -> str:
    """`outcome_words` of a recorded decision."""
    return outcome_words(
        outcome=decision.outcome,
        failed_codes=[r["code"] for r in failed_results(decision.results)],
        reason=decision.screen_failure_reason,
    )
