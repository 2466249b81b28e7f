"""Sentences to mentions: Aho-Corasick over every sentence, whole words, longest match wins."""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

import polars as pl

from transforms.memo import by_identity
from transforms.offsets import byte_to_char_offset, char_at, char_before, head_bytes
from transforms.schemas import MENTION_SCHEMA

# A match is a whole word when the characters around it are not letters or digits;
# hyphens and apostrophes are boundaries, so both halves of "Japan-U.S." count.
_WORD_CHAR = r"^[\p{L}\p{M}\p{N}_]$"  # \p{M}: "Japan" + U+0301 is another word
# ALL-CAPS text (Reuters headlines) is matched for these kinds only, as if in title case:
# places and person-like words are too often ordinary words once the case is gone.
CAPS_KINDS = ("name", "capital", "demonym")
_KIND_RANK = {"name": 0, "capital": 1, "demonym": 2, "organization": 3}
_LOOKUP_COLUMNS = ("entity_id", "entity_type", "mention_kind", "country_code")


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
    """What one Aho-Corasick pass needs: its patterns, longest first, and its lookup table."""

    patterns: list[str]
    lookup: pl.DataFrame
    longest: int  # UTF-8 bytes in the longest pattern


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
    return _Matcher(patterns, lookup, max((len(p.encode()) for p in patterns), default=0))


def _patterns(lookup: pl.DataFrame, blockers: Collection[str]) -> list[str]:
    return longest_first(
        pl.concat([lookup.get_column("surface"), pl.Series(list(blockers), dtype=pl.String)])
    )


def is_whole_word(text: pl.Expr, byte_start: pl.Expr, byte_end: pl.Expr) -> pl.Expr:
    """True where the bytes of text from byte_start to byte_end are whole words: no letter or
    digit right before or right after them."""
    before = char_before(text, byte_start)
    after = char_at(text, byte_end)
    return ~before.str.contains(_WORD_CHAR) & ~after.str.contains(_WORD_CHAR)


def _match(sentences: pl.LazyFrame, matcher: _Matcher) -> pl.LazyFrame:
    """Whole-word, leftmost-longest matches of lookup's surfaces, blockers consumed silently.

    One Aho-Corasick pass over the sentences finds where matches start; the surface at each
    start is then read from a short slice there (as long as the longest pattern), which is
    the same leftmost-first answer at a fraction of a second full pass's cost. Offsets stay
    in bytes until the one conversion to characters, so a sentence of any length costs time
    in proportion to its length, however many matches it holds.
    """
    patterns, lookup, longest = matcher
    if not patterns:
        return pl.LazyFrame(schema=MENTION_SCHEMA)
    sentence = pl.col("sentence")
    byte_end = pl.col("byte_start") + pl.col("surface").str.len_bytes().cast(pl.Int64)
    return (
        sentences.with_columns(
            sentence.str.find_many(patterns, leftmost=True).alias("byte_start"),
            pl.int_range(pl.len()).alias("sentence_row"),
        )
        .explode("byte_start")
        .filter(pl.col("byte_start").is_not_null())
        .with_columns(
            pl.col("byte_start").cast(pl.Int64),
            byte_to_char_offset(sentence, pl.col("byte_start"), pl.col("sentence_row")).alias(
                "local_start"
            ),
        )
        .with_columns(
            head_bytes(sentence, pl.col("byte_start"), longest)
            .str.extract_many(patterns, leftmost=True)
            .list.first()
            .alias("surface")
        )
        .filter(is_whole_word(sentence, pl.col("byte_start"), byte_end))
        .with_columns(
            (pl.col("start_char") + pl.col("local_start")).alias("start_char"),
        )
        .with_columns(
            (pl.col("start_char") + pl.col("surface").str.len_chars().cast(pl.Int64)).alias(
                "end_char"
            ),
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
        .sort("article_id", "start_char")
        .select(list(MENTION_SCHEMA))
    )
