"""Articles to sentences: paragraph breaks always end one, wire abbreviations and initials do not."""

from __future__ import annotations

import polars as pl

# Why three classes: titles and month abbreviations are followed by a name or a
# day, so they never close a sentence; "U.S." or "Inc." close one only when the
# next word is one that starts sentences; everything else ending in . ! ? does.
NEVER_FINAL = frozenset(
    [
        "Mr.",
        "Mrs.",
        "Ms.",
        "Messrs.",
        "Dr.",
        "Prof.",
        "Gen.",
        "Lt.",
        "Col.",
        "Maj.",
        "Capt.",
        "Sgt.",
        "Cpl.",
        "Pvt.",
        "Adm.",
        "Cmdr.",
        "Brig.",
        "Sen.",
        "Rep.",
        "Gov.",
        "Lt.Gov.",
        "Pres.",
        "Amb.",
        "Sec.",
        "Atty.",
        "Supt.",
        "Insp.",
        "Rev.",
        "Fr.",
        "Msgr.",
        "Sr.",
        "Hon.",
        "St.",
        "Mt.",
        "Ft.",
        "Pt.",
        "Ave.",
        "Blvd.",
        "Rd.",
        "No.",
        "Nos.",
        "Vol.",
        "vol.",
        "Fig.",
        "fig.",
        "pp.",
        "p.",
        "cf.",
        "vs.",
        "v.",
        "approx.",
        "est.",
        "Jan.",
        "Feb.",
        "Mar.",
        "Apr.",
        "Jun.",
        "Jul.",
        "Aug.",
        "Sep.",
        "Sept.",
        "Oct.",
        "Nov.",
        "Dec.",
        "Mon.",
        "Tue.",
        "Tues.",
        "Wed.",
        "Thu.",
        "Thur.",
        "Thurs.",
        "Fri.",
        "Sat.",
        "Sun.",
        "e.g.",
        "i.e.",
        "etc.",
    ]
)
SOMETIMES_FINAL = frozenset(
    [
        "U.S.",
        "U.K.",
        "U.N.",
        "U.S.A.",
        "U.A.E.",
        "E.U.",
        "S.",
        "N.",
        "Inc.",
        "Corp.",
        "Co.",
        "Ltd.",
        "Bros.",
        "Jr.",
        "Sr.",
        "a.m.",
        "p.m.",
        "A.M.",
        "P.M.",
        "Ala.",
        "Ariz.",
        "Ark.",
        "Calif.",
        "Colo.",
        "Conn.",
        "Del.",
        "Fla.",
        "Ga.",
        "Ill.",
        "Ind.",
        "Kan.",
        "Ky.",
        "La.",
        "Md.",
        "Mass.",
        "Mich.",
        "Minn.",
        "Miss.",
        "Mo.",
        "Mont.",
        "Neb.",
        "Nev.",
        "Okla.",
        "Ore.",
        "Pa.",
        "Tenn.",
        "Tex.",
        "Va.",
        "Vt.",
        "Wash.",
        "Wis.",
        "Wyo.",
        "D.C.",
        "B.C.",
        "A.D.",
    ]
)
SENTENCE_STARTERS = frozenset(
    [
        "The",
        "A",
        "An",
        "He",
        "She",
        "It",
        "They",
        "We",
        "I",
        "You",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "In",
        "On",
        "At",
        "For",
        "From",
        "As",
        "By",
        "With",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Their",
        "His",
        "Her",
        "Its",
        "Our",
        "Some",
        "Many",
        "Most",
        "Several",
        "Both",
        "Each",
        "However",
        "Meanwhile",
        "Also",
        "Still",
        "Earlier",
        "Later",
        "Officials",
        "Analysts",
        "When",
        "While",
        "If",
        "After",
        "Before",
        "Since",
        "Although",
        "Though",
        "Under",
        "Over",
        "Asked",
        "According",
    ]
)

_MARK = "\x1e"
# A candidate break: closing punctuation, optional closing quotes or brackets,
# whitespace, then anything that is not a lowercase letter.
_CANDIDATE = r"([.!?]+[\"'\)\]’”]*)(\s+)([^a-z\s])"
_CLOSED = r"[.!?][\"'\)\]’”]*$"
_INITIAL = r"^[A-Z]\.$"
_DOTTED = r"^(?:[A-Za-z]\.){2,}$"

SENTENCE_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "sentence_no": pl.Int32(),
    "paragraph_no": pl.Int32(),
    "start_char": pl.Int64(),
    "end_char": pl.Int64(),
    "sentence": pl.String(),
    "is_truncated": pl.Boolean(),
}


def paragraphs(articles: pl.LazyFrame) -> pl.LazyFrame:
    """One row per paragraph: article_id, paragraph_no (headline is 0), para_start, paragraph."""
    return (
        articles.select(
            pl.col("article_id"),
            pl.col("text").str.split("\n\n").alias("paragraph"),
        )
        .with_columns(pl.int_ranges(pl.col("paragraph").list.len()).alias("paragraph_no"))
        .explode("paragraph", "paragraph_no")
        .with_columns(
            (pl.col("paragraph").str.len_chars().cast(pl.Int64) + 2)
            .cum_sum()
            .shift(1, fill_value=0)
            .over("article_id", order_by="paragraph_no")
            .alias("para_start"),
        )
    )


def split_sentences(articles: pl.LazyFrame) -> pl.LazyFrame:
    """One row per sentence with character offsets into the article's text."""
    para_key = ["article_id", "paragraph_no"]
    paras = paragraphs(articles)
    pieces = (
        paras.with_columns(
            pl.col("paragraph")
            .str.replace_all(_MARK, "\x1f", literal=True)
            .str.replace_all(_CANDIDATE, f"${{1}}${{2}}{_MARK}${{3}}")
            .str.split(_MARK)
            .alias("piece")
        )
        # The paragraph must not ride along the explode: with thousands of pieces in a
        # long paragraph, the streaming engine copies it per piece (quadratic memory).
        .drop("paragraph")
        .with_columns(pl.int_ranges(pl.col("piece").list.len()).alias("piece_no"))
        .explode("piece", "piece_no")
        .with_columns(
            pl.col("piece").str.len_chars().cast(pl.Int64).alias("piece_len"),
            pl.col("piece")
            .str.strip_chars_end()
            .str.extract(r"(\S+)$")
            .str.strip_chars_start("\"'([“‘")
            .alias("last_token"),
        )
        .with_columns(
            pl.col("piece_len")
            .cum_sum()
            .shift(1, fill_value=0)
            .over(para_key, order_by="piece_no")
            .alias("local_start"),
            pl.col("piece")
            .shift(-1)
            .over(para_key, order_by="piece_no")
            .str.extract(r"^\W*(\w+)")
            .alias("next_word"),
        )
    )
    starter = pl.col("next_word").is_in(list(SENTENCE_STARTERS))
    token = pl.col("last_token")
    ends_sentence = (
        pl.when(pl.col("next_word").is_null())
        .then(True)
        .when(token.is_in(list(NEVER_FINAL)))
        .then(False)
        .when(token.is_in(list(SOMETIMES_FINAL)) | token.str.contains(_DOTTED))
        .then(starter)
        .when(token.str.contains(_INITIAL))
        .then(False)
        .otherwise(True)
    )
    return (
        pieces.with_columns(ends_sentence.alias("ends_sentence"))
        .with_columns(
            pl.col("ends_sentence")
            .shift(1, fill_value=True)
            .cast(pl.Int32)
            .cum_sum()
            .over(para_key, order_by="piece_no")
            .alias("sentence_in_para")
        )
        .group_by([*para_key, "sentence_in_para"])
        .agg(
            pl.col("para_start").first(),
            pl.col("local_start").min().alias("local_start"),
            (pl.col("local_start") + pl.col("piece_len")).max().alias("local_end"),
        )
        .join(paras.select(*para_key, "paragraph"), on=para_key, how="left")
        .with_columns(
            pl.col("paragraph")
            .str.slice(pl.col("local_start"), pl.col("local_end") - pl.col("local_start"))
            .alias("raw")
        )
        .with_columns(
            (
                pl.col("raw").str.len_chars().cast(pl.Int64)
                - pl.col("raw").str.strip_chars_start().str.len_chars().cast(pl.Int64)
            ).alias("lead"),
            pl.col("raw").str.strip_chars().alias("sentence"),
        )
        .filter(pl.col("sentence").str.len_chars() > 0)
        .with_columns(
            (pl.col("para_start") + pl.col("local_start") + pl.col("lead")).alias("start_char"),
        )
        .with_columns(
            (pl.col("start_char") + pl.col("sentence").str.len_chars().cast(pl.Int64)).alias(
                "end_char"
            ),
            ((pl.col("paragraph_no") > 0) & ~pl.col("sentence").str.contains(_CLOSED)).alias(
                "is_truncated"
            ),
        )
        .sort("article_id", "start_char")
        .with_columns(
            pl.int_range(pl.len()).over("article_id").cast(pl.Int32).alias("sentence_no"),
            pl.col("paragraph_no").cast(pl.Int32),
        )
        .select(list(SENTENCE_SCHEMA))
    )
