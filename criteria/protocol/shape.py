"""The shape of a protocol file: frozen dataclasses, the vocabulary they use, the field lists.

Each record's dataclass is its one list of fields: the file's keys, in the file's order, are
the dataclass's fields (`VARIABLE_FIELDS`, `CRITERION_FIELDS`, ...), and reading, checking,
writing and the models all take them from here. Everything is immutable and hashable so a
rule set can be shared between threads; mappings are `FrozenMap`s and sequences are tuples.
Import from `criteria.protocol`, which adds reading, checking and writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from criteria.protocol.frozen import FrozenMap, deep_freeze, freeze

# A date question answered "never" (no chemotherapy ever) differs from one not answered yet.
NEVER = "never"

DATA_TYPES = ("number", "integer", "boolean", "choice", "date")
KINDS = ("inclusion", "exclusion")
GROUP_MODES = ("all", "any")

NUMBER_OPERATORS = frozenset({"lt", "lte", "gt", "gte", "eq", "ne"})
BOOLEAN_OPERATORS = frozenset({"is_true", "is_false"})
CHOICE_OPERATORS = frozenset({"eq", "ne", "in", "not_in"})
DATE_OPERATORS = frozenset({"within_days_before", "not_within_days_before"})
OPERATORS = (
    "lt",
    "lte",
    "gt",
    "gte",
    "eq",
    "ne",
    "in",
    "not_in",
    "is_true",
    "is_false",
    "within_days_before",
    "not_within_days_before",
)
OPERATORS_BY_TYPE: Mapping[str, frozenset[str]] = {
    "number": NUMBER_OPERATORS,
    "integer": NUMBER_OPERATORS,
    "boolean": BOOLEAN_OPERATORS,
    "choice": CHOICE_OPERATORS,
    "date": DATE_OPERATORS,
}


@dataclass(frozen=True)
class Condition:
    """One comparison of a variable with a threshold, or of two dates.

    `value` is a Decimal for number/integer thresholds, a str for choice eq/ne, a tuple of str
    for in/not_in, an int of days for the date windows and None for is_true/is_false. For the
    date windows, `other` names the reference date: "`variable` lies less than `value` days
    before `other`".
    """

    variable: str
    operator: str
    value: object = None
    other: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.value, list):
            object.__setattr__(self, "value", tuple(self.value))

    @property
    def reads(self) -> tuple[str, ...]:
        """The variable keys this comparison reads."""
        return (self.variable, self.other) if self.other else (self.variable,)


@dataclass(frozen=True)
class Group:
    """All-of (`mode="all"`) or any-of (`mode="any"`) a tuple of expressions."""

    mode: str
    parts: tuple[Expression, ...]

    def __post_init__(self) -> None:
        freeze(self, "parts", tuple)

    @property
    def reads(self) -> tuple[str, ...]:
        """The variable keys the parts read, first-seen order, no repeats."""
        seen: dict[str, None] = {}
        for part in self.parts:
            seen.update(dict.fromkeys(part.reads))
        return tuple(seen)


Expression = Condition | Group


@dataclass(frozen=True)
class Code:
    """A code of a value in the hospital record: `system` is a URI (NPU, LOINC)."""

    system: str
    code: str


@dataclass(frozen=True)
class Input:
    """One input of a kind of derivation: its role, and what the variable it names must be.

    `choice_of` marks an input that names no variable but a choice of the variable named by
    that role (creatinine clearance's "female": which answer of "sex" means female)."""

    role: str
    data_types: tuple[str, ...] = ()
    optional: bool = False
    unit: str = ""  # the unit the formula is written for, where it fixes one
    choice_of: str = ""


@dataclass(frozen=True)
class DerivationKind:
    """A kind of calculation a protocol file instantiates with its own variables."""

    name: str
    inputs: tuple[Input, ...]
    data_type: str  # what the derived variable is: "number" or "integer"
    summary: str = ""


_NUMERIC = ("number", "integer")
_DATE = ("date",)
DERIVATION_KINDS: Mapping[str, DerivationKind] = {
    kind.name: kind
    for kind in (
        DerivationKind(
            "times_uln",
            (Input("value", _NUMERIC), Input("uln", _NUMERIC)),
            "number",
            "a lab as a multiple of its upper limit of normal (both in the same unit)",
        ),
        DerivationKind(
            "age_years",
            (Input("birth_date", _DATE), Input("on", _DATE)),
            "integer",
            "completed years from a birth date to a reference date",
        ),
        DerivationKind(
            "days_between",
            (Input("start", _DATE), Input("end", _DATE)),
            "integer",
            "whole days from one date to another",
        ),
        DerivationKind(
            "creatinine_clearance",
            (
                Input("measured", ("number",), optional=True, unit="mL/min"),
                Input("age", ("integer",)),
                Input("sex", ("choice",)),
                Input("female", choice_of="sex"),
                Input("weight", ("number",), unit="kg"),
                Input("creatinine", ("number",), unit="µmol/L"),
            ),
            "number",
            "measured clearance when entered, else Cockcroft-Gault",
        ),
    )
}
DEFAULT_DERIVED_PLACES = 2
MAX_DISPLAY_PLACES = 6


@dataclass(frozen=True)
class Derivation:
    """How a derived variable is worked out: a kind (`DERIVATION_KINDS`) and its inputs by
    role, e.g. `Derivation("times_uln", {"value": "alt", "uln": "alt_uln"})`."""

    kind: str
    inputs: Mapping[str, str]

    def __post_init__(self) -> None:
        freeze(self, "inputs", FrozenMap)

    def reads(self, *, optional: bool = True) -> tuple[str, ...]:
        """The keys of the variables it reads, in the kind's order; without the optional
        ones (a measured clearance) when `optional` is False."""
        return tuple(
            self.inputs[put.role]
            for put in DERIVATION_KINDS[self.kind].inputs
            if not put.choice_of and put.role in self.inputs and (optional or not put.optional)
        )


@dataclass(frozen=True)
class VariableSpec:
    """One question of the screening form, or a value derived from others (`derivation`)."""

    key: str
    label: str
    data_type: str
    section: str = ""
    order: int = 0
    help_text: str = ""
    unit: str = ""
    alt_units: Mapping[str, Decimal] = field(default_factory=FrozenMap)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()
    never_allowed: bool = False
    # Dates of past events cannot lie after today; a planned date may (`future_allowed`).
    future_allowed: bool = False
    derivation: Derivation | None = None
    # Places a number is shown with (rounded half-even); it is compared unrounded.
    display_places: int | None = None
    loinc: str = ""
    shown_if: tuple[Condition, ...] = ()
    # Where the hospital record holds this value: (system, code) pairs, asked in this order
    # (NPU before LOINC), and how many days before the screening date a result may be.
    codes: tuple[Code, ...] = ()
    lookback_days: int | None = None
    # Labels in other languages, {"da": {"label": ..., "help_text": ..., "choices": {...}}}.
    translations: Mapping[str, Any] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        freeze(self, "codes", tuple)
        freeze(self, "alt_units", FrozenMap)
        freeze(self, "choices", tuple)
        freeze(self, "shown_if", tuple)
        object.__setattr__(self, "translations", deep_freeze(self.translations))

    @property
    def places(self) -> int | None:
        """Places its numbers are shown with: `display_places`, else 2 for a derived number,
        else None (an entered number is shown as it was entered)."""
        if self.display_places is not None or self.derivation is None:
            return self.display_places
        return DEFAULT_DERIVED_PLACES


Variables = Mapping[str, VariableSpec]


@dataclass(frozen=True)
class CriterionRule:
    """One inclusion or exclusion criterion; `expression` holds when it is "met"."""

    code: str
    kind: str
    label: str
    protocol_wording: str
    expression: Expression
    applies_if: tuple[Condition, ...] = ()
    order: int = 0
    note: str = ""
    # {"da": {"label": ..., "note": ...}}
    translations: Mapping[str, Any] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        freeze(self, "applies_if", tuple)
        object.__setattr__(self, "translations", deep_freeze(self.translations))


@dataclass(frozen=True)
class RuleSet:
    """A trial's variables (by key, derived ones included) and criteria, one version."""

    trial: str
    version: int
    variables: Mapping[str, VariableSpec]
    criteria: tuple[CriterionRule, ...]

    def __post_init__(self) -> None:
        freeze(self, "variables", FrozenMap)
        freeze(self, "criteria", tuple)


@dataclass(frozen=True)
class TrialInfo:
    """The trial a protocol file describes."""

    registry_id: str
    title: str
    sponsor_protocol_id: str = ""


def field_names(record: type) -> tuple[str, ...]:
    """A record's fields in the protocol file's order (the dataclass's order)."""
    return tuple(f.name for f in fields(record))


# The writer writes version 2; version 1 files (derivations named by a string) are read forever.
PROTOCOL_FORMAT = "trialsite-protocol/2"
PROTOCOL_V1 = "trialsite-protocol/1"
PROTOCOL_FIELDS = ("format", "trial", "variables", "criteria_set")
TRIAL_FIELDS = field_names(TrialInfo)
VARIABLE_FIELDS = field_names(VariableSpec)
CRITERION_FIELDS = field_names(CriterionRule)
CONDITION_FIELDS = field_names(Condition)
# What version 2 added; a version 1 file has none of these fields. `translations` is read
# in either version (a version 1 file plus an optional key, as agreed for the format).
V2_VARIABLE_FIELDS = ("display_places",)
V2_CRITERION_FIELDS: tuple[str, ...] = ()
