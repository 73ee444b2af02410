"""The shape of a protocol file: frozen dataclasses, the vocabulary they use, the field lists.

Each record's dataclass is its one list of fields: the file's keys, in the file's order, are
the dataclass's fields (`VARIABLE_FIELDS`, `CRITERION_FIELDS`, ...), and reading, checking,
writing and the models all take them from here. Everything is immutable and hashable so a
rule set can be shared between threads; mappings are `FrozenMap`s and sequences are tuples.
Import from `criteria.protocol`, which adds reading, checking and writing.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

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


class FrozenMap(Mapping):
    """An immutable, hashable dict (insertion order kept; equality and hash ignore order)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping | Iterable[tuple[Any, Any]] = ()) -> None:
        self._data = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: Any, default: Any = None) -> Any:
        return self._data.get(key, default)

    # The dict's own read-only views: Mapping's would look every key up again.
    def keys(self) -> KeysView:
        return self._data.keys()

    def items(self) -> ItemsView:
        return self._data.items()

    def values(self) -> ValuesView:
        return self._data.values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def _freeze(obj: object, name: str, kind: type) -> None:
    # Frozen dataclasses refuse attribute assignment; coercing a caller's dict/list to the
    # immutable form keeps construction convenient without giving up hashability.
    value = getattr(obj, name)
    if not isinstance(value, kind):
        object.__setattr__(obj, name, kind(value))


def _freeze_translations(obj: object) -> None:
    # {"da": {"label": ..., "choices": {...}}}: every level frozen, so the spec stays hashable.
    frozen = FrozenMap(
        (
            language,
            FrozenMap((k, FrozenMap(v) if isinstance(v, Mapping) else v) for k, v in texts.items()),
        )
        for language, texts in obj.translations.items()  # type: ignore[attr-defined]
    )
    object.__setattr__(obj, "translations", frozen)


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
        _freeze(self, "parts", tuple)

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
    derivation: str = ""
    loinc: str = ""
    shown_if: tuple[Condition, ...] = ()
    # Where the hospital record holds this value: (system, code) pairs, asked in this order
    # (NPU before LOINC), and how many days before the screening date a result may be.
    codes: tuple[Code, ...] = ()
    lookback_days: int | None = None
    # Labels, help text and choice labels in other languages (criteria.translations).
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        _freeze_translations(self)
        _freeze(self, "codes", tuple)
        _freeze(self, "alt_units", FrozenMap)
        _freeze(self, "choices", tuple)
        _freeze(self, "shown_if", tuple)


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
    # The label in other languages; the protocol wording is never translated.
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        _freeze_translations(self)
        _freeze(self, "applies_if", tuple)


@dataclass(frozen=True)
class RuleSet:
    """A trial's variables (by key, derived ones included) and criteria, one version."""

    trial: str
    version: int
    variables: Mapping[str, VariableSpec]
    criteria: tuple[CriterionRule, ...]

    def __post_init__(self) -> None:
        _freeze(self, "variables", FrozenMap)
        _freeze(self, "criteria", tuple)


@dataclass(frozen=True)
class TrialInfo:
    """The trial a protocol file describes."""

    registry_id: str
    title: str
    sponsor_protocol_id: str = ""


def field_names(record: type) -> tuple[str, ...]:
    """A record's fields in the protocol file's order (the dataclass's order)."""
    return tuple(f.name for f in fields(record))


PROTOCOL_FORMAT = "trialsite-protocol/1"
PROTOCOL_FIELDS = ("format", "trial", "variables", "criteria_set")
TRIAL_FIELDS = field_names(TrialInfo)
VARIABLE_FIELDS = field_names(VariableSpec)
CRITERION_FIELDS = field_names(CriterionRule)
CONDITION_FIELDS = field_names(Condition)
