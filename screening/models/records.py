"""The decisions recorded on screening episodes and the other audit records (DESIGN.md,
"Data flow"): `RulesSnapshot`, `Decision`, `FailedCriterion`, `ChainHead`, `Signature`,
`SignatureAttempt`.

A `Decision` is an audit record: written once by `services.decision_record`, chained by hash to
the one before it, never updated or deleted. The ORM refuses here (`AppendOnlyModel`, in
`trialsite.append_only`); on PostgreSQL a trigger refuses below the ORM as well. Signatures
and sign-off attempts are kept the same way. `ChainHead` is no record itself: it is the row
locked while a link is appended to the decision or the signature chain.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from criteria.models import CriteriaSet
from screening.models.referrals import Screening
from trialsite.append_only import AppendOnlyModel, AppendOnlyQuerySet


class RulesSnapshot(AppendOnlyModel):
    """The rules a decision used, stored once per distinct content under its SHA-256."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    rules = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"rules {self.sha256[:12]}"


class Decision(AppendOnlyModel):
    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")
        INCOMPLETE = "incomplete", _("Incomplete")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveBigIntegerField(unique=True, help_text="Position in the chain.")
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="decisions")
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="+")
    criteria_set_version = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    # Set when an incomplete screening is closed as a screen failure (e.g. "patient declined").
    screen_failure_reason = models.TextField(blank=True)
    results = models.JSONField(help_text="Per-criterion results as the evaluator gave them.")
    missing = models.JSONField(default=list)
    derived = models.JSONField(default=dict)
    values_snapshot = models.JSONField()
    # Where each value of the snapshot came from (Screening.value_sources at the decision).
    sources_snapshot = models.JSONField(default=dict, db_default={}, blank=True)
    # Content-addressed: identical rules are stored once, and the chain hash covers their hash.
    rules_snapshot = models.ForeignKey(
        "RulesSnapshot", on_delete=models.PROTECT, related_name="+", db_column="rules_sha256"
    )
    evaluator_version = models.CharField(max_length=16)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        get_latest_by = "sequence"
        # Read from the index alone: the log's counts per outcome (joined on the id), the
        # summary's newest decision per patient (by sequence) and its failures per trial (by
        # criteria set); without it the summary read every decision's row (26,500 pages for
        # 100,000 decisions against 2,150; migration 0015).
        indexes = [
            models.Index(
                fields=["outcome", "id", "sequence", "criteria_set"],
                name="decision_outcome_set_idx",
            )
        ]
        permissions = [
            ("export_screening_log", "Can export the screening log"),
            ("view_audit_trail", "Can view a candidate's audit trail"),
        ]

    def __str__(self) -> str:
        return f"Decision {self.sequence}: {self.outcome}"


class FailedCriterion(AppendOnlyModel):
    """One criterion a decision failed (an inclusion not met, an exclusion that applies).

    Derived from the decision's `results`, written with it in the same transaction and never
    changed, so the log filters on a failed criterion and the summary counts failures by
    index instead of reading every decision's JSON. verify_audit checks it against `results`.
    """

    # No index of its own: the unique (decision, position) constraint leads with it.
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="failures", db_index=False
    )
    position = models.PositiveSmallIntegerField(help_text="Index of the entry in `results`.")
    code = models.CharField(max_length=16)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "position"], name="failed_criterion_unique_position"
            )
        ]
        indexes = [models.Index(fields=["code", "decision"], name="failed_criterion_code_idx")]

    def __str__(self) -> str:
        return f"decision {self.decision_id} failed {self.code}"


class ChainHead(models.Model):
    """The newest link of the decision chain, locked while a decision is appended.

    Locking one row serialises appends on every database, so two decisions recorded at the
    same moment can never name the same predecessor.
    """

    name = models.CharField(max_length=32, primary_key=True)
    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.name} chain at {self.sequence}"


class Signature(AppendOnlyModel):
    """An investigator's electronic signature on one decision (21 CFR 11.50 / 11.70).

    It shows the signer's printed name, when (UTC) and what the signature means, and carries
    the decision's `entry_hash`, so the signature is bound to that exact record. Signatures
    form their own hash chain (`ChainHead` "signatures"), so `verify_audit` notices one that is
    altered, removed or re-pointed at another decision.
    """

    class Meaning(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligibility confirmed")
        SCREEN_FAILURE = "screen_failure", _("Screen failure confirmed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveBigIntegerField(unique=True, help_text="Position in the chain.")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="signatures")
    decision_hash = models.CharField(max_length=64, help_text="The decision's entry_hash.")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_full_name = models.CharField(max_length=300)
    meaning_kind = models.CharField(max_length=16, choices=Meaning.choices)
    meaning = models.TextField(help_text="The statement the signer confirmed, word for word.")
    signed_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        constraints = [
            # One sign-off per decision; a changed assessment needs a new decision.
            models.UniqueConstraint(fields=["decision"], name="one_signature_per_decision")
        ]

    def __str__(self) -> str:
        return (
            f"Signature {self.sequence} by {self.signer_full_name} on decision {self.decision_id}"
        )


class SignatureAttempt(AppendOnlyModel):
    """Every sign-off attempt, signed or refused, so failed passwords can be counted like
    failed logins (the password itself is never stored)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    succeeded = models.BooleanField()
    attempted_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["attempted_at"]
        indexes = [models.Index(fields=["user", "succeeded", "attempted_at"])]

    def __str__(self) -> str:
        verdict = "signed" if self.succeeded else "refused"
        return f"sign-off attempt by user {self.user_id} at {self.attempted_at}: {verdict}"
