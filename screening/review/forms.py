"""Forms of the investigator's pages: the summary's period and the sign-off (the log's
filters are in log_filters).

They check the shape of input only. The sign-off form does not check the password: the
service does, so that every wrong password is recorded and logged in one place.
"""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from trialsite.filter_forms import check_date_range, date_field


def trial_choices(trials: list[str]) -> list[tuple[str, str]]:
    return [("", _("All trials")), *((registry_id, registry_id) for registry_id in trials)]


class SummaryPeriodForm(forms.Form):
    trial = forms.ChoiceField(required=False, label=_("Trial"))
    referred_from = date_field(_("Referred from"))
    referred_to = date_field(_("Referred to"))

    def __init__(self, *args, trials: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trial"].choices = trial_choices(trials)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("trial", css_class="col-md-3"),
                Column("referred_from", css_class="col-md-3"),
                Column("referred_to", css_class="col-md-3"),
                Column(Submit("", _("Show"), css_class="w-100"), css_class="col-md-2 mb-3"),
                css_class="align-items-end",
            )
        )

    def clean(self):
        cleaned = super().clean()
        check_date_range(self, "referred_from", "referred_to")
        return cleaned

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        self.is_valid()  # fields with errors are not in cleaned_data
        return self.cleaned_data.get("referred_from"), self.cleaned_data.get("referred_to")

    def chosen_trial(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("trial", "")


class SignOffForm(forms.Form):
    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick the statement to confirm what your signature means.")},
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label=_("Your password"),
        help_text=_("Re-enter your password: it is your electronic signature."),
    )

    def __init__(self, *args, meaning: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = meaning
        self.helper = FormHelper()
        self.helper.add_input(Submit("sign", _("Sign off"), css_class="btn-primary"))
