"""The screening form as the page shows it: sections, each with its state for the section
index, its questions in blocks (the "Yes to all" confirmations, the questions answered one by
one, the "None of these" conditions), and what each question's "none" answer is."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from criteria.protocol import VariableSpec, condition_to_dict
from screening.intake.checklists import MIN_SIZE, NONE, YES, checklist_of, none_answer

COMPLETE, MISSING, ERRORS = "complete", "missing", "errors"


@dataclass
class Question:
    spec: VariableSpec
    field: BoundField
    unit: BoundField | None = None
    never: BoundField | None = None
    checklist: str | None = None
    none_value: str = ""
    saved: bool = False

    @property
    def anchor(self) -> str:
        return f"q-{self.spec.key}"

    @property
    def shown_if_json(self) -> str:
        return (
            json.dumps([condition_to_dict(c) for c in self.spec.shown_if])
            if self.spec.shown_if
            else ""
        )


@dataclass
class Block:
    kind: str  # YES, NONE or "" (questions answered one by one)
    questions: list[Question] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block]
    missing: list[str]
    errors: int

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"

    @property
    def state(self) -> str:
        if self.errors:
            return ERRORS
        return MISSING if self.missing else COMPLETE

    @property
    def state_words(self) -> str:
        if self.errors:
            return _("has errors")
        if self.missing:
            return _("%(count)d to answer") % {"count": len(self.missing)}
        return _("complete")


def form_sections(form, titles: dict, missing: tuple[str, ...] | None) -> list[Section]:
    """The sections of a ScreeningForm in order. `missing`: the keys the criteria still need
    (the standing's), or None without published criteria (then no section is complete)."""
    questions: dict[str, list[Question]] = {}
    for spec in form.questions:
        questions.setdefault(spec.section, []).append(_question(form, spec))
    sections = []
    for name, items in questions.items():
        keys = [q.spec.key for q in items]
        unanswered = [k for k in keys if k not in form.stored_values]
        needed = [k for k in keys if k in missing] if missing is not None else unanswered
        errors = sum(1 for key in form.errors if key.split("__")[0] in keys)
        title = titles.get(name, name.replace("_", " ").capitalize())
        sections.append(Section(name, title, _blocks(items), needed, errors))
    return sections


def _question(form, spec: VariableSpec) -> Question:
    rule_set = form.rule_set
    unit, never = form.unit_key(spec.key), form.never_key(spec.key)
    answer = none_answer(spec)
    return Question(
        spec=spec,
        field=form[spec.key],
        unit=form[unit] if unit in form.fields else None,
        never=form[never] if never in form.fields else None,
        checklist=checklist_of(rule_set, spec),
        none_value=answer[1] if answer else "",
        saved=spec.key in form.stored_values,
    )


def _blocks(items: list[Question]) -> list[Block]:
    """Confirmations first, then the questions answered one by one, then the conditions to
    rule out. A question shown only after another's answer in the same section follows that
    question's block (a member of its checklist only if it is of the same kind); a checklist
    of fewer than MIN_SIZE questions is answered one by one."""
    order = {id(q): i for i, q in enumerate(items)}
    blocks = {YES: Block(YES), "": Block(""), NONE: Block(NONE)}
    placed: dict[str, str] = {}
    for question in items:
        gates = [placed[c.variable] for c in question.spec.shown_if if c.variable in placed]
        kind = gates[-1] if gates else (question.checklist or "")
        if question.checklist != kind:
            question.checklist = None
        placed[question.spec.key] = kind
        blocks[kind].questions.append(question)
    for kind in (YES, NONE):
        block = blocks[kind]
        if sum(1 for q in block.questions if q.checklist) < MIN_SIZE:
            for question in block.questions:
                question.checklist = None
            blocks[""].questions += block.questions
            block.questions = []
    blocks[""].questions.sort(key=lambda q: order[id(q)])
    return [block for block in blocks.values() if block.questions]
