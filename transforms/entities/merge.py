"""The mentions the entity passes add, and all mentions of a batch as one frame."""

from __future__ import annotations

import polars as pl

from transforms.entities.overlaps import _drop_overlapping
from transforms.entities.patterns import _KEY
from transforms.schemas import MENTION_SCHEMA


def entity_mentions(people: pl.LazyFrame, organizations: pl.LazyFrame) -> pl.LazyFrame:
    """The person and organisation mentions (MENTION_SCHEMA), with their surface text: the
    people's (the full name or short form written) and the organisations' names, which are
    the text of their spans."""
    return pl.concat(
        [
            people.select(*_KEY, "start_char", "end_char", "surface", "entity_id", "entity_type",
                          "mention_kind", "country_code"),
            organizations.select(*_KEY, "start_char", "end_char", pl.col("name").alias("surface"),
                                 "entity_id", "entity_type",
                                 pl.lit("organization").alias("mention_kind"),
                                 pl.col("qualifier_code").alias("country_code")),
        ]
    ).select(list(MENTION_SCHEMA))  # fmt: skip


def uncovered(mentions: pl.LazyFrame, entity_mentions: pl.LazyFrame) -> pl.LazyFrame:
    """The gazetteer's country and place mentions outside every person and organisation
    mention (`Jordan` in `Michael Jordan` is none)."""
    return _drop_overlapping(
        mentions.filter(pl.col("entity_type") != "organization"), entity_mentions
    )


def merge_mentions(*mentions: pl.LazyFrame) -> pl.LazyFrame:
    """All the mentions given (MENTION_SCHEMA), by article and start."""
    return (
        pl.concat([frame.select(list(MENTION_SCHEMA)) for frame in mentions])
        # Stable: each frame given comes sorted, or nearly, and a stable sort merges such runs
        # in a fraction of the time of an unstable one.
        .sort("article_id", "start_char", maintain_order=True)
        .select(list(MENTION_SCHEMA))
    )
