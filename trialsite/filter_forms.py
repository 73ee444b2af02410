"""What the filter forms above lists share: the screening log's, the summary's period and the
access log's. Dates are typed as site-local days (trialsite.local_days turns them into
stored time); an error is shown next to its field by templates/_filter_field.html.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def date_field(label) -> forms.DateField:
    """An optional date, typed in the browser's date picker."""
    return forms.DateField(
        required=False,
        label=label,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


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
