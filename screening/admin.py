"""Admin views of referrals and episodes; decisions are shown read-only, never edited."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from screening.models import Candidate, Decision, Screening, Signature, SignatureAttempt
from trialsite.admin import ReadOnlyAdmin


@admin.register(Candidate)
class CandidateAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["screening_number", "initials", "year_of_birth", "sex", "referral_date"]
    search_fields = ["screening_number"]


@admin.register(Screening)
class ScreeningAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["candidate", "episode", "status", "started_at", "updated_at"]
    list_filter = ["status"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "sequence",
        "screening",
        "outcome",
        "criteria_set_version",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["outcome", "criteria_set_version"]
    list_select_related = ["screening__candidate", "recorded_by"]
    search_fields = ["screening__candidate__screening_number"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["signed_at", "signer", "signer_full_name", "meaning_kind", "decision"]
    list_select_related = ["signer", "decision"]
    search_fields = ["decision__screening__candidate__screening_number", "signer__username"]


@admin.register(SignatureAttempt)
class SignatureAttemptAdmin(ReadOnlyAdmin):
    list_display = ["attempted_at", "user", "decision", "succeeded"]
    list_filter = ["succeeded"]
    list_select_related = ["user", "decision"]
