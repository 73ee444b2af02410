"""Project-wide records. `CandidateAccess`: who looked at which candidate, when (read access to
identifiable data is part of the audit trail, not only writes)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from trialsite.append_only import AppendOnlyModel, AppendOnlyQuerySet

# What separates the registry id from the running number in a screening number.
TRIAL_NUMBER_MARK = "-S"


class CandidateAccess(AppendOnlyModel):
    """One page view that showed a candidate's data. Append-only, like the decisions.

    The candidate is kept by screening number (a string, not a foreign key) so the log reads
    the same as the screening log and outlives any change to the candidate row.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    screening_number = models.CharField(max_length=48, db_index=True)
    path = models.CharField(max_length=500)
    viewed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = "candidate access"
        verbose_name_plural = "candidate access log"

    @property
    def registry_id(self) -> str:
        """The trial, read from the screening number, which the trial issues as
        "<registry id>-S<n>"."""
        return self.screening_number.rpartition(TRIAL_NUMBER_MARK)[0]

    def __str__(self) -> str:
        return f"{self.user} viewed {self.screening_number} at {self.viewed_at:%Y-%m-%d %H:%M:%S}"


class LanguagePreference(models.Model):
    """The language a user chose for the interface, kept across sessions and devices."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    chosen_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
