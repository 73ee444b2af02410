"""What the filter forms above lists share: the screening log's, the summary's period and the
access log's. Dates are typed as site-local days (trialsite.local_days turns them into
stored time); an error is shown next to its field by templates/_filter_field.html.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from trialsite.formats import DATE_INPUT_FORMATS

DATE_SHOWN = "%d-%m-%Y"


class DateField(forms.DateField):
    """A date typed dd-mm-yyyy (shown so) or yyyy-mm-dd. Cleans to a date, or None."""

    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {"invalid": _("Write the date as dd-mm-yyyy, like 10-03-1970.")}

    def __init__(self, *args, **kwargs) -> None:
        attrs = {"placeholder": _("dd-mm-yyyy"), "autocomplete": "off"}
        kwargs.setdefault("widget", forms.DateInput(format=DATE_SHOWN, attrs=attrs))
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> dt.date | None:
        if isinstance(value, str):
            value = value.strip()
        return super().to_python(value)


def date_field(label) -> forms.DateField:
    """An optional date, typed dd-mm-yyyy or yyyy-mm-dd: a `type="date"` picker orders day
    and month by the browser's language, not the site's."""
    return DateField(required=False, label=label)


def check_date_range(form: forms.Form, start: str, end: str) -> None:
    """From `start` to `end`: an end before the start is an error on the end's field."""
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and first > last:
        form.add_error(end, forms.ValidationError(_("Must not be before the start date."), "range"))


def mark_invalid_fields(form: forms.Form) -> None:
    """Give each input with an error Bootstrap's `is-invalid`, which shows the message under it
    (the template writes selects itself, and marks them)."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
