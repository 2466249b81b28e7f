"""The one place where polars byte offsets become the warehouse's Python character offsets."""

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
