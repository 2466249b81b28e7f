"""The one place where polars byte offsets meet the warehouse's Python character offsets.

polars string functions that take character offsets (`str.slice`, `str.len_chars` of a
prefix) walk the text from its start on every call, so cutting a long text at many places
costs the square of its length. The helpers here work in UTF-8 bytes, where a cut costs the
same at any offset, and turn byte offsets into character offsets by counting only the
characters between one offset and the next.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def exclusive_cum_sum(values: pl.Expr) -> pl.Expr:
    """Running total of values before each row, over the whole frame."""
    return values.cum_sum() - values


def starts_group(*columns: str) -> pl.Expr:
    """True on each row whose values of columns differ from the row before's (and on the
    first row): on rows kept together by those columns (sorted or exploded), the first row of
    each group, found without hashing them."""
    return pl.any_horizontal(
        pl.col(column).ne_missing(pl.col(column).shift(1)) for column in columns
    )


def from_group_start(running: pl.Expr, starts_group: pl.Expr) -> pl.Expr:
    """running minus its value on the group's first row, for groups of consecutive rows
    (starts_group true on each group's first row).

    Exploded rows keep their order, so a forward fill replaces a window over the group.
    """
    return running - pl.when(starts_group).then(running).forward_fill()


def with_char_offset(
    frame: FrameT, text: pl.Expr, byte_offset: pl.Expr, text_id: pl.Expr, name: str
) -> FrameT:
    """frame with column name: the character offset of byte_offset into text, where text_id
    tells the texts apart.

    Each row counts the characters between its offset and the previous row's, when that
    row has the same text, so a text's offsets on consecutive rows cost one pass over it
    (in any order; sorted, each character is counted once at most).
    """
    offset = byte_offset.cast(pl.Int64)
    new_text = text_id.ne_missing(text_id.shift(1))
    previous = pl.when(new_text).then(0).otherwise(offset.shift(1))
    low = pl.min_horizontal(previous, offset)
    between = slice_bytes(text, low, pl.max_horizontal(previous, offset) - low)
    count = between.str.len_chars().cast(pl.Int64)
    step = pl.when(offset >= previous).then(count).otherwise(-count)
    # The step as a column of its own: in one expression with its three uses, polars counted
    # the characters three times (several times slower).
    return (
        frame.with_columns(step.alias("_step"), new_text.alias("_new_text"))
        .with_columns(
            (
                from_group_start(exclusive_cum_sum(pl.col("_step")), pl.col("_new_text"))
                + pl.col("_step")
            ).alias(name)
        )
        .drop("_step", "_new_text")
    )


def slice_bytes(text: pl.Expr, start: pl.Expr, length: pl.Expr | int) -> pl.Expr:
    """The part of text from byte start, length bytes long; both ends must fall between
    characters."""
    return text.cast(pl.Binary).bin.slice(start, length).cast(pl.String)


def char_before(text: pl.Expr, byte_offset: pl.Expr) -> pl.Expr:
    """The character that ends at byte_offset ("" at the start of text)."""
    byte_offset = byte_offset.cast(pl.Int64)  # unsigned offsets would wrap below zero
    width = (
        pl.when(_starts_char(text, byte_offset - 1))
        .then(1)
        .when(_starts_char(text, byte_offset - 2))
        .then(2)
        .when(_starts_char(text, byte_offset - 3))
        .then(3)
        .otherwise(4)
    )
    # Clipped, so that rows at the start, whose width above is meaningless, cut nothing.
    width = pl.min_horizontal(width, byte_offset)
    return slice_bytes(text, byte_offset - width, width)


def char_at(text: pl.Expr, byte_offset: pl.Expr) -> pl.Expr:
    """The character that starts at byte_offset ("" at the end of text)."""
    byte_offset = byte_offset.cast(pl.Int64)
    lead = text.cast(pl.Binary).bin.get(byte_offset, null_on_oob=True)
    width = (
        pl.when(lead < 0x80)
        .then(1)
        .when(lead < 0xE0)
        .then(2)
        .when(lead < 0xF0)
        .then(3)
        .otherwise(4)
    )
    return slice_bytes(text, byte_offset, width)


def _starts_char(text: pl.Expr, byte_offset: pl.Expr) -> pl.Expr:
    """True where byte_offset is inside text (or at its end) and not a UTF-8 continuation
    byte; false before the start."""
    byte = text.cast(pl.Binary).bin.get(byte_offset, null_on_oob=True)
    # bin.get counts negative offsets from the end; before the start is no character start.
    return (byte_offset >= 0) & (byte.is_null() | (byte < 0x80) | (byte >= 0xC0))
