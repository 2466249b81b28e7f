"""Sentences to mentions: Aho-Corasick over every sentence, whole words, longest match wins."""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from transforms.offsets import byte_to_char_offset

MENTION_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "sentence_no": pl.Int32(),
    "start_char": pl.Int64(),
    "end_char": pl.Int64(),
    "surface": pl.String(),
    "entity_id": pl.String(),
    "entity_type": pl.String(),
    "mention_kind": pl.String(),
    "country_code": pl.String(),
}

# A match is a whole word when the characters around it are not letters or digits;
# hyphens and apostrophes are boundaries, so both halves of "Japan-U.S." count.
_WORD_CHAR = r"^[\p{L}\p{N}_]$"


def longest_first(surfaces: pl.Series) -> list[str]:
    """Patterns for leftmost-first matching, so the longest surface at a position wins."""
    return (
        pl.DataFrame({"surface": surfaces.unique().cast(pl.String)})
        .sort(pl.col("surface").str.len_bytes(), pl.col("surface"), descending=[True, False])
        .get_column("surface")
        .to_list()
    )


def find_mentions(
    sentences: pl.LazyFrame,
    surface_forms: pl.DataFrame,
    blockers: Collection[str] = (),
) -> pl.LazyFrame:
    """One row per gazetteer mention, with character offsets into the article's text.

    Blockers are phrases that contain a surface but name nothing ("Latin America"):
    they take part in the longest match and are then dropped, mention-less.
    """
    patterns = longest_first(
        pl.concat([surface_forms.get_column("surface"), pl.Series(list(blockers), dtype=pl.String)])
    )
    sentence = pl.col("sentence")
    local_end = pl.col("local_start") + pl.col("surface").str.len_chars().cast(pl.Int64)
    before = sentence.str.slice(pl.col("local_start") - 1, 1)
    after = sentence.str.slice(local_end, 1)
    return (
        sentences.select("article_id", "sentence_no", "start_char", "sentence")
        .with_columns(
            sentence.str.find_many(patterns, leftmost=True).alias("byte_start"),
            sentence.str.extract_many(patterns, leftmost=True).alias("surface"),
        )
        .explode("byte_start", "surface")
        .filter(pl.col("surface").is_not_null())
        .with_columns(byte_to_char_offset(sentence, pl.col("byte_start")).alias("local_start"))
        .filter(
            ((pl.col("local_start") == 0) | ~before.str.contains(_WORD_CHAR))
            & ~after.str.contains(_WORD_CHAR)
        )
        .with_columns(
            (pl.col("start_char") + pl.col("local_start")).alias("start_char"),
        )
        .with_columns(
            (pl.col("start_char") + pl.col("surface").str.len_chars().cast(pl.Int64)).alias(
                "end_char"
            ),
        )
        .join(
            surface_forms.lazy().select(
                "surface", "entity_id", "entity_type", "mention_kind", "country_code"
            ),
            on="surface",
            how="inner",
        )
        .sort("article_id", "start_char")
        .select(list(MENTION_SCHEMA))
    )
