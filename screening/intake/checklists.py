"""Which questions of a section a nurse may answer together, worked out from the criteria.

A "None of these" checklist holds the questions whose "none" answer (No, Never, or a choice
named "none") fails no criterion: conditions to rule out (an exclusion that holds on Yes) and
questions that only decide whether others apply. A "Yes to all" checklist holds the
confirmations: Yes fails no criterion and No fails one (an inclusion that holds on Yes).

Either button only answers the questions of its checklist still unanswered, each with its
own explicit answer, shown before anything is saved: an unanswered question is never read as
No. A question read by an all-of or any-of group, or by a comparison this cannot settle from
its own answer, belongs to neither list and is answered on its own.
"""

from __future__ import annotations

from criteria.evaluator import holds
from criteria.protocol import RuleSet, VariableSpec
from criteria.values import NEVER

NONE, YES = "none", "yes"
MIN_SIZE = 2  # a checklist of one question is just that question


def none_answer(spec: VariableSpec) -> tuple[object, str] | None:
    """The "none" answer of a question as (typed value, form value), or None if it has none."""
    if spec.data_type == "boolean":
        return False, "no"
    if spec.data_type == "choice" and "none" in spec.choices:
        return "none", "none"
    if spec.data_type == "date" and spec.never_allowed:
        return NEVER, "never"
    return None


def answer_fails(rule_set: RuleSet, key: str, value: object) -> bool:
    """Whether `value` for `key` alone could make a criterion fail. Undecidable counts as
    could: a group whose other parts are unknown, a date compared with another date."""
    for rule in rule_set.criteria:
        if key not in rule.expression.reads:
            continue
        try:
            met = holds(rule.expression, {key: value})
        except TypeError:  # a comparison that does not take this kind of answer
            return True
        if met is None or met is (rule.kind == "exclusion"):
            return True
    return False


def checklist_of(rule_set: RuleSet, spec: VariableSpec) -> str | None:
    """NONE, YES, or None for a question that is answered on its own."""
    answer = none_answer(spec)
    if answer is None or spec.derivation:
        return None
    if not answer_fails(rule_set, spec.key, answer[0]):
        return NONE
    if spec.data_type == "boolean" and not answer_fails(rule_set, spec.key, True):
        return YES
    return None
