"""The focus of each article: the country the story is about, and the place that dominates it.

Every country an article gives evidence for gets a score; the highest wins. The evidence, in
the order a reader weighs it:

| evidence | points |
| --- | --- |
| the opening dateline's country (`TOKYO, April 10 -`) | 5 |
| a mention of the country in the headline (name, capital, demonym or place) | 3 |
| such a mention in the first paragraph (the lead) | 2.5 |
| its share of the article's country mentions (names, capitals, demonyms, places) | 0 to 1 |
| its share of the article's people and organisations that have a country | 0 to 0.5 |

So the dateline decides against the headline or the lead alone, however the mentions fall
(5 > 3 + 1 + 0.5), but a story filed from one country whose headline and lead are both about
another is about that other (3 + 2.5 > 5). Without a dateline the headline outranks the lead,
and the counts break what they leave even. Equal scores go to the country given first (the
dateline before the text), then to the lower code. An article with no such evidence has no
focus.

The focus place is the city or region (entity_id) of the focus country named by at least two
place mentions and by more than half of the focus country's place mentions. Capitals are not
candidates: a capital mention stands for its government (`Tokyo said`), not for the city.
"""

from __future__ import annotations

import polars as pl

DATELINE_POINTS = 5.0
HEADLINE_POINTS = 3.0
LEAD_POINTS = 2.5
MENTION_SHARE_POINTS = 1.0
ACTOR_SHARE_POINTS = 0.5
# The focus place needs this many mentions, and more than half of its country's place mentions.
MIN_PLACE_MENTIONS = 2

REFERENCE_KINDS = ("name", "capital", "demonym", "place")
HEADLINE_PARAGRAPH = 0
LEAD_PARAGRAPH = 1


def country_scores(
    articles: pl.LazyFrame, sentences: pl.LazyFrame, mentions: pl.LazyFrame
) -> pl.LazyFrame:
    """One row per article per country it gives evidence for: article_id, country_code,
    focus_score and first_char (where the evidence first appears; -1 for the dateline)."""
    is_reference = pl.col("mention_kind").is_in(REFERENCE_KINDS)
    paragraph = pl.col("paragraph_no")
    evidence = (
        mentions.filter(pl.col("country_code").is_not_null())
        .join(
            sentences.select("article_id", "sentence_no", "paragraph_no"),
            on=["article_id", "sentence_no"],
            how="left",
        )
        .group_by("article_id", "country_code")
        .agg(
            is_reference.sum().alias("reference_count"),
            (~is_reference).sum().alias("actor_count"),
            (is_reference & (paragraph == HEADLINE_PARAGRAPH)).any().alias("in_headline"),
            (is_reference & (paragraph == LEAD_PARAGRAPH)).any().alias("in_lead"),
            pl.col("start_char").min().alias("first_char"),
        )
    )
    datelines = articles.filter(pl.col("dateline_country_code").is_not_null()).select(
        "article_id",
        pl.col("dateline_country_code").alias("country_code"),
        pl.lit(True).alias("is_dateline"),
    )
    share = _share_of_article
    return (
        evidence.join(datelines, on=["article_id", "country_code"], how="full", coalesce=True)
        .with_columns(
            pl.col("is_dateline", "in_headline", "in_lead").fill_null(False),
            pl.col("reference_count", "actor_count").fill_null(0),
        )
        .select(
            "article_id",
            "country_code",
            (
                pl.col("is_dateline").cast(pl.Float64) * DATELINE_POINTS
                + pl.col("in_headline").cast(pl.Float64) * HEADLINE_POINTS
                + pl.col("in_lead").cast(pl.Float64) * LEAD_POINTS
                + share("reference_count") * MENTION_SHARE_POINTS
                + share("actor_count") * ACTOR_SHARE_POINTS
            ).alias("focus_score"),
            # The dateline opens the story: it comes before any mention of the text.
            pl.when(pl.col("is_dateline"))
            .then(pl.lit(-1, dtype=pl.Int64))
            .otherwise(pl.col("first_char"))
            .alias("first_char"),
        )
    )


def _share_of_article(count: str) -> pl.Expr:
    """count as a share of the article's total of it (0 when the article has none)."""
    total = pl.col(count).sum().over("article_id")
    return pl.when(total > 0).then(pl.col(count) / total).otherwise(0.0)


def focus_countries(scores: pl.LazyFrame) -> pl.LazyFrame:
    """One row per article with any evidence: article_id, focus_country_code (country_scores'
    best; ties to the earliest evidence, then the lower code)."""
    return (
        scores.sort(
            "article_id",
            "focus_score",
            "first_char",
            "country_code",
            descending=[False, True, False, False],
        )
        .unique("article_id", keep="first", maintain_order=True)
        .select("article_id", pl.col("country_code").alias("focus_country_code"))
    )


def focus_places(focus: pl.LazyFrame, mentions: pl.LazyFrame) -> pl.LazyFrame:
    """One row per article whose focus country has a dominating place: article_id, focus_place
    (its entity_id)."""
    places = (
        mentions.filter(pl.col("mention_kind") == "place")
        .join(
            focus,
            left_on=["article_id", "country_code"],
            right_on=["article_id", "focus_country_code"],
            how="semi",
        )
        .group_by("article_id", "entity_id")
        .agg(pl.len().alias("place_mentions"))
    )
    return places.filter(
        (pl.col("place_mentions") >= MIN_PLACE_MENTIONS)
        & (pl.col("place_mentions") * 2 > pl.col("place_mentions").sum().over("article_id"))
    ).select("article_id", pl.col("entity_id").alias("focus_place"))


def article_focus(
    articles: pl.LazyFrame, sentences: pl.LazyFrame, mentions: pl.LazyFrame
) -> pl.LazyFrame:
    """articles with focus_country_code and focus_place (null where there is none)."""
    focus = focus_countries(country_scores(articles, sentences, mentions))
    places = focus_places(focus, mentions)
    return (
        articles.drop("focus_country_code", "focus_place", strict=False)
        .join(focus, on="article_id", how="left", maintain_order="left")
        .join(places, on="article_id", how="left", maintain_order="left")
    )
