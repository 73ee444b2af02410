"""Conditions compiled into nodes with a three-valued `test(values) -> True | False | None`.

None means a value the node reads is missing. Operators are a dict of small functions;
nothing is eval-ed. `criteria.plan` compiles every criterion of a RuleSet into these.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping

from criteria.derivations import days_between
from criteria.schema import NEVER, Condition, Expression, Group


def _in(value: object, allowed: object) -> bool:
    return value in allowed  # type: ignore[operator]


def _not_in(value: object, allowed: object) -> bool:
    return value not in allowed  # type: ignore[operator]


COMPARATORS: dict[str, Callable[[object, object], bool]] = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
    "in": _in,
    "not_in": _not_in,
    "is_true": lambda value, _: value is True,
    "is_false": lambda value, _: value is False,
}


class ConditionNode:
    """One comparison. `missing` names the variables whose absence leaves it undecided."""

    __slots__ = ("cond", "key", "compare", "threshold")

    def __init__(self, cond: Condition) -> None:
        self.cond = cond
        self.key = cond.variable
        self.compare = COMPARATORS.get(cond.operator)
        self.threshold = cond.value

    def test(self, values: Mapping[str, object]) -> bool | None:
        value = values.get(self.key)
        if value is None:
            return None
        return self.compare(value, self.threshold)

    def missing(self, values: Mapping[str, object]) -> tuple[str, ...]:
        return (self.key,) if self.test(values) is None else ()


class WindowNode(ConditionNode):
    """`key` lies less than `threshold` days before `other` (or, negated, does not).

    A date after `other` counts as within: treatment after the reference date is even closer
    to it. A date answered "never" is never within, whatever the reference date.
    """

    __slots__ = ("other", "within")

    def __init__(self, cond: Condition) -> None:
        super().__init__(cond)
        self.other = cond.other
        self.within = cond.operator == "within_days_before"

    def test(self, values: Mapping[str, object]) -> bool | None:
        first = values.get(self.key)
        if first is None:
            return None
        if first == NEVER:
            return not self.within
        reference = values.get(self.other)
        if reference is None:
            return None
        return (days_between(first, reference) < self.threshold) is self.within  # type: ignore[arg-type]

    def missing(self, values: Mapping[str, object]) -> tuple[str, ...]:
        if self.test(values) is not None:
            return ()
        return tuple(k for k in (self.key, self.other) if values.get(k) is None)


class GroupNode:
    """All-of / any-of, three-valued: a definite answer wins over unknown parts."""

    __slots__ = ("parts", "any_mode")

    def __init__(self, group: Group) -> None:
        self.parts = tuple(compile_expression(p) for p in group.parts)
        self.any_mode = group.mode == "any"

    def test(self, values: Mapping[str, object]) -> bool | None:
        decisive = self.any_mode  # True decides an any-of group, False an all-of group
        unknown = False
        for part in self.parts:
            result = part.test(values)
            if result is None:
                unknown = True
            elif result is decisive:
                return decisive
        return None if unknown else not decisive

    def missing(self, values: Mapping[str, object]) -> tuple[str, ...]:
        if self.test(values) is not None:
            return ()
        return tuple(k for part in self.parts for k in part.missing(values))


Node = ConditionNode | GroupNode


def compile_expression(expr: Expression) -> Node:
    if isinstance(expr, Group):
        return GroupNode(expr)
    if expr.other:
        return WindowNode(expr)
    return ConditionNode(expr)
