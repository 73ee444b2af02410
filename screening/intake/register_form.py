"""The referral form with the trial to screen for: chosen once, at registration, since the
trial issues the screening number."""

from __future__ import annotations

from django import forms

from screening.intake.forms import CandidateForm

NO_TRIAL = (
    "No trial has published criteria yet, so no referral can be registered. A criteria admin "
    "loads the trial's protocol file (load_protocol) first."
)


class TrialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.registry_id} · {obj.title}"


class CandidateRegisterForm(CandidateForm):
    """The referral form with the trial to screen for; the trial is chosen once, at
    registration, since the screening number is issued by it. `trials`: those with a
    published criteria set. With one, it is preselected; with none, the form says so."""

    class Meta(CandidateForm.Meta):
        fields = ["trial", *CandidateForm.Meta.fields]
        field_classes = {**CandidateForm.Meta.field_classes, "trial": TrialChoiceField}
        help_texts = {
            **CandidateForm.Meta.help_texts,
            "trial": "Trials with published criteria. The screening number is the trial's.",
        }

    no_trial_message = NO_TRIAL

    def __init__(self, *args, trials, **kwargs):
        super().__init__(*args, **kwargs)
        listed = list(trials)
        field = self.fields["trial"]
        field.queryset = trials
        field.empty_label = None if len(listed) == 1 else "Choose the trial"
        # The only trial is preselected, and a post without the field means it too.
        self.only_trial = listed[0] if len(listed) == 1 else None
        if self.only_trial:
            field.initial, field.required = self.only_trial.pk, False
        self.no_trial = not listed

    def clean_trial(self):
        return self.cleaned_data.get("trial") or self.only_trial

    def clean(self):
        if self.no_trial:
            raise forms.ValidationError(NO_TRIAL, code="no_trial")
        return super().clean()
