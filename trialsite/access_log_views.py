"""The access log page: the investigator reads who viewed which candidate's data, and when.

Three parts, read top to bottom: the filter form (shape of input only), the selector (the
one query, in site-local days), and the thin view. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from trialsite.filter_forms import check_date_range, date_field, mark_invalid_fields
from trialsite.local_days import within_days
from trialsite.models import TRIAL_NUMBER_MARK, CandidateAccess

CONTAINS, EXACT = "", "exact"
MATCH_CHOICES = [(CONTAINS, _("contains")), (EXACT, _("is exactly"))]


@dataclass(frozen=True)
class AccessLogFilters:
    trial: str = ""  # a registry id
    number: str = ""
    exact: bool = False
    username: str = ""
    date_from: dt.date | None = None  # site-local days, both ends included
    date_to: dt.date | None = None


# ---- form --------------------------------------------------------------------------------


class AccessLogFilterForm(forms.Form):
    trial = forms.ChoiceField(required=False, label=_("Trial"))
    number = forms.CharField(
        required=False,
        max_length=CandidateAccess._meta.get_field("screening_number").max_length,
        label=_("Screening number"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    match = forms.ChoiceField(required=False, choices=MATCH_CHOICES, label=_("Number match"))
    username = forms.ChoiceField(required=False, label=_("User"))
    date_from = date_field(_("Viewed from"))
    date_to = date_field(_("Viewed to"))

    def __init__(self, *args, users, trials: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trial"].choices = [("", _("All trials"))] + [(t, t) for t in trials]
        self.fields["username"].choices = [("", _("Anyone"))] + [
            (u.get_username(), _user_label(u)) for u in users
        ]
        for name in ("date_from", "date_to"):  # templates/_filter_field.html writes selects
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        check_date_range(self, "date_from", "date_to")
        return cleaned

    def filters(self) -> AccessLogFilters | None:
        """The filters asked for, or None when any is invalid (each error is shown by its
        field)."""
        if not self.is_valid():
            mark_invalid_fields(self)
            return None
        data = self.cleaned_data
        return AccessLogFilters(
            trial=data["trial"],
            number=data["number"],
            exact=data["match"] == EXACT,
            username=data["username"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )


def _user_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


# ---- selector ----------------------------------------------------------------------------


def access_log_users() -> QuerySet:
    """The users who appear in the access log, by user name: one query, an index probe per
    user (the log is far longer than the list of users)."""
    logged = CandidateAccess.objects.filter(user=OuterRef("pk"))
    return get_user_model().objects.filter(Exists(logged)).order_by("username")


def access_log_trials() -> list[str]:
    """Every trial's registry id (settings.TRIAL_MODEL), for the trial filter."""
    trials = apps.get_model(settings.TRIAL_MODEL).objects.order_by("registry_id")
    return list(trials.values_list("registry_id", flat=True))


def access_log_entries(filters: AccessLogFilters) -> QuerySet:
    """The access log, newest first, filtered; each row's user joined in (one query a page).

    Dates are site-local days: `date_to` includes its whole day, up to the next local midnight.
    """
    entries = CandidateAccess.objects.select_related("user").order_by("-viewed_at", "-id")
    if filters.trial:
        # The screening number's index serves a prefix (LIKE 'x%'), case-sensitively.
        prefix = filters.trial + TRIAL_NUMBER_MARK
        entries = entries.filter(screening_number__startswith=prefix)
    if filters.number:
        lookup = "iexact" if filters.exact else "icontains"
        entries = entries.filter(**{f"screening_number__{lookup}": filters.number})
    if filters.username:
        entries = entries.filter(user__username=filters.username)
    return entries.filter(within_days("viewed_at", filters.date_from, filters.date_to))


# ---- view --------------------------------------------------------------------------------


class AccessLogView(PermissionRequiredMixin, ListView):
    """Read-only. With an invalid filter the page lists nothing and says so, rather than a
    list that looks filtered but is not; the error is shown next to its field."""

    # Deliberately not a CandidateAccessLogMixin view: this page shows who opened which
    # screening number, not a candidate's data, so reading it writes no CandidateAccess row.
    permission_required = "trialsite.view_candidateaccess"
    template_name = "access_log.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        self.form = AccessLogFilterForm(
            self.request.GET, users=access_log_users(), trials=access_log_trials()
        )
        self.filters = self.form.filters()
        if self.filters is None:
            return CandidateAccess.objects.none()
        return access_log_entries(self.filters)

    def get_context_data(self, **kwargs):
        # A page number is not a filter: "match the filters" only when one is set.
        filtered = self.filters not in (None, AccessLogFilters())
        return super().get_context_data(form=self.form, filtered=filtered, **kwargs)
