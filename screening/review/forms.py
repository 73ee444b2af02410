"""Forms of the investigator's pages: the log's filters, the summary's period, the sign-off.

They check the shape of input only. The sign-off form does not check the password: the
service does, so that every wrong password is recorded and logged in one place.
"""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from screening.models import Decision
from screening.review.log_query import IN_PROGRESS, SORTS, LogFilters
from trialsite.filter_forms import check_date_range, date_field, mark_invalid_fields

OUTCOME_CHOICES = [("", "Any outcome"), *Decision.Outcome.choices, (IN_PROGRESS, "Not decided")]
SIGNOFF_CHOICES = [
    ("", "Signed or not"),
    ("signed", "Signed off"),
    ("unsigned", "Awaiting sign-off"),
]
SORT_CHOICES = [(key, key) for name in SORTS for key in (name, f"-{name}")]


def trial_choices(trials: list[str]) -> list[tuple[str, str]]:
    return [("", "All trials"), *((registry_id, registry_id) for registry_id in trials)]


def failed_criterion_value(trial: str, code: str) -> str:
    # A space never occurs in a registry id or a criterion code.
    return f"{trial} {code}"


class LogFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=48, label="Screening number")
    trial = forms.ChoiceField(required=False, label="Trial")
    outcome = forms.ChoiceField(required=False, choices=OUTCOME_CHOICES)
    screened_from = date_field("Screened from")
    screened_to = date_field("Screened to")
    failed_criterion = forms.ChoiceField(required=False, label="Failed criterion")
    recorded_by = forms.ChoiceField(required=False, label="Recorded by")
    signoff = forms.ChoiceField(required=False, choices=SIGNOFF_CHOICES, label="Sign-off")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)

    def __init__(self, *args, trials: list[str], criteria: dict, recorders, **kwargs):
        """`criteria`: label by (registry id, code). With several trials each criterion is
        named with its trial's registry id: "NCT01387295 I07" and "NCT09990001 I07" differ."""
        super().__init__(*args, **kwargs)
        self.fields["trial"].choices = trial_choices(trials)
        several = len(trials) > 1
        self.fields["failed_criterion"].choices = [("", "Any criterion")] + [
            (
                failed_criterion_value(trial, code),
                f"{trial + ' ' if several else ''}" + f"{code} {label}"[:80],
            )
            for (trial, code), label in criteria.items()
        ]
        self.fields["recorded_by"].choices = [("", "Anyone")] + [
            (u.get_username(), u.get_full_name() or u.get_username()) for u in recorders
        ]
        # Rendered by templates/screening/_log_filters.html; the inputs carry their classes.
        for name in ("q", "screened_from", "screened_to"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        check_date_range(self, "screened_from", "screened_to")
        return cleaned

    def filters(self) -> LogFilters:
        """The valid filters; a field with an error is left out (and shown as an error)."""
        self.is_valid()  # fields with errors are not in cleaned_data
        mark_invalid_fields(self)
        data = self.cleaned_data
        failed = data.get("failed_criterion", "")
        return LogFilters(
            trial=data.get("trial", ""),
            outcome=data.get("outcome", ""),
            screened_from=data.get("screened_from"),
            screened_to=data.get("screened_to"),
            failed_criterion=tuple(failed.split(" ", 1)) if failed else (),
            recorded_by=data.get("recorded_by", ""),
            signoff=data.get("signoff", ""),
            search=data.get("q", ""),
            sort=data.get("sort") or LogFilters.sort,
        )


class SummaryPeriodForm(forms.Form):
    trial = forms.ChoiceField(required=False, label="Trial")
    referred_from = date_field("Referred from")
    referred_to = date_field("Referred to")

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
                Column(Submit("", "Show", css_class="w-100"), css_class="col-md-2 mb-3"),
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
        error_messages={"required": "Tick the statement to confirm what your signature means."},
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password",
        help_text="Re-enter your password: it is your electronic signature.",
    )

    def __init__(self, *args, meaning: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = meaning
        self.helper = FormHelper()
        self.helper.add_input(Submit("sign", "Sign off", css_class="btn-primary"))
