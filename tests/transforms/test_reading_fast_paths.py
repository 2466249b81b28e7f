"""The fast paths of discovery, reading and sentence splitting give what the simple ones gave."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import stages
from transforms.dates import (
    _MONTH_ALT,
    _MONTHS,
    MONTH_DAY,
    OPENING_DATELINE,
    TRAILING_DATELINE,
    _last_path_date,
    date_from_path,
)
from transforms.mtimes import mtime_column, mtime_datetime, mtime_us
from transforms.reading import (
    _ASCII_CONTROL,
    _ASCII_ODD_SPACE,
    _CONTROL,
    _ODD_SPACE,
    _SPACES,
    _read_any,
    _tidy_content_hash,
    _wire_row,
    content_hash,
    paragraphs_of,
    read_document,
    read_documents,
    read_wire_text,
)
from transforms.schemas import ARTICLE_SCHEMA
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
    assert mtime_column(ns).to_list() == [_fromtimestamp(n) for n in ns]


def discover_with_os_walk(root: Path, patterns: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """The reference: os.walk with Path.match, as wirehouse first did it (paths and problems),
    each path the input folder's real path followed by the file's path under it."""
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
            rel = os.path.realpath(root) + "/" + full.relative_to(root).as_posix()
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


# --- reading: the batch reader and its fast paths give what the general path gives ------

# Pieces of ASCII wire text, with the spacing, line endings, datelines and odd bytes that
# send a file off the fast paths.
_PIECES = [
    "a", "Q", "word", "Lopat said", "7", "23", ".", ",", "-", " - ", "(", ")", "{", "}",
    " ", "  ", "\t", "\n", "\n\n", "\n\n\n", " \n", "\n ", "\r\n", "\r", "\x00", "\x1f",
    "\x7f", "é", "\u3000", " \r\n", "\r\n ", "\n\t\n", "Back to Main", "back to top", "BACK TO INDEX", "Kyodo News",
    "TOKYO, April 10 Kyodo - ", "NEW YORK (Reuters) - ", "BONN, March 3 - ",
    "SAN MATEO, Calif., Sept. 3 - ", "LONDON, Feb 30 - ", "PARIS, Mar. 123 - ",
    "MAY, June 5 - ", "(April 10)", "(Dec. 31)", "(AP)", "\n(Feb. 29)\n",
]  # fmt: skip
_free_ascii = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)
_sentence = st.lists(st.sampled_from(["Lopat", "said", "it", "agreed", "to", "23", "mln"]),
                     min_size=1, max_size=8).map(" ".join)  # fmt: skip
_paragraph = st.lists(_sentence, min_size=1, max_size=3).map("\n".join)
_opening = st.sampled_from(["", "TOKYO, April 10 Kyodo - ", "NEW YORK (Reuters) - ",
                            "BONN, March 3 - ", "WANAMASSA, N.J., March 23 - ",
                            "LONDON, Feb 30 - ", "Back to Main\n", "back to top\n",
                            "BACK TO INDEX\n", "Back to the port"])  # fmt: skip
# Article-shaped: what the fast paths are for, with some of the pieces between lines.
_wire_ascii = st.builds(
    lambda head, opening, paragraphs, sep, tail: (
        head + "\n\n" + opening + sep.join(paragraphs) + tail
    ),
    _sentence,
    _opening,
    st.lists(_paragraph, max_size=4),
    st.sampled_from(["\n\n", "\n\n\n", "\n \n", "\r\n\r\n", " \r\n\r\n", "\r\n \r\n", "\n\t\n\n"]),
    st.sampled_from(["", "\n", " \n", "\n(April 10)\n", " (AP)", "  "]),
)
_file = st.tuples(
    st.one_of(_wire_ascii, _free_ascii).map(lambda text: text.encode("utf-8")),
    st.sampled_from(
        [
            "x.txt",
            "2017/04/10/x.txt",
            "1987/03/23/reut-8376.txt",
            "a/20170410.txt",
            "feed.json",
            "2019/03/01/feb-29.TXT",
        ]
    ),
    st.sampled_from([date(2020, 6, 15), date(1987, 3, 1)]),
)


def _outcome(read) -> tuple[object, ...]:
    """What a read gives: its rows, format, encoding and notes, or its exception."""
    try:
        result = read()
    except Exception as exc:  # noqa: BLE001 - the outcome compared
        return type(exc), str(exc)
    if isinstance(result, Exception):
        return type(result), str(result)
    return result.rows, result.source_format, result.encoding, result.notes


@settings(max_examples=400, deadline=None)
@given(
    files=st.lists(_file, min_size=1, max_size=6),
    input_format=st.sampled_from(["auto", "auto", "plain", "kyodo", "jsonl"]),
    reference_date=st.sampled_from([None, date(2017, 4, 11)]),
)
def test_batch_reader_gives_what_the_general_path_gives(files, input_format, reference_date):
    batch = list(read_documents(files, input_format=input_format, reference_date=reference_date))
    for (data, path, mtime_date), result in zip(files, batch, strict=True):
        expected = _outcome(
            lambda data=data, path=path, mtime_date=mtime_date: _read_any(
                data, path, mtime_date, input_format, reference_date
            )
        )
        assert _outcome(lambda result=result: result) == expected
        assert (
            _outcome(
                lambda data=data, path=path, mtime_date=mtime_date: read_document(
                    data,
                    source_path=path,
                    mtime_date=mtime_date,
                    input_format=input_format,
                    reference_date=reference_date,
                )
            )
            == expected
        )


def test_a_reuters_shaped_file_takes_the_plain_fast_path():
    text = (
        "LOPAT NAMES DISTRIBUTOR\n\nWANAMASSA, N.J., March 23 - Lopat said\nit agreed.\n\nMore.\n"
    )
    row, _, notes = _wire_row(
        text, text.strip(), "plain", "1987/03/23/reut-8376.txt", date(2020, 1, 1), None
    )

    assert row[2:7] == (
        "LOPAT NAMES DISTRIBUTOR",
        "WANAMASSA, N.J., March 23 - Lopat said it agreed.\n\nMore.",
        "LOPAT NAMES DISTRIBUTOR\n\nWANAMASSA, N.J., March 23 - Lopat said it agreed.\n\nMore.",
        "WANAMASSA, N.J., March 23",
        "WANAMASSA",
    )
    named = dict(zip(ARTICLE_SCHEMA, row, strict=True))
    assert (named["published_date"], named["date_basis"], notes) == (
        date(1987, 3, 23),
        "dateline+path",
        [],
    )


_path_piece = st.sampled_from(
    ["1", "0", "9", "19", "20", "2017", "04", "10", "31", "13", "/", "-", "_", ".", "\\",
     "x", "reut-8376.txt", "\u0663", "20170410", "1987/03/23"]
)  # fmt: skip


@settings(max_examples=500)
@given(path=st.lists(_path_piece, max_size=12).map("".join))
def test_path_date_from_the_folder_alone_equals_the_whole_path_date(path):
    assert date_from_path(path) == _last_path_date(path)


_month_word = st.sampled_from(
    ["jan", "JANUARY", "Feb", "febr", "mar", "March", "may", "jun", "June", "jul", "sep",
     "Sept", "SEPTEMBER", "septe", "oct", "Dec", "\u017fept", "Xmar", "marc"]
)  # fmt: skip
_month_piece = st.one_of(
    st.tuples(
        _month_word, st.sampled_from(["", "."]), st.sampled_from(["", " ", "  "]),
        st.sampled_from(["3", "10", "123", "x"]),
    ).map("".join),
    st.sampled_from([" ", ".", "(", ")", ",", " - ", "TOKYO", "Kyodo", "s", "t"]),
)  # fmt: skip


@settings(max_examples=500)
@given(text=st.lists(_month_piece, max_size=10).map("".join))
def test_month_alternation_matches_what_the_sorted_month_names_match(text):
    sorted_names = "|".join(sorted(_MONTHS, key=len, reverse=True))
    for pattern in (MONTH_DAY, TRAILING_DATELINE, OPENING_DATELINE):
        reference = re.compile(pattern.pattern.replace(_MONTH_ALT, sorted_names))
        for candidate in (text, f"PARIS, {text} - x", f"x ({text})"):
            got, want = pattern.search(candidate), reference.search(candidate)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups()))


@settings(max_examples=500)
@given(ns=st.integers(-(2**70), 2**70) | st.integers(0, 4 * 10**18).map(lambda n: n - n % 500))
def test_mtime_in_microseconds_rounds_like_the_mtime_datetime(ns):
    as_datetime = mtime_datetime(ns)
    assert mtime_us(ns) == (as_datetime - datetime(1970, 1, 1)) // timedelta(microseconds=1)
