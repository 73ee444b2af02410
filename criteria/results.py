"""What the evaluator returns: one CriterionResult per criterion and the Evaluation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from criteria.derivations import Derived

MET, NOT_MET, UNKNOWN, NOT_APPLICABLE = "met", "not_met", "unknown", "not_applicable"
ELIGIBLE, INELIGIBLE, INCOMPLETE = "eligible", "ineligible", "incomplete"


def fails(kind: str, status: str) -> bool:
    """Whether a criterion of `kind` with `status` makes the candidate ineligible: an
    inclusion not met, or an exclusion met."""
    return status == (NOT_MET if kind == "inclusion" else MET)


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's verdict. `variables` are the keys its expression reads; `needs`, for
    an unknown result, the entered variables that would decide it."""

    code: str
    kind: str
    label: str
    variables: tuple[str, ...]
    status: str
    reason: str
    note: str = ""
    protocol_wording: str = ""
    needs: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """True when this result makes the candidate ineligible."""
        return fails(self.kind, self.status)

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


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The outcome, every criterion's result (rule order), the entered variables still
    needed (form order) and the derived values with how they were obtained.

    `results` are made by `make_results` when first read: bulk re-evaluation (which screened
    candidates a draft would change) reads only outcomes, and making every result with its
    reason took about three quarters of its time.
    """

    outcome: str
    missing: tuple[str, ...]
    derived: Mapping[str, Derived]
    make_results: Callable[[], tuple[CriterionResult, ...]] = field(repr=False)

    @cached_property
    def results(self) -> tuple[CriterionResult, ...]:
        return self.make_results()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Evaluation):
            return NotImplemented
        mine = (self.outcome, self.results, self.missing, self.derived)
        return mine == (other.outcome, other.results, other.missing, other.derived)

    def failed(self) -> tuple[CriterionResult, ...]:
        """The results that make the candidate ineligible."""
        return tuple(r for r in self.results if r.failed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON the `screen` command prints (trial and version are added by the caller):
        {"outcome", "criteria": [{"code", "kind", "label", "variable", "variables", "status",
        "reason", "note"}], "missing": [keys], "derived": {key: value rounded to its display
        places, as text}, "derived_how": {key: how it was obtained}}. The exact derived
        values are in `derived` (a decision stores them)."""
        return {
            "outcome": self.outcome,
            "criteria": [r.to_dict() for r in self.results],
            "missing": list(self.missing),
            "derived": {k: d.shown or str(d.value) for k, d in self.derived.items()},
            "derived_how": {k: str(d.how) for k, d in self.derived.items()},
        }
