"""The places pass: names that are a US state, not a country or capital, in their context."""

from __future__ import annotations

import polars as pl

from transforms.entities.patterns import _KEY
from transforms.schemas import MENTION_SCHEMA

# The names the context rules can turn into a US state, with the name the state is given.
CONTEXT_PLACES = {"place:US-GA": "Georgia", "place:US-WA": "Washington"}


def context_places(mentions: pl.LazyFrame, sentences: pl.LazyFrame) -> pl.LazyFrame:
    """mentions with Georgia next to a US place, and `Washington state`, as the US state."""
    is_state = pl.col("_is_georgia_state") | pl.col("_is_washington_state")
    # Only a mention of Georgia or Washington can change: the rules read just those (a few
    # hundred of Reuters' 60,000 mentions), and the others pass as they are.
    may_change = pl.col("surface").is_in(list(CONTEXT_PLACES.values()))
    changed = (
        _state_flags(mentions.filter(may_change), mentions, sentences)
        .with_columns(
            pl.when(pl.col("_is_georgia_state"))
            .then(pl.lit("place:US-GA"))
            .when(pl.col("_is_washington_state"))
            .then(pl.lit("place:US-WA"))
            .otherwise(pl.col("entity_id"))
            .alias("entity_id"),
            pl.when(is_state)
            .then(pl.lit("place"))
            .otherwise(pl.col("mention_kind"))
            .alias("mention_kind"),
            pl.when(is_state)
            .then(pl.lit("US"))
            .otherwise(pl.col("country_code"))
            .alias("country_code"),
        )
        .select(list(MENTION_SCHEMA))
    )
    return pl.concat(
        [mentions.filter(~may_change).select(list(MENTION_SCHEMA)), changed]
    ).with_columns(
        pl.when(pl.col("mention_kind") == "place")
        .then(pl.lit("place"))
        .otherwise(pl.col("entity_type"))
        .alias("entity_type")
    )


def _state_flags(
    candidates: pl.LazyFrame, mentions: pl.LazyFrame, sentences: pl.LazyFrame
) -> pl.LazyFrame:
    """candidates (some of mentions) with _is_georgia_state (Georgia in a sentence with a US
    place among mentions) and _is_washington_state (`Washington state`)."""
    local_end = pl.col("end_char") - pl.col("sentence_start")
    us_places = (
        mentions.filter((pl.col("entity_type") == "place") & (pl.col("country_code") == "US"))
        .select(_KEY)
        .unique()
        .with_columns(pl.lit(True).alias("_us_place"))
    )
    # Only a sentence with ` state` in it can hold `Washington state`: the join reads just those
    # (3,300 of Reuters' 145,000 sentences); other mentions get a null sentence, so no match.
    state_sentences = sentences.filter(pl.col("sentence").str.contains(" state", literal=True))
    return (
        candidates.join(us_places, on=_KEY, how="left")
        .join(
            state_sentences.select(*_KEY, pl.col("start_char").alias("sentence_start"), "sentence"),
            on=_KEY,
            how="left",
        )
        # Flags as columns, computed once: inside each when() of context_places, polars would
        # evaluate them three times.
        .with_columns(
            (
                (pl.col("entity_id") == "country:GE")
                & (pl.col("surface") == "Georgia")
                & pl.col("_us_place").fill_null(False)
            ).alias("_is_georgia_state"),
            (
                (pl.col("surface") == "Washington")
                & (pl.col("sentence").str.slice(local_end, 6) == " state").fill_null(False)
            ).alias("_is_washington_state"),
        )
    )
