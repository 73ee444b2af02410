"""The access log in the Django admin: readable by staff with the view permission, never
changed (the rows are append-only)."""

from django.contrib import admin

from screening.admin import ReadOnlyAdmin
from trialsite.models import CandidateAccess


@admin.register(CandidateAccess)
class CandidateAccessAdmin(ReadOnlyAdmin):
    list_display = ["viewed_at", "user", "screening_number", "path"]
    list_filter = ["viewed_at"]
    list_select_related = ["user"]
    search_fields = ["screening_number", "user__username"]
    date_hierarchy = "viewed_at"
