"""The one place where polars byte offsets meet the warehouse's Python character offsets.

polars string functions that take character offsets (`str.slice`) walk the text from its
start on every call, so slicing a long text at many places costs the square of its length.
The helpers here work in UTF-8 bytes, where a slice costs the same at any offset, and turn
byte offsets into character offsets by counting only the characters between neighbours.
"""

from __future__ import annotations

import polars as pl


def byte_to_char_offset(text: pl.Expr, byte_offset: pl.Expr) -> pl.Expr:
    """Character offset of a byte offset into text; ASCII rows skip the conversion."""
    is_ascii = text.str.len_bytes() == text.str.len_chars()
    converted = (
        text.cast(pl.Binary)
        .bin.slice(0, byte_offset)
        .cast(pl.String)
        .str.len_chars()
        .cast(pl.Int64)
    )
    return pl.when(is_ascii).then(byte_offset.cast(pl.Int64)).otherwise(converted)


def slice_bytes(text: pl.Expr, start: pl.Expr, length: pl.Expr) -> pl.Expr:
    """The part of text from byte start, length bytes long; both ends must fall between
    characters."""
    return text.cast(pl.Binary).bin.slice(start, length).cast(pl.String)
