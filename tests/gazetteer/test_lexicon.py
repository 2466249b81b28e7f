"""gazetteer/lexicon.py: VADER's lexicon, boosters and negators, read from the installed package."""

from __future__ import annotations

from importlib import metadata

import polars as pl
from vaderSentiment.vaderSentiment import B_DECR, B_INCR, SentimentIntensityAnalyzer

from gazetteer import load_gazetteer
from gazetteer.lexicon import TONE_LEXICON_SCHEMA, load_tone_lexicon, read_vader_valences


def test_the_valences_are_the_ones_the_reference_analyzer_reads():
    reference = SentimentIntensityAnalyzer().lexicon
    valences = read_vader_valences()

    assert dict(valences.iter_rows()) == reference
    assert len(reference) > 7000


def test_the_package_is_mit_licensed_and_ships_its_licence_text():
    distribution = metadata.distribution("vaderSentiment")
    licence = next(f for f in distribution.files or [] if f.name.upper().startswith("LICENSE"))

    assert distribution.metadata["License"] == "MIT License"
    assert "The MIT License" in licence.read_text()


def test_boosters_dampeners_and_negators_play_their_roles_and_have_no_valence():
    lexicon = load_tone_lexicon().filter(
        pl.col("word").is_in(["very", "barely", "not", "never", "good"])
    )
    roles = {word: (val, boost, neg) for word, val, boost, neg in lexicon.iter_rows()}

    assert roles == {
        "very": (None, B_INCR, False),
        "barely": (None, B_DECR, False),
        "not": (None, None, True),
        "never": (None, None, True),
        "good": (1.9, None, False),
    }


def test_one_row_per_word_and_no_word_both_scores_and_modifies():
    lexicon = load_tone_lexicon()

    assert lexicon.schema == TONE_LEXICON_SCHEMA
    assert lexicon.get_column("word").is_unique().all()
    has_valence = pl.col("valence").is_not_null()
    modifies = pl.col("boost").is_not_null() | pl.col("is_negator")
    assert lexicon.filter(has_valence & modifies).is_empty()
    assert lexicon.filter(~has_valence & ~modifies).is_empty()


def test_the_gazetteer_carries_the_lexicon():
    assert load_gazetteer().tone_lexicon.equals(load_tone_lexicon())
