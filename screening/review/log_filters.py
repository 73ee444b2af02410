"""The screening log's filters (django-filter), shared by the page and its CSV/XLSX exports.

A filter with an error (a date that is no date, a "to" before its "from") is shown as an error
next to its field and left out; the other filters still apply.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from criteria.form_fields import DateField
from criteria.selectors import criterion_labels, trial_ids
from screening.models import Decision, FailedCriterion, Signature
from screening.review.log_query import IN_PROGRESS, log_filter_recorders
from trialsite.filter_forms import check_date_range, mark_invalid_fields
from trialsite.local_days import within_days

SCREENED_AT = "current_decision__recorded_at"
SIGNOFF_CHOICES = [("signed", _("Signed off")), ("unsigned", _("Awaiting sign-off"))]


def failed_criterion_value(trial: str, code: str) -> str:
    # A space never occurs in a registry id or a criterion code.
    return f"{trial} {code}"


class LogFilterForm(forms.Form):
    """The filter form django-filter builds, with the date range checked and each field
    with an error marked for Bootstrap."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered by templates/_filter_field.html, which writes selects itself.
        for field in self.fields.values():
            if not isinstance(field, forms.ChoiceField):
                field.widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        check_date_range(self, "screened_from", "screened_to")
        return cleaned

    def full_clean(self):
        super().full_clean()
        mark_invalid_fields(self)


class DayFilter(django_filters.Filter):
    """A site-local day, typed dd-mm-yyyy or ISO in a text input (not the browser's picker)."""

    field_class = DateField


class LogFilter(django_filters.FilterSet):
    trial = django_filters.ChoiceFilter(
        field_name="candidate__trial__registry_id", label=_("Trial"), empty_label=_("All trials")
    )
    q = django_filters.CharFilter(
        field_name="candidate__screening_number",
        lookup_expr="icontains",
        label=_("Screening number"),
        max_length=48,
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"),
        method="filter_outcome",
        choices=[*Decision.Outcome.choices, (IN_PROGRESS, _("Not decided"))],
        empty_label=_("Any outcome"),
    )
    screened_from = DayFilter(label=_("Screened from"), method="filter_screened_from")
    screened_to = DayFilter(label=_("Screened to"), method="filter_screened_to")
    failed_criterion = django_filters.ChoiceFilter(
        label=_("Failed criterion"), method="filter_failed", empty_label=_("Any criterion")
    )
    recorded_by = django_filters.ChoiceFilter(
        field_name="current_decision__recorded_by__username",
        label=_("Recorded by"),
        empty_label=_("Anyone"),
    )
    signoff = django_filters.ChoiceFilter(
        label=_("Sign-off"),
        method="filter_signoff",
        choices=SIGNOFF_CHOICES,
        empty_label=_("Signed or not"),
    )

    class Meta:
        form = LogFilterForm
        fields: list[str] = []  # all declared above

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        trials = trial_ids()
        self.filters["trial"].extra["choices"] = [(t, t) for t in trials]
        # With several trials each criterion is named with its trial's registry id:
        # "NCT01387295 I07" and "NCT09990001 I07" differ.
        several = len(trials) > 1
        self.filters["failed_criterion"].extra["choices"] = [
            (
                failed_criterion_value(trial, code),
                (f"{trial} " if several else "") + f"{code} {label}"[:80],
            )
            for (trial, code), label in criterion_labels().items()
        ]
        self.filters["recorded_by"].extra["choices"] = [
            (u.get_username(), u.get_full_name() or u.get_username())
            for u in log_filter_recorders()
        ]

    @property
    def filtered(self) -> bool:
        """Whether any filter is applied (a page number or a sort is no filter)."""
        return any(value not in (None, "") for value in self.form.cleaned_data.values())

    def filter_outcome(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == IN_PROGRESS:
            return queryset.filter(current_decision__isnull=True)
        return queryset.filter(current_decision__outcome=value)

    def filter_screened_from(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(within_days(SCREENED_AT, value, None))

    def filter_screened_to(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(within_days(SCREENED_AT, None, value))

    def filter_failed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A code names a criterion only within its trial.
        trial, code = value.split(" ", 1)
        failed = FailedCriterion.objects.filter(decision=OuterRef("current_decision"), code=code)
        return queryset.filter(Exists(failed), candidate__trial__registry_id=trial)

    def filter_signoff(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        signed = Exists(Signature.objects.filter(decision=OuterRef("current_decision")))
        if value == "signed":
            return queryset.filter(signed)
        return queryset.filter(~signed, current_decision__isnull=False)
