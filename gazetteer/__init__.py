"""Countries, places and the surface strings that name them in English news copy."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import polars as pl

from gazetteer.build import build_tables, read_word_list

__all__ = ["Gazetteer", "load_gazetteer", "load_non_country_phrases"]


@dataclass(frozen=True)
class Gazetteer:
    """The three gazetteer tables: countries, entities and their surface forms."""

    countries: pl.DataFrame
    entities: pl.DataFrame
    surface_forms: pl.DataFrame
    blockers: frozenset[str] = frozenset()


@functools.cache
def load_gazetteer() -> Gazetteer:
    """Return the gazetteer built from package data and gazetteer/data (no network)."""
    countries, entities, surface_forms = build_tables()
    return Gazetteer(
        countries=countries,
        entities=entities,
        surface_forms=surface_forms,
        blockers=load_non_country_phrases(),
    )


@functools.cache
def load_non_country_phrases() -> frozenset[str]:
    """Return phrases a matcher should consume without a mention ("Latin America")."""
    return read_word_list("non_country_phrases.txt")
