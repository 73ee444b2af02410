"""Forms of the criteria admin. A criterion's expression is built from plain fields
(variable, operator, threshold) so a non-programmer never types JSON; the rule checks are the
same ones the protocol loader and the model use (criteria.protocol.check_*)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext as _

from criteria import protocol
from criteria.describe import expression_in_words
from criteria.labels import stale_problems
from criteria.models import CriteriaSet, Criterion
from criteria.protocol import NUMBER_OPERATORS
from criteria.selectors import criterion_earlier_rules
from criteria.translations import (
    language_name,
    translated_texts,
    translation_languages,
    with_translation,
)
from criteria.values import decimal_from_text
from trialsite.integers import integer_form_field

OPERATOR_LABELS = {
    "lt": "less than (<)",
    "lte": "at most (≤)",
    "gt": "more than (>)",
    "gte": "at least (≥)",
    "eq": "equals",
    "ne": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "is_true": "is yes",
    "is_false": "is no",
    "within_days_before": "lies less than N days before",
    "not_within_days_before": "does not lie less than N days before",
}
APPLIES_IF_ROWS = 2
REASON_HELP = "Why this change is made (kept in the criteria history), e.g. “Amendment 3”."


class CriterionForm(forms.Form):
    code = forms.CharField(max_length=16)
    kind = forms.ChoiceField(choices=Criterion.Kind.choices)
    label = forms.CharField(max_length=300, help_text="Plain-language label shown to nurses.")
    protocol_wording = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    variable = forms.ChoiceField(label="Variable")
    operator = forms.ChoiceField(choices=list(OPERATOR_LABELS.items()))
    value = forms.CharField(
        required=False,
        label="Threshold",
        help_text="A number (1.5), a choice (positive), choices separated by commas "
        "(none, limited), or a number of days. Empty for yes/no.",
    )
    other = forms.ChoiceField(required=False, label="Reference date (date windows)")
    order = integer_form_field(Criterion._meta.get_field("order"))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(max_length=500, help_text=REASON_HELP)

    def __init__(
        self, *args, criteria_set: CriteriaSet, criterion: Criterion | None = None, **kwargs
    ):
        self.criteria_set = criteria_set
        self.criterion = criterion
        self.variables = {v.key: v.as_spec() for v in criteria_set.trial.variables.all()}
        super().__init__(*args, **kwargs)
        choices = [(k, f"{s.label} ({k})") for k, s in self.variables.items()]
        dates = [("", "—")] + [
            (k, s.label) for k, s in self.variables.items() if s.data_type == "date"
        ]
        self.fields["variable"].choices = choices
        self.fields["other"].choices = dates
        for i in range(1, APPLIES_IF_ROWS + 1):
            self.fields[f"if_variable_{i}"] = forms.ChoiceField(
                required=False, choices=[("", "—")] + choices, label=f"Applies only if ({i})"
            )
            self.fields[f"if_operator_{i}"] = forms.ChoiceField(
                required=False, choices=[("", "—"), *OPERATOR_LABELS.items()], label="operator"
            )
            self.fields[f"if_value_{i}"] = forms.CharField(required=False, label="value")
        self._add_translated_labels()
        if criterion is not None and not self.is_bound:
            self.initial.update(_initial(criterion))
        self.helper = FormHelper()
        self.helper.layout = _layout()
        self.helper.add_input(Submit("save", "Save criterion"))

    def _add_translated_labels(self) -> None:
        # One label field per language of the site besides English, beside the English one.
        for language in translation_languages():
            name = language_name(language)
            self.fields[f"label_{language}"] = forms.CharField(
                required=False,
                max_length=300,
                label=_("Label in %(language)s") % {"language": name},
                help_text=_(
                    "Shown to people working in %(language)s; left empty, they read "
                    "the English label. The protocol wording is never translated."
                )
                % {"language": name},
            )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        others = self.criteria_set.criteria.filter(code=code)
        if self.criterion is not None:
            others = others.exclude(pk=self.criterion.pk)
        if others.exists():
            raise forms.ValidationError(
                f"This draft already has a criterion {code}.", code="duplicate"
            )
        return code

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        expression = self._condition(cleaned, "variable", "operator", "value", "other")
        for problem in self._problems(expression, "value"):
            self.add_error(_field_for(problem, "variable", "operator", "value"), problem)
        applies_if = []
        for i in range(1, APPLIES_IF_ROWS + 1):
            if not cleaned.get(f"if_variable_{i}"):
                continue
            names = (f"if_variable_{i}", f"if_operator_{i}", f"if_value_{i}")
            condition = self._condition(cleaned, *names)
            for problem in self._problems(condition, names[2]):
                self.add_error(_field_for(problem, *names), problem)
            applies_if.append(condition)
        cleaned["expression"], cleaned["applies_if"] = expression, applies_if
        cleaned["translations"] = self._translations()
        if not self.errors:
            self._refuse_stale_numbers(cleaned)
        return cleaned

    def _refuse_stale_numbers(self, cleaned: dict) -> None:
        # A label that still names the threshold a change replaced would tell nurses the old
        # rule; the message goes next to the text that must change.
        codes = [cleaned["code"]] + ([self.criterion.code] if self.criterion else [])
        earlier = criterion_earlier_rules(
            criteria_set=self.criteria_set,
            codes=codes,
            pk=self.criterion.pk if self.criterion else None,
        )
        problems = stale_problems(
            earlier=earlier,
            rule=cleaned,
            rule_words=expression_in_words(cleaned["expression"], self.variables),
        )
        for field, message in problems.items():
            self.add_error(field, message)

    def _condition(
        self, cleaned: dict, variable: str, operator: str, value: str, other: str | None = None
    ) -> dict:
        key, op = cleaned.get(variable), cleaned.get(operator)
        condition = {"variable": key, "operator": op, "value": _threshold(op, cleaned.get(value))}
        if other and cleaned.get(other):
            condition["other"] = cleaned[other]
        return condition

    def _problems(self, condition: dict, value: str) -> list[str]:
        # A typed number threshold is read by the rule of the screening form: 1,5 is 1.5.
        spec = self.variables.get(condition["variable"])
        typed = condition["value"]
        numeric = spec is not None and spec.data_type in ("number", "integer")
        if numeric and condition["operator"] in NUMBER_OPERATORS and isinstance(typed, str):
            try:
                condition["value"] = str(decimal_from_text(typed)) if typed else typed
            except ValueError as error:
                return [f"Threshold {error}"]
        return protocol.check_condition(condition, self.variables)

    def rule_fields(self) -> dict:
        """What to store on the Criterion, in the JSON form of criteria.protocol."""
        names = (
            "code",
            "kind",
            "label",
            "protocol_wording",
            "expression",
            "applies_if",
            "order",
            "note",
            "translations",
        )
        return {name: self.cleaned_data[name] for name in names}

    def _translations(self) -> dict:
        translations = self.criterion.translations if self.criterion else {}
        for language in translation_languages():
            label = (self.cleaned_data.get(f"label_{language}") or "").strip()
            translations = with_translation(translations, language, label=label)
        return translations


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, help_text=REASON_HELP)


def _threshold(operator: str | None, raw: str | None):
    raw = (raw or "").strip()
    if operator in ("is_true", "is_false"):
        return None
    if operator in ("in", "not_in"):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if operator in ("within_days_before", "not_within_days_before"):
        return int(raw) if raw.isdigit() else raw
    return raw


def _field_for(problem: str, variable: str, operator: str, value: str) -> str:
    if "unknown variable" in problem:
        return variable
    if "operator" in problem:
        return operator
    return value


def _initial(criterion: Criterion) -> dict:
    initial = {
        name: getattr(criterion, name)
        for name in ("code", "kind", "label", "protocol_wording", "order", "note")
    }
    for language in translation_languages():
        initial[f"label_{language}"] = translated_texts(criterion, language).get("label", "")
    expression = criterion.expression
    if "variable" in expression:
        initial.update(_condition_initial(expression, "variable", "operator", "value"))
        initial["other"] = expression.get("other", "")
    for i, condition in enumerate(criterion.applies_if[:APPLIES_IF_ROWS], start=1):
        initial.update(
            _condition_initial(condition, f"if_variable_{i}", f"if_operator_{i}", f"if_value_{i}")
        )
    return initial


def _condition_initial(condition: dict, variable: str, operator: str, value: str) -> dict:
    shown = condition.get("value")
    if isinstance(shown, list):
        shown = ", ".join(shown)
    return {
        variable: condition["variable"],
        operator: condition["operator"],
        value: "" if shown is None else shown,
    }


def _layout() -> Layout:
    applies = [
        Div(
            Div(Field(f"if_variable_{i}"), css_class="col-md-5"),
            Div(Field(f"if_operator_{i}"), css_class="col-md-4"),
            Div(Field(f"if_value_{i}"), css_class="col-md-3"),
            css_class="row",
        )
        for i in range(1, APPLIES_IF_ROWS + 1)
    ]
    return Layout(
        Fieldset(
            "Criterion",
            Div(
                Div("code", css_class="col-md-3"),
                Div("kind", css_class="col-md-3"),
                Div("order", css_class="col-md-2"),
                css_class="row",
            ),
            "label",
            *(f"label_{language}" for language in translation_languages()),
            "protocol_wording",
            "note",
        ),
        Fieldset(
            "Rule",
            Div(
                Div("variable", css_class="col-md-5"),
                Div("operator", css_class="col-md-4"),
                Div("value", css_class="col-md-3"),
                css_class="row",
            ),
            "other",
        ),
        Fieldset("Applies if (all must hold; leave empty when it always applies)", *applies),
        Fieldset("Why", "reason"),
    )
