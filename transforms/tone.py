"""Sentences and articles to tone: VADER's lexicon and rules, vectorised over every word of a batch.

VADER (Hutto & Gilbert 2014) scores a sentence by summing its words' valences, each adjusted by
the words before it, and normalising the sum to -1..1. Here every word of a batch is one row,
the tenth of them a rule reads are kept, and each rule is a column expression over their
neighbours (shift), so no Python runs per sentence; the batch is scored in a run of sentences
per polars thread.
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
from transforms.offsets import slice_bytes
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
# The ASCII characters among _SPACES, as a regex class.
_ASCII_SPACES = "[" + "".join(f"\\x{ord(c):02x}" for c in _SPACES if c.isascii()) + "]"


def _is_plain(sentence: pl.Expr) -> pl.Expr:
    """True for a sentence that the replacements of _SPACES and _ASCII_QUOTES leave as it is,
    and whose words are single spaces apart: non-empty, in ASCII (so without the curly quotes
    and the other spaces), without the ASCII ones of _SPACES, runs of spaces or a space at
    either end. Nearly every sentence of wire copy is plain."""
    return (
        (sentence.str.len_bytes() > 0)
        & (sentence.str.len_bytes() == sentence.str.len_chars())
        & ~sentence.str.contains(_ASCII_SPACES)
        & ~sentence.str.contains("  ", literal=True)
        & ~sentence.str.starts_with(" ")
        & ~sentence.str.ends_with(" ")
    )


def _word_lists(sentences: pl.LazyFrame, *, plain: bool) -> pl.LazyFrame:
    """One row per sentence with a word, of the plain sentences (_is_plain) or of the others:
    sentence_idx, text (the sentence as its words are read), words (text split at its
    spaces, lowered in a plain sentence), has_lower, word_count, first_row and first_byte
    (where its words start among all the words and their bytes)."""
    sentence = pl.col("sentence")
    if plain:
        text = sentence
        # A lowered ASCII word has the bytes of the word as written: lowering the sentence
        # before the split spares a string per word, and the few words a rule reads are read
        # back as written from the sentence.
        words = pl.col("text").str.to_lowercase().str.split(" ")
    else:
        # Python's str.split() splits on every space of _SPACES and makes no empty tokens.
        text = (
            sentence.str.replace_many(
                [*_SPACES, *_ASCII_QUOTES], [" "] * len(_SPACES) + list(_ASCII_QUOTES.values())
            )
            .str.replace_all(" {2,}", " ")
            .str.strip_chars(" ")
        )
        words = pl.col("text").str.split(" ")
    word_count = pl.col("words").list.len().cast(pl.Int64)
    # A sentence's words and the single spaces after them take its bytes plus one.
    text_bytes = pl.col("text").str.len_bytes().cast(pl.Int64) + 1
    return (
        sentences.select(
            pl.col("sentence_idx"),
            text.alias("text"),
            # VADER's allcap_differential, as "the sentence has a lowercase letter": a word in
            # capitals there is emphasis, in an ALL-CAPS headline it is not.
            sentence.str.contains(r"\p{Ll}").alias("has_lower"),
        )
        .filter(pl.col("text") != "")
        .with_columns(
            words.alias("words"),
            (text_bytes.cum_sum() - text_bytes).alias("first_byte"),
        )
        .with_columns(
            word_count.cast(pl.Int32).alias("word_count"),
            (word_count.cum_sum() - word_count).alias("first_row"),
        )
    )


def _words(sentences: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The words (whitespace tokens) of the sentences (with is_plain: _is_plain): one row per
    word, the plain sentences' first, each sentence's words together and in order
    (sentence_idx, lowered, has_lower: the sentence's, and what _located needs to place it and
    read it as written), and one row per sentence with a word that is not plain
    (sentence_idx, word_count)."""
    is_plain = pl.col("is_plain")
    word = pl.col("words")
    word_bytes = word.str.len_bytes().cast(pl.Int64)
    words = []
    lists_of = {
        plain: _word_lists(sentences.filter(is_plain if plain else ~is_plain), plain=plain)
        for plain in (True, False)
    }
    for plain, lists in lists_of.items():
        words.append(
            lists.select("sentence_idx", "words", "text", "has_lower", "first_row", "first_byte")
            .explode("words")
            .with_row_index("row")
            .select(
                pl.col("sentence_idx"),
                # A word lowered on its own is lowered as in its sentence: the only letter
                # lowered by its context, a final sigma, looks no further than a space.
                (word if plain else word.str.to_lowercase()).alias("lowered"),
                pl.col("has_lower"),
                pl.col("text"),
                pl.col("row"),
                pl.col("first_row"),
                ((word_bytes + 1).cum_sum() - word_bytes - 1).alias("word_start"),
                word_bytes.alias("word_bytes"),
                pl.col("first_byte"),
            )
        )
    return pl.concat(words), lists_of[False].select("sentence_idx", "word_count")


def _located() -> list[pl.Expr]:
    """A word's position in its sentence and the word as written (token), from where it
    starts among all the words and their bytes; computed only for the words kept, as they
    cost more than the rest of a word's row."""
    offset = pl.col("word_start") - pl.col("first_byte")
    return [
        (pl.col("row") - pl.col("first_row")).cast(pl.Int32).alias("position"),
        slice_bytes(pl.col("text"), offset, pl.col("word_bytes")).alias("token"),
    ]


def _scoring_words(words: pl.LazyFrame, lexicon: pl.DataFrame) -> pl.LazyFrame:
    """The words a rule reads, with their lexicon entries (word: as VADER looks it up) and the
    token (as written); the other words only count as neutral and are dropped here, which
    leaves a tenth of the rows."""
    lowered, stripped = pl.col("lowered"), pl.col("stripped")
    known = pl.concat([lexicon.get_column("word"), pl.Series(_RULE_WORDS)]).implode()
    # Stripping makes a string per word, which costs more than the rest of the filter: a word
    # without punctuation at either end is its own stripped form, so it is tested as lowered,
    # and only the others are stripped. Punctuation is ASCII: a first or last byte in it is a
    # first or last character in it.
    punctuation = pl.Series([ord(c) for c in _PUNCTUATION], dtype=pl.UInt8).implode()
    edges = (lowered.cast(pl.Binary).bin.get(i, null_on_oob=True) for i in (0, -1))
    # Three columns rather than one expression, so that they are computed in parallel.
    may_read_a_rule = (
        lowered.is_in(known).alias("is_known"),
        lowered.str.ends_with("n't").alias("is_nt"),
        pl.any_horizontal(edge.is_in(punctuation) for edge in edges).alias("has_punctuation"),
    )
    # VADER strips punctuation around a word unless two characters or fewer would be left (an
    # emoticon such as `:)`); then it looks the word up as written.
    word = pl.when(stripped.str.len_chars() <= 2).then(lowered).otherwise(stripped)
    return (
        words.with_columns(*may_read_a_rule)
        .filter(pl.col("is_known") | pl.col("is_nt") | pl.col("has_punctuation"))
        .with_columns(lowered.str.strip_chars(_PUNCTUATION).alias("stripped"))
        .with_columns(word.alias("word"))
        # A word ending in n't is a negator (VADER's negated() takes n't anywhere in a word:
        # `couldn't've` is missed here, to spare a scan of every word).
        .filter(pl.col("word").is_in(known) | stripped.str.ends_with("n't"))
        .with_columns(*_located())
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


def _fixed_point(expr: pl.Expr) -> pl.Expr:
    """A float expression in units of 1 / FIXED_POINT, as an integer."""
    return (expr * FIXED_POINT).round().cast(pl.Int64)


def _exact_sum(expr: pl.Expr) -> pl.Expr:
    """The sum of a float expression, the same whatever order its rows are added in."""
    return _fixed_point(expr).sum() * (1 / FIXED_POINT)


def score_sentences(sentences: pl.LazyFrame, lexicon: pl.DataFrame) -> pl.LazyFrame:
    """The sentences with SENTENCE_TONE_COLUMNS added: VADER's compound, pos and neg, words."""
    numbered = sentences.with_row_index("sentence_idx")
    # A run of the sentences per polars thread, each scored on its own: polars runs the parts
    # of a concatenation in parallel, and a column's rows one after another. The runs are in
    # order, and so is their concatenation.
    parts = pl.thread_pool_size()
    part = pl.col("sentence_idx").cast(pl.Int64) * parts // pl.len()
    return pl.concat([_scored(numbered.filter(part == k), lexicon) for k in range(parts)])


def _scored(sentences: pl.LazyFrame, lexicon: pl.DataFrame) -> pl.LazyFrame:
    """score_sentences of sentences with sentence_idx."""
    # Added here, after the parts are cut: added to the whole batch, every part would read
    # every sentence again to make it.
    sentences = sentences.with_columns(_is_plain(pl.col("sentence")).alias("is_plain"))
    words, word_counts = _words(sentences)
    v = pl.col("v")
    per_sentence_columns = ("valence_sum", "positive_sum", "negative_sum", "sentiment_words")
    per_sentence = (
        _valences(_scoring_words(words, lexicon))
        .select(
            pl.col("sentence_idx"),
            # _exact_sum, with each word's terms in fixed point before the grouping: plain
            # integer sums are the fast ones to group.
            _fixed_point(v).alias("valence_sum"),
            # VADER's _sift_sentiment_scores: a sentiment word weighs 1 + |valence| on its
            # side, every other word 1 as neutral.
            pl.when(v > 0).then(_fixed_point(v + 1)).otherwise(0).alias("positive_sum"),
            pl.when(v < 0).then(_fixed_point(1 - v)).otherwise(0).alias("negative_sum"),
            (v != 0).alias("sentiment_words"),
        )
        .group_by("sentence_idx")
        .agg(
            pl.col(*per_sentence_columns[:3]).sum() * (1 / FIXED_POINT),
            pl.col("sentiment_words").sum().cast(pl.Int32),
        )
    )
    sentence = pl.col("sentence")
    exclamations = sentence.str.count_matches("!", literal=True).clip(upper_bound=MAX_EXCLAMATIONS)
    questions = sentence.str.count_matches("?", literal=True)
    emphasis_of_sentence = exclamations * EXCLAMATION + (
        pl.when(questions > 3)
        .then(QUESTION_CAP)
        .when(questions > 1)
        .then(questions * QUESTION)
        .otherwise(0.0)
    )
    total = pl.col("valence_sum")
    positive, negative = pl.col("positive_sum"), pl.col("negative_sum")
    # The emphasis of ! and ? goes to the side that already weighs more. Each is a column of
    # its own: polars does not share a subexpression inside when/then, so written inline the
    # emphasis would count the sentence's ! and ? once per use.
    emphasis = pl.col("emphasis")
    emphasised = {
        "emphasised_total": total
        + pl.when(total > 0).then(emphasis).when(total < 0).then(-emphasis).otherwise(0.0),
        "emphasised_positive": positive
        + pl.when(positive > negative).then(emphasis).otherwise(0.0),
        "emphasised_negative": negative
        + pl.when(negative > positive).then(emphasis).otherwise(0.0),
    }
    emphasised_total = pl.col("emphasised_total")
    emphasised_positive = pl.col("emphasised_positive")
    emphasised_negative = pl.col("emphasised_negative")
    weight = (
        emphasised_positive
        + emphasised_negative
        + (pl.col("word_count") - pl.col("sentiment_words"))
    )
    return (
        sentences.join(word_counts, on="sentence_idx", how="left", maintain_order="left")
        .join(per_sentence, on="sentence_idx", how="left", maintain_order="left")
        .with_columns(
            # A plain sentence has a word more than spaces. Counted here rather than from its
            # split words: keeping those for a second use would make polars split them all
            # before it runs the parts of score_sentences in parallel.
            pl.when(pl.col("is_plain"))
            .then(sentence.str.count_matches(" ") + 1)
            .otherwise(pl.col("word_count").fill_null(0))
            .cast(pl.Int32)
            .alias("word_count"),
            pl.col("valence_sum", "positive_sum", "negative_sum").fill_null(0.0),
            pl.col("sentiment_words").fill_null(0),
            emphasis_of_sentence.alias("emphasis"),
        )
        .with_columns(expr.alias(name) for name, expr in emphasised.items())
        .with_columns(
            (emphasised_total / (emphasised_total.pow(2) + ALPHA).sqrt()).alias("tone"),
            pl.when(weight > 0).then(emphasised_positive / weight).otherwise(0.0).alias("positive"),
            pl.when(weight > 0).then(emphasised_negative / weight).otherwise(0.0).alias("negative"),
        )
        .select(
            pl.exclude(
                "sentence_idx",
                "is_plain",
                "emphasis",
                *emphasised,
                *SENTENCE_TONE_COLUMNS,
                *per_sentence_columns,
            ),
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
