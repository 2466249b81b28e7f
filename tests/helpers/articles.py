"""Kyodo-style article files for tests: the text of one story and where it is written."""

from __future__ import annotations

from pathlib import Path

DAY = Path("2017") / "04" / "10"  # the date folder a test's articles are filed under


def kyodo(headline: str, *paragraphs: str, dateline: str = "(April 10)") -> str:
    """A story as Kyodo's feed files it: source line, navigation line, headline, paragraphs, and
    the date line that closes it."""
    return (
        "Kyodo News\nBack to Main\n"
        + headline
        + "\n\n"
        + "\n\n".join(paragraphs)
        + f"\n{dateline}\n"
    )


def write(root: Path, rel: str | Path, data: str | bytes) -> Path:
    """data (text as UTF-8) written to root/DAY/rel, folders made as needed; returns the path."""
    path = root / DAY / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path
