"""Referrals, screening episodes and the decisions recorded on them (DESIGN.md, "Data flow").

A `Decision` is an audit record: written once by `services.decision_record`, chained by hash to
the one before it, never updated or deleted. The ORM refuses here; on PostgreSQL a trigger
refuses below the ORM as well.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Upper
from simple_history.models import HistoricalRecords

from criteria.models import CriteriaSet, Trial
from screening.exceptions import AppendOnlyViolation


class Candidate(models.Model):
    """A referred patient, known here only by screening number, initials and year of birth."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="candidates")
    screening_number = models.CharField(max_length=48, unique=True, editable=False)
    initials = models.CharField(max_length=4)
    year_of_birth = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=8, choices=Sex.choices)
    referring_unit = models.CharField("referring hospital / department", max_length=200)
    referral_date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The log's order by screening number (S0999 before S1000), walked a page at a time.
            models.Index(
                Length("screening_number"), "screening_number", name="candidate_number_order_idx"
            ),
            # The log's search (UPPER ... LIKE): PostgreSQL keeps statistics on an indexed
            # expression, so it knows a search matches few numbers and reads those first.
            models.Index(Upper("screening_number"), name="candidate_number_search_idx"),
            # The log's order by referral date, and the summary's period.
            models.Index(fields=["referral_date"], name="candidate_referral_date_idx"),
        ]

    def __str__(self) -> str:
        return self.screening_number

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation(
            f"Candidate {self.screening_number} cannot be deleted: the screening log keeps "
            "every referral."
        )


class ScreeningNumberCounter(models.Model):
    """The last screening number issued per trial; locked while a number is issued.

    Kept apart from the candidates so that a number is never reused, whatever happens to rows.
    """

    trial = models.OneToOneField(Trial, on_delete=models.PROTECT, primary_key=True)
    last_issued = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.trial}: last screening number {self.last_issued}"


# Screening's fields derived from its decisions, written only where a decision is appended.
DERIVED = ("current_decision", "current_recorded_at", "current_sequence")


class Screening(models.Model):
    """One screening episode of a candidate under one trial; re-screening opens a new one."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DECIDED = "decided", "Decided"

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="screenings")
    episode = models.PositiveSmallIntegerField()
    criteria_set = models.ForeignKey(
        CriteriaSet,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The published set when the episode was started.",
    )
    # Canonical units, in the JSON form of criteria.values; `entered_units` keeps what was typed.
    values = models.JSONField(default=dict, blank=True)
    entered_units = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived: the episode's newest decision (highest chain sequence), so the log joins it
    # instead of searching every episode's decisions. Written only where a decision is
    # appended (services), never by `save()`; verify_audit checks it. Not in the history: it
    # is no entry of the nurse's, and the decision itself is the audit record. No database
    # constraint: decisions are never deleted (the ORM and a PostgreSQL trigger refuse), and a
    # decision removed below both must be reported by verify_audit, not break the commit.
    current_decision = models.ForeignKey(
        "Decision",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,  # indexed with the candidate, below
        related_name="+",
        help_text="The episode's newest decision (derived; kept by the services).",
    )
    # Derived with it: that decision's time and chain position, the log's order by screened
    # date. Here, a page of that order is one index of episodes read in order, however deep;
    # across the join, every row skipped cost a probe into the episodes' pointer index.
    current_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    current_sequence = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=list(DERIVED))

    class Meta:
        ordering = ["candidate", "episode"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "episode"], name="episode_unique_per_candidate"
            )
        ]
        indexes = [
            # The episode pointing at a decision, the undecided ones (NULL), and, read from the
            # index alone, every decided episode's patient (the summary's newest per patient)
            # and id (the log's keys; INCLUDE is PostgreSQL's, SQLite's rows carry their id).
            models.Index(
                fields=["current_decision", "candidate"],
                include=["id"],
                name="screening_current_idx",
            ),
            models.Index(
                fields=["current_recorded_at", "current_sequence"],
                include=["id"],
                name="screening_screened_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate.screening_number} episode {self.episode}"

    def save(self, *args, **kwargs):
        # An instance read before a decision was appended must not put its stale pointer
        # back: updates write every loaded field except the derived ones.
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname not in deferred
                and field.name not in DERIVED
            ]
        return super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.DECIDED

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation("A screening episode cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A row that may be inserted once and never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyViolation(
                f"{self._meta.verbose_name} {self.pk} is append-only and cannot be changed."
            )
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation(
            f"{self._meta.verbose_name} {self.pk} is append-only and cannot be deleted."
        )


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyViolation(f"{self.model._meta.verbose_name} rows cannot be updated.")

    def delete(self):
        raise AppendOnlyViolation(f"{self.model._meta.verbose_name} rows cannot be deleted.")


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
        ELIGIBLE = "eligible", "Eligible"
        INELIGIBLE = "ineligible", "Ineligible"
        INCOMPLETE = "incomplete", "Incomplete"

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
        # Read from the index alone: the log's counts per outcome (joined on the id) and the
        # summary's newest decision per patient (by sequence).
        indexes = [models.Index(fields=["outcome", "id", "sequence"], name="decision_outcome_idx")]
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
        ELIGIBLE = "eligible", "Eligibility confirmed"
        SCREEN_FAILURE = "screen_failure", "Screen failure confirmed"

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
