"""Values derived from gazetteer tables, built once per process rather than once per batch.

Gazetteer frames are not hashable, so an entry is keyed by the identity of the objects it was
built from (plus any hashable extras); the objects are kept in the entry, so their ids cannot
be reused while it lives. Batches transform on several threads: an entry is read with one
lookup, and at worst two threads build the same value once each.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

_ENTRIES: dict[tuple[Hashable, ...], tuple[tuple[object, ...], object]] = {}
_MAX_ENTRIES = 32  # a process sees one gazetteer; tests build a few more


def by_identity(
    name: str, sources: tuple[object, ...], build: Callable[[], T], *extra: Hashable
) -> T:
    """build(), or the value it gave before for the same name, sources and extras."""
    key = (name, *(id(source) for source in sources), *extra)
    entry = _ENTRIES.get(key)
    if entry is not None:
        return entry[1]  # type: ignore[return-value]
    value = build()
    if len(_ENTRIES) >= _MAX_ENTRIES:
        _ENTRIES.clear()
    _ENTRIES[key] = (sources, value)
    return value
