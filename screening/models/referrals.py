"""Referrals and screening episodes (DESIGN.md, "Data flow"): `Candidate`, the per-trial
`ScreeningNumberCounter`, and `Screening` with the fields it derives from its decisions
(`DERIVED`).

These are the nurse's entries: changed through the services while an episode is open, kept in
django-simple-history, never deleted. The decisions recorded on an episode, and the other
append-only audit records, are in `screening.models.records`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length, Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from criteria.models import CriteriaSet, Trial
from screening.exceptions import AppendOnlyViolation


class Candidate(models.Model):
    """A referred patient, known here only by screening number, initials and date of birth.

    The date of birth registered here is the only one: each screening episode's date of birth
    is copied from it and kept equal to it by the services. Referrals registered before the
    date was asked have only `year_of_birth`; the screening form then refuses a date of
    birth in another year.
    """

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="candidates")
    screening_number = models.CharField(max_length=48, unique=True, editable=False)
    initials = models.CharField(max_length=4)
    year_of_birth = models.PositiveSmallIntegerField(help_text="The year of date_of_birth.")
    date_of_birth = models.DateField(
        null=True, blank=True, help_text="Empty only for referrals registered before it was asked."
    )
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

    def clean(self) -> None:
        if self.date_of_birth is not None and self.year_of_birth != self.date_of_birth.year:
            raise ValidationError(
                {"year_of_birth": "The year of birth must be the year of the date of birth."}
            )

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
        IN_PROGRESS = "in_progress", _("In progress")
        DECIDED = "decided", _("Decided")

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
    # Where each stored value came from, by key: typed by the nurse, or fetched from the
    # hospital record (system, resource, effective time) and approved (screening.prefill).
    value_sources = models.JSONField(default=dict, db_default={}, blank=True)
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
        # Migration 0014 adds the log's default order (newest first, undecided last), in SQL:
        # "NULLS LAST" is PostgreSQL's; SQLite puts NULL last in a descending index anyway.
        indexes = [
            # The episode pointing at a decision, the undecided ones (NULL), and, read from the
            # index alone, every decided episode's patient and id (the log's keys; INCLUDE is
            # PostgreSQL's, SQLite's rows carry their id).
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
            # The summary's newest episode per patient: a patient's episodes side by side in
            # decision order, with the decision each points at, read from the index alone.
            models.Index(
                fields=["candidate", "current_sequence"],
                include=["current_decision"],
                name="screening_newest_idx",
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
