"""The resolution pass: which person of its article each full name and short form is."""

from __future__ import annotations

import polars as pl

from transforms.entities.overlaps import _drop_overlapping, _leftmost_longest
from transforms.entities.patterns import (
    _KEY,
    _PARTICLE,
    _slug,
    _words,
    capitalised_words,
    own_article_pairs,
)


def people_of_articles(people: pl.LazyFrame, agencies: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """One row per name a person span gives in an article: where it first appears, its country
    (person_country) and whether it is a single word.

    The country is the first one a country word before its title gives; with none, the
    agency's country when a title of office (is_office) introduces it in a national agency's
    copy (`Prime Minister Shinzo Abe` in Kyodo copy is Japanese); agencies: article_agencies.
    """
    if agencies is None:
        agencies = people.select("article_id", pl.lit(None, pl.String).alias("agency_country"))
        agencies = agencies.filter(pl.lit(False))
    if "is_office" not in people.collect_schema().names():
        people = people.with_columns(pl.lit(False).alias("is_office"))
    return (
        people.sort("article_id", "start_char")
        .group_by("article_id", "name", maintain_order=True)
        .agg(
            pl.col("start_char").min().alias("first_start"),
            pl.col("qualifier_code").drop_nulls().first().alias("qualified_country"),
            pl.col("is_office").fill_null(False).any().alias("has_office"),
        )
        .join(agencies.select("article_id", "agency_country"), on="article_id", how="left")
        .with_columns(
            pl.coalesce(
                "qualified_country", pl.when(pl.col("has_office")).then("agency_country")
            ).alias("person_country"),
            # One word: no space (split at spaces, a name with one holds two words or more).
            (~pl.col("name").str.contains(" ", literal=True)).alias("is_single"),
        )
        .drop("qualified_country", "has_office", "agency_country")
    )


def short_forms(
    named: pl.LazyFrame, family_first: pl.Series, country_words: pl.Series
) -> pl.LazyFrame:
    """One row per short form in an article (`Kishida`, `Assad`, `Xi`) with the full name it
    stands for and that person's country: a full name before a single titled word, then the
    name that comes first; country words and single letters are never short forms."""
    words = _words(pl.col("name"))
    last = words.list.last()
    # A family name comes first in Chinese and Korean names, unless it is hyphenated.
    family_name_first = words.list.first().is_in(family_first.implode()) & ~last.str.contains("-")
    short = pl.col("short")
    return (
        pl.concat(
            [
                named.with_columns(
                    pl.when(family_name_first)
                    .then(words.list.first())
                    .otherwise(last)
                    .alias("short")
                ),
                named.with_columns(last.str.replace(rf"^{_PARTICLE}-", "").alias("short")),
            ]
        )
        .filter(~short.is_in(country_words.implode()) & (short.str.len_chars() >= 2))
        .sort("article_id", "is_single", "first_start")
        .unique(["article_id", "short"], keep="first", maintain_order=True)
        .select("article_id", "short", pl.col("name").alias("full_name"), "person_country")
    )


# An article with more short forms than this has all its sentences read by the
# capitalised-word pass instead of being paired sentence by short form (own_article_pairs).
_MOST_PAIRED_SHORT_FORMS = 8


def short_form_words(sentences: pl.LazyFrame, short_forms: pl.LazyFrame) -> pl.LazyFrame:
    """The capitalised words (column short) of the sentences that may hold one of their own
    article's short forms: those holding one, and every sentence of an article with more than
    _MOST_PAIRED_SHORT_FORMS of them. The words are joined with the short forms afterwards, so
    a sentence read in excess adds no mention."""
    # Only such a sentence can mention a person by a short form, so the capitalised-word pass
    # reads just those.
    pairs, crowded = own_article_pairs(
        sentences.select(*_KEY, "sentence"),
        short_forms.select("article_id", "short").unique(),
        "short",
        _MOST_PAIRED_SHORT_FORMS,
    )
    held = pl.concat(
        [
            pairs.select(_KEY),
            sentences.join(
                crowded.select("article_id").unique(), on="article_id", how="semi"
            ).select(_KEY),
        ]
    ).unique()
    return capitalised_words(sentences.join(held, on=_KEY, how="semi", maintain_order="left"))


def person_mentions(
    people: pl.LazyFrame,
    named: pl.LazyFrame,
    short_forms: pl.LazyFrame,
    words: pl.LazyFrame,
    organizations: pl.LazyFrame,
) -> pl.LazyFrame:
    """One row per mention of a person: each full name, and each word that is a short form in
    its article, outside every organisation; with its text (surface), full_name, entity_id and
    country_code."""
    full_names = named.filter(~pl.col("is_single")).select(
        "article_id", pl.col("name").alias("full_name"), "person_country"
    )
    mentions = pl.concat(
        [
            people.filter(pl.col("name").str.contains(" ", literal=True))
            .select(*_KEY, "start_char", "end_char", pl.col("name").alias("full_name"))
            .join(full_names, on=["article_id", "full_name"])
            .with_columns(pl.col("full_name").alias("surface")),
            words.join(short_forms, on=["article_id", "short"]).rename({"short": "surface"}),
        ],
        how="diagonal",
    ).rename({"person_country": "country_code"})
    return _leftmost_longest(
        _drop_overlapping(mentions.with_columns(pl.lit(0).alias("priority")), organizations)
    ).with_columns(
        pl.concat_str(pl.lit("person:"), _slug(pl.col("full_name"))).alias("entity_id"),
        pl.lit("person").alias("entity_type"),
        pl.lit("person").alias("mention_kind"),
    )
