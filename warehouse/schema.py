"""Column names and types of the frames loaded into the warehouse (see sql/migrations/)."""

from __future__ import annotations

import polars as pl

ENTITY_SCHEMA: dict[str, pl.DataType] = {
    "entity_id": pl.String(),
    "entity_type": pl.String(),
    "name": pl.String(),
    "country_code": pl.String(),
}

# What one article says of one entity: the name and country it gives, by how many mentions.
EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "entity_id": pl.String(),
    "entity_type": pl.String(),
    "name": pl.String(),
    "country_code": pl.String(),
    "mention_count": pl.Int32(),
}

# A loaded article that a batch's copy of the same text outranks (transforms/ledger.py).
DEMOTED_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "source_path": pl.String(),
    "duplicate_of": pl.String(),
}

# A text a file holds but does not count, and the canonical file that counts it.
COPY_SCHEMA: dict[str, pl.DataType] = {
    "path": pl.String(),
    "content_hash": pl.String(),
    "duplicate_of": pl.String(),
}
