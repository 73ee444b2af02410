"""What the evaluator returns: one CriterionResult per criterion and the Evaluation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from criteria.derivations import Derived

MET, NOT_MET, UNKNOWN, NOT_APPLICABLE = "met", "not_met", "unknown", "not_applicable"
ELIGIBLE, INELIGIBLE, INCOMPLETE = "eligible", "ineligible", "incomplete"


class CriterionResult:
    """One criterion's verdict (immutable). `variables` are the keys its expression reads;
    `needs`, for an unknown result, the entered variables that would decide it.

    `reason` may be given as a zero-argument function; it is then written on first reading
    and kept. Bulk re-evaluation (how many screened candidates would change outcome) reads
    only statuses, and should not pay for text nobody reads.
    """

    # What never changes for a criterion sits in one shared tuple, so making a result
    # costs four stores, not nine: results are made by the tens of thousands.
    __slots__ = ("_head", "status", "_reason", "needs")

    def __init__(
        self, code: str, kind: str, label: str, variables: tuple[str, ...], status: str,
        reason: str | Callable[[], str], note: str = "", protocol_wording: str = "",
        needs: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        _SET_HEAD(self, (code, kind, label, variables, note, protocol_wording))
        _SET_STATUS(self, status)
        _SET_REASON(self, reason)
        _SET_NEEDS(self, needs)

    code = property(lambda self: self._head[0])
    kind = property(lambda self: self._head[1])
    label = property(lambda self: self._head[2])
    variables = property(lambda self: self._head[3])
    note = property(lambda self: self._head[4])
    protocol_wording = property(lambda self: self._head[5])

    @property
    def reason(self) -> str:
        reason = self._reason
        if not isinstance(reason, str):
            reason = reason()
            _SET_REASON(self, reason)  # a pure function: same text each time
        return reason

    @property
    def failed(self) -> bool:
        """True when this result makes the candidate ineligible."""
        return self.status == (NOT_MET if self._head[1] == "inclusion" else MET)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CriterionResult is immutable; cannot set {name}")

    def _astuple(self) -> tuple:
        return (*self._head, self.status, self.reason, self.needs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CriterionResult):
            return NotImplemented
        return self._astuple() == other._astuple()

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __repr__(self) -> str:
        return f"CriterionResult({self.code} {self.status}: {self.reason!r})"

    def to_dict(self) -> dict[str, Any]:
        """{"code", "kind", "label", "variable" (the first one read), "variables", "status",
        "reason", "note"}: one entry of the `screen` command's "criteria"."""
        code, kind, label, variables, note, _ = self._head
        return {
            "code": code,
            "kind": kind,
            "label": label,
            "variable": variables[0] if variables else "",
            "variables": list(variables),
            "status": self.status,
            "reason": self.reason,
            "note": note,
        }


# __setattr__ refuses every write, so fields are stored through their slot descriptors:
# about a third of the cost of object.__setattr__, which looks each name up again.
_SET_HEAD, _SET_STATUS, _SET_REASON, _SET_NEEDS = (
    getattr(CriterionResult, name).__set__ for name in CriterionResult.__slots__
)
_new = object.__new__


def made_result(head: tuple, status: str, reason: object, needs: tuple) -> CriterionResult:
    """A result from its criterion's shared `head` (see CriterionResult._head): the fast way
    the evaluator makes them. `reason` may be a zero-argument function, as for the class."""
    result = _new(CriterionResult)
    _SET_HEAD(result, head)
    _SET_STATUS(result, status)
    _SET_REASON(result, reason)
    _SET_NEEDS(result, needs)
    return result


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
