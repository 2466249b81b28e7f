"""Articles to sentences: paragraph breaks always end one, wire abbreviations and initials do not."""

from __future__ import annotations

import polars as pl

from transforms.offsets import exclusive_cum_sum, from_group_start, slice_bytes, starts_group
from transforms.schemas import SENTENCE_SCHEMA

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
# A piece of text longer than this with no sentence end in it (a word list, a table, a feed
# that drops punctuation) is cut every _RUN_WORDS words, after the space that follows the last
# word: the passes after this one read each sentence around every name in it, and a sentence
# of a megabyte would cost them time in the square of its length.
_LONG_PIECE_BYTES = 8192
_RUN_WORDS = 200
_WORD_RUN = rf"(?s)\S*(?:\s+\S+){{0,{_RUN_WORDS - 1}}}\s*"
_INITIAL = r"^[A-Z]\.$"
_DOTTED = r"^(?:[A-Za-z]\.){2,}$"


def _runs_of_words(piece: pl.Expr) -> pl.Expr:
    """piece as a list of itself, or, past _LONG_PIECE_BYTES, of its runs of _RUN_WORDS words
    (each with the white space after it: together they are the piece)."""
    runs = piece.str.extract_all(_WORD_RUN).list.eval(pl.element().filter(pl.element() != ""))
    return (
        pl.when(piece.str.len_bytes() > _LONG_PIECE_BYTES)
        .then(runs)
        .otherwise(pl.concat_list(piece))
    )


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
            from_group_start(
                exclusive_cum_sum(pl.col("paragraph").str.len_chars().cast(pl.Int64) + 2),
                pl.col("paragraph_no") == 0,
            ).alias("para_start"),
        )
    )


def split_sentences(articles: pl.LazyFrame) -> pl.LazyFrame:
    """One row per sentence with character offsets into the article's text."""
    # Sorting the articles, not the sentences: exploded rows keep their order, so the
    # sentences come out by article_id and start_char, as the warehouse expects them.
    # An article without an id has no sentences (it could not be joined to them).
    paras = paragraphs(
        articles.filter(pl.col("article_id").is_not_null()).sort("article_id", maintain_order=True)
    ).with_columns(pl.int_range(pl.len()).alias("para_idx"))
    pieces = (
        paras.select(
            pl.col("para_idx"),
            pl.col("paragraph")
            .str.replace_all(_MARK, "\x1f", literal=True)
            .str.replace_all(_CANDIDATE, f"${{1}}${{2}}{_MARK}${{3}}")
            .str.split(_MARK)
            .alias("piece"),
        )
        # The paragraph must not ride along the explode: with thousands of pieces in a
        # long paragraph, the streaming engine copies it per piece (quadratic memory).
        .explode("piece")
        .with_columns(_runs_of_words(pl.col("piece")).alias("piece"))
        .explode("piece")
        .with_columns(
            from_group_start(
                pl.int_range(pl.len(), dtype=pl.Int64),
                starts_group("para_idx"),
            ).alias("piece_no"),
            pl.col("para_idx").eq_missing(pl.col("para_idx").shift(-1)).alias("_has_next"),
        )
        .with_columns(
            pl.col("piece").str.len_chars().cast(pl.Int64).alias("piece_len"),
            pl.col("piece").str.len_bytes().cast(pl.Int64).alias("piece_bytes"),
            # Read only where a piece follows: a paragraph's last piece ends its sentence
            # whatever its last token, and most paragraphs are one piece.
            pl.when(pl.col("_has_next"))
            .then(pl.col("piece"))
            .str.strip_chars_end()
            .str.extract(r"(\S+)$")
            .str.strip_chars_start("\"'([“‘")
            .alias("last_token"),
            pl.when(pl.col("_has_next"))
            .then(pl.col("piece").shift(-1))
            .str.extract(r"^\W*(\w+)")
            .alias("next_word"),
        )
        .with_columns(
            from_group_start(exclusive_cum_sum(pl.col("piece_len")), pl.col("piece_no") == 0).alias(
                "local_start"
            ),
            # Byte offsets too: the sentence is cut from its paragraph by bytes, since a
            # cut at a character offset walks the paragraph from its start every time.
            from_group_start(
                exclusive_cum_sum(pl.col("piece_bytes")), pl.col("piece_no") == 0
            ).alias("local_byte_start"),
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
    # A sentence runs from a piece that opens a paragraph or follows an ending piece to the
    # next ending piece; every paragraph's last piece ends one, so no group_by is needed.
    starts_sentence = (pl.col("piece_no") == 0) | pl.col("ends_sentence").shift(1)
    lead_bytes = (
        pl.col("raw").str.len_bytes() - pl.col("raw").str.strip_chars_start().str.len_bytes()
    )
    return (
        pieces.with_columns(ends_sentence.alias("ends_sentence"))
        .with_columns(
            pl.when(starts_sentence)
            .then(pl.col("local_start"))
            .forward_fill()
            .alias("sentence_start"),
            pl.when(starts_sentence)
            .then(pl.col("local_byte_start"))
            .forward_fill()
            .alias("sentence_byte_start"),
            (pl.col("local_byte_start") + pl.col("piece_bytes")).alias("local_byte_end"),
        )
        .filter(pl.col("ends_sentence"))
        .select(
            "para_idx",
            pl.col("sentence_start").alias("local_start"),
            pl.col("sentence_byte_start").alias("local_byte_start"),
            "local_byte_end",
        )
        .join(paras, on="para_idx", how="left", maintain_order="left")
        .with_columns(
            slice_bytes(
                pl.col("paragraph"),
                pl.col("local_byte_start"),
                pl.col("local_byte_end") - pl.col("local_byte_start"),
            ).alias("raw")
        )
        .with_columns(
            # The white space before the sentence, in characters: counted only where there is
            # some (an indented paragraph), rather than counting every sentence's characters
            # twice.
            pl.when(lead_bytes > 0)
            .then(slice_bytes(pl.col("raw"), 0, lead_bytes))
            .str.len_chars()
            .fill_null(0)
            .cast(pl.Int64)
            .alias("lead"),
            pl.col("raw").str.strip_chars().alias("sentence"),
        )
        .filter(pl.col("sentence").str.len_bytes() > 0)
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
            from_group_start(
                pl.int_range(pl.len(), dtype=pl.Int64),
                starts_group("article_id"),
            )
            .cast(pl.Int32)
            .alias("sentence_no"),
            pl.col("paragraph_no").cast(pl.Int32),
        )
        .select(list(SENTENCE_SCHEMA))
    )
