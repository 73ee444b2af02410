"""The access log in the Django admin: readable by staff with the view permission, never
changed (the rows are append-only)."""

from django.contrib import admin

from trialsite.admin_base import SafeListAdmin
from trialsite.models import CandidateAccess


class ReadOnlyAdmin(SafeListAdmin):
    """Audit records in the admin: shown to staff, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CandidateAccess)
class CandidateAccessAdmin(ReadOnlyAdmin):
    list_display = ["viewed_at", "user", "screening_number", "path"]
    list_filter = ["viewed_at"]
    list_select_related = ["user"]
    search_fields = ["screening_number", "user__username"]
    date_hierarchy = "viewed_at"
