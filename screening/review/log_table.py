"""The screening log as a django-tables2 table: its columns, its sorts and its pages.

Rows are `LogRow`s (an episode, its current decision and sign-offs); the columns here give
the headers and sorts, templates/screening/_log_table.html the rows' markup. Each sort names
its database order here: episodes not decided come last whichever way a column of the
decision runs, and ties go by screening
number (S0999 before S1000), or by registration among episodes not decided in the default
order, which an index of the episodes holds (migration 0014).
"""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import F, QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

PER_PAGE = 50
_BY_NUMBER = (Length("candidate__screening_number"), F("candidate__screening_number"))


def _sorted(queryset: QuerySet, keys, descending: bool, *, nulls_last: bool = False, tie=()):
    nulls = {"nulls_last": True} if nulls_last else {}
    ordering = [key.desc(**nulls) if descending else key.asc(**nulls) for key in keys]
    return queryset.order_by(*ordering, *tie), True


_NUMBER_TIE = (*_BY_NUMBER, F("episode"))


# Below 1,200 px (a tablet) these columns are written under the screening number instead
# (templates/screening/_log_rows.jinja), so the outcome and the sign-off fit beside it.
WIDE_ONLY = {"th": {"class": "d-none d-xl-table-cell"}}


class LogTable(tables.Table):
    """The log's columns: their headers, which sort and how (order_<column>), and its pages."""

    screening_number = tables.Column(verbose_name=_("Screening number"))
    trial = tables.Column(verbose_name=_("Trial"), orderable=False, attrs=WIDE_ONLY)
    episode = tables.Column(verbose_name=_("Ep."), orderable=False, attrs=WIDE_ONLY)
    referral_date = tables.Column(verbose_name=_("Referred"), attrs=WIDE_ONLY)
    screened_at = tables.Column(verbose_name=_("Screened"))
    outcome = tables.Column(verbose_name=_("Outcome"))
    failed = tables.Column(verbose_name=_("Failed criteria"), orderable=False)
    recorded_by = tables.Column(verbose_name=_("Recorded by"), attrs=WIDE_ONLY)
    signoff = tables.Column(verbose_name=_("Sign-off"), orderable=False)

    class Meta:
        template_name = "screening/_log_table.html"
        order_by = "-screened_at"
        empty_text = _("No screening episodes match these filters.")
        attrs = {"class": "table table-hover align-middle", "data-testid": "log-table"}

    def paginate(self, *args, **kwargs):
        # Always PER_PAGE rows: a ?per_page= in the address is not a way to read every row.
        kwargs["per_page"] = PER_PAGE
        super().paginate(*args, **kwargs)

    def order_screening_number(self, queryset, descending: bool):
        return _sorted(queryset, (*_BY_NUMBER, F("episode")), descending)

    def order_referral_date(self, queryset, descending: bool):
        return _sorted(queryset, [F("candidate__referral_date")], descending, tie=_NUMBER_TIE)

    def order_screened_at(self, queryset, descending: bool):
        # The episode's copies of its decision's time and chain position: the default order,
        # newest first, is one index of the episodes (page 1,000 of 100,000 by number reads
        # that index alone; across the join to the decisions it probed each row skipped).
        keys = [F("current_recorded_at"), F("current_sequence")]
        return _sorted(queryset, keys, descending, nulls_last=True, tie=[F("id")])

    def order_outcome(self, queryset, descending: bool):
        keys = [F("current_decision__outcome")]
        return _sorted(queryset, keys, descending, nulls_last=True, tie=_NUMBER_TIE)

    def order_recorded_by(self, queryset, descending: bool):
        keys = [F("current_decision__recorded_by__username")]
        return _sorted(queryset, keys, descending, nulls_last=True, tie=_NUMBER_TIE)
