"""transforms/tone.py: VADER's sentence scores in polars, and an article's tone from its sentences."""

from __future__ import annotations

import math

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from gazetteer.lexicon import load_tone_lexicon
from transforms.schemas import ARTICLE_TONE_COLUMNS, SENTENCE_TONE_COLUMNS
from transforms.tone import C_INCR, N_SCALAR, score_articles, score_sentences

LEXICON = load_tone_lexicon()


def valence(word: str) -> float:
    """The word's valence in the lexicon the scores are computed with."""
    return LEXICON.filter(pl.col("word") == word).get_column("valence").item()


def compound(total: float) -> float:
    """VADER's normalisation of a sentence's summed valences."""
    return total / math.sqrt(total * total + 15)


def scores(*sentences: str) -> pl.DataFrame:
    """One row per sentence: its tone, positive, negative and word_count."""
    frame = pl.LazyFrame(
        {
            "article_id": ["a"] * len(sentences),
            "sentence_no": list(range(len(sentences))),
            "sentence": list(sentences),
        }
    )
    return score_sentences(frame, LEXICON).collect()


def tone(sentence: str) -> float:
    return scores(sentence).get_column("tone").item()


# --- signs and the rules, on hand-written sentences ----------------------------------


def test_a_clearly_positive_sentence_has_a_positive_tone_and_a_negative_one_a_negative_tone():
    assert tone("The talks were a great success and both sides welcomed the agreement.") > 0.5
    assert tone("The attack killed ten people and deepened the crisis.") < -0.5


def test_a_sentence_without_sentiment_words_is_neutral():
    row = scores("The committee meets on Tuesday in the capital.").row(0, named=True)

    assert (row["tone"], row["positive"], row["negative"]) == (0.0, 0.0, 0.0)
    assert row["word_count"] == 8


def test_good_scores_its_lexicon_valence_normalised():
    good = valence("good")  # 1.9
    row = scores("The deal was good.").row(0, named=True)

    assert row["tone"] == pytest.approx(compound(good))
    # pos share: the sentiment word weighs 1 + valence, each of the 3 other words 1.
    assert row["positive"] == pytest.approx((good + 1) / (good + 1 + 3))
    assert row["negative"] == 0.0
    assert row["word_count"] == 4


def test_not_good_is_negative_where_good_is_positive():
    good = valence("good")

    assert tone("The deal was good.") > 0
    assert tone("The deal was not good.") == pytest.approx(compound(good * N_SCALAR))
    assert tone("The deal was not good.") < 0


@pytest.mark.parametrize(
    "negated",
    [
        "The deal was not really good.",  # a negator two words before
        "The deal isn't good.",  # n't
        "The deal was not seen as good.",  # three words before
    ],
)
def test_a_negator_up_to_three_words_before_turns_good_negative(negated):
    assert tone(negated) < 0


def test_a_negator_four_words_before_no_longer_negates():
    assert tone("They did not say the deal was good.") > 0


def test_an_intensifier_raises_the_magnitude_and_a_dampener_lowers_it():
    plain = tone("The deal was good.")
    boosted = tone("The deal was very good.")
    damped = tone("The deal was slightly good.")

    assert boosted > plain > damped > 0
    assert tone("The outlook was very bad.") < tone("The outlook was bad.") < 0


def test_a_booster_farther_away_adds_less():
    near = tone("The deal was extremely good.")
    far = tone("The deal extremely was good.")  # word order aside, two words away

    assert near > far > tone("The deal was good.")


def test_a_word_in_capitals_in_mixed_case_text_is_emphasised():
    good = valence("good")

    assert tone("The deal was GOOD.") == pytest.approx(compound(good + C_INCR))
    assert tone("The deal was GOOD.") > tone("The deal was good.")
    assert tone("The outlook was BAD.") < tone("The outlook was bad.")


def test_a_word_with_a_lowercase_letter_is_not_in_capitals():
    assert tone("The deal was gOOD.") == tone("The deal was good.")
    assert tone("The deal was GOOd") == tone("The deal was good")
    assert tone("The deal was GOOd, not GReat.") == tone("The deal was good, not great.")


def test_an_all_caps_headline_is_not_emphasis():
    assert tone("TALKS END IN GOOD DEAL, 2 SIDES SAY") == tone(
        "Talks end in good deal, 2 sides say"
    )


def test_exclamation_marks_raise_the_magnitude():
    assert tone("The deal was good!") > tone("The deal was good.")


def test_kind_of_is_not_the_word_kind():
    assert tone("It is the kind of deal they signed.") == 0.0
    assert tone("It was a kind gesture.") > 0


def test_curly_apostrophes_negate_like_straight_ones():
    assert tone("They don\u2019t like the deal.") == tone("They don't like the deal.") < 0


def test_line_breaks_and_runs_of_spaces_separate_words_as_one_space_does():
    expected = scores("The deal was not good.")

    assert_frame_equal(
        scores("The deal was\nnot  good.").drop("sentence"), expected.drop("sentence")
    )


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("The deal was good.", 4),
        ("", 0),
        ("   ", 0),
        (" The deal\twas  good. ", 4),
        ("Le caf\u00e9 \u00e9tait bon.", 4),
        ("A\u00a0deal", 2),
    ],
)
def test_a_sentence_counts_its_whitespace_separated_words(sentence, words):
    assert scores(sentence).get_column("word_count").item() == words


def test_punctuation_around_a_word_is_stripped_before_the_lookup():
    assert tone('The deal was "(good)".') == tone("The deal was good") > 0
    assert tone("The deal was -good") == tone("The deal was good")
    assert tone("The deal, they said, wasn't. good") == tone("The deal, they said, wasn't good")


def test_a_word_in_capitals_is_emphasised_in_a_sentence_with_accents_too():
    # A sentence outside ASCII is split on its own path, and its words read back from it too.
    assert tone("The caf\u00e9 deal was GOOD.") == pytest.approx(compound(valence("good") + C_INCR))
    assert tone("The caf\u00e9 deal was GOOD.") == tone("The cafe deal was GOOD.")


def test_each_sentence_of_a_batch_scores_as_it_does_alone_and_keeps_its_place():
    sentences = [
        "The deal was GOOD.",
        "They don\u2019t like the deal.",
        "",
        "The deal was\nnot  good.",
        "  It was a very bad day!",
        "Le caf\u00e9 \u00e9tait terrible, not good.",
        "TALKS END IN GOOD DEAL",
        "It is the kind of deal (good) they signed.",
    ] * 50
    batch = scores(*sentences)
    alone = pl.concat([scores(sentence) for sentence in sentences[:8]] * 50)

    assert batch.get_column("sentence").to_list() == sentences
    assert_frame_equal(batch.drop("sentence_no"), alone.drop("sentence_no"))


def test_the_scores_keep_the_sentence_rows_and_add_the_tone_columns():
    frame = scores("It was good.", "It was bad.", "It was.")

    assert frame.columns == ["article_id", "sentence_no", "sentence", *SENTENCE_TONE_COLUMNS]
    assert frame.schema["word_count"] == pl.Int32
    assert frame.get_column("sentence_no").to_list() == [0, 1, 2]
    assert [round(t, 3) for t in frame.get_column("tone")] == [
        round(compound(valence("good")), 3),
        round(compound(valence("bad")), 3),
        0.0,
    ]


# --- the reference implementation -------------------------------------------------

# Sentences whose every rule is one transforms/tone.py implements.
REFERENCE_SENTENCES = [
    "The book was good.",
    "The book was not good.",
    "The book was very good.",
    "The book was VERY GOOD.",
    "Not bad at all",
    "It was no good deal.",
    "It was no bad thing",
    "He isn't happy with the deal.",
    "She did not really like the terrible plan.",
    "The attack killed twelve people and wounded many more.",
    "The team won an impressive victory!",
    "They were slightly happy, hardly sad.",
    "A very very VERY bad day",
    "Relations soured after the deadly attack.",
    "Was it bad?? Really??",
    "It was the kind of deal nobody wanted.",
]


@pytest.mark.parametrize("sentence", REFERENCE_SENTENCES)
def test_scores_agree_with_the_reference_vader_analyzer(sentence):
    reference = SentimentIntensityAnalyzer().polarity_scores(sentence)
    row = scores(sentence).row(0, named=True)

    # The reference rounds compound to 4 decimals and the shares to 3.
    assert row["tone"] == pytest.approx(reference["compound"], abs=1e-4)
    assert row["positive"] == pytest.approx(reference["pos"], abs=1e-3)
    assert row["negative"] == pytest.approx(reference["neg"], abs=1e-3)


# --- articles ------------------------------------------------------------------------


def test_an_articles_tone_is_its_sentences_tones_weighted_by_their_words():
    articles = pl.LazyFrame({"article_id": ["a", "b"], "headline": ["A", "B"]})
    sentences = pl.LazyFrame(
        {
            "article_id": ["a", "a", "b"],
            "sentence_no": [0, 1, 0],
            "tone": [0.5, -0.25, -0.4],
            "positive": [0.3, 0.0, 0.1],
            "negative": [0.0, 0.2, 0.5],
            "word_count": [4, 2, 10],
        },
        schema_overrides={"word_count": pl.Int32},
    )

    scored = score_articles(articles, sentences).collect()

    # a: (0.5 * 4 - 0.25 * 2) / 6 = 0.25; positive 1.2 / 6 = 0.2; negative 0.4 / 6.
    a = scored.row(0, named=True)
    assert a["tone"] == pytest.approx(0.25)
    assert a["positive"] == pytest.approx(0.2)
    assert a["negative"] == pytest.approx(0.4 / 6)
    assert a["polarity"] == pytest.approx(0.2 + 0.4 / 6)
    assert a["word_count"] == 6
    b = scored.row(1, named=True)
    assert (b["tone"], b["polarity"], b["word_count"]) == (
        pytest.approx(-0.4),
        pytest.approx(0.6),
        10,
    )
    assert scored.columns == ["article_id", "headline", *ARTICLE_TONE_COLUMNS]


def test_an_article_without_sentences_has_no_tone_and_no_words():
    articles = pl.LazyFrame({"article_id": ["lonely"]})
    sentences = pl.LazyFrame(
        {"article_id": [], "tone": [], "positive": [], "negative": [], "word_count": []},
        schema={**dict.fromkeys(["article_id"], pl.String), **SENTENCE_TONE_COLUMNS},
    )

    row = score_articles(articles, sentences).collect().row(0, named=True)

    assert row == {
        "article_id": "lonely",
        "tone": None,
        "positive": None,
        "negative": None,
        "polarity": None,
        "word_count": 0,
    }


def test_scored_sentences_feed_the_article_tone_end_to_end():
    text = ["Talks collapse", "The talks failed. Both sides blamed each other bitterly."]
    sentences = scores(*text)
    articles = score_articles(pl.LazyFrame({"article_id": ["a"]}), sentences.lazy()).collect()

    tones, words = sentences.get_column("tone"), sentences.get_column("word_count")
    expected = (tones * words).sum() / words.sum()
    assert articles.get_column("tone").item() == pytest.approx(expected)
    assert articles.get_column("word_count").item() == 2 + 9


def test_an_articles_scores_are_the_same_to_the_last_digit_whatever_else_is_in_its_batch():
    """Loaded alone, with one other article or with many, an article gets the same tone bit for
    bit: a warehouse must not differ with how its files were batched."""
    import random

    generator = random.Random(7)

    def article(article_id: str, sentences: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "article_id": [article_id] * sentences,
                "sentence_no": list(range(sentences)),
                "tone": [generator.uniform(-1, 1) for _ in range(sentences)],
                "positive": [generator.uniform(0, 1) for _ in range(sentences)],
                "negative": [generator.uniform(0, 1) for _ in range(sentences)],
                "word_count": [generator.randint(1, 60) for _ in range(sentences)],
            },
            schema_overrides={"word_count": pl.Int32},
        )

    targets = [article(f"t{i}", generator.randint(1, 40)) for i in range(40)]
    others = pl.concat([article(f"o{i}", generator.randint(1, 40)) for i in range(300)])

    def scored(sentences: pl.DataFrame) -> pl.DataFrame:
        ids = sentences.select(pl.col("article_id").unique(maintain_order=True))
        return score_articles(ids.lazy(), sentences.lazy()).collect()

    for target in targets:
        alone = scored(target)
        # Shuffled among others: the group's rows arrive in another order and other threads.
        batch = pl.concat([others, target]).sample(fraction=1.0, shuffle=True, seed=1)
        among_others = scored(batch).filter(pl.col("article_id") == alone["article_id"][0])
        assert alone.rows() == among_others.rows()
