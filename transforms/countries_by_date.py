"""Countries by date: a mention of a successor state, dated in a former state's time, counts as
the former state (Moscow in 1987 is SU, Leipzig in 1987 is DD, Moscow in 2020 is RU).

The rule, with gazetteer/data/successions.csv as its data: a country code that is a successor
of a former country, on a date from the succession's valid_from to its valid_to (both days
inclusive), becomes the former country's code. A succession limited to regions applies to the
places of those regions only (by entity_id: Leipzig, not Germany as a whole); a place row wins
over a whole-country row. Undated rows, and codes no succession lists, keep their code.
"""

from __future__ import annotations

import polars as pl


def former_country(
    frame: pl.LazyFrame,
    successions: pl.DataFrame,
    *,
    date: str,
    code: str,
    entity_id: str | None = None,
) -> pl.LazyFrame:
    """frame with its `code` column replaced by the country it counted as on `date`: the former
    country where a succession (gazetteer.successions) covers that code, or the place in
    `entity_id`, on that day; otherwise unchanged. Two left joins on tables unique by key."""
    on_date = pl.col(date)
    whole = (
        successions.lazy()
        .filter(pl.col("entity_id").is_null())
        .select(
            pl.col("successor_code").alias("_successor_code"),
            pl.col("former_code").alias("_country_former"),
            pl.col("valid_from").alias("_country_from"),
            pl.col("valid_to").alias("_country_to"),
        )
    )
    counted = pl.when(on_date.is_between(pl.col("_country_from"), pl.col("_country_to"))).then(
        pl.col("_country_former")
    )
    joined = frame.join(
        whole, left_on=code, right_on="_successor_code", how="left", maintain_order="left"
    )
    helpers = ["_country_former", "_country_from", "_country_to"]
    if entity_id is not None:
        places = (
            successions.lazy()
            .filter(pl.col("entity_id").is_not_null())
            .select(
                pl.col("entity_id").alias("_entity_id"),
                pl.col("successor_code").alias("_place_successor"),
                pl.col("former_code").alias("_place_former"),
                pl.col("valid_from").alias("_place_from"),
                pl.col("valid_to").alias("_place_to"),
            )
        )
        joined = joined.join(
            places, left_on=entity_id, right_on="_entity_id", how="left", maintain_order="left"
        )
        # Only while the mention still has the place's own country: a row is the place in its
        # successor, not whatever country a later pass might give the same entity.
        by_place = pl.when(
            (pl.col(code) == pl.col("_place_successor"))
            & on_date.is_between(pl.col("_place_from"), pl.col("_place_to"))
        ).then(pl.col("_place_former"))
        counted = pl.coalesce(by_place, counted)
        helpers += ["_place_successor", "_place_former", "_place_from", "_place_to"]
    return joined.with_columns(pl.coalesce(counted, pl.col(code)).alias(code)).drop(helpers)


def mention_countries_by_date(
    mentions: pl.LazyFrame, articles: pl.LazyFrame, successions: pl.DataFrame
) -> pl.LazyFrame:
    """Mentions with country_code as it was on their article's published_date (former_country);
    entity_id keeps the entity the surface names, whose country is today's. In their order."""
    if "published_date" not in articles.collect_schema().names():
        return mentions  # a frame of articles without dates: every code is today's
    columns = mentions.collect_schema().names()
    # Only a mention of a successor's code can count as another country (a place's succession
    # too applies to its successor's code): the others, most of them, skip the joins.
    successors = successions.get_column("successor_code").unique()
    may_change = pl.col("country_code").is_in(successors.implode()).fill_null(False)
    numbered = mentions.with_row_index("_row")
    dated = former_country(
        numbered.filter(may_change).join(
            articles.select("article_id", pl.col("published_date").alias("_published_date")),
            on="article_id",
            how="left",
            maintain_order="left",
        ),
        successions,
        date="_published_date",
        code="country_code",
        entity_id="entity_id",
    )
    return (
        numbered.join(
            dated.select("_row", pl.col("country_code").alias("_dated")),
            on="_row",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.coalesce("_dated", "country_code").alias("country_code"))
        .select(columns)
    )
