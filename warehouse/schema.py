"""Which stage frames the warehouse stores, in which table, and the columns the loader writes.

The frames themselves are defined once, in transforms/schemas.py; the tables in
sql/migrations/. tests/warehouse/test_schema.py checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.schemas import (
    COPY_SCHEMA,
    COUNTRY_SCHEMA,
    ENTITY_SCHEMA,
    EVIDENCE_SCHEMA,
    LEDGER_SCHEMA,
    MENTION_SCHEMA,
    SCORED_ARTICLE_SCHEMA,
    SCORED_SENTENCE_SCHEMA,
    UNLISTED_SCHEMA,
)


@dataclass(frozen=True)
class Table:
    """A warehouse table that stores one stage frame."""

    name: str
    frame: pl.Schema  # the stage contract it stores
    not_stored: tuple[str, ...] = ()  # frame columns the table leaves out, and why in TABLES
    added: tuple[str, ...] = ()  # columns the warehouse fills itself (load_id, timestamps)

    @property
    def stored(self) -> tuple[str, ...]:
        """The frame's columns the loader writes, in the frame's order."""
        return tuple(name for name in self.frame if name not in self.not_stored)

    @property
    def columns(self) -> str:
        """The stored columns as a SQL column list."""
        return ", ".join(self.stored)


# body is kept out of articles: text holds headline and body. sentence is kept out of
# sentence_spans: the sentences view cuts it from articles.text (migration 004).
ARTICLES = Table("articles", SCORED_ARTICLE_SCHEMA, ("body",), ("loaded_at", "load_id"))
SENTENCE_SPANS = Table("sentence_spans", SCORED_SENTENCE_SCHEMA, ("sentence",), ("load_id",))
MENTIONS = Table("mentions", MENTION_SCHEMA, (), ("load_id",))
ENTITY_EVIDENCE = Table("entity_evidence", EVIDENCE_SCHEMA, (), ("load_id",))
ENTITIES = Table("entities", ENTITY_SCHEMA)
COUNTRIES = Table("countries", COUNTRY_SCHEMA)
SOURCE_FILES = Table("source_files", LEDGER_SCHEMA, (), ("loaded_at",))
DUPLICATE_COPIES = Table("duplicate_copies", COPY_SCHEMA)
UNLISTED_FOLDERS = Table("unlisted_folders", UNLISTED_SCHEMA, (), ("checked_at",))

TABLES: tuple[Table, ...] = (
    ARTICLES,
    SENTENCE_SPANS,
    MENTIONS,
    ENTITY_EVIDENCE,
    ENTITIES,
    COUNTRIES,
    SOURCE_FILES,
    DUPLICATE_COPIES,
    UNLISTED_FOLDERS,
)
