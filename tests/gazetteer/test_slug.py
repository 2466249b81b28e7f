"""Entity ids' slugs: lowercase ASCII words joined by '-', accents taken off, in any script."""

from __future__ import annotations

import re
import unicodedata

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import slug


def _slugs(names: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"name": names}, schema={"name": pl.String})
    return frame.select(slug(pl.col("name"))).to_series().to_list()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Bashar al-Assad", "bashar-al-assad"),
        ("Agence France-Presse", "agence-france-presse"),
        ("Société Générale", "societe-generale"),
        ("Ålesund FK", "alesund-fk"),
        ("Müller & Co.", "muller-co"),
        ("  Bank of Japan  ", "bank-of-japan"),
        ("日本銀行", ""),
        ("", ""),
    ],
)
def test_slug_of_a_name(name: str, expected: str) -> None:
    assert _slugs([name]) == [expected]


def test_a_missing_name_has_no_slug() -> None:
    assert _slugs([None, "Kyodo"]) == [None, "kyodo"]


def _python_slug(name: str) -> str:
    """The same rule written with Python's own Unicode tables."""
    folded = "".join(
        c
        for c in unicodedata.normalize("NFKD", name)
        if not unicodedata.category(c).startswith("M")
    )
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


# ASCII letters, digits and punctuation, accented and other scripts' letters, a combining
# mark, a ligature and a dotted capital whose lowercase grows a mark.
_CHARS = st.sampled_from(
    ["a", "Z", "7", " ", "-", "&", ".", "é", "É", "ß", "ﬁ", "\u0301", "İ", "東", "Ж", "🙂"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=_CHARS, max_size=12), min_size=1, max_size=20))
def test_slug_matches_python_unicode_folding(names: list[str]) -> None:
    assert _slugs(names) == [_python_slug(name) for name in names]
