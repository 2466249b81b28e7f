"""The sentiment lexicon tone is scored with: VADER's word valences, boosters and negators.

VADER (Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment
Analysis of Social Media Text. ICWSM-14) rates about 7,500 English words, slang and emoticons
from -4 (most negative) to +4 (most positive) by the mean of ten human raters. The lexicon file
and the rule lists (BOOSTER_DICT, NEGATE) are read from the installed `vaderSentiment` package
(MIT licence, Copyright (c) 2016 C.J. Hutto), never copied into this repository.
"""

from __future__ import annotations

from importlib import resources

import polars as pl
from vaderSentiment import vaderSentiment as vader

TONE_LEXICON_SCHEMA = pl.Schema(
    {
        "word": pl.String(),
        "valence": pl.Float64(),
        "boost": pl.Float64(),
        "is_negator": pl.Boolean(),
    }
)
"""One row per lowercase word with a role in scoring: its valence (null when it has none), the
booster increment it adds to the next sentiment word (null when it adds none) and whether it
negates the sentiment words after it."""

LEXICON_FILE = "vader_lexicon.txt"


def read_vader_valences() -> pl.DataFrame:
    """One row per entry of the installed package's vader_lexicon.txt: word, valence."""
    text = resources.files("vaderSentiment").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    # As SentimentIntensityAnalyzer.make_lex_dict reads it: a line is `word<TAB>mean<TAB>...`,
    # stripped first; a word listed twice keeps its last valence.
    entries: dict[str, float] = {}
    for line in text.splitlines():
        if line.strip():
            word, measure = line.strip().split("\t")[0:2]
            entries[word] = float(measure)
    return pl.DataFrame(
        {"word": list(entries), "valence": list(entries.values())},
        schema={"word": pl.String(), "valence": pl.Float64()},
    )


def load_tone_lexicon() -> pl.DataFrame:
    """Every word of VADER's lexicon, boosters and negators, one row each (TONE_LEXICON_SCHEMA)."""
    valences = read_vader_valences()
    # Multi-word boosters (`kind of`, `sort of`) never equal one whitespace token: not used.
    boosters = pl.DataFrame(
        {
            "word": [word for word in vader.BOOSTER_DICT if " " not in word],
            "boost": [boost for word, boost in vader.BOOSTER_DICT.items() if " " not in word],
        },
        schema={"word": pl.String(), "boost": pl.Float64()},
    )
    negators = pl.DataFrame(
        {"word": sorted(set(vader.NEGATE)), "is_negator": True},
        schema={"word": pl.String(), "is_negator": pl.Boolean()},
    )
    in_lexicon = pl.col("valence").is_not_null()
    # VADER scores a booster 0 even when it has a valence, and lets a word boost or negate the
    # sentiment word after it only when it has no valence of its own: both stated here once, so
    # scoring need not check them again. (No word of the lexicon shipped is either.)
    return (
        valences.join(boosters, on="word", how="full", coalesce=True)
        .join(negators, on="word", how="full", coalesce=True)
        .with_columns(
            pl.when(in_lexicon).then(None).otherwise(pl.col("boost")).alias("boost"),
            (pl.col("is_negator").fill_null(False) & ~in_lexicon).alias("is_negator"),
            pl.when(pl.col("boost").is_not_null())
            .then(None)
            .otherwise(pl.col("valence"))
            .alias("valence"),
        )
        .sort("word")
        .select(list(TONE_LEXICON_SCHEMA))
    )
