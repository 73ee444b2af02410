"""The parts of an all-of / any-of rule in the criteria editor: one form per row of
criteria.expression_rows, in a formset, and the buttons that add, remove and regroup parts.

The buttons are submit buttons named `rule_action`: the page comes back with the parts
changed and nothing saved, so the editor works without JavaScript and with the keyboard.
Each comparison is checked as the protocol loader checks it (criteria.protocol), and its
messages stand next to the part's own fields.
"""

from __future__ import annotations

import re

from crispy_forms.layout import Div, LayoutObject
from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria import protocol
from criteria.expression_rows import (
    MAX_DEPTH,
    TEXT_FIELDS,
    Row,
    comparison_from_text,
    expression_from_rows,
    parent_of,
    part_add,
    part_remove,
    row_tree,
    rows_problem,
)
from criteria.protocol import GROUP_MODES
from criteria.translations import label_for

PREFIX = "part"
MAX_PARTS = 40
MODE_CHOICES = [
    ("all", gettext_lazy("all of its parts hold (and)")),
    ("any", gettext_lazy("any of its parts holds (or)")),
]


_NAMED_VARIABLE = re.compile(r'variable "([^"]+)"')


def by_label(problem: str, variables: dict) -> str:
    """A rule check's message as the editor shows it: each of the trial's variables named by
    its label in the reader's language, as the page's menus name them (the protocol file's
    messages name keys, which the admin never sees here)."""

    def named(match: re.Match) -> str:
        spec = variables.get(match[1])
        return f'variable "{label_for(spec)}"' if spec is not None else match[0]

    return _NAMED_VARIABLE.sub(named, problem)


def field_for(problem: str, variable: str, operator: str, value: str) -> str:
    """The field a rule check's message belongs next to."""
    if "unknown variable" in problem:
        return variable
    if "operator" in problem:
        return operator
    return value


class PartForm(forms.Form):
    """One row: a comparison (`mode` empty) or a group heading (`mode` all or any)."""

    depth = forms.IntegerField(
        min_value=1,
        max_value=MAX_DEPTH,
        widget=forms.HiddenInput,
        error_messages={
            "max_value": gettext_lazy(
                "Parts nest at most %(limit_value)s deep: remove this part or a group around it."
            ),
        },
    )
    mode = forms.ChoiceField(
        required=False, choices=[("", "—"), *MODE_CHOICES], label=gettext_lazy("Holds when")
    )
    variable = forms.ChoiceField(required=False, label=gettext_lazy("Variable"))
    operator = forms.ChoiceField(required=False, label=gettext_lazy("Operator"))
    value = forms.CharField(required=False, label=gettext_lazy("Threshold"))
    other = forms.ChoiceField(required=False, label=gettext_lazy("Reference date"))

    def __init__(self, *args, variables: dict, choices: dict, **kwargs):
        self.variables = variables
        super().__init__(*args, **kwargs)
        for name in ("variable", "operator", "other"):
            self.fields[name].choices = choices[name]
        self.is_group = self["mode"].value() in GROUP_MODES
        if not self.is_group:
            self.fields["mode"].widget = forms.HiddenInput()
            self.fields["variable"].required = self.fields["operator"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("mode"):
            return cleaned
        condition, problem = comparison_from_text(cleaned, self.variables)
        problems = [problem] if problem else protocol.check_condition(condition, self.variables)
        for message in problems:
            field = field_for(message, "variable", "operator", "value")
            self.add_error(field, by_label(message, self.variables))
        cleaned["condition"] = condition
        return cleaned

    def row(self) -> Row:
        """What this row holds as typed (bound) or shown (unbound), for regrouping."""
        raw = {name: self[name].value() or "" for name in ("mode", *TEXT_FIELDS)}
        depth = self["depth"].value()
        try:
            raw["depth"] = int(depth)
        except (TypeError, ValueError):
            raw["depth"] = depth
        return raw


class BasePartFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": gettext_lazy("A rule has at most %(num)d parts: remove one."),
    }

    def rows(self) -> list[Row]:
        return [form.row() for form in self.forms]

    def clean(self):
        if any(self.errors):
            return
        rows = self.rows()
        problem = rows_problem(rows)
        if problem:
            raise forms.ValidationError(_("The parts could not be read (%s).") % problem)
        for index, parts in _groups(row_tree(rows), rows):
            if not parts:
                mode = self.forms[index].cleaned_data["mode"]
                for message in protocol.check_expression({mode: []}):
                    self.forms[index].add_error("mode", message)

    def expression(self, mode: str) -> dict:
        """The group {mode: [...]} the parts describe (after is_valid)."""
        return expression_from_rows(
            mode, self.rows(), lambda index, _row: self.forms[index].cleaned_data["condition"]
        )

    def tree(self) -> list[dict]:
        """The parts as nested nodes for the template: form, number ("2.1"), parts."""
        return _tree(self.forms, row_tree(self.rows()), "")


PartFormSet = forms.formset_factory(
    PartForm, formset=BasePartFormSet, extra=0, max_num=MAX_PARTS, validate_max=True
)


def _groups(nodes: list, rows: list[Row]) -> list[tuple[int, list]]:
    """Every group among the nodes, nested ones included: (row index, its parts)."""
    found = []
    for index, parts in nodes:
        if rows[index]["mode"]:
            found += [(index, parts), *_groups(parts, rows)]
    return found


def _tree(forms_: list, nodes: list, above: str) -> list[dict]:
    return [
        {
            "form": forms_[index],
            "index": index,
            "add": add_button(index),
            "number": f"{above}{position}",
            "parts": _tree(forms_, parts, f"{above}{position}."),
        }
        for position, (index, parts) in enumerate(nodes, start=1)
    ]


def rule_action(
    action: str, mode: str, rows: list[Row], main: dict
) -> tuple[str, list[Row], dict, str]:
    """Apply a `rule_action` button to (outer mode, rows, the single comparison's fields):
    the new mode, rows and fields, and the name of the field or button to focus next.
    Raises ValueError for an action these rows cannot take (a stale or forged button)."""
    verb, _sep, rest = action.partition(":")
    if verb == "wrap" and not mode and rest in GROUP_MODES:
        first = {"depth": 1, "mode": "", **{n: main.get(n) or "" for n in TEXT_FIELDS}}
        rows, new = part_add([first], None)
        return rest, rows, dict.fromkeys(TEXT_FIELDS, ""), _field(new, "variable")
    if verb == "unwrap" and len(rows) == 1 and not rows[0]["mode"]:
        return "", [], {n: rows[0][n] for n in TEXT_FIELDS}, "variable"
    if rows_problem(rows) or not mode:
        raise ValueError(action)
    if verb == "add":
        where, _sep, kind = rest.partition(":")
        group = None if where == "root" else _index(where, rows, group=True)
        rows, new = part_add(rows, group, _new_group_mode(rows, group, mode) if kind else "")
        return mode, rows, main, _field(new, "mode" if kind else "variable")
    if verb == "remove":
        index = _index(rest, rows, group=False)
        parent = parent_of(rows, index)
        rows = part_remove(rows, index)
        return mode, rows, main, add_button(parent)
    raise ValueError(action)


def add_button(group: int | None) -> str:
    """The value of the button that adds a comparison to a group (None: the outer group)."""
    return f"add:{'root' if group is None else group}"


def _field(index: int, name: str) -> str:
    return f"{PREFIX}-{index}-{name}"


def _index(text: str, rows: list[Row], *, group: bool) -> int:
    index = int(text)
    if not 0 <= index < len(rows) or (group and not rows[index]["mode"]):
        raise ValueError(text)
    return index


def _new_group_mode(rows: list[Row], group: int | None, mode: str) -> str:
    # "A or (B and C)": a group inside an any-of group is most often all-of, and the reverse.
    around = mode if group is None else rows[group]["mode"]
    return "all" if around == "any" else "any"


class RuleParts(LayoutObject):
    """Crispy layout object: the outer group's mode and its parts, from a template."""

    template = "criteria/_rule_parts.html"

    def __init__(self):
        self.fields = []

    def render(self, form, context, template_pack=None, **kwargs):
        return render_to_string(self.template, {"form": form})


def rule_layout(*, group: bool, refused: bool) -> list:
    """The Rule section of the criterion form: a group part by part, or one comparison
    in its fields with the buttons that make it the first part of a group."""
    shown = ["replace_rule"] if refused else []
    if group:
        return [*shown, "mode", RuleParts()]
    comparison = Div(
        Div("variable", css_class="col-md-5"),
        Div("operator", css_class="col-md-4"),
        Div("value", css_class="col-md-3"),
        css_class="row",
    )
    return [*shown, comparison, "other", "mode", RuleParts()]
