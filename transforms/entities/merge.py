"""The mentions the entity passes add, and all mentions of a batch as one frame."""

from __future__ import annotations

import polars as pl

from transforms.entities.overlaps import _drop_overlapping
from transforms.entities.patterns import _KEY
from transforms.schemas import MENTION_SCHEMA


def entity_mentions(
    people: pl.LazyFrame, organizations: pl.LazyFrame, sentences: pl.LazyFrame
) -> pl.LazyFrame:
    """The person and organisation mentions (MENTION_SCHEMA), with their surface text."""
    text = sentences.select(*_KEY, pl.col("start_char").alias("sentence_start"), "sentence")
    surface = pl.col("sentence").str.slice(
        pl.col("start_char") - pl.col("sentence_start"), pl.col("end_char") - pl.col("start_char")
    )
    return (
        pl.concat(
            [
                people.select(*_KEY, "start_char", "end_char", "entity_id", "entity_type",
                              "mention_kind", "country_code"),
                organizations.select(*_KEY, "start_char", "end_char", "entity_id", "entity_type",
                                     pl.lit("organization").alias("mention_kind"),
                                     pl.col("qualifier_code").alias("country_code")),
            ]
        )
        .join(text, on=_KEY)
        .with_columns(surface.alias("surface"))
        .select(list(MENTION_SCHEMA))
    )  # fmt: skip


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
        .sort("article_id", "start_char")
        .select(list(MENTION_SCHEMA))
    )
