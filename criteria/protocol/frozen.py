"""Immutable, hashable containers for the records of `shape`: a FrozenMap for dicts, tuples
for lists, so a rule set can be shared between threads and compared by content."""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any


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


def freeze(obj: object, name: str, kind: type) -> None:
    # Frozen dataclasses refuse attribute assignment; coercing a caller's dict/list to the
    # immutable form keeps construction convenient without giving up hashability.
    value = getattr(obj, name)
    if not isinstance(value, kind):
        object.__setattr__(obj, name, kind(value))


def deep_freeze(value: object) -> object:
    """JSON data made immutable and hashable: objects as FrozenMaps, lists as tuples."""
    if isinstance(value, Mapping):
        return FrozenMap((k, deep_freeze(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(deep_freeze(v) for v in value)
    return value
