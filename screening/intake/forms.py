"""Forms of the screening workflow. They check the shape of input and convert units; they never
decide eligibility (that is the evaluator's job, called by the services)."""

from __future__ import annotations

import datetime as dt
import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils import timezone

from criteria.date_ranges import BIRTH_KEY, EARLIEST, date_problems
from criteria.form_fields import DateField, DecimalTextField, IntegerTextField
from criteria.protocol import RuleSet, VariableSpec, condition_to_dict
from criteria.values import NEVER, check_range, to_canonical, value_from_json, value_to_json
from screening.birth_dates import CORRECT_IT, birth_date_conflict
from screening.models import Candidate

SECTION_TITLES = {
    "referral": "Referral",
    "disease": "Disease",
    "treatment": "Prior treatment",
    "labs": "Laboratory values",
    "history": "Medical history",
}
YES_NO_UNKNOWN = [("", "Unknown / not asked yet"), ("yes", "Yes"), ("no", "No")]
UNIT_SUFFIX = "__unit"
NEVER_SUFFIX = "__never"


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = ["initials", "date_of_birth", "sex", "referring_unit", "referral_date"]
        field_classes = {"date_of_birth": DateField, "referral_date": DateField}
        help_texts = {
            "initials": "Initials only: no name or national ID number is stored here.",
            "date_of_birth": "The screening form takes the date of birth from here.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral_date"].initial = timezone.localdate()
        self.fields["date_of_birth"].required = True
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Register referral"))

    def clean_initials(self) -> str:
        initials = self.cleaned_data["initials"].strip().upper()
        if not initials.isalpha() or not 1 <= len(initials) <= 4:
            raise forms.ValidationError("Give 1 to 4 letters.", code="initials")
        return initials

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        birth = VariableSpec(BIRTH_KEY, "Date of birth", "date")
        problem = date_problems({BIRTH_KEY: birth}, {BIRTH_KEY: born}, timezone.localdate())
        if problem:
            raise forms.ValidationError(problem[BIRTH_KEY], code="range")
        self.instance.year_of_birth = born.year  # the model checks the two agree
        return born

    def clean_referral_date(self) -> dt.date:
        referral_date = self.cleaned_data["referral_date"]
        if referral_date > timezone.localdate():
            raise forms.ValidationError("The referral date cannot be in the future.", code="future")
        if referral_date < EARLIEST:
            raise forms.ValidationError(
                f"The referral date cannot lie before {EARLIEST}.", code="range"
            )
        born = self.cleaned_data.get("date_of_birth")
        if born and referral_date < born:
            raise forms.ValidationError(
                "The referral date cannot lie before the date of birth.", code="before_birth"
            )
        return referral_date


class CandidateChangeForm(CandidateForm):
    reason = forms.CharField(
        max_length=500, help_text="Why the details change (kept in the history)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = [Submit("submit", "Save changes")]


class ScreeningForm(forms.Form):
    """The screening questions of a trial, built from its variables, one fieldset per section.

    `initial_values` is the episode's stored JSON; `screening_values()` and `entered_units()`
    give what to store after a valid POST. The date of birth is the `candidate`'s registered
    one, shown and not editable here; a referral with only a year of birth accepts a date of
    birth in that year.
    """

    def __init__(
        self,
        *args,
        rule_set: RuleSet,
        candidate: Candidate | None = None,
        initial_values=None,
        initial_units=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set
        self.candidate = candidate
        self.questions = [v for v in _ordered(rule_set) if not v.derivation]
        for spec in self.questions:
            self._add_fields(spec)
        self.stored_values = dict(initial_values or {})
        self._set_initial(self.stored_values, initial_units or {})
        self._bind_birth_date()
        self.fields["change_reason"] = forms.CharField(
            required=False,
            max_length=500,
            label="Reason for changing saved answers",
            help_text="Needed only when an answer saved earlier is changed or cleared.",
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self._fieldsets(), Field("change_reason"))

    def _add_fields(self, spec: VariableSpec) -> None:
        self.fields[spec.key] = _field_for(spec)
        if spec.alt_units:
            units = [spec.unit, *spec.alt_units]
            self.fields[spec.key + UNIT_SUFFIX] = forms.ChoiceField(
                choices=[(u, u) for u in units], required=False, label="Unit"
            )
        if spec.never_allowed:
            self.fields[spec.key + NEVER_SUFFIX] = forms.BooleanField(required=False, label="Never")

    def _set_initial(self, values: dict, units: dict) -> None:
        for spec in self.questions:
            raw = values.get(spec.key)
            if raw is None:
                continue
            if raw == NEVER:
                self.initial[spec.key + NEVER_SUFFIX] = True
                continue
            value = value_from_json(spec, raw)
            unit = units.get(spec.key, spec.unit)
            if spec.data_type == "number" and unit != spec.unit and unit in spec.alt_units:
                value = value / spec.alt_units[unit]  # show what the nurse typed
                self.initial[spec.key + UNIT_SUFFIX] = unit
            if spec.data_type == "boolean":
                value = "yes" if value else "no"
            self.initial[spec.key] = value

    def _bind_birth_date(self) -> None:
        field = self.fields.get(BIRTH_KEY)
        if field is None or self.candidate is None or self.candidate.date_of_birth is None:
            return
        # Disabled: Django ignores whatever is posted and cleans to the registered date.
        field.disabled = True
        field.initial = self.initial[BIRTH_KEY] = self.candidate.date_of_birth
        field.help_text = f"From the registration. {CORRECT_IT}"

    def _fieldsets(self) -> list:
        sections: dict[str, list] = {}
        for spec in self.questions:
            sections.setdefault(spec.section, []).append(self._question_layout(spec))
        return [
            Fieldset(SECTION_TITLES.get(name, name.title()), *items, css_id=f"section-{name}")
            for name, items in sections.items()
        ]

    def _question_layout(self, spec: VariableSpec):
        parts = [Div(Field(spec.key), css_class="col")]
        if spec.alt_units:
            parts.append(Div(Field(spec.key + UNIT_SUFFIX), css_class="col-4 col-lg-3"))
        if spec.never_allowed:
            parts.append(Div(Field(spec.key + NEVER_SUFFIX), css_class="col-3 pt-4"))
        attrs = {"css_class": "row question", "data_variable": spec.key}
        if spec.shown_if:
            attrs["data_shown_if"] = json.dumps([condition_to_dict(c) for c in spec.shown_if])
        return Div(*parts, **attrs)

    def clean(self):
        cleaned = super().clean()
        for spec in self.questions:
            if spec.key in self.errors:
                continue
            self._clean_question(spec, cleaned)
        self._check_dates(cleaned)
        if not self.errors:
            self._require_reason_for_corrections(cleaned)
        return cleaned

    def _check_dates(self, cleaned: dict) -> None:
        # After every question: a date's plausible range is measured from the screening date.
        dates = {
            spec.key: cleaned[spec.key]
            for spec in self.questions
            if spec.data_type == "date" and isinstance(cleaned.get(spec.key), dt.date)
        }
        today = timezone.localdate()
        for key, problem in date_problems(self.rule_set.variables, dates, today).items():
            self.add_error(key, problem)
        born = cleaned.get(BIRTH_KEY)
        if isinstance(born, dt.date) and self.candidate is not None:
            conflict = birth_date_conflict(self.candidate, {BIRTH_KEY: born.isoformat()})
            if conflict and BIRTH_KEY not in self.errors:
                self.add_error(BIRTH_KEY, conflict)

    def _require_reason_for_corrections(self, cleaned: dict) -> None:
        # First entries need no reason; a correction of a saved answer does (audit trail).
        new = self.screening_values()
        changed = [
            self.fields[key].label
            for key, old in self.stored_values.items()
            if key in self.fields and new.get(key) != old
        ]
        if changed and not cleaned.get("change_reason", "").strip():
            self.add_error(
                "change_reason",
                "Say why saved answers change: " + ", ".join(changed) + ".",
            )

    def _clean_question(self, spec: VariableSpec, cleaned: dict) -> None:
        value = cleaned.get(spec.key)
        if spec.never_allowed and cleaned.get(spec.key + NEVER_SUFFIX):
            if value is not None:
                self.add_error(spec.key, "Give a date or tick “Never”, not both.")
            return
        if value is None or value == "":
            return
        if spec.data_type == "number":
            unit = cleaned.get(spec.key + UNIT_SUFFIX) or spec.unit
            value = to_canonical(spec, value, unit)
            cleaned[spec.key] = value
        if spec.data_type in ("number", "integer"):
            problem = check_range(spec, value)
            if problem:
                self.add_error(spec.key, problem)
        if spec.data_type == "date" and value > timezone.localdate() and not spec.future_allowed:
            self.add_error(spec.key, "This date cannot be in the future.")

    def screening_values(self) -> dict:
        """The answered questions in the JSON form of criteria.values (canonical units)."""
        values = {}
        for spec in self.questions:
            if spec.never_allowed and self.cleaned_data.get(spec.key + NEVER_SUFFIX):
                values[spec.key] = NEVER
                continue
            value = self.cleaned_data.get(spec.key)
            if value in (None, ""):
                continue
            if spec.data_type == "boolean":
                value = value == "yes"
            values[spec.key] = self._unchanged_text(spec, value_to_json(spec, value))
        return values

    def _unchanged_text(self, spec: VariableSpec, stored: object) -> object:
        # A saved 1.250 is shown as 1,2500 (1,250 reads two ways) and comes back as 1.2500:
        # the same number keeps its stored text, so a save alters nothing recorded.
        old = self.stored_values.get(spec.key)
        if spec.data_type != "number" or old is None or old == stored:
            return stored
        return old if value_from_json(spec, old) == value_from_json(spec, stored) else stored

    def entered_units(self) -> dict:
        return {
            spec.key: self.cleaned_data.get(spec.key + UNIT_SUFFIX) or spec.unit
            for spec in self.questions
            if spec.alt_units and self.cleaned_data.get(spec.key) not in (None, "")
        }


class DecisionForm(forms.Form):
    """The screen failure reason beside Record decision. Its field belongs to the screening
    form (HTML `form` attribute), so Record decision posts the reason with the values."""

    screen_failure_reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "form": "screening-form"}),
        label="Reason for screen failure",
        help_text="Needed only when the screening is incomplete (e.g. patient declined).",
    )


class DecisionConfirmForm(forms.Form):
    """The confirmation of a shown outcome: the reason shown and the fingerprint of the values
    it was worked out from (screening.confirmation)."""

    screen_failure_reason = forms.CharField(
        required=False, max_length=500, widget=forms.HiddenInput
    )
    fingerprint = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


def _ordered(rule_set: RuleSet) -> list[VariableSpec]:
    section_rank = {name: i for i, name in enumerate(SECTION_TITLES)}
    return sorted(
        rule_set.variables.values(),
        key=lambda v: (section_rank.get(v.section, len(section_rank)), v.order, v.key),
    )


def _field_for(spec: VariableSpec) -> forms.Field:
    common = {"required": False, "label": _label(spec), "help_text": spec.help_text}
    if spec.data_type == "number":
        return DecimalTextField(**common)
    if spec.data_type == "integer":
        return IntegerTextField(**common)
    if spec.data_type == "boolean":
        return forms.ChoiceField(choices=YES_NO_UNKNOWN, widget=forms.RadioSelect, **common)
    if spec.data_type == "choice":
        choices = [("", "Not answered")] + [
            (c, c.replace("_", " ").capitalize()) for c in spec.choices
        ]
        return forms.ChoiceField(choices=choices, **common)
    return DateField(**common)


def _label(spec: VariableSpec) -> str:
    if spec.unit and not spec.alt_units:
        return f"{spec.label} ({spec.unit})"
    return spec.label
