"""The standards exports page's choice: a trial, a criteria version, and for subject data a
range of days (decided, or started when not yet decided)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from criteria.models import Trial
from screening.review.standards.scope import Scope, ScopeError, scope_get
from trialsite.filter_forms import check_date_range, date_field, mark_invalid_fields


class StandardsScopeForm(forms.Form):
    trial = forms.ChoiceField(label="Trial")
    version = forms.IntegerField(
        label="Criteria version",
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "published"}),
    )
    screened_from = date_field("Screened from")
    screened_to = date_field("Screened to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trial"].choices = [
            (t.registry_id, t.registry_id) for t in Trial.objects.order_by("registry_id")
        ]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("trial", css_class="col-sm-6 col-lg-3"),
                Column("version", css_class="col-sm-6 col-lg-3"),
                Column("screened_from", css_class="col-sm-6 col-lg-2"),
                Column("screened_to", css_class="col-sm-6 col-lg-2"),
                Column(Submit("", "Choose", css_class="w-100"), css_class="col-sm-6 col-lg-2 mb-3"),
                css_class="align-items-end",
            )
        )

    def clean(self):
        cleaned = super().clean()
        check_date_range(self, "screened_from", "screened_to")
        if self.errors or "trial" not in cleaned:
            return cleaned
        try:
            self.scope = scope_get(
                registry_id=cleaned["trial"],
                version=cleaned.get("version"),
                first=cleaned.get("screened_from"),
                last=cleaned.get("screened_to"),
            )
        except ScopeError as error:
            self.add_error("version", forms.ValidationError(str(error), "scope"))
        return cleaned

    def chosen_scope(self) -> Scope | None:
        """The scope when the choice is valid; else None, with the errors marked."""
        if self.is_valid():
            return self.scope
        mark_invalid_fields(self)
        return None
