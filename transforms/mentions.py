"""Sentences to mentions: Aho-Corasick over every sentence, whole words, longest match wins."""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

import polars as pl

from transforms.memo import by_identity
from transforms.offsets import (
    char_at,
    char_before,
    exclusive_cum_sum,
    from_group_start,
    starts_group,
)
from transforms.schemas import MENTION_SCHEMA

# A match is a whole word when the characters around it are not letters or digits;
# hyphens and apostrophes are boundaries, so both halves of "Japan-U.S." count.
_WORD_CHAR = r"^[\p{L}\p{M}\p{N}_]$"  # \p{M}: "Japan" + U+0301 is another word
# ALL-CAPS text (Reuters headlines) is matched for these kinds only, as if in title case:
# places and person-like words are too often ordinary words once the case is gone.
CAPS_KINDS = ("name", "capital", "demonym")
_KIND_RANK = {"name": 0, "capital": 1, "demonym": 2, "organization": 3}
_LOOKUP_COLUMNS = ("entity_id", "entity_type", "mention_kind", "country_code")
# Wraps each match for the split that follows: a control character (record separator).
_MARK = "\x1e"
_MARK_IN_TEXT = "\x1f"  # what a mark already in the text becomes: one character for one


def longest_first(surfaces: pl.Series) -> list[str]:
    """Patterns for leftmost-first matching, so the longest surface at a position wins."""
    return (
        pl.DataFrame({"surface": surfaces.unique().cast(pl.String)})
        .sort(pl.col("surface").str.len_bytes(), pl.col("surface"), descending=[True, False])
        .get_column("surface")
        .to_list()
    )


def is_all_caps(sentence: pl.Expr) -> pl.Expr:
    """True for text with capital letters and no lowercase letter (a wire headline in caps)."""
    return sentence.str.contains(r"\p{Lu}") & ~sentence.str.contains(r"\p{Ll}")


def caps_surface_forms(surface_forms: pl.DataFrame) -> pl.DataFrame:
    """Surface forms for ALL-CAPS text: country names, capitals and demonyms in capitals, plus
    surfaces already written in capitals (`U.S.`, `OPEC`); one entry per capitalised form."""
    return (
        surface_forms.filter(
            pl.col("mention_kind").is_in(CAPS_KINDS)
            | (pl.col("surface") == pl.col("surface").str.to_uppercase())
        )
        .with_columns(
            pl.col("mention_kind").replace_strict(_KIND_RANK, default=9).alias("kind_rank"),
            (pl.col("surface") != pl.col("surface").str.to_uppercase()).alias("is_folded"),
            pl.col("surface").str.to_uppercase().alias("surface"),
        )
        .sort("kind_rank", "is_folded", "entity_id")
        .unique("surface", keep="first", maintain_order=True)
        .select("surface", *_LOOKUP_COLUMNS)
    )


class _Matcher(NamedTuple):
    """What one Aho-Corasick pass needs: its patterns, longest first, each pattern wrapped in
    _MARK as its replacement (both as list literals, built once: a Python list of forty
    thousand strings is converted again in every plan it is given to), and its lookup table."""

    patterns: pl.Expr
    marked: pl.Expr
    lookup: pl.DataFrame
    count: int  # how many patterns


def _matchers(surface_forms: pl.DataFrame, blockers: Collection[str]) -> tuple[_Matcher, _Matcher]:
    """The mixed-case and the ALL-CAPS matcher of a surface-form table, built once per
    process, so a batch does no per-pattern Python work."""
    blocked = frozenset(blockers)

    def build() -> tuple[_Matcher, _Matcher]:
        lookup = surface_forms.select("surface", *_LOOKUP_COLUMNS)
        caps = caps_surface_forms(surface_forms)
        mixed = _matcher(_patterns(lookup, blocked), lookup)
        upper = _matcher(_patterns(caps, {blocker.upper() for blocker in blocked}), caps)
        return mixed, upper

    return by_identity("mention matchers", (surface_forms,), build, blocked)


def _matcher(patterns: list[str], lookup: pl.DataFrame) -> _Matcher:
    # A surface holding the mark, or the character a mark in the text becomes, could never be
    # found whole: no name has a control character.
    patterns = [p for p in patterns if p and _MARK not in p and _MARK_IN_TEXT not in p]
    marked = [f"{_MARK}{pattern}{_MARK}" for pattern in patterns]
    return _Matcher(_list_literal(patterns), _list_literal(marked), lookup, len(patterns))


def _list_literal(values: list[str]) -> pl.Expr:
    """values as one list, for replace_many: imploded in the plan (a list-typed literal is
    read as a pattern per row by the streaming engine)."""
    return pl.lit(pl.Series(values, dtype=pl.String)).implode()


def _patterns(lookup: pl.DataFrame, blockers: Collection[str]) -> list[str]:
    return longest_first(
        pl.concat([lookup.get_column("surface"), pl.Series(list(blockers), dtype=pl.String)])
    )


def is_whole_word(text: pl.Expr, byte_start: pl.Expr, byte_end: pl.Expr) -> pl.Expr:
    """True where the bytes of text from byte_start to byte_end are whole words: no letter or
    digit right before or right after them."""
    byte_start, byte_end = byte_start.cast(pl.Int64), byte_end.cast(pl.Int64)
    binary = text.cast(pl.Binary)
    # The bytes either side (null at either end of the text); an ASCII byte is read as it is,
    # and only a text with another byte there is decoded, its character read by regex.
    before = pl.when(byte_start > 0).then(binary.bin.get(byte_start - 1, null_on_oob=True))
    after = binary.bin.get(byte_end, null_on_oob=True)
    wide_before = char_before(pl.when(before >= 0x80).then(text), byte_start)
    wide_after = char_at(pl.when(after >= 0x80).then(text), byte_end)
    return ~(_is_word_character(before, wide_before) | _is_word_character(after, wide_after))


def _is_word_character(byte: pl.Expr, wide: pl.Expr) -> pl.Expr:
    """Whether a character is a letter, mark, digit or `_`, given the byte of it that an ASCII
    character is (its first or last) and, where that byte is outside ASCII, the character itself
    (wide, read by regex; null or "" elsewhere)."""
    return _is_ascii_word_byte(byte) | wide.str.contains(_WORD_CHAR).fill_null(False)


def _is_ascii_word_byte(byte: pl.Expr) -> pl.Expr:
    """True for the bytes of ASCII letters, digits and `_` (false for null)."""
    return (
        byte.is_between(ord("0"), ord("9"))
        | byte.is_between(ord("A"), ord("Z"))
        | byte.is_between(ord("a"), ord("z"))
        | (byte == ord("_"))
    ).fill_null(False)


def _edge_is_word_character(text: pl.Expr, *, last: bool) -> pl.Expr:
    """Whether text's first character (its last, with last) is a letter, mark, digit or `_`
    (false for ""): an ASCII byte there is read as it is; only a text with another byte there
    has its character read by regex (the others read as "", which a regex pass skips)."""
    byte = text.cast(pl.Binary).bin.get(-1 if last else 0, null_on_oob=True)
    outside = pl.when(byte >= 0x80).then(text).otherwise(pl.lit(""))
    return _is_word_character(byte, outside.str.slice(-1) if last else outside.str.slice(0, 1))


def _match(sentences: pl.LazyFrame, matcher: _Matcher) -> pl.LazyFrame:
    """Whole-word, leftmost-longest matches of lookup's surfaces, blockers consumed silently.

    One Aho-Corasick pass (replace_many, leftmost-first over patterns longest first) wraps
    every match in _MARK; split at the marks, a sentence becomes its text and its matches in
    turn (odd pieces are matches), and a match's character offset is the length of the pieces
    before it. The characters around a match are the ends of the pieces next to it (or, where
    such a piece is empty, of the match beyond it). A sentence of any length costs time in
    proportion to its length, however many matches it holds.
    """
    patterns, marked, lookup, count = matcher
    if not count:
        return pl.LazyFrame(schema=MENTION_SCHEMA)
    piece, piece_no = pl.col("piece"), pl.col("piece_no")
    length = piece.str.len_chars().cast(pl.Int64)
    new_sentence = starts_group("_row")
    last, first, empty = pl.col("_last"), pl.col("_first"), pl.col("_empty")
    # Whether the characters either side of a match are word characters (null at either end
    # of its sentence): the last of the piece before it, or, where that piece is empty, of the
    # match before that; likewise after it.
    left = pl.when(~empty.shift(1)).then(last.shift(1)).when(piece_no >= 2).then(last.shift(2))
    right = (
        pl.when(~empty.shift(-1))
        .then(first.shift(-1))
        .when(piece_no + 2 < pl.col("_pieces"))
        .then(first.shift(-2))
    )
    return (
        sentences.with_row_index("_row")
        .select(
            "_row",
            "article_id",
            "sentence_no",
            "start_char",
            # A mark already in the text would cut it wrongly: it becomes another control
            # character, which is no word character either, and one character as it was.
            pl.col("sentence")
            .str.replace_all(_MARK, _MARK_IN_TEXT, literal=True)
            .str.replace_many(patterns, marked, leftmost=True)
            .str.split(_MARK)
            .alias("piece"),
        )
        .filter(pl.col("piece").list.len() > 1)
        .with_columns(
            pl.int_ranges(pl.col("piece").list.len()).alias("piece_no"),
            pl.col("piece").list.len().alias("_pieces"),
        )
        .explode("piece", "piece_no")
        .with_columns(
            from_group_start(exclusive_cum_sum(length), new_sentence).alias("local_start"),
            _edge_is_word_character(piece, last=True).alias("_last"),
            _edge_is_word_character(piece, last=False).alias("_first"),
            (piece.str.len_bytes() == 0).alias("_empty"),
        )
        .filter((piece_no % 2 == 1) & ~left.fill_null(False) & ~right.fill_null(False))
        .with_columns(
            (pl.col("start_char") + pl.col("local_start")).alias("start_char"),
            piece.alias("surface"),
        )
        .with_columns(
            (pl.col("start_char") + length).alias("end_char"),
        )
        .join(lookup.lazy().select("surface", *_LOOKUP_COLUMNS), on="surface", how="inner")
        .select(list(MENTION_SCHEMA))
    )


def find_mentions(
    sentences: pl.LazyFrame,
    surface_forms: pl.DataFrame,
    blockers: Collection[str] = (),
) -> pl.LazyFrame:
    """One row per gazetteer mention, with character offsets into the article's text.

    Blockers are phrases that contain a surface but name nothing ("Latin America"):
    they take part in the longest match and are then dropped, mention-less. ALL-CAPS
    sentences are matched for country names, capitals and demonyms only, case aside.
    """
    sentences = sentences.select("article_id", "sentence_no", "start_char", "sentence")
    caps = is_all_caps(pl.col("sentence"))
    mixed, upper = _matchers(surface_forms, blockers)
    return (
        pl.concat([_match(sentences.filter(~caps), mixed), _match(sentences.filter(caps), upper)])
        # Stable: each pass's matches come by sentence, runs that a stable sort merges in a
        # fraction of the time of an unstable one.
        .sort("article_id", "start_char", maintain_order=True)
        .select(list(MENTION_SCHEMA))
    )
