"""Name and company patterns, and their matches in sentences as spans with character offsets."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import polars as pl

from gazetteer import slug
from transforms.engine import ENGINE
from transforms.memo import by_identity
from transforms.offsets import exclusive_cum_sum, from_group_start, starts_group

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

    On a haystack with no letter, digit or word character outside ASCII (_is_plain) both
    match the same, and the ASCII form runs a hundred times faster (the Unicode classes make
    the regex engine give up its DFA on these patterns).
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


# A character outside ASCII that a pattern's Unicode classes read differently from their ASCII
# halves: a letter, a digit or a word character (`\w`, which `\b` reads). Curly quotes and
# dashes are none of these.
_WORDY_OUTSIDE_ASCII = r"[\w\p{N}&&[^\x00-\x7F]]"


def _is_plain(text: pl.Expr) -> pl.Expr:
    """True for text that a pattern's ASCII form (_ascii_pattern) reads as the pattern itself
    does: no letter, digit or word character outside ASCII."""
    # Only non-ASCII rows are searched: the others become empty strings, not nulls, since
    # str.contains reads the text under a null too.
    outside = pl.when(~_is_ascii(text)).then(text).otherwise(pl.lit(""))
    return ~outside.str.contains(_WORDY_OUTSIDE_ASCII)


# The characters outside ASCII that a pattern reading only letter case (_reads_only_letter_case)
# tells apart, each replaced by an ASCII character it reads the same way: an upper-case letter
# by Z, a lower-case letter by z, any other word character (a letter of no case, a mark, a
# digit, a joiner) by `_`, and a number that is no word character (`½`) by `#`. In that order:
# each class is read of what the ones before left.
_LETTER_CASE_STAND_INS = (
    (r"[\p{Lu}&&[^\x00-\x7F]]", "Z"),
    (r"[\p{Ll}&&[^\x00-\x7F]]", "z"),
    (r"[\w&&[^\x00-\x7F]]", "_"),
    (r"[\p{N}&&[^\x00-\x7F]]", "#"),
)
# The Unicode classes such a pattern may hold, and the escapes it may not: they read other
# properties of a character than its case, or, within a class, of an ASCII letter or digit.
_LETTER_CASE_CLASSES = re.compile(r"\\p\{L[ul]\}")
_OTHER_PROPERTIES = re.compile(r"\\[pPwWdD]|\(\?[a-z-]*i|\[[^\]]*[A-Za-z0-9][^\]]*\]")


@functools.lru_cache(maxsize=256)
def _reads_only_letter_case(pattern: str) -> bool:
    """True for a pattern whose matches in any text are those of its ASCII form
    (_ascii_pattern) in the text's _letter_case_text, at the same character offsets: outside
    ASCII it reads only \\p{Lu}, \\p{Ll} and word boundaries (no other class or escape of
    Unicode properties, no case-insensitive flag, no class naming an ASCII letter or digit),
    it names no character outside ASCII that is a letter, digit or word character, and none of
    the stand-ins (_LETTER_CASE_STAND_INS)."""
    rest = _LETTER_CASE_CLASSES.sub("", pattern)
    wordy_outside_ascii = any(
        not character.isascii() and (character.isalnum() or character == "_") for character in rest
    )
    stand_ins = any(stand_in in rest for _, stand_in in _LETTER_CASE_STAND_INS)
    return not (_OTHER_PROPERTIES.search(rest) or wordy_outside_ascii or stand_ins)


def _letter_case_text(text: pl.Expr) -> pl.Expr:
    """text with each letter, digit and word character outside ASCII replaced by its stand-in
    (_LETTER_CASE_STAND_INS), one character for one: the offsets of its characters are those
    of text. Null where column _plain is true: the other rows, few, are taken out of the
    column and rewritten alone (a regex pass over a whole batch's column reads the text under
    its nulls too)."""

    def stand_in(column: pl.Series) -> pl.Series:
        if column.null_count() == column.len():
            return column
        rows = column.to_frame("text").with_row_index("_row").drop_nulls("text")
        for wordy, letter in _LETTER_CASE_STAND_INS:
            rows = rows.with_columns(pl.col("text").str.replace_all(wordy, letter))
        return column.clone().scatter(rows.get_column("_row"), rows.get_column("text"))

    return (
        pl.when(~pl.col("_plain"))
        .then(text)
        .map_batches(stand_in, return_dtype=pl.String, is_elementwise=True)
    )


def read_back_text(original: pl.Expr, start: pl.Expr | int, found: pl.Expr) -> pl.Expr:
    """found (text a pattern returned, _by_plain with letter_case) as the row's own text: the
    characters of original (null where the row is plain) from start, as many as found has;
    found itself where original is null."""
    return pl.coalesce(original.str.slice(start, found.str.len_chars()), found)


def _plain_column(sentences: pl.LazyFrame) -> pl.Expr:
    """Column _plain (_is_plain of the sentence): the sentences' own when they carry it (the
    entity passes' sentences do, read once, see transforms/entities/__init__.py), else read
    here."""
    if "_plain" in sentences.collect_schema().names():
        return pl.col("_plain")
    return _is_plain(pl.col("sentence")).alias("_plain")


def _by_plain(
    text: pl.Expr,
    apply: Callable[[pl.Expr, str], pl.Expr],
    pattern: str,
    *,
    letter_case: bool = False,
) -> pl.Expr:
    """apply(text, pattern) per row, with pattern's ASCII form where column _plain is true.

    The other rows (few in English copy, all of it in text with accents) get the pattern
    itself, compiled only for a batch that has such a row: polars compiles a literal pattern
    whenever it runs, even over nulls only, and the Unicode form's classes and long
    alternations take milliseconds; polars keeps only a few dozen compiled regexes from one
    batch to the next. (A pattern given as a column is compiled only for the rows that have
    one, but str.extract compiles it again on every such row.)

    With letter_case (for a pattern that tells characters outside ASCII apart only as
    upper-case letters, lower-case letters and word characters: _reads_only_letter_case, which
    the caller checks), those rows too are read with the ASCII form, in their
    _letter_case_text: no Unicode form is compiled. What it returns there is that text's, and
    the caller reads the characters back from the row's own text by offset (regex_spans,
    place-led names).
    """
    plain = pl.col("_plain")
    if letter_case:
        either = pl.coalesce(pl.when(plain).then(text), _letter_case_text(text))
        return apply(either, _ascii_pattern(pattern))
    return pl.coalesce(
        apply(pl.when(plain).then(text), _ascii_pattern(pattern)),
        _unless_all_null(pl.when(~plain).then(text), apply, pattern),
    )


def _unless_all_null(
    text: pl.Expr, apply: Callable[[pl.Expr, str], pl.Expr], pattern: str
) -> pl.Expr:
    """apply(text, pattern), run (and pattern compiled) only for a batch whose text is not all
    null; all null otherwise."""
    dtype = (
        pl.LazyFrame(schema={"text": pl.String})
        .select(apply(pl.col("text"), _ascii_pattern(pattern)))
        .collect_schema()
        .dtypes()[0]
    )

    def run(column: pl.Series) -> pl.Series:
        if column.null_count() == column.len():
            # One null repeated: an eager pl.repeat runs a whole query, a cost on every batch.
            return pl.Series(column.name, [None], dtype=dtype).new_from_index(0, column.len())
        # Collected, so that polars runs the regex without holding the interpreter lock.
        frame = column.to_frame("text").lazy().select(apply(pl.col("text"), pattern))
        return frame.collect(engine=ENGINE).to_series().alias(column.name)

    return text.map_batches(run, return_dtype=dtype, is_elementwise=True)


def _chunks(sentences: pl.LazyFrame, pattern: str, *, letter_case: bool = False) -> pl.LazyFrame:
    """One row per match of pattern in a sentence: the chunk of text from the previous match's
    end to this match's end, and chunk_end, that end's character offset in the sentence.

    polars' extract_all gives no offsets, so every match is extracted together with the text
    before it (`.*?`): the chunks tile the sentence, and their running length is an offset.
    Column _plain (_is_plain) is kept, per chunk. With letter_case (_by_plain), the chunks of
    a sentence that is not plain are of its _letter_case_text, and column _text holds the
    sentence itself (null for a plain one).
    """
    # A chunk's end in its sentence: the running length over all chunks of the batch, less
    # the running length before its sentence's first chunk (cheaper than a list.eval per row).
    length = pl.col("chunk").str.len_chars().cast(pl.Int64)
    is_first = starts_group("_sentence")
    return (
        sentences.select(*_KEY, "start_char", "sentence", _plain_column(sentences))
        .select(
            *_KEY,
            "start_char",
            "_plain",
            _by_plain(
                pl.col("sentence"),
                lambda text, p: text.str.extract_all(p),
                rf"(?s).*?{pattern}",
                letter_case=letter_case,
            ).alias("chunk"),
            *(
                [pl.when(~pl.col("_plain")).then(pl.col("sentence")).alias("_text")]
                if letter_case
                else []
            ),
        )
        .with_row_index("_sentence")
        .explode("chunk")
        .filter(pl.col("chunk").is_not_null())
        .with_columns(
            (from_group_start(exclusive_cum_sum(length), is_first) + length).alias("chunk_end")
        )
    )


@functools.lru_cache(maxsize=256)
def _chunk_groups(pattern: str, letter_case: bool = False) -> pl.Expr:
    """The named groups of pattern's match at the end of each chunk, as a struct.

    A chunk ends with its match, which starts at the leftmost place where pattern matches up
    to the chunk's end: anchored at the end, the regex engine finds the same match (and the
    same groups) several times faster than by rescanning the chunk from its start. Built once
    per pattern: polars compiles the regex to build the expression (its fields are the
    groups), a few milliseconds for each of the passes' patterns, on every batch otherwise.
    """
    return _by_plain(
        pl.col("chunk"),
        lambda text, p: text.str.extract_groups(p),
        f"(?s){pattern}$",
        letter_case=letter_case,
    )


@functools.lru_cache(maxsize=256)
def _chunk_match(pattern: str, letter_case: bool = False) -> pl.Expr:
    """pattern's match at the end of each chunk, as _chunk_groups reads it but without its
    groups: several times faster to find."""
    return _by_plain(
        pl.col("chunk"),
        lambda text, p: text.str.extract(p, 0),
        f"(?s){pattern}$",
        letter_case=letter_case,
    )


def regex_spans(
    sentences: pl.LazyFrame,
    pattern: str,
    prefilter: pl.Expr | None = None,
    search: str | None = None,
) -> pl.LazyFrame:
    """One row per match of pattern in each sentence, with its named groups and the character
    offsets of its `name` group; a `tail` group, if any, is text matched after the name. A
    pattern with no named group names its whole match.

    prefilter, true for every sentence with a match, skips the others early. search, if
    given, is pattern without an optional group at its front (a country word before a title):
    the matches are found with it, and pattern is read at their end. An alternation of a
    thousand country words at the front of a pattern makes every position of every sentence a
    possible start, several times slower to search.
    """
    names = re.findall(r"\(\?P<(\w+)>", pattern)
    tail = pl.col("tail").fill_null("").str.len_chars() if "tail" in names else 0
    if prefilter is not None:
        sentences = sentences.filter(prefilter)
    # Sentences that are not plain read with the ASCII form too, when the patterns allow it
    # and the name is the only text returned (a tail counts only by its length): the name is
    # read back from the sentence by offset.
    letter_case = (
        set(names) <= {"name", "tail"}
        and _reads_only_letter_case(pattern)
        and _reads_only_letter_case(search or pattern)
    )
    # The groups as one column first: polars would run the regex once per field read.
    groups = (
        [_chunk_groups(pattern, letter_case).alias("_groups")]
        if names
        else [_chunk_match(pattern, letter_case).alias("name")]
    )
    name = pl.col("name")
    start = pl.col("chunk_end") - tail - name.str.len_chars().cast(pl.Int64)
    read_back = [read_back_text(pl.col("_text"), start, name).alias("name")] if letter_case else []
    return (
        _chunks(sentences, search or pattern, letter_case=letter_case)
        .with_columns(*groups)
        .with_columns(*(pl.col("_groups").struct.field(n).alias(n) for n in names))
        .with_columns(*read_back)
        .with_columns((pl.col("start_char") + pl.col("chunk_end") - tail).alias("end_char"))
        .with_columns(
            (pl.col("end_char") - pl.col("name").str.len_chars().cast(pl.Int64)).alias("start_char")
        )
        .drop(
            "_sentence",
            "_plain",
            "chunk",
            "chunk_end",
            *(["_text"] if letter_case else []),
            *(["_groups"] if names else []),
            *(["tail"] if "tail" in names else []),
        )
    )


def own_article_pairs(
    sentences: pl.LazyFrame, items: pl.LazyFrame, item: str, most: int
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(pairs, crowded): each sentence joined with each item of its own article (column item,
    a string) that it holds, by a substring test, for the articles with at most `most` items;
    and the items of the articles with more, for a pass that reads all their sentences.

    Pairing grows with an article's sentences times its items: capped per article, the pairs
    grow with the text, not with its square. An article gets only its own items, whatever
    else is in its batch, and no Aho-Corasick automaton of the batch's items is built.
    """
    per_article = pl.len().over("article_id")
    pairs = sentences.join(
        items.filter(per_article <= most), on="article_id", maintain_order="left"
    ).filter(pl.col("sentence").str.contains(pl.col(item), literal=True))
    return pairs, items.filter(per_article > most)


def _has(pattern: str) -> pl.Expr:
    """True for sentences with a match of pattern."""
    return pl.col("sentence").str.contains(pattern)


def _keys(values: pl.Series | pl.DataFrame) -> pl.LazyFrame:
    """The distinct strings of values (a one-column frame) as column `_value`, built once."""

    def build() -> pl.LazyFrame:
        column = values if isinstance(values, pl.Series) else values.to_series()
        return column.unique().to_frame("_value").lazy()

    return by_identity("join keys", (values,), build)


# Membership in a long word list (gazetteer names, given names) is a join, not is_in: is_in
# carries the list in the plan as a literal, and polars hashes a plan's literals value by
# value whenever it optimises the plan, milliseconds a batch for tens of thousands of words.


def _without(frame: pl.LazyFrame, value: pl.Expr, values: pl.Series | pl.DataFrame) -> pl.LazyFrame:
    """The rows of frame whose value (never null) is none of values, in their order."""
    return (
        frame.with_columns(value.alias("_value"))
        .join(_keys(values), on="_value", how="anti", maintain_order="left")
        .drop("_value")
    )


def _only(frame: pl.LazyFrame, value: pl.Expr, values: pl.Series | pl.DataFrame) -> pl.LazyFrame:
    """The rows of frame whose value is one of values, in their order."""
    return (
        frame.with_columns(value.alias("_value"))
        .join(_keys(values), on="_value", how="semi", maintain_order="left")
        .drop("_value")
    )


def _with_flag(
    frame: pl.LazyFrame, value: pl.Expr, values: pl.Series | pl.DataFrame, flag: str
) -> pl.LazyFrame:
    """frame with a column flag: whether value is one of values (false for a null)."""
    return (
        frame.with_columns(value.alias("_value"))
        .join(
            _keys(values).with_columns(pl.lit(True).alias(flag)),
            on="_value",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col(flag).fill_null(False))
        .drop("_value")
    )


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
    return regex_spans(sentences, rf"(?:{_PARTICLE}-)?{_NAME_WORD}\b").select(
        *_KEY, "start_char", "end_char", pl.col("name").alias("short")
    )
