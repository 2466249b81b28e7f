"""Sentences and articles to tone: VADER's lexicon and rules, vectorised over every word of a batch.

VADER (Hutto & Gilbert 2014) scores a sentence by summing its words' valences, each adjusted by
the words before it, and normalising the sum to -1..1. Here every word of a batch is one row
and each rule a column expression over its neighbours (shift), so no Python runs per sentence.
Implemented: the lexicon, negation (a negator up to three words before), `no` before a
sentiment word, boosters and dampeners up to three words before (damped by distance),
ALL-CAPS emphasis in mixed-case text, `kind of`, `!` and `?` emphasis, and VADER's pos/neg
shares. Left out, as rare in wire copy: `but` weighting, `least`, idioms and special phrases
(`the bomb`, `kind of` and `sort of` as dampeners, `never so`, `without doubt`), emoji. Curly
quotes and apostrophes are read as their ASCII forms, so `don’t` negates like `don't`.
"""

from __future__ import annotations

import polars as pl
from vaderSentiment import vaderSentiment as vader

from transforms.mentions import is_all_caps
from transforms.schemas import ARTICLE_TONE_COLUMNS, SENTENCE_TONE_COLUMNS

# VADER's constants, from the package where it names them, else as its code writes them.
N_SCALAR = vader.N_SCALAR  # a negated valence is multiplied by this (-0.74)
C_INCR = vader.C_INCR  # ALL-CAPS emphasis of a word in mixed-case text (0.733)
DISTANCE_DAMPING = (1.0, 0.95, 0.9)  # a booster 1, 2, 3 words before a sentiment word
ALPHA = 15.0  # normalize(): compound = sum / sqrt(sum^2 + ALPHA)
EXCLAMATION = 0.292  # per `!`, at most MAX_EXCLAMATIONS of them
MAX_EXCLAMATIONS = 4
QUESTION = 0.18  # per `?` when a sentence has 2 or 3; QUESTION_CAP from 4 on
QUESTION_CAP = 0.96
# Python's str.split() (VADER's tokeniser) splits on these as on a space.
_SPACES = ["\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0",
           "\u1680", *(chr(c) for c in range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f",
           "\u205f", "\u3000"]  # fmt: skip
_ASCII_QUOTES = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"  # string.punctuation, which VADER strips
# Words the rules look for besides the lexicon's: `no X or Y`, `kind of`.
_RULE_WORDS = ["or", "nor", "of"]


def _words(sentences: pl.LazyFrame) -> pl.LazyFrame:
    """One row per word (whitespace token) of every sentence, in order: sentence_idx, position,
    token (as written), lowered, stripped (lowered less the punctuation around it),
    is_stripped_short, has_lower (the sentence's)."""
    sentence = pl.col("sentence").str.replace_many(
        [*_SPACES, *_ASCII_QUOTES], [" "] * len(_SPACES) + list(_ASCII_QUOTES.values())
    )
    lowered = pl.col("lowered")
    stripped = lowered.str.strip_chars(_PUNCTUATION)
    row = pl.int_range(pl.len(), dtype=pl.Int32)
    starts_sentence = pl.col("sentence_idx").ne_missing(pl.col("sentence_idx").shift(1))
    return (
        sentences.select(
            pl.col("sentence_idx"),
            sentence.str.split(" ").alias("token"),
            sentence.str.to_lowercase().str.split(" ").alias("lowered"),
            # VADER's allcap_differential, as "the sentence has a lowercase letter": a word in
            # capitals there is emphasis, in an ALL-CAPS headline it is not.
            pl.col("sentence").str.contains(r"\p{Ll}").alias("has_lower"),
        )
        .explode("token", "lowered")
        # Runs of spaces leave empty tokens, which str.split() does not make.
        .filter(lowered.str.len_bytes() > 0)
        .with_columns(
            (row - pl.when(starts_sentence).then(row).forward_fill()).alias("position"),
            stripped.alias("stripped"),
            # VADER strips punctuation around a word unless two characters or fewer would be
            # left (an emoticon such as `:)`); then it looks the word up as written.
            (stripped.str.len_chars() <= 2).alias("is_stripped_short"),
        )
    )


def _word_counts(words: pl.LazyFrame) -> pl.LazyFrame:
    """One row per sentence with a word: sentence_idx, word_count."""
    return words.group_by("sentence_idx").agg(pl.len().cast(pl.Int32).alias("word_count"))


def _scoring_words(words: pl.LazyFrame, lexicon: pl.DataFrame) -> pl.LazyFrame:
    """The words a rule reads, with their lexicon entries (word: as VADER looks it up); the
    other words only count as neutral and are dropped here, which leaves a tenth of the rows."""
    lowered, stripped, is_short = pl.col("lowered"), pl.col("stripped"), pl.col("is_stripped_short")
    known = pl.concat([lexicon.get_column("word"), pl.Series(_RULE_WORDS)]).implode()
    # Tested on booleans first: choosing between two strings for every word costs more than
    # the rest of the scoring. A word ending in n't is a negator (VADER's negated() takes n't
    # anywhere in a word: `couldn't've` is missed here, to spare a scan of every word).
    reads_a_rule = pl.when(is_short).then(lowered.is_in(known)).otherwise(
        stripped.is_in(known)
    ) | stripped.str.ends_with("n't")
    return (
        words.filter(reads_a_rule)
        .with_columns(pl.when(is_short).then(lowered).otherwise(stripped).alias("word"))
        .join(lexicon.lazy(), on="word", how="left", maintain_order="left")
        .with_columns(
            (
                pl.col("is_negator").fill_null(False)
                # VADER's negated(): a word with n't negates, unless it has a valence.
                | (pl.col("word").str.contains("n't", literal=True) & pl.col("valence").is_null())
            ).alias("is_negator"),
        )
    )


def _at(expr: pl.Expr, distance: int) -> pl.Expr:
    """expr on the scoring word `distance` words away in the same sentence (before it when
    distance > 0, after it when < 0); null when the word there reads no rule."""
    same = pl.col("sentence_idx")
    position = pl.col("position")
    # Scoring words are a subset of the words, in order: the word `distance` places away is
    # at most that many rows away.
    step = 1 if distance > 0 else -1
    found = None
    for rows in range(step, distance + step, step):
        there = (same.shift(rows) == same) & (position.shift(rows) == position - distance)
        found = (pl.when(there) if found is None else found.when(there)).then(expr.shift(rows))
    assert found is not None
    return found


def _valences(scoring: pl.LazyFrame) -> pl.LazyFrame:
    """One row per sentiment word: sentence_idx and its valence v after VADER's rules."""
    word = pl.col("word")
    is_no = word == "no"
    valence = pl.col("valence")
    caps = pl.col("has_lower")
    # VADER reads `no` two ways: before a sentiment word it scores 0 and negates the next two
    # words (three when the next is `or`/`nor`); on its own it is a negative word.
    no_before = (
        _at(is_no, 1) | _at(is_no, 2) | (_at(is_no, 3) & _at(word.is_in(["or", "nor"]), 1))
    ).fill_null(False)
    rows = (
        scoring.with_columns(
            is_all_caps(pl.col("token")).alias("is_upper"),
        )
        .with_columns(
            no_before.alias("no_before"),
            (is_no & _at(valence.is_not_null(), -1)).fill_null(False).alias("no_then_sentiment"),
            ((word == "kind") & _at(word == "of", -1)).fill_null(False).alias("is_kind_of"),
            *(_at(pl.col("boost"), k).alias(f"boost_{k}") for k in (1, 2, 3)),
            *(_at(pl.col("is_upper"), k).alias(f"upper_{k}") for k in (1, 2, 3)),
            *(
                _at(pl.col("is_negator"), k).fill_null(False).alias(f"negator_{k}")
                for k in (1, 2, 3)
            ),
        )
        .filter(valence.is_not_null())
    )
    v = pl.col("v")
    rows = rows.with_columns(
        pl.when(pl.col("no_before"))
        .then(valence * N_SCALAR)
        .when(pl.col("no_then_sentiment"))
        .then(0.0)
        .otherwise(valence)
        .alias("v")
    ).with_columns(
        pl.when(pl.col("is_upper") & caps)
        .then(v + pl.when(v > 0).then(C_INCR).otherwise(-C_INCR))
        .otherwise(v)
        .alias("v")
    )
    # The three words before, nearest first: a booster adds its increment in the direction of
    # the valence so far (more if in capitals), damped by distance; a negator then flips it.
    for k, damping in zip((1, 2, 3), DISTANCE_DAMPING, strict=True):
        boost = pl.col(f"boost_{k}")
        increment = (
            boost * pl.when(v < 0).then(-1.0).otherwise(1.0)
            + pl.when(pl.col(f"upper_{k}") & caps)
            .then(pl.when(v > 0).then(C_INCR).otherwise(-C_INCR))
            .otherwise(0.0)
        ) * damping
        rows = rows.with_columns(
            pl.when(boost.is_not_null()).then(v + increment).otherwise(v).alias("v")
        ).with_columns(pl.when(pl.col(f"negator_{k}")).then(v * N_SCALAR).otherwise(v).alias("v"))
    # `kind` before `of` is not the positive word kind.
    return rows.select(
        "sentence_idx", pl.when(pl.col("is_kind_of")).then(0.0).otherwise(v).alias("v")
    )


# A score must not depend on which batch an article came in. Two things in polars would make it:
# a float sum depends on the order its rows are added in, which follows how threads split a
# group; and dividing by a scalar (a literal, or a group's sum when there is one group)
# multiplies by its reciprocal, a last digit away from true division. So sums are taken in
# fixed point (units of 1e-9, exact in any order) and scaled back by multiplying, and the
# per-article division happens after the aggregation, column by column.
FIXED_POINT = 1e9


def _exact_sum(expr: pl.Expr) -> pl.Expr:
    """The sum of a float expression, the same whatever order its rows are added in."""
    return (expr * FIXED_POINT).round().cast(pl.Int64).sum() * (1 / FIXED_POINT)


def score_sentences(sentences: pl.LazyFrame, lexicon: pl.DataFrame) -> pl.LazyFrame:
    """The sentences with SENTENCE_TONE_COLUMNS added: VADER's compound, pos and neg, words."""
    numbered = sentences.with_row_index("sentence_idx")
    words = _words(numbered)
    v = pl.col("v")
    per_sentence = (
        _valences(_scoring_words(words, lexicon))
        .group_by("sentence_idx")
        .agg(
            _exact_sum(v).alias("valence_sum"),
            # VADER's _sift_sentiment_scores: a sentiment word weighs 1 + |valence| on its
            # side, every other word 1 as neutral.
            _exact_sum((v + 1).filter(v > 0)).alias("positive_sum"),
            _exact_sum((1 - v).filter(v < 0)).alias("negative_sum"),
            (v != 0).sum().cast(pl.Int32).alias("sentiment_words"),
        )
    )
    per_sentence_columns = ("valence_sum", "positive_sum", "negative_sum", "sentiment_words")
    sentence = pl.col("sentence")
    exclamations = sentence.str.count_matches("!", literal=True).clip(upper_bound=MAX_EXCLAMATIONS)
    questions = sentence.str.count_matches("?", literal=True)
    emphasis = exclamations * EXCLAMATION + (
        pl.when(questions > 3)
        .then(QUESTION_CAP)
        .when(questions > 1)
        .then(questions * QUESTION)
        .otherwise(0.0)
    )
    total = pl.col("valence_sum")
    positive, negative = pl.col("positive_sum"), pl.col("negative_sum")
    # The emphasis of ! and ? goes to the side that already weighs more.
    emphasised_total = total + (
        pl.when(total > 0).then(emphasis).when(total < 0).then(-emphasis).otherwise(0.0)
    )
    emphasised_positive = positive + pl.when(positive > negative).then(emphasis).otherwise(0.0)
    emphasised_negative = negative + pl.when(negative > positive).then(emphasis).otherwise(0.0)
    weight = (
        emphasised_positive
        + emphasised_negative
        + (pl.col("word_count") - pl.col("sentiment_words"))
    )
    return (
        numbered.join(_word_counts(words), on="sentence_idx", how="left", maintain_order="left")
        .join(per_sentence, on="sentence_idx", how="left", maintain_order="left")
        .with_columns(
            pl.col("word_count").fill_null(0),
            pl.col("valence_sum", "positive_sum", "negative_sum").fill_null(0.0),
            pl.col("sentiment_words").fill_null(0),
        )
        .with_columns(
            (emphasised_total / (emphasised_total.pow(2) + ALPHA).sqrt()).alias("tone"),
            pl.when(weight > 0).then(emphasised_positive / weight).otherwise(0.0).alias("positive"),
            pl.when(weight > 0).then(emphasised_negative / weight).otherwise(0.0).alias("negative"),
        )
        .select(
            pl.exclude("sentence_idx", *SENTENCE_TONE_COLUMNS, *per_sentence_columns),
            *(pl.col(name).cast(dtype) for name, dtype in SENTENCE_TONE_COLUMNS.items()),
        )
    )


WEIGHTED = ("tone", "positive", "negative")


def score_articles(articles: pl.LazyFrame, sentences: pl.LazyFrame) -> pl.LazyFrame:
    """The articles with ARTICLE_TONE_COLUMNS added, from their scored sentences: tone, positive
    and negative are the sentences' means weighted by word_count, polarity is positive +
    negative, word_count their sum; the tones are null for an article without words."""
    words = pl.col("word_count")
    per_article = sentences.group_by("article_id").agg(
        *(_exact_sum(pl.col(name) * words).alias(f"{name}_sum") for name in WEIGHTED),
        words.sum().alias("word_count"),
    )
    per_article = per_article.with_columns(
        (pl.col(f"{name}_sum") / words).alias(name) for name in WEIGHTED
    ).drop(*(f"{name}_sum" for name in WEIGHTED))
    return (
        articles.join(per_article, on="article_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("word_count").fill_null(0),
            (pl.col("positive") + pl.col("negative")).alias("polarity"),
        )
        .with_columns(
            pl.when(words > 0).then(pl.col(name)).alias(name)
            for name in ("tone", "positive", "negative", "polarity")
        )
        .select(
            pl.exclude(*ARTICLE_TONE_COLUMNS),
            *(pl.col(name).cast(dtype) for name, dtype in ARTICLE_TONE_COLUMNS.items()),
        )
    )
