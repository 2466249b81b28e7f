"""Byte and character offsets: every helper agrees with Python's own string indexing."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.offsets import char_at, char_before, slice_bytes, starts_group, with_char_offset

# One, two, three and four UTF-8 bytes, a combining mark and a space.
_CHARS = st.sampled_from(["a", "Z", " ", "é", "ß", "\u0301", "東", "€", "🙂", "𝔸", "\n"])
_TEXTS = st.text(alphabet=_CHARS, max_size=400)


def _byte_offset(text: str, char_offset: int) -> int:
    return len(text[:char_offset].encode())


def _converted(texts: list[str], rows: list[tuple[int, int]]) -> list[int]:
    """with_char_offset on rows of (text number, character offset), in the order given."""
    frame = pl.DataFrame(
        {
            "text_no": [no for no, _ in rows],
            "text": [texts[no] for no, _ in rows],
            "byte_offset": [_byte_offset(texts[no], char) for no, char in rows],
        }
    )
    converted = with_char_offset(
        frame, pl.col("text"), pl.col("byte_offset"), pl.col("text_no"), "char_offset"
    )
    return converted.get_column("char_offset").to_list()


def test_byte_offsets_of_a_mixed_script_text_become_character_offsets() -> None:
    # "aé🙂b": a is byte 0, é bytes 1-2, 🙂 bytes 3-6, b byte 7.
    frame = pl.DataFrame({"t": ["aé🙂b"] * 5, "b": [0, 1, 3, 7, 8], "id": [0] * 5})
    converted = with_char_offset(frame, pl.col("t"), pl.col("b"), pl.col("id"), "c")
    assert converted.get_column("c").to_list() == [0, 1, 2, 3, 4]


def test_offsets_out_of_order_and_across_texts_still_convert() -> None:
    # Two texts interleaved, offsets going backwards within a text.
    texts = ["ééé", "a🙂🙂a"]
    rows = [(0, 3), (0, 1), (1, 3), (0, 2), (0, 2), (1, 0), (1, 4)]
    assert _converted(texts, rows) == [3, 1, 3, 2, 2, 0, 4]


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    texts=st.lists(_TEXTS, min_size=1, max_size=4),
)
def test_with_char_offset_agrees_with_python_for_any_order_of_offsets(
    data: st.DataObject, texts: list[str]
) -> None:
    rows = data.draw(
        st.lists(
            st.integers(0, len(texts) - 1).flatmap(
                lambda no: st.tuples(st.just(no), st.integers(0, len(texts[no])))
            ),
            max_size=60,
        )
    )
    # Sorted per text (the order the mention pass gives), then as drawn.
    for ordered in (sorted(rows), rows):
        assert _converted(texts, ordered) == [char for _, char in ordered]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), text=_TEXTS)
def test_character_helpers_agree_with_python_slicing(data: st.DataObject, text: str) -> None:
    offsets = data.draw(st.lists(st.integers(0, len(text)), min_size=1, max_size=20))
    starts = [_byte_offset(text, i) for i in offsets]
    frame = pl.DataFrame({"t": [text] * len(offsets), "b": starts})
    got = frame.select(
        char_before(pl.col("t"), pl.col("b")).alias("before"),
        char_at(pl.col("t"), pl.col("b")).alias("at"),
        slice_bytes(pl.col("t"), pl.lit(0), pl.col("b")).alias("prefix"),
    )
    for row, i in zip(got.iter_rows(named=True), offsets, strict=True):
        assert row["before"] == text[i - 1 : i]  # "" at the start
        assert row["at"] == text[i : i + 1]  # "" at the end
        assert row["prefix"] == text[:i]


@pytest.mark.parametrize("dtype", [pl.UInt32, pl.Int64])
def test_character_before_the_start_is_empty_for_unsigned_offsets_too(dtype: pl.DataType) -> None:
    frame = pl.DataFrame({"t": ["é🙂", "é🙂"], "b": pl.Series([0, 2], dtype=dtype)})
    got = frame.select(char_before(pl.col("t"), pl.col("b"))).to_series().to_list()
    assert got == ["", "é"]


def test_starts_group_marks_each_first_row_of_consecutive_equal_rows() -> None:
    frame = pl.DataFrame(
        {"a": [1, 1, 1, 2, 2, None, None, 1], "b": ["x", "x", "y", "y", "y", "y", "y", "y"]}
    )
    marks = frame.select(starts_group("a").alias("a"), starts_group("a", "b").alias("ab"))
    assert marks.get_column("a").to_list() == [True, False, False, True, False, True, False, True]
    assert marks.get_column("ab").to_list() == [True, False, True, True, False, True, False, True]
