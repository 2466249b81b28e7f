"""The organisations pass: government bodies qualified by a country, and companies by suffix."""

from __future__ import annotations

import polars as pl

from gazetteer import Gazetteer
from transforms.entities.patterns import (
    _COMPANY_SUFFIX,
    _COMPANY_WORD,
    _KEY,
    _has,
    _slug,
    _strip_leading,
    regex_spans,
)
from transforms.entities.rules import _Rules, _rules

_COLUMNS = [*_KEY, "start_char", "end_char", "name", "qualifier_code", "entity_id",
            "entity_name", "priority"]  # fmt: skip


def organization_candidates(sentences: pl.LazyFrame, gazetteer: Gazetteer) -> pl.LazyFrame:
    """Government bodies (qualified in the article) and companies (by suffix): name,
    qualifier_code, entity_id, entity_name and priority (1 company, 3 body)."""
    rules = _rules(gazetteer)
    return pl.concat(
        [
            _government_bodies(sentences, rules, gazetteer.countries).select(_COLUMNS),
            _companies(sentences, rules, gazetteer.name_stopwords).select(_COLUMNS),
        ]
    ).with_columns(pl.lit("organization").alias("entity_type"))


def _government_bodies(
    sentences: pl.LazyFrame, rules: _Rules, countries: pl.DataFrame
) -> pl.LazyFrame:
    """Government bodies of a country (`Japanese Foreign Ministry`); a bare body takes the
    country that qualifies the same body elsewhere in its article, and with none is dropped."""
    bodies = regex_spans(
        sentences,
        rf"(?:(?P<qualifier>{rules.qualifier})(?:['’]s)? +)?(?P<name>{rules.bodies})\b",
        prefilter=_has(rules.bodies),
    )
    return (
        bodies.join(rules.qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
        .sort("article_id", "start_char")
        .with_columns(
            pl.col("qualifier_code")
            .forward_fill()
            .backward_fill()
            .over("article_id", "name")
            .alias("qualifier_code")
        )
        .filter(pl.col("qualifier_code").is_not_null())
        .join(
            countries.lazy().select(
                pl.col("country_code").alias("qualifier_code"), pl.col("name").alias("country_name")
            ),
            on="qualifier_code",
            how="left",
        )
        .with_columns(
            pl.concat_str(
                pl.lit("org:"),
                pl.col("qualifier_code").str.to_lowercase(),
                pl.lit("-"),
                _slug(pl.col("name")),
            ).alias("entity_id"),
            pl.concat_str(pl.col("country_name"), pl.lit(" "), pl.col("name")).alias("entity_name"),
            pl.lit(3).alias("priority"),
        )
    )


def _companies(sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]) -> pl.LazyFrame:
    """Capitalised words ending in a company suffix (`Toyota Motor Corp.`); a country word and
    one or two lowercase words before them (`Japanese automaker`) give the country."""
    companies = regex_spans(
        sentences,
        rf"(?:(?P<qualifier>{rules.qualifier})(?:['’]s)? +(?:\p{{Ll}}+ +){{1,2}})?"
        rf"(?P<name>{_COMPANY_WORD}(?: +(?:&|and|{_COMPANY_WORD})){{0,4}} +{_COMPANY_SUFFIX})",
        prefilter=_has(rf" {_COMPANY_SUFFIX}"),
    )
    return (
        _strip_leading(companies, stopwords)
        .filter(pl.col("name").str.contains(r" "))
        .join(rules.qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
        .with_columns(
            pl.col("qualifier_code")
            .drop_nulls()
            .first()
            .over("article_id", "name")
            .alias("qualifier_code"),
            pl.concat_str(pl.lit("org:"), _slug(pl.col("name"))).alias("entity_id"),
            pl.col("name").alias("entity_name"),
            pl.lit(1).alias("priority"),
        )
    )
