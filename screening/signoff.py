"""The investigator's electronic sign-off of a decision (21 CFR Part 11 §11.50, §11.70, §11.200).

A signature is written only after the signer re-enters their password; it states the signer's
printed name, the time (UTC) and the meaning they confirmed, and it carries the decision's
`entry_hash`, so it is bound to that exact record. Every attempt is kept (`SignatureAttempt`)
and a wrong password is logged on "trialsite.security", so failed sign-off passwords can be
counted like failed logins.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from screening.exceptions import SignOffRefused, WrongPassword
from screening.failures import failed_results
from screening.hashing import chain_hash, decision_payload
from screening.models import ChainHead, Decision, Signature, SignatureAttempt

SIGNATURE_CHAIN = "signatures"
SIGN_PERMISSION = "screening.add_signature"
security_log = logging.getLogger("trialsite.security")


def signature_meaning(decision: Decision) -> tuple[str, str]:
    """What signing this decision means, as (Signature.Meaning value, statement shown)."""
    trial = decision.screening.candidate.trial.registry_id
    version = decision.criteria_set_version
    if decision.outcome == Decision.Outcome.ELIGIBLE:
        return Signature.Meaning.ELIGIBLE, _(
            "I confirm that this patient meets all eligibility criteria of %(trial)s, "
            "criteria version %(version)s."
        ) % {"trial": trial, "version": version}
    codes = [r["code"] for r in failed_results(decision.results)]
    if codes:
        why = _("failed criteria %(codes)s") % {"codes": ", ".join(codes)}
    else:
        why = _("screening closed incomplete")
    if decision.screen_failure_reason:
        why = _("%(why)s; reason: %(reason)s") % {
            "why": why,
            "reason": decision.screen_failure_reason,
        }
    return Signature.Meaning.SCREEN_FAILURE, _(
        "I confirm that this patient failed screening for %(trial)s under criteria version "
        "%(version)s (%(why)s) and is not eligible."
    ) % {"trial": trial, "version": version, "why": why}


def signature_payload(signature: Signature) -> dict:
    """Everything a signature asserts; its entry hash covers all of it."""
    return {
        "public_id": str(signature.public_id),
        "sequence": signature.sequence,
        "decision": str(signature.decision.public_id),
        "decision_hash": signature.decision_hash,
        "signer": signature.signer.get_username(),
        "signer_full_name": signature.signer_full_name,
        "meaning_kind": signature.meaning_kind,
        "meaning": signature.meaning,
        "signed_at": signature.signed_at.isoformat(),
    }


def signoff_refusal(*, decision: Decision, signer) -> str:
    """Why `signer` may not sign `decision` now, or "" when they may."""
    if not signer.has_perm(SIGN_PERMISSION):
        return _("Only an investigator can sign off a screening decision.")
    if not signer.get_full_name().strip():
        # §11.50: the signed record shows the signer's printed name.
        return _("Your account has no full name. Ask the administrator to add it, then sign.")
    newer = Decision.objects.filter(
        screening_id=decision.screening_id, sequence__gt=decision.sequence
    )
    if newer.exists():
        return _("A newer decision exists for this screening episode; sign that one instead.")
    existing = Signature.objects.filter(decision=decision).select_related("signer").first()
    if existing is not None:
        return _("This decision was already signed off by %(name)s on %(when)s.") % {
            "name": existing.signer_full_name,
            "when": date_format(timezone.localtime(existing.signed_at), "SHORT_DATETIME_FORMAT"),
        }
    return ""


def signature_sign(
    *, decision: Decision, signer, password: str, ip_address: str | None = None
) -> Signature:
    """Sign `decision` as `signer` after checking their password.

    In: a recorded decision, the logged-in investigator, the password they re-entered.
    Out: the Signature (meaning from `signature_meaning`, the decision's entry hash, UTC time),
    appended to the signature chain with a successful SignatureAttempt, in one transaction.
    Raises SignOffRefused (not an investigator, no full name, already signed, superseded,
    decision altered) or WrongPassword; nothing is signed then. A wrong password is recorded
    as a failed SignatureAttempt in its own transaction, which stays when the refusal is raised.
    """
    refusal = signoff_refusal(decision=decision, signer=signer)
    if refusal:
        raise SignOffRefused(refusal)
    if not signer.check_password(password):
        signature_attempt_record(decision=decision, user=signer, ip_address=ip_address)
        security_log.warning(
            "sign-off refused, wrong password: user=%s decision=%s ip=%s",
            signer.get_username(),
            decision.public_id,
            ip_address or "-",
        )
        raise WrongPassword(_("The password is not correct. Nothing was signed."))
    return _signature_append(decision=decision, signer=signer, ip_address=ip_address)


@transaction.atomic
def signature_attempt_record(
    *, decision: Decision, user, ip_address: str | None, succeeded: bool = False
) -> SignatureAttempt:
    """Keep one sign-off attempt (never the password): who, which decision, when, from where."""
    attempt = SignatureAttempt(
        user=user,
        decision=decision,
        succeeded=succeeded,
        attempted_at=timezone.now(),
        ip_address=ip_address,
    )
    attempt.full_clean()
    attempt.save()
    return attempt


@transaction.atomic
def _signature_append(*, decision: Decision, signer, ip_address: str | None) -> Signature:
    # The chain head row is the lock: signatures are appended one at a time, so the checks
    # below cannot race with a second investigator signing the same decision.
    head, _created = ChainHead.objects.select_for_update().get_or_create(
        name=SIGNATURE_CHAIN, defaults={"sequence": 0}
    )
    decision = Decision.objects.select_related("screening__candidate__trial", "recorded_by").get(
        pk=decision.pk
    )
    refusal = signoff_refusal(decision=decision, signer=signer) or _altered(decision)
    if refusal:
        raise SignOffRefused(refusal)
    meaning_kind, meaning = signature_meaning(decision)
    signature = Signature(
        sequence=head.sequence + 1,
        decision=decision,
        decision_hash=decision.entry_hash,
        signer=signer,
        signer_full_name=signer.get_full_name().strip(),
        meaning_kind=meaning_kind,
        meaning=meaning,
        signed_at=timezone.now(),
        previous_hash=head.entry_hash,
    )
    signature.entry_hash = chain_hash(signature_payload(signature), head.entry_hash)
    signature.full_clean()
    signature.save()
    head.sequence, head.entry_hash = signature.sequence, signature.entry_hash
    head.save()
    signature_attempt_record(decision=decision, user=signer, ip_address=ip_address, succeeded=True)
    return signature


def _altered(decision: Decision) -> str:
    # Never sign a record whose content no longer matches its hash.
    if chain_hash(decision_payload(decision), decision.previous_hash) != decision.entry_hash:
        return _(
            "This decision's content does not match its hash, so it cannot be signed. "
            "Report it to the trial's data manager (python manage.py verify_audit)."
        )
    return ""
