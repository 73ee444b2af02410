"""What every admin page of TrialSite shares: a whole number past its column is refused next
to its field, as on every other form (trialsite.integers), and a list whose filters ask for a
date or number no column can hold shows Django's "invalid filter" notice, not a server error.
(trialsite.admin.ReadOnlyAdmin builds on it for the append-only records.)"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trialsite.integers import integer_range


class IntegerBoundsMixin:
    """For ModelAdmin and inlines alike: Django bounds an integer field by the database in
    use, and SQLite takes 64 bits in any column; these are the bounds of every database."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.IntegerField) and isinstance(field, forms.IntegerField):
            low, high = integer_range(db_field.get_internal_type())
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
        return field


class SafeListAdmin(IntegerBoundsMixin, admin.ModelAdmin):
    def get_changelist_instance(self, request):
        # Django's own date hierarchy and date filters compute "the next year/day" and UTC
        # times from the query string: year 9999, or 10**20, ends in OverflowError/ValueError.
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
