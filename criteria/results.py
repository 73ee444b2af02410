"""What the evaluator returns: one CriterionResult per criterion and the Evaluation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from criteria.derivations import Derived
from criteria.schema import CriterionRule

MET, NOT_MET, UNKNOWN, NOT_APPLICABLE = "met", "not_met", "unknown", "not_applicable"
ELIGIBLE, INELIGIBLE, INCOMPLETE = "eligible", "ineligible", "incomplete"


@dataclass(frozen=True, eq=False)
class CriterionResult:
    """One criterion's verdict on one candidate: its rule, status, reason and, for an unknown
    result, `needs`: the entered variables that would decide it.

    `reason` is written by `write_reason` when first read: bulk re-evaluation (which screened
    candidates a draft would change) reads only statuses, and writing every reason took about
    a third of its time.
    """

    rule: CriterionRule
    status: str
    write_reason: Callable[[], str] = field(repr=False)
    needs: tuple[str, ...] = ()

    code = property(lambda self: self.rule.code)
    kind = property(lambda self: self.rule.kind)
    label = property(lambda self: self.rule.label)
    note = property(lambda self: self.rule.note)
    protocol_wording = property(lambda self: self.rule.protocol_wording)

    @property
    def variables(self) -> tuple[str, ...]:
        """The keys the criterion's expression reads (not those of applies_if)."""
        return self.rule.expression.reads

    @cached_property
    def reason(self) -> str:
        return self.write_reason()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CriterionResult):
            return NotImplemented
        mine, theirs = (self.rule, self.status, self.reason, self.needs), other
        return mine == (theirs.rule, theirs.status, theirs.reason, theirs.needs)

    def __hash__(self) -> int:
        return hash((self.rule, self.status, self.reason, self.needs))

    @property
    def failed(self) -> bool:
        """True when this result makes the candidate ineligible."""
        return self.status == (NOT_MET if self.kind == "inclusion" else MET)

    def to_dict(self) -> dict[str, Any]:
        """{"code", "kind", "label", "variable" (the first one read), "variables", "status",
        "reason", "note"}: one entry of the `screen` command's "criteria"."""
        return {
            "code": self.code,
            "kind": self.kind,
            "label": self.label,
            "variable": self.variables[0] if self.variables else "",
            "variables": list(self.variables),
            "status": self.status,
            "reason": self.reason,
            "note": self.note,
        }


@dataclass(frozen=True)
class Evaluation:
    """The outcome, every criterion's result (rule order), the entered variables still
    needed (form order) and the derived values with how they were obtained."""

    outcome: str
    results: tuple[CriterionResult, ...]
    missing: tuple[str, ...]
    derived: Mapping[str, Derived]

    def failed(self) -> tuple[CriterionResult, ...]:
        """The results that make the candidate ineligible."""
        return tuple(r for r in self.results if r.failed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON the `screen` command prints (trial and version are added by the caller):
        {"outcome", "criteria": [{"code", "kind", "label", "variable", "variables", "status",
        "reason", "note"}], "missing": [keys], "derived": {key: value as text},
        "derived_how": {key: how it was obtained}}."""
        return {
            "outcome": self.outcome,
            "criteria": [r.to_dict() for r in self.results],
            "missing": list(self.missing),
            "derived": {k: str(d.value) for k, d in self.derived.items()},
            "derived_how": {k: d.how for k, d in self.derived.items()},
        }
