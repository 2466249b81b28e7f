"""Opening datelines: the country of the dateline city, and keeping the dateline out of mentions."""

from __future__ import annotations

import polars as pl

# A dateline names a city: prefer capitals and places over country names and demonyms
# when the same letters, case aside, mean several things.
_KIND_RANK = {"capital": 0, "place": 1, "name": 2, "demonym": 3}


def dateline_countries(articles: pl.LazyFrame, surface_forms: pl.DataFrame) -> pl.LazyFrame:
    """Articles with dateline_country_code: the country of dateline_place, matched case-blind."""
    lookup = (
        surface_forms.lazy()
        .select(
            pl.col("surface").str.to_lowercase().alias("place_key"),
            pl.col("country_code").alias("dateline_country_code"),
            pl.col("mention_kind").replace_strict(_KIND_RANK, default=9).alias("rank"),
        )
        .sort("place_key", "rank")
        .unique("place_key", keep="first")
        .drop("rank")
    )
    return (
        articles.drop("dateline_country_code", strict=False)
        .with_columns(
            pl.col("dateline_place").str.to_lowercase().str.strip_chars().alias("place_key")
        )
        .join(lookup, on="place_key", how="left")
        .drop("place_key")
    )


def drop_dateline_mentions(mentions: pl.LazyFrame, articles: pl.LazyFrame) -> pl.LazyFrame:
    """Mentions outside each article's opening dateline span (it starts the body, after the headline)."""
    return (
        mentions.join(
            articles.select(
                "article_id",
                (pl.col("headline").str.len_chars().cast(pl.Int64) + 2).alias("dateline_start"),
                "dateline_end_char",
            ),
            on="article_id",
            how="left",
        )
        .filter(
            pl.col("dateline_end_char").is_null()
            | (pl.col("end_char") <= pl.col("dateline_start"))
            | (pl.col("start_char") >= pl.col("dateline_end_char"))
        )
        .drop("dateline_start", "dateline_end_char")
    )
