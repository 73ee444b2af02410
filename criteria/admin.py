"""Plain admin for trials, variables and criteria sets; published sets are read-only here too."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from criteria.models import CriteriaSet, Criterion, Trial, Variable
from trialsite.admin_base import IntegerBoundsMixin, SafeListAdmin


@admin.register(Trial)
class TrialAdmin(SafeListAdmin):
    list_display = ["registry_id", "sponsor_protocol_id", "title"]
    search_fields = ["registry_id", "title"]


@admin.register(Variable)
class VariableAdmin(SimpleHistoryAdmin, SafeListAdmin):
    list_display = ["key", "trial", "section", "data_type", "unit", "minimum", "maximum"]
    list_filter = ["trial", "section", "data_type"]
    search_fields = ["key", "label"]


class CriterionInline(IntegerBoundsMixin, admin.StackedInline):
    model = Criterion
    extra = 0
    fields = [
        "code",
        "kind",
        "label",
        "translations",
        "protocol_wording",
        "expression",
        "applies_if",
        "order",
        "note",
    ]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.is_editable

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.is_editable


@admin.register(CriteriaSet)
class CriteriaSetAdmin(SimpleHistoryAdmin, SafeListAdmin):
    list_display = ["trial", "version", "status", "published_at", "published_by", "change_reason"]
    list_filter = ["trial", "status"]
    inlines = [CriterionInline]
    readonly_fields = ["status", "published_at", "published_by", "created_at", "created_by"]

    def has_change_permission(self, request, obj=None):
        editable = obj is None or obj.is_editable
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
