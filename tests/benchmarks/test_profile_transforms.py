"""The accented batch of benchmarks/profile_transforms.py."""

from __future__ import annotations

import polars as pl

from benchmarks.profile_transforms import accented


def test_accented_writes_letters_outside_ascii_into_names_and_words() -> None:
    frame = pl.DataFrame({"text": ["Wilson said Keller and Mason left.", "No change here."]})
    assert accented(frame).get_column("text").to_list() == [
        "Wilsön said Kellér and Masön left.",
        "No change here.",
    ]
