"""The fast paths of discovery, reading and sentence splitting give what the simple ones gave."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import stages
from transforms.reading import (
    _ASCII_CONTROL,
    _ASCII_ODD_SPACE,
    _CONTROL,
    _ODD_SPACE,
    _SPACES,
    _tidy_content_hash,
    content_hash,
    paragraphs_of,
    read_wire_text,
)
from transforms.sentences import split_sentences

WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


def paragraphs_line_by_line(lines: list[str]) -> list[str]:
    """The reference: one substitution and strip per line, as wirehouse first did it."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        line = _SPACES.sub(" ", line).strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


_line = st.text(
    alphabet=st.sampled_from(["a", "B", ".", "é", "日", *[w for w in WHITESPACE if w != "\n"]]),
    max_size=12,
)


def test_odd_space_class_is_every_whitespace_but_space_and_newline():
    assert [w for w in WHITESPACE if _ODD_SPACE.fullmatch(w)] == [
        w for w in WHITESPACE if w not in " \n"
    ]
    assert [w for w in WHITESPACE if re.fullmatch(r"\s", w)] == WHITESPACE


@settings(max_examples=300)
@given(lines=st.lists(_line, max_size=12))
def test_whole_text_paragraphs_equal_line_by_line_paragraphs(lines):
    assert paragraphs_of(lines) == paragraphs_line_by_line(lines)


@settings(max_examples=200)
@given(headline=_line, lines=st.lists(_line, max_size=12))
def test_content_hash_of_tidy_paragraphs_equals_content_hash(headline, lines):
    headline = " ".join(headline.split())
    paragraphs = paragraphs_of(lines)
    assert _tidy_content_hash(headline, paragraphs) == content_hash(
        headline, "\n\n".join(paragraphs)
    )


def test_kyodo_source_keeps_its_spacing_and_headline_is_collapsed():
    text = "\n \t\nKyodo  News \n\nBack to Main\n\n\n  Big\u3000\u3000 headline \n\nOne\n  two.\n\n\n\nThree.\n"
    article, _ = read_wire_text(
        text,
        source_path="a.txt",
        source_format="kyodo",
        mtime_date=datetime(2020, 1, 1).date(),
        reference_date=None,
    )
    assert article["source"] == "Kyodo  News"
    assert article["headline"] == "Big headline"
    assert article["body"] == "One two.\n\nThree."


def _fromtimestamp(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).replace(tzinfo=None)


@settings(max_examples=500)
@given(
    ns=st.lists(
        st.integers(0, 2**63 - 2) | st.integers(0, 4 * 10**18).map(lambda n: n - n % 500),
        min_size=1,
        max_size=20,
    )
)
def test_bulk_mtimes_round_like_fromtimestamp(ns):
    assert stages._modified_at(ns, {}).to_list() == [_fromtimestamp(n) for n in ns]


def discover_with_os_walk(root: Path, patterns: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """The reference: os.walk with Path.match, as wirehouse first did it (paths and problems)."""
    rows = []
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        try:
            st_ = here.stat()
        except OSError:
            dirnames[:] = []
            continue
        if (st_.st_dev, st_.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((st_.st_dev, st_.st_ino))
        dirnames.sort()
        for name in sorted(filenames):
            if not any(Path(name).match(p) for p in patterns):
                continue
            full = here / name
            rel = full.relative_to(root).as_posix()
            problem = None
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                rel = os.fsencode(rel).decode("utf-8", errors="backslashreplace")
                problem = "name"
            try:
                full.stat()
            except OSError:
                try:
                    full.lstat()
                except OSError:
                    continue
                problem = problem or "link"
            else:
                if not full.is_file():
                    continue
            rows.append((rel, problem))
    return rows


@pytest.mark.parametrize(
    "patterns",
    [("*.txt", "*.jsonl", "*.ndjson", "*.json"), ("*.txt",), ("a*.t?t", "[bz]*"), ("x/*.txt",)],
)
def test_discovery_finds_what_os_walk_found_in_the_same_order(tmp_path, patterns):
    root = tmp_path / "in"
    for rel in ["b.txt", "a.txt", "A.TXT", ".txt", "z/y/deep.txt", "z/a.jsonl", "m/c.json",
                "m/notes.md", "m/d.ndjson", "q.txt/inside.txt"]:  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    (root / "loop").symlink_to(root)  # each real directory once
    (root / "m" / "again").symlink_to(root / "z")
    (root / "broken.txt").symlink_to(tmp_path / "missing.txt")
    (root / "self.txt").symlink_to(root / "self.txt")
    os.mkfifo(root / "fifo.txt")
    (root / os.fsdecode(b"bad-\xff.txt")).write_text("x")

    found = stages.discover_files(root, patterns)
    problems = [
        None if p is None else ("name" if "UTF-8" in p else "link")
        for p in found.get_column("problem")
    ]

    assert list(zip(found.get_column("path"), problems, strict=True)) == discover_with_os_walk(
        root, patterns
    )
    assert found.schema == pl.Schema(stages.FOUND_SCHEMA)


def test_sentences_come_out_by_article_whatever_order_the_articles_came_in():
    articles = pl.DataFrame(
        {"article_id": ["b", None, "a"], "text": ["B one. B two.", "No id.", "A one.\n\nA two."]}
    )

    sentences = split_sentences(articles.lazy()).collect()

    assert sentences.select("article_id", "sentence_no", "paragraph_no", "sentence").rows() == [
        ("a", 0, 0, "A one."),
        ("a", 1, 1, "A two."),
        ("b", 0, 0, "B one."),
        ("b", 1, 0, "B two."),
    ]


def test_ascii_byte_classes_are_the_ascii_part_of_the_regex_classes():
    assert list(_ASCII_CONTROL) == [c for c in range(128) if _CONTROL.fullmatch(chr(c))]
    assert list(_ASCII_ODD_SPACE) == [c for c in range(128) if _ODD_SPACE.fullmatch(chr(c))]
