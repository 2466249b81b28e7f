"""Name and company patterns, and their matches in sentences as spans with character offsets."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import polars as pl

from gazetteer import slug

_KEY = ["article_id", "sentence_no"]
_NAME_WORD = r"(?:\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?|\p{Lu}['’]\p{Lu}\p{Ll}+)(?:-\p{Lu}?\p{Ll}+)*"
_PARTICLE = r"(?:al|el|ad|as|ash|bin|ibn|abu|de|da|di|du|van|von|der|den|le|la|dos|das|del|della)"
_INITIAL = r"\p{Lu}\."
_NAME_TAIL = rf"(?: +(?:{_INITIAL} +)*(?:{_PARTICLE}[- ])?{_NAME_WORD})"
# A name: one word, then up to three more, with initials and particles (`Bashar al-Assad`).
_NAME = rf"(?:{_PARTICLE}-)?{_NAME_WORD}{_NAME_TAIL}{{0,3}}"
_ROLE_WORDS = (
    "representative|president|minister|secretary|spokesman|spokeswoman|spokesperson|chairman"
    "|chairwoman|director|ambassador|envoy|leader|governor|commissioner|official|negotiator"
    "|adviser|advisor|economist|analyst|professor|chief|head|executive|officer|lawmaker"
    "|senator|founder|editor|general|premier|chancellor|mayor|coach|captain"
)
_ROLE_MODIFIERS = (
    "high|top|chief|deputy|vice|senior|special|foreign|prime|executive|managing|general|state"
    "|finance|trade|defense|economic|former|then|acting|assistant|opposition|party|senior|new"
)
_COMPANY_WORD = rf"(?:{_NAME_WORD}|\p{{Lu}}[\p{{Lu}}&]+)"
# Legal forms that end a company's name, in English and the languages of Europe and Asia's
# company registers (`SpA`, `NV`, `GmbH`, `Bhd`...).
_COMPANY_SUFFIX = (
    r"(?:(?:Inc|Corp|Co|Cos|Ltd|Bhd)\.|(?:Inc|Corp|Co|Cos|Ltd|Group|Plc|PLC|AG|Holdings|SpA|SA"
    r"|NV|BV|AB|ASA|GmbH|Bhd|Berhad|Pty|LLC|Oyj|Limited|Corporation|Incorporated)\b)"
)


@functools.lru_cache(maxsize=64)
def _alternation(words: frozenset[str] | tuple[str, ...]) -> str:
    """A regex alternation of literal words, longest first so the longest wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


# The slug of entity ids, shared with the gazetteer's own ids (news agencies).
_slug = slug


def _named_organization(priority: int) -> list[pl.Expr]:
    """entity_id (`org:` and the slug of the name), entity_name (the name) and priority of an
    organisation candidate named by its `name` column."""
    return [
        pl.concat_str(pl.lit("org:"), _slug(pl.col("name"))).alias("entity_id"),
        pl.col("name").alias("entity_name"),
        pl.lit(priority).alias("priority"),
    ]


def _ascii_pattern(pattern: str) -> str:
    """pattern for ASCII-only text: Unicode classes and word boundaries as their ASCII halves.

    On an ASCII haystack both match the same, and the ASCII form runs a hundred times faster
    (the Unicode classes make the regex engine give up its DFA on these patterns).
    """
    for unicode, ascii_only in (
        (r"\p{Lu}", "A-Z"),
        (r"\p{Ll}", "a-z"),
        (r"\p{L}", "A-Za-z"),
        (r"\p{N}", "0-9"),
    ):
        # Inside a class the range is spliced in; outside it becomes a class of its own.
        pattern = re.sub(
            rf"(\[[^\]]*?){re.escape(unicode)}", lambda m, r=ascii_only: m.group(1) + r, pattern
        )
        pattern = pattern.replace(unicode, f"[{ascii_only}]")
    return pattern.replace(r"\b", r"(?-u:\b)")


def _is_ascii(text: pl.Expr) -> pl.Expr:
    return text.str.len_bytes() == text.str.len_chars()


def _by_ascii(text: pl.Expr, apply: Callable[[pl.Expr, str], pl.Expr], pattern: str) -> pl.Expr:
    """apply(text, pattern) per row, with pattern's ASCII form on ASCII-only rows."""
    return pl.coalesce(
        apply(pl.when(_is_ascii(text)).then(text), _ascii_pattern(pattern)),
        apply(pl.when(~_is_ascii(text)).then(text), pattern),
    )


def _chunks(sentences: pl.LazyFrame, pattern: str) -> pl.LazyFrame:
    """One row per match of pattern in a sentence: the chunk of text from the previous match's
    end to this match's end, and chunk_end, that end's character offset in the sentence.

    polars' extract_all gives no offsets, so every match is extracted together with the text
    before it (`.*?`): the chunks tile the sentence, and their running length is an offset.
    """
    # A chunk's end in its sentence: the running length over all chunks of the batch, less
    # the running length before its sentence's first chunk (cheaper than a list.eval per row).
    length = pl.col("chunk").str.len_chars().cast(pl.Int64)
    running = length.cum_sum()
    is_first = pl.col("_sentence").ne_missing(pl.col("_sentence").shift(1))
    return (
        sentences.select(
            *_KEY,
            "start_char",
            _by_ascii(
                pl.col("sentence"), lambda text, p: text.str.extract_all(p), rf"(?s).*?{pattern}"
            ).alias("chunk"),
        )
        .with_row_index("_sentence")
        .explode("chunk")
        .filter(pl.col("chunk").is_not_null())
        .with_columns(
            (running - pl.when(is_first).then(running - length).forward_fill()).alias("chunk_end")
        )
    )


@functools.lru_cache(maxsize=256)
def _chunk_groups(pattern: str) -> pl.Expr:
    """The named groups of pattern's match at the end of each chunk, as a struct.

    A chunk ends with its match, which starts at the leftmost place where pattern matches up
    to the chunk's end: anchored at the end, the regex engine finds the same match (and the
    same groups) several times faster than by rescanning the chunk from its start. Built once
    per pattern: polars compiles the regex to build the expression (its fields are the
    groups), a few milliseconds for each of the passes' patterns, on every batch otherwise.
    """
    return _by_ascii(pl.col("chunk"), lambda text, p: text.str.extract_groups(p), f"(?s){pattern}$")


def regex_spans(
    sentences: pl.LazyFrame,
    pattern: str,
    prefilter: pl.Expr | None = None,
    search: str | None = None,
) -> pl.LazyFrame:
    """One row per match of pattern in each sentence, with its named groups and the character
    offsets of its `name` group; a `tail` group, if any, is text matched after the name.

    prefilter, true for every sentence with a match, skips the others early. search, if
    given, is pattern without an optional group at its front (a country word before a title):
    the matches are found with it, and pattern is read at their end. An alternation of a
    thousand country words at the front of a pattern makes every position of every sentence a
    possible start, several times slower to search.
    """
    names = re.findall(r"\(\?P<(\w+)>", pattern)
    groups = _chunk_groups(pattern)
    tail = pl.col("tail").fill_null("").str.len_chars() if "tail" in names else 0
    if prefilter is not None:
        sentences = sentences.filter(prefilter)
    return (
        _chunks(sentences, search or pattern)
        # The groups as one column first: polars would run the regex once per field read.
        .with_columns(groups.alias("_groups"))
        .with_columns(*(pl.col("_groups").struct.field(n).alias(n) for n in names))
        .with_columns((pl.col("start_char") + pl.col("chunk_end") - tail).alias("end_char"))
        .with_columns(
            (pl.col("end_char") - pl.col("name").str.len_chars().cast(pl.Int64)).alias("start_char")
        )
        .drop(
            "_sentence", "chunk", "chunk_end", "_groups", *([] if "tail" not in names else ["tail"])
        )
    )


def _has(pattern: str) -> pl.Expr:
    """True for sentences with a match of pattern."""
    return pl.col("sentence").str.contains(pattern)


def _words(expr: pl.Expr) -> pl.Expr:
    return expr.str.split(" ")


def _shorten_front(spans: pl.LazyFrame, kept: pl.Expr) -> pl.LazyFrame:
    """Spans whose name becomes kept, the name less some text at its front (a stop word, a
    qualifier); start offsets move to match."""
    return spans.with_columns(
        (pl.col("start_char") + pl.col("name").str.len_chars() - kept.str.len_chars()).alias(
            "start_char"
        ),
        kept.alias("name"),
    )


def _shorten_back(spans: pl.LazyFrame, kept: pl.Expr) -> pl.LazyFrame:
    """Spans whose name becomes kept, the name less some text at its end (from a stop word or a
    title on); end offsets move to match."""
    return spans.with_columns(kept.alias("name")).with_columns(
        (pl.col("start_char") + pl.col("name").str.len_chars().cast(pl.Int64)).alias("end_char")
    )


def _strip_leading(spans: pl.LazyFrame, stopwords: frozenset[str]) -> pl.LazyFrame:
    """Names stripped of the stop words in front of them, start offsets moved to match."""
    stop = _alternation(stopwords)
    return _shorten_front(spans, pl.col("name").str.replace(rf"^(?:(?:{stop}) +)+", ""))


def _trim_name(spans: pl.LazyFrame, stopwords: frozenset[str], *, leading: bool) -> pl.LazyFrame:
    """Names cut before their first stop word (and, with leading, stripped of stop words in
    front), offsets moved to match; names left empty are dropped."""
    if leading:
        spans = _strip_leading(spans, stopwords)
    # Kept: the text before the leftmost stop word. Anchored, with that text as a lazy group,
    # the regex engine runs several times faster than searching for the stop word unanchored.
    stop = _alternation(stopwords)
    name = pl.col("name")
    cut = name.str.replace(rf"^((?s:.*?))(?:^| +)(?:{stop})(?:[^\p{{L}}\p{{N}}].*)?$", "${1}")
    return _shorten_back(spans, cut).filter(name.str.len_chars() > 0)


def capitalised_words(sentences: pl.LazyFrame) -> pl.LazyFrame:
    """Every capitalised word (`Kishida`, `al-Assad`) with its offsets, as column short."""
    return regex_spans(sentences, rf"(?P<name>(?:{_PARTICLE}-)?{_NAME_WORD})\b").select(
        *_KEY, "start_char", "end_char", pl.col("name").alias("short")
    )
