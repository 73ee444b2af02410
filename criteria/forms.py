"""Forms of the criteria admin. A criterion's expression is built from plain fields
(variable, operator, threshold) so a non-programmer never types JSON; the rule checks are the
same ones the protocol loader and the model use (criteria.protocol.check_*)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria import protocol
from criteria.describe import applies_if_in_words, rule_in_words
from criteria.expression_rows import (
    TEXT_FIELDS,
    applies_if_unrepresentable,
    comparison_from_text,
    comparison_text,
    rows_from_expression,
    unrepresentable,
)
from criteria.labels import stale_problems
from criteria.models import CriteriaSet, Criterion
from criteria.part_forms import (
    MODE_CHOICES,
    PREFIX,
    PartFormSet,
    by_label,
    field_for,
    rule_action,
    rule_layout,
)
from criteria.selectors import criterion_earlier_rules
from criteria.translations import (
    label_for,
    language_name,
    translated_texts,
    translation_languages,
    with_translation,
)
from trialsite.integers import integer_form_field

OPERATOR_LABELS = {
    "lt": gettext_lazy("less than (<)"),
    "lte": gettext_lazy("at most (≤)"),
    "gt": gettext_lazy("more than (>)"),
    "gte": gettext_lazy("at least (≥)"),
    "eq": gettext_lazy("equals"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "is_true": gettext_lazy("is yes"),
    "is_false": gettext_lazy("is no"),
    "within_days_before": gettext_lazy("lies less than N days before"),
    "not_within_days_before": gettext_lazy("does not lie less than N days before"),
}
APPLIES_IF_ROWS = 2
_REFUSAL = gettext_lazy(
    "Not saved: tick this box to replace the stored rule with the rule on this page, or change "
    "it in the protocol file (load_protocol)."
)
REASON_HELP = gettext_lazy(
    "Why this change is made (kept in the criteria history), e.g. “Amendment 3”."
)


class CriterionForm(forms.Form):
    code = forms.CharField(max_length=16, label=gettext_lazy("Code"))
    kind = forms.ChoiceField(choices=Criterion.Kind.choices, label=gettext_lazy("Kind"))
    label = forms.CharField(
        max_length=300,
        label=gettext_lazy("Label"),
        help_text=gettext_lazy("Plain-language label shown to nurses."),
    )
    protocol_wording = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Protocol wording")
    )
    variable = forms.ChoiceField(label=gettext_lazy("Variable"))
    operator = forms.ChoiceField(
        choices=list(OPERATOR_LABELS.items()), label=gettext_lazy("Operator")
    )
    value = forms.CharField(
        required=False,
        label=gettext_lazy("Threshold"),
        help_text=gettext_lazy(
            "A number (1.5), a choice (positive), choices separated by commas "
            "(none, limited), or a number of days. Empty for yes/no."
        ),
    )
    other = forms.ChoiceField(required=False, label=gettext_lazy("Reference date (date windows)"))
    order = integer_form_field(Criterion._meta.get_field("order"), label=gettext_lazy("Order"))
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Note")
    )
    reason = forms.CharField(max_length=500, label=gettext_lazy("Reason"), help_text=REASON_HELP)

    mode = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("one comparison")), *MODE_CHOICES],
        label=gettext_lazy("The rule holds when"),
    )
    replace_rule = forms.BooleanField(
        required=False, label=gettext_lazy("Replace the stored rule with the rule below")
    )

    def __init__(
        self,
        *args,
        criteria_set: CriteriaSet,
        criterion: Criterion | None = None,
        rows: list | None = None,
        focus: str = "",
        **kwargs,
    ):
        self.criteria_set = criteria_set
        self.criterion = criterion
        self.variables = {v.key: v.as_spec() for v in criteria_set.trial.variables.all()}
        super().__init__(*args, **kwargs)
        choices = [(k, f"{label_for(s)} ({k})") for k, s in self.variables.items()]
        dates = [("", "—")] + [
            (k, label_for(s)) for k, s in self.variables.items() if s.data_type == "date"
        ]
        self.fields["variable"].choices = choices
        self.fields["other"].choices = dates
        for i in range(1, APPLIES_IF_ROWS + 1):
            self.fields[f"if_variable_{i}"] = forms.ChoiceField(
                required=False,
                choices=[("", "—")] + choices,
                label=_("Applies only if (%(row)s)") % {"row": i},
            )
            self.fields[f"if_operator_{i}"] = forms.ChoiceField(
                required=False, choices=[("", "—"), *OPERATOR_LABELS.items()], label=_("operator")
            )
            self.fields[f"if_value_{i}"] = forms.CharField(required=False, label=_("value"))
        self._add_translations()
        if criterion is not None and not self.is_bound and rows is None:
            rows = self._show(criterion)
        self.unrepresentable = self._unrepresentable(criterion)
        self.is_group = self["mode"].value() in ("all", "any")
        self.parts = PartFormSet(
            self.data if self.is_bound else None,
            prefix=PREFIX,
            initial=rows or [],
            form_kwargs={"variables": self.variables, "choices": self._part_choices(choices)},
        )
        self._arrange(focus)

    def _show(self, criterion: Criterion) -> list:
        self.initial.update(_initial(criterion))
        mode, rows = rows_from_expression(criterion.expression, self.variables)
        if mode:
            self.initial["mode"] = mode
        else:
            self.initial.update(comparison_text(criterion.expression, self.variables))
        return rows

    def _unrepresentable(self, criterion: Criterion | None) -> str:
        # Shown and saved unchanged, a criterion must be stored unchanged; where the fields
        # cannot say what is stored, saving needs the admin's explicit say-so.
        if criterion is None:
            return ""
        why = unrepresentable(criterion.expression, self.variables, OPERATOR_LABELS)
        return why or applies_if_unrepresentable(
            criterion.applies_if, self.variables, APPLIES_IF_ROWS
        )

    def _stored_words(self) -> str:
        rule = self.criterion
        words = rule_in_words(rule.expression, self.variables)
        when = applies_if_in_words(rule.applies_if, self.variables)
        return _("Stored now: %(rule)s. This page cannot show it exactly: %(why)s.") % {
            "rule": f"{words}, {when}" if when else words,
            "why": self.unrepresentable,
        }

    def _part_choices(self, choices: list) -> dict:
        return {
            "variable": [("", "—"), *choices],
            "operator": [("", "—"), *OPERATOR_LABELS.items()],
            "other": self.fields["other"].choices,
        }

    def _arrange(self, focus: str) -> None:
        if self.is_group:
            for name in TEXT_FIELDS:
                self.fields[name].required = False
        else:
            self.fields["mode"].widget = forms.HiddenInput()
        if self.unrepresentable:
            self.fields["replace_rule"].help_text = self._stored_words()
        else:
            del self.fields["replace_rule"]
        for field in [*self, *(f for form in self.parts for f in form)]:
            if focus and field.html_name == focus:
                field.field.widget.attrs["autofocus"] = True
        self.focus = focus
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = _layout(group=self.is_group, refused=bool(self.unrepresentable))
        self.helper.add_input(Submit("save", gettext_lazy("Save criterion")))

    def after_rule_action(self) -> CriterionForm | None:
        """The form as it stands after the rule button pressed (unbound: nothing is checked
        or saved), or None when no rule button was pressed or it no longer fits the rows."""
        action = self.data.get("rule_action") if self.is_bound else None
        if not action:
            return None
        main = {name: self[name].value() for name in self.fields}
        mode = main.get("mode") or ""
        try:
            mode, rows, comparison, focus = rule_action(action, mode, self.parts.rows(), main)
        except ValueError:
            return None
        initial = {**main, **comparison, "mode": mode}
        return CriterionForm(
            initial=initial,
            criteria_set=self.criteria_set,
            criterion=self.criterion,
            rows=rows,
            focus=focus,
        )

    def _add_translations(self) -> None:
        # A label and a note field per language of the site besides English, each beside the
        # English one.
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
            self.fields[f"note_{language}"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=_("Note in %(language)s") % {"language": name},
                help_text=_(
                    "Shown to people working in %(language)s; left empty, they read "
                    "the English note."
                )
                % {"language": name},
            )

    def clean_code(self) -> str:
        # Kept as typed: a trial's codes may be lower case ("inc-age"), and saving a criterion
        # unchanged must not rename it. Codes differing only in case would be confused.
        code = self.cleaned_data["code"].strip()
        others = self.criteria_set.criteria.filter(code__iexact=code)
        if self.criterion is not None:
            others = others.exclude(pk=self.criterion.pk)
        if others.exists():
            raise forms.ValidationError(
                _("This draft already has a criterion %(code)s.") % {"code": code},
                code="duplicate",
            )
        return code

    def clean(self):
        cleaned = super().clean()
        if self.unrepresentable and not cleaned.get("replace_rule"):
            self.add_error("replace_rule", _REFUSAL)
        if self.errors:
            return cleaned
        expression = self._expression(cleaned)
        applies_if = []
        for i in range(1, APPLIES_IF_ROWS + 1):
            if cleaned.get(f"if_variable_{i}"):
                names = (f"if_variable_{i}", f"if_operator_{i}", f"if_value_{i}")
                applies_if.append(self._condition(cleaned, *names))
        if self.errors:
            return cleaned
        cleaned["expression"], cleaned["applies_if"] = expression, applies_if
        # The whole rule as the protocol loader checks it: nothing the parts let through.
        for problem in [] if self.errors else protocol.check_expression(expression, self.variables):
            self.add_error(None, by_label(problem, self.variables))
        cleaned["translations"] = self._translations()
        if not self.errors:
            self._refuse_stale_numbers(cleaned)
        return cleaned

    def _expression(self, cleaned: dict) -> dict | None:
        mode = cleaned.get("mode")
        if not mode:
            return self._condition(cleaned, "variable", "operator", "value", "other")
        if not self.parts.is_valid():
            self.add_error(None, _("A part of the rule has a problem: see the message beside it."))
            return None
        if not self.parts.forms:
            for problem in protocol.check_expression({mode: []}):
                self.add_error("mode", problem)
            return None
        return self.parts.expression(mode)

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
            rule_words=rule_in_words(cleaned["expression"], self.variables),
        )
        for field, message in problems.items():
            self.add_error(field, message)

    def _condition(
        self, cleaned: dict, variable: str, operator: str, value: str, other: str | None = None
    ) -> dict:
        """A comparison typed in the named fields; its problems are added next to them."""
        names = {"variable": variable, "operator": operator, "value": value, "other": other}
        typed = {key: cleaned.get(name) for key, name in names.items() if name}
        condition, problem = comparison_from_text(typed, self.variables)
        problems = [problem] if problem else protocol.check_condition(condition, self.variables)
        for message in problems:
            field = field_for(message, variable, operator, value)
            self.add_error(field, by_label(message, self.variables))
        return condition

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
            texts = {
                text: (self.cleaned_data.get(f"{text}_{language}") or "").strip()
                for text in ("label", "note")
            }
            if texts["note"] and not (self.cleaned_data.get("note") or "").strip():
                self.add_error(
                    f"note_{language}",
                    _("Write the English note too, or leave this empty: it translates it."),
                )
            translations = with_translation(translations, language, **texts)
        return translations


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, help_text=REASON_HELP)


def _initial(criterion: Criterion) -> dict:
    initial = {
        name: getattr(criterion, name)
        for name in ("code", "kind", "label", "protocol_wording", "order", "note")
    }
    for language in translation_languages():
        texts = translated_texts(criterion, language)
        initial[f"label_{language}"] = texts.get("label", "")
        initial[f"note_{language}"] = texts.get("note", "")
    for i, condition in enumerate(criterion.applies_if[:APPLIES_IF_ROWS], start=1):
        shown = comparison_text(condition, {})
        for name in ("variable", "operator", "value"):
            initial[f"if_{name}_{i}"] = shown[name]
    return initial


def _layout(*, group: bool, refused: bool) -> Layout:
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
            gettext_lazy("Criterion"),
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
            *(f"note_{language}" for language in translation_languages()),
        ),
        Fieldset(gettext_lazy("Rule"), *rule_layout(group=group, refused=refused)),
        Fieldset(
            gettext_lazy("Applies if (all must hold; leave empty when it always applies)"), *applies
        ),
        Fieldset(gettext_lazy("Why"), "reason"),
    )
