"""Hostile and odd input files: each is loaded correctly or recorded with a precise reason."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import struct
import threading
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest

from flows import stages
from flows.ingest import run_pipeline
from tests.conftest import full_path, query
from transforms import reading
from transforms.dates import resolve_year
from transforms.mtimes import mtime_datetime
from wirehouse.settings import Settings

DAY = "2017/04/10"
MB = 1024 * 1024
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def kyodo(headline: str, body: str, dateline: str = "(April 10)") -> str:
    return f"Kyodo News\nBack to Main\n{headline}\n\n{body}\n{dateline}\n"


def png() -> bytes:
    """A real 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def noise(size: int) -> bytes:
    """Deterministic bytes that look like no format: what an unknown binary file is."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:size]).replace(b"\x89PNG", b"\x88PNG")


CP1252_TEXT = kyodo(
    "Caf\u00e9 owners \u201cwelcome\u201d tourists",
    "Prices rose by \u00a35 in the Ginza district.",
)
LATIN1_TEXT = kyodo("R\u00e9sum\u00e9 of the \u00a3 market", "The pound fell in London.")
# Latin-1 files never use bytes 0x80-0x9f (C1 controls); cp1252 reads every other byte
# the same way, so a real latin-1 file is recorded as cp1252 with the same characters.
# 0x8d is undefined in cp1252: only then is the file read as latin-1 (the code dropped).
LATIN1_ONLY = (
    kyodo("Cr\u00e8me sales in the \u00a3 zone", "Shops in Lyon sold out.")
    .encode("latin-1")
    .replace(b"zone", b"zone\x8d")
)
# One line of a megabyte with no sentence break: a table or a feed dumped without newlines.
ONE_MB_LINE = "and the budget rose again, " * (MB // 27 + 1)
# A megabyte of sentences on one line, naming countries: the slow case (see its test).
ONE_MB_OF_SENTENCES = "Officials in Tokyo said talks with Seoul would resume. " * (MB // 55 + 1)
PADDED_50MB = (
    kyodo("Budget report runs long", "The budget grew again in Tokyo on Monday.").encode()
    + b" " * (50 * MB)
    + b"\n"
)
DUPLICATE = kyodo("Rice prices climb in Niigata", "Farmers blamed the late frost.")


def hostile_files() -> dict[str, bytes]:
    """Every hostile input by path under the input root (symlinks and FIFOs are made apart)."""
    base = kyodo("Fishing boats return to Hachinohe port", "Dozens of boats returned.")
    return {
        f"{DAY}/empty.txt": b"",
        f"{DAY}/blank.txt": "  \n\n\t \r\n\u3000\n".encode(),
        f"{DAY}/image.txt": png(),
        f"{DAY}/archive.txt": gzip.compress(base.encode()),
        f"{DAY}/unknown-binary.txt": noise(4096),
        f"{DAY}/nul-inside.txt": base.replace("Dozens", "Doz\x00ens")
        .encode()
        .replace(b"boats returned", b"boats\x00 returned"),
        f"{DAY}/utf8-bom.txt": b"\xef\xbb\xbf"
        + kyodo("Snow closes roads in Nagano", "Heavy snow closed roads.").encode(),
        f"{DAY}/utf16-le-bom.txt": kyodo("Ferry \u2014 caf\u00e9 reopens", "It sailed.").encode(
            "utf-16"
        ),
        f"{DAY}/utf16-be-bom.txt": b"\xfe\xff"
        + kyodo("Tram line \u00e9tude begins", "Trams ran.").encode("utf-16-be"),
        f"{DAY}/utf16-le-nobom.txt": kyodo("Bridge opens in Kobe", "Cars crossed.").encode(
            "utf-16-le"
        ),
        f"{DAY}/cp1252.txt": CP1252_TEXT.encode("cp1252"),
        f"{DAY}/latin1.txt": LATIN1_TEXT.encode("latin-1"),
        f"{DAY}/latin1-only.txt": LATIN1_ONLY,
        f"{DAY}/crlf.txt": kyodo("Trains resume in Sendai", "Services resumed.")
        .replace("\n", "\r\n")
        .encode(),
        f"{DAY}/lone-cr.txt": kyodo("Port reopens in Kochi", "Ships docked.")
        .replace("\n", "\r")
        .encode(),
        f"{DAY}/fifty-mb.txt": PADDED_50MB,
        f"{DAY}/one-mb-line.txt": ONE_MB_LINE.encode(),
        f"{DAY}/unreadable.txt": kyodo("Locked story", "Nobody may read it.").encode(),
        f"{DAY}/x.txt/inside-a-dir-named-like-an-article.txt": kyodo(
            "Story in an odd folder", "It loads."
        ).encode(),
        f"{DAY}/T\u014dky\u014d news/\u00e7\u00e0 va.txt": kyodo(
            "Tokyo stocks rise", "The Nikkei rose."
        ).encode(),
        f"{DAY}/copy-a.txt": DUPLICATE.encode(),
        f"{DAY}/copy-b.txt": DUPLICATE.encode(),
        f"{DAY}/control-codes-only.txt": b"\x01\x02\n\x03\x04\n",
        f"{DAY}/jsonl-title-of-control-codes.jsonl": b'{"title": "\\u0000\\u0001", "body": " "}\n',
        f"{DAY}/headline-only.txt": b"Just a headline about Osaka\n",
        f"{DAY}/ap-dateline.txt": kyodo(
            "Storm hits Okinawa", "Winds topped 200 kph.", "(AP)"
        ).encode(),
        "2019/03/01/feb-29.txt": kyodo(
            "Leap-day ceremony held", "The ceremony was held.", "(Feb. 29)"
        ).encode(),
        f"{DAY}/--help.txt": kyodo("Option-like name one", "It loads.").encode(),
        f"{DAY}/-rf.txt": kyodo("Option-like name two", "It loads too.").encode(),
        f"{DAY}/deep.jsonl": ("[" * 100_000 + "\n").encode()
        + json.dumps({"title": "Deep file survives", "body": "One good line."}).encode()
        + b"\n",
        f"{DAY}/surrogate.jsonl": b'{"title": "Lone \\ud800 surrogate", "body": "Body."}\n',
        f"{DAY}/brace-headline.txt": b"{Corrected} Minister resigns\n\nThe minister resigned.\n",
        f"{DAY}/ideographic-spaces.txt": (
            "Long gap\n\nBefore" + "\u3000" * 200_000 + "after (AP)\n"
        ).encode(),
    }


# name -> (status, words the reason must contain, encoding when loaded); {root} in a word is
# the input folder's real path, as full paths in the warehouse start with it, and {outside}
# the real path of the folder beside it that holds link targets.
EXPECTED: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    f"{DAY}/empty.txt": ("rejected", ("empty", "0 bytes"), None),
    f"{DAY}/blank.txt": ("rejected", ("only whitespace",), None),
    f"{DAY}/image.txt": ("rejected", ("binary", "PNG"), None),
    f"{DAY}/archive.txt": ("rejected", ("binary", "gzip"), None),
    f"{DAY}/unknown-binary.txt": ("rejected", ("binary", "control codes"), None),
    f"{DAY}/nul-inside.txt": ("loaded", (), "utf-8"),
    f"{DAY}/utf8-bom.txt": ("loaded", (), "utf-8-sig"),
    f"{DAY}/utf16-le-bom.txt": ("loaded", (), "utf-16"),
    f"{DAY}/utf16-be-bom.txt": ("loaded", (), "utf-16"),
    f"{DAY}/utf16-le-nobom.txt": ("loaded", ("no byte-order mark", "UTF-16-LE"), "utf-16"),
    f"{DAY}/cp1252.txt": ("loaded", ("cp1252",), "cp1252"),
    f"{DAY}/latin1.txt": ("loaded", ("cp1252",), "cp1252"),
    f"{DAY}/latin1-only.txt": ("loaded", ("latin-1",), "latin-1"),
    f"{DAY}/crlf.txt": ("loaded", (), "utf-8"),
    f"{DAY}/lone-cr.txt": ("loaded", (), "utf-8"),
    f"{DAY}/fifty-mb.txt": ("rejected", ("over the limit", "raise --max-file-mb"), None),
    f"{DAY}/one-mb-line.txt": ("loaded", ("headline only",), "utf-8"),
    f"{DAY}/unreadable.txt": ("rejected", ("permission denied", "next run"), None),
    f"{DAY}/x.txt/inside-a-dir-named-like-an-article.txt": ("loaded", (), "utf-8"),
    f"{DAY}/T\u014dky\u014d news/\u00e7\u00e0 va.txt": ("loaded", (), "utf-8"),
    f"{DAY}/copy-a.txt": ("loaded", (), "utf-8"),
    f"{DAY}/copy-b.txt": (
        "duplicate",
        (f"same text as {{root}}/{DAY}/copy-a.txt (already loaded)",),
        None,
    ),
    f"{DAY}/control-codes-only.txt": ("rejected", ("only whitespace",), None),
    f"{DAY}/jsonl-title-of-control-codes.jsonl": ("rejected", ("no article", "title"), None),
    f"{DAY}/headline-only.txt": ("loaded", ("headline only",), "utf-8"),
    f"{DAY}/ap-dateline.txt": ("loaded", ("(AP)", "not a date", "path"), "utf-8"),
    "2019/03/01/feb-29.txt": ("loaded", (), "utf-8"),
    f"{DAY}/--help.txt": ("loaded", (), "utf-8"),
    f"{DAY}/-rf.txt": ("loaded", (), "utf-8"),
    f"{DAY}/deep.jsonl": ("loaded", ("line 1", "beyond reading limits"), "utf-8"),
    f"{DAY}/surrogate.jsonl": ("loaded", (), "utf-8"),
    f"{DAY}/brace-headline.txt": ("loaded", (), "utf-8"),
    f"{DAY}/ideographic-spaces.txt": ("loaded", ("(AP)", "not a date"), "utf-8"),
    # A link to a file inside the input (named like no article) is read once, under the link's
    # own path; no date in its path, so its dateline's year comes from the modification time,
    # and it says so.
    "inside-target-is-linked.txt": (
        "loaded",
        ("dateline has no year", "modification time", "--reference-date"),
        "utf-8",
    ),
    # A link leading out of the input is not followed by default (--follow-symlinks inside).
    "outside-target-is-linked.txt": (
        "rejected",
        ("symbolic link to {outside}/story.txt, outside the input folder", "--follow-symlinks all"),
        None,
    ),
    # A link to a file inside the input is the same article under a second path.
    f"{DAY}/link-to-copy-a.txt": (
        "duplicate",
        (f"same text as {{root}}/{DAY}/copy-a.txt (already loaded)",),
        None,
    ),
    "dangling-link.txt": ("rejected", ("broken symbolic link", "No such file"), None),
    "self-loop-link.txt": ("rejected", ("broken symbolic link", "symbolic links"), None),
    "bad-name-\\xff.txt": ("rejected", ("not valid UTF-8", "rename"), None),
}


def build_hostile_folder(root: Path, outside: Path) -> None:
    """Write every hostile input under root; link targets that live outside go in outside."""
    for rel, data in hostile_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    outside.mkdir(parents=True, exist_ok=True)
    target = outside / "story.txt"
    target.write_text(kyodo("Story kept outside the input", "It is linked in."))
    (root / "outside-target-is-linked.txt").symlink_to(target)
    kept = root / "notes" / "story.md"
    kept.parent.mkdir()
    kept.write_text(kyodo("Story kept under another name", "It is linked in."))
    (root / "inside-target-is-linked.txt").symlink_to(kept)
    (root / DAY / "link-to-copy-a.txt").symlink_to("copy-a.txt")
    (root / "dangling-link.txt").symlink_to(root / "no-such-target.txt")
    (root / "self-loop-link.txt").symlink_to("self-loop-link.txt")
    # A directory loop: walking it must neither hang nor read anything twice.
    (root / DAY / "loop").symlink_to(root / "2017", target_is_directory=True)
    # A FIFO named like an article: reading it would block the run forever.
    os.mkfifo(root / DAY / "pipe.txt")
    (root / os.fsdecode(b"bad-name-\xff.txt")).write_bytes(kyodo("Bad name", "Body.").encode())
    if not IS_ROOT:
        (root / DAY / "unreadable.txt").chmod(0)


def deny_reads_of(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """As root, chmod 000 blocks nothing: make reads of this file fail as they would for a user."""
    real = stages._read_file

    def read_file(path: str, *args):
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", path)
        return real(path, *args)

    monkeypatch.setattr(stages, "_read_file", read_file)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """One pipeline run over the hostile folder: (root, db path, summary, ledger rows)."""
    tmp = tmp_path_factory.mktemp("hostile")
    root = tmp / "in"
    build_hostile_folder(root, tmp / "outside")
    db_path = tmp / "news.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        if IS_ROOT:
            deny_reads_of(patch, "unreadable.txt")
        summary = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)
    rows = query(
        db_path,
        "select path, status, reason, encoding, sha256, size_bytes from source_files order by path",
    )
    yield root, db_path, summary, rows
    if not IS_ROOT:
        (root / DAY / "unreadable.txt").chmod(0o644)


def ledger_of(rows: list[tuple]) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in rows}


def article(db_path: Path, path: str) -> dict[str, object]:
    [row] = query(
        db_path,
        "select headline, text, dateline, published_date, date_basis from articles"
        " where source_path = ?",
        [path],
    )
    return dict(
        zip(["headline", "text", "dateline", "published_date", "date_basis"], row, strict=True)
    )


def test_hostile_folder_is_fully_accounted_for(hostile_run, capsys):
    root, _, summary, rows = hostile_run
    paths = [row[0] for row in rows]
    discovered = stages.discover_files(root, Settings().patterns).get_column("path").to_list()
    counts = {status: sum(row[1] == status for row in rows) for status in ("loaded", "rejected")}
    counts["duplicate"] = sum(row[1] == "duplicate" for row in rows)

    assert len(paths) == len(set(paths))
    assert sorted(paths) == sorted(discovered) == sorted(full_path(root, p) for p in EXPECTED)
    assert all(status in {"loaded", "duplicate", "rejected"} for _, status, *_ in rows)
    assert all(reason for _, status, reason, *_ in rows if status != "loaded")
    assert summary.files_seen == len(EXPECTED)
    assert (summary.files_loaded, summary.files_rejected, summary.files_duplicate) == (
        counts["loaded"],
        counts["rejected"],
        counts["duplicate"],
    )
    with capsys.disabled():
        print(
            f"\nhostile inputs: {len(paths)} files, {counts['loaded']} loaded,"
            f" {counts['rejected']} rejected, {counts['duplicate']} duplicate"
        )


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_hostile_file_has_its_status_reason_and_encoding(hostile_run, path):
    root, _, _, rows = hostile_run
    status, words, encoding = EXPECTED[path]
    got_status, reason, got_encoding, *_ = ledger_of(rows)[full_path(root, path)]

    assert got_status == status, reason
    if status == "rejected":
        assert reason.startswith(f"{full_path(root, path)}: "), reason
    for word in words:
        where = {"root": os.path.realpath(root), "outside": os.path.realpath(root / "../outside")}
        assert word.format(**where) in reason, reason
    if status == "loaded":
        assert got_encoding == encoding


def test_fifo_and_directory_named_like_articles_are_ignored(hostile_run):
    root, _, _, rows = hostile_run
    paths = set(ledger_of(rows))

    assert full_path(root, f"{DAY}/pipe.txt") not in paths
    assert full_path(root, f"{DAY}/x.txt") not in paths
    assert full_path(root, f"{DAY}/x.txt/inside-a-dir-named-like-an-article.txt") in paths


def test_directory_loop_reads_nothing_twice(hostile_run):
    _, _, _, rows = hostile_run

    assert not [path for path, *_ in rows if "/loop/" in path]


@pytest.mark.parametrize(
    ("path", "headline"),
    [
        (f"{DAY}/cp1252.txt", "Caf\u00e9 owners \u201cwelcome\u201d tourists"),
        (f"{DAY}/latin1.txt", "R\u00e9sum\u00e9 of the \u00a3 market"),
        (f"{DAY}/latin1-only.txt", "Cr\u00e8me sales in the \u00a3 zone"),
        (f"{DAY}/utf16-le-bom.txt", "Ferry \u2014 caf\u00e9 reopens"),
        (f"{DAY}/utf16-be-bom.txt", "Tram line \u00e9tude begins"),
        (f"{DAY}/utf16-le-nobom.txt", "Bridge opens in Kobe"),
        (f"{DAY}/utf8-bom.txt", "Snow closes roads in Nagano"),
        (f"{DAY}/T\u014dky\u014d news/\u00e7\u00e0 va.txt", "Tokyo stocks rise"),
        (f"{DAY}/--help.txt", "Option-like name one"),
        (f"{DAY}/-rf.txt", "Option-like name two"),
        ("inside-target-is-linked.txt", "Story kept under another name"),
        (f"{DAY}/brace-headline.txt", "{Corrected} Minister resigns"),
        (f"{DAY}/surrogate.jsonl", "Lone \ufffd surrogate"),
        (f"{DAY}/deep.jsonl", "Deep file survives"),
    ],
)
def test_odd_encodings_and_names_load_with_the_right_characters(hostile_run, path, headline):
    root, db_path, _, _ = hostile_run

    assert article(db_path, full_path(root, path))["headline"] == headline


def test_cp1252_body_keeps_the_pound_sign(hostile_run):
    root, db_path, _, _ = hostile_run
    text = article(db_path, full_path(root, f"{DAY}/cp1252.txt"))["text"]

    assert "rose by \u00a35 in the Ginza" in text


@pytest.mark.parametrize("name", ["crlf.txt", "lone-cr.txt", "nul-inside.txt"])
def test_line_endings_and_nuls_leave_clean_text(hostile_run, name):
    root, db_path, _, _ = hostile_run
    text = article(db_path, full_path(root, f"{DAY}/{name}"))["text"]

    assert "\r" not in text and "\x00" not in text
    assert text.count("\n\n") == 1  # headline, blank line, one body paragraph


def test_nul_bytes_inside_words_are_dropped_not_spaced(hostile_run):
    root, db_path, _, _ = hostile_run

    assert article(db_path, full_path(root, f"{DAY}/nul-inside.txt"))["text"] == (
        "Fishing boats return to Hachinohe port\n\nDozens of boats returned."
    )


def test_one_mb_line_is_a_headline_only_article_cut_into_runs_of_200_words(hostile_run):
    root, db_path, _, _ = hostile_run
    got = article(db_path, full_path(root, f"{DAY}/one-mb-line.txt"))
    [(sentences, longest, words, covered)] = query(
        db_path,
        "select count(*), max(len(string_split(sentence, ' '))),"
        " sum(len(string_split(sentence, ' '))), sum(end_char - start_char)"
        " from sentences join articles using (article_id) where source_path = ?",
        [full_path(root, f"{DAY}/one-mb-line.txt")],
    )

    # No sentence end in a megabyte: it is cut every 200 words (transforms/sentences.py), so
    # no later pass reads a sentence of a megabyte; the runs hold every word once.
    text = ONE_MB_LINE.strip()
    assert got["text"] == got["headline"] == text
    assert sentences == -(-len(text.split(" ")) // 200)
    assert (longest, words) == (200, len(text.split(" ")))
    # Each run but the last ends at a word; the single space between runs is in no sentence.
    assert covered == len(text) - (sentences - 1)


@pytest.mark.slow
def test_one_mb_line_of_sentences_loads_every_sentence_and_mention(tmp_path):
    # Slow (about 8 s): 18,000 sentences and 36,000 mentions in one 1 MB text, each
    # sliced out of it again by the warehouse checks.
    root = tmp_path / "in"
    (root / DAY).mkdir(parents=True)
    (root / DAY / "sentences.txt").write_text(ONE_MB_OF_SENTENCES)
    db_path = tmp_path / "news.duckdb"
    summary = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)
    [(sentences, mentions)] = query(
        db_path,
        "select (select count(*) from sentences), (select count(*) from mentions)",
    )

    assert summary.files_loaded == 1
    assert sentences == ONE_MB_OF_SENTENCES.count(". ")
    assert mentions == 2 * sentences  # Tokyo and Seoul in each


def test_long_run_of_ideographic_spaces_collapses_to_one_space(hostile_run):
    root, db_path, _, _ = hostile_run
    got = article(db_path, full_path(root, f"{DAY}/ideographic-spaces.txt"))

    assert got["text"] == "Long gap\n\nBefore after (AP)"
    assert got["dateline"] == "AP"


def test_headline_only_article_has_one_sentence(hostile_run):
    root, db_path, _, _ = hostile_run
    got = article(db_path, full_path(root, f"{DAY}/headline-only.txt"))
    rows = query(
        db_path,
        "select sentence_no, paragraph_no, sentence from sentences join articles"
        " using (article_id) where source_path = ?",
        [full_path(root, f"{DAY}/headline-only.txt")],
    )

    assert got["text"] == "Just a headline about Osaka"
    assert rows == [(0, 0, "Just a headline about Osaka")]


def test_every_loaded_article_has_a_sentence(hostile_run):
    _, db_path, _, _ = hostile_run
    without = query(
        db_path,
        "select source_path from articles a where not exists"
        " (select 1 from sentences s where s.article_id = a.article_id)",
    )

    assert without == []


def test_ap_tail_is_kept_as_dateline_and_the_path_dates_the_story(hostile_run):
    root, db_path, _, _ = hostile_run
    got = article(db_path, full_path(root, f"{DAY}/ap-dateline.txt"))

    assert (got["dateline"], got["published_date"], got["date_basis"]) == (
        "AP",
        date(2017, 4, 10),
        "path",
    )
    # A tail that is not a date stays in the text: it may be the only credit line.
    assert got["text"].endswith("Winds topped 200 kph. (AP)")


def test_feb_29_in_a_non_leap_year_is_the_latest_leap_day_before(hostile_run):
    root, db_path, _, _ = hostile_run
    got = article(db_path, full_path(root, "2019/03/01/feb-29.txt"))

    assert (got["published_date"], got["date_basis"]) == (date(2016, 2, 29), "dateline+path")


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (date(2019, 3, 1), date(2016, 2, 29)),
        (date(2020, 2, 28), date(2020, 2, 29)),  # the day after the reference is allowed
        (date(2020, 2, 27), date(2016, 2, 29)),
        (date(2100, 6, 1), date(2096, 2, 29)),  # 2100 is not a leap year
        (date(9999, 12, 31), date(9996, 2, 29)),  # no overflow at the end of the calendar
    ],
)
def test_feb_29_resolves_to_the_latest_on_or_before_reference_plus_one_day(reference, expected):
    assert resolve_year(2, 29, reference) == expected


def test_file_mtime_beyond_year_9999_does_not_stop_discovery():
    assert mtime_datetime(10**22).year == 9999


# --- between discovery and read ----------------------------------------------


def read_stage(root: Path, found, **overrides):
    settings = {"input_format": "auto", "reference_date": None, "max_file_bytes": 20 * MB}
    settings.update(overrides)
    return stages.read_files(found, {}, **settings)


def one_file(tmp_path: Path, text: str = "") -> tuple[Path, Path]:
    root = tmp_path / "in"
    path = root / DAY / "story.txt"
    path.parent.mkdir(parents=True)
    path.write_text(text or kyodo("Ferry service resumes", "The ferry sailed at dawn."))
    return root, path


def test_a_reader_crash_rejects_only_its_file_and_logs_the_traceback(tmp_path, monkeypatch, caplog):
    root, path = one_file(tmp_path)
    (path.parent / "other.txt").write_text(kyodo("Other story", "It loads."))
    found = stages.discover_files(root, ("*.txt",))
    real = reading._read_ascii

    def crash_on_story(data, source_path, *args):
        if source_path.endswith("story.txt"):
            raise ValueError("boom")
        return real(data, source_path, *args)

    monkeypatch.setattr(reading, "_read_ascii", crash_on_story)
    with caplog.at_level(logging.ERROR, logger="wirehouse"):
        ledger, articles, _ = read_stage(root, found)
    rows = {row["path"]: row for row in ledger.to_dicts()}
    story = full_path(root, f"{DAY}/story.txt")

    assert rows[story]["status"] == "rejected"
    assert rows[story]["reason"] == (
        f"{story}: could not be read as an article (ValueError: boom);"
        " this is a wirehouse bug: please report it with the file"
    )
    assert rows[full_path(root, f"{DAY}/other.txt")]["status"] == "loaded"
    assert articles.get_column("headline").to_list() == ["Other story"]
    [record] = [r for r in caplog.records if r.getMessage() == f"reading {story} failed"]
    assert record.exc_info is not None and record.exc_info[0] is ValueError


def test_file_deleted_after_discovery_is_rejected_as_vanished(tmp_path):
    root, path = one_file(tmp_path)
    found = stages.discover_files(root, ("*.txt",))
    path.unlink()
    ledger, articles, _ = read_stage(root, found)
    [row] = ledger.to_dicts()

    assert row["status"] == "rejected"
    assert row["reason"].startswith(
        f"{full_path(root, DAY)}/story.txt: vanished after it was found"
    )
    assert "next run" in row["reason"]
    assert (row["sha256"], row["size_bytes"], articles.height) == (None, None, 0)


def test_file_truncated_after_discovery_is_read_as_it_is_now(tmp_path):
    root, path = one_file(tmp_path)
    found = stages.discover_files(root, ("*.txt",))
    shorter = kyodo("Ferry service resumes", "It sailed.").encode()
    path.write_bytes(shorter)
    ledger, articles, _ = read_stage(root, found)
    [row] = ledger.to_dicts()

    assert row["status"] == "loaded"
    assert row["size_bytes"] == len(shorter) < found.get_column("size_bytes")[0]
    assert row["sha256"] == hashlib.sha256(shorter).hexdigest()
    assert "shrank from" in row["reason"]
    assert articles.get_column("body").to_list() == ["It sailed."]


def test_file_growing_after_discovery_is_left_for_the_next_run(tmp_path):
    root, path = one_file(tmp_path)
    found = stages.discover_files(root, ("*.txt",))
    with path.open("a") as handle:
        handle.write("More text still arriving.\n")
    ledger, articles, _ = read_stage(root, found)
    [row] = ledger.to_dicts()

    assert row["status"] == "rejected"
    assert "changed while being read" in row["reason"]
    assert "picked up next run" in row["reason"]
    assert (row["sha256"], row["size_bytes"], articles.height) == (None, None, 0)


def test_file_growing_past_the_limit_after_discovery_is_rejected_for_size(tmp_path):
    root, path = one_file(tmp_path)
    found = stages.discover_files(root, ("*.txt",))
    path.write_bytes(path.read_bytes() + b" " * 5000)
    ledger, _, _ = read_stage(root, found, max_file_bytes=2000)

    assert "grew from" in ledger.get_column("reason")[0]
    assert "over the limit of 2,000 bytes" in ledger.get_column("reason")[0]


def read_within(seconds: float, read):
    """read() run in a thread; its result, or a failure when it is still running after seconds
    (a blocked open or an endless read would hold the run, and its lock, for good)."""
    done = {}
    thread = threading.Thread(target=lambda: done.setdefault("result", read()), daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"the read stage was still running after {seconds} s"
    return done["result"]


def swap_for_fifo_and_dev_zero(root: Path) -> tuple[str, str]:
    """Put a FIFO at DAY/pipe.txt and a link to /dev/zero at DAY/zero.txt, in place of the
    files there; their full paths."""
    pipe, zero = root / DAY / "pipe.txt", root / DAY / "zero.txt"
    pipe.unlink()
    os.mkfifo(pipe)
    zero.unlink()
    zero.symlink_to("/dev/zero")
    return full_path(root, f"{DAY}/pipe.txt"), full_path(root, f"{DAY}/zero.txt")


def three_stories(tmp_path: Path) -> Path:
    root, _ = one_file(tmp_path)
    for name in ("pipe.txt", "zero.txt"):
        (root / DAY / name).write_text(kyodo(f"Story first at {name}", "It was there when found."))
    return root


@pytest.mark.parametrize(
    ("follow_symlinks", "zero_words"),
    [
        ("all", ("no longer a regular file (a character device was put in its place",)),
        ("inside", ("symbolic link to /dev/zero, outside the input folder, not followed",)),
    ],
)
def test_files_swapped_for_a_fifo_and_dev_zero_after_discovery_are_rejected_at_once(
    tmp_path, follow_symlinks, zero_words
):
    root = three_stories(tmp_path)
    found = stages.discover_files(root, ("*.txt",), follow_symlinks)
    pipe, zero = swap_for_fifo_and_dev_zero(root)
    links = stages.Links(follow_symlinks, os.path.realpath(root))

    ledger, articles, _ = read_within(10, lambda: read_stage(root, found, links=links))
    rows = {row["path"]: row for row in ledger.to_dicts()}

    assert found.height == 3
    assert rows[pipe]["status"] == rows[zero]["status"] == "rejected"
    assert rows[pipe]["reason"] == (
        f"{pipe}: no longer a regular file (a FIFO was put in its place after it was found),"
        " so nothing was read: put the article file back; it is tried again on the next run"
    )
    for words in zero_words:
        assert rows[zero]["reason"].startswith(f"{zero}: {words}"), rows[zero]["reason"]
    # Nothing was read from either, so the next run reads them again.
    assert (rows[pipe]["size_bytes"], rows[zero]["size_bytes"]) == (None, None)
    assert rows[full_path(root, f"{DAY}/story.txt")]["status"] == "loaded"
    assert articles.get_column("headline").to_list() == ["Ferry service resumes"]


def test_a_run_whose_files_are_swapped_after_discovery_finishes_and_records_them(
    tmp_path, monkeypatch
):
    root = three_stories(tmp_path)
    db_path = tmp_path / "news.duckdb"
    real = stages.discover
    swapped: list[str] = []

    def discover_then_swap(*args):
        discovery = real(*args)
        swapped.extend(swap_for_fifo_and_dev_zero(root))
        return discovery

    monkeypatch.setattr(stages, "discover", discover_then_swap)
    settings = Settings(input_dir=root, db_path=db_path, follow_symlinks="all")
    summary = read_within(30, lambda: run_pipeline(settings, as_tasks=False))
    ledger = dict(query(db_path, "select path, status from source_files"))

    assert (summary.files_seen, summary.files_loaded, summary.files_rejected) == (3, 1, 2)
    assert {path: ledger[path] for path in swapped} == dict.fromkeys(swapped, "rejected")
    reasons = dict(summary.rejected)
    assert "(a FIFO was put in its place" in reasons[swapped[0]]
    assert "(a character device was put in its place" in reasons[swapped[1]]


@pytest.mark.parametrize(("size", "limit"), [(0, 4096), (10, 100_000)])
def test_a_read_stops_one_byte_past_the_limit_however_much_more_comes(size, limit):
    # /dev/zero never ends: only the cap stops the read (the fstat check keeps it from a run).
    fd = os.open("/dev/zero", os.O_RDONLY)
    try:
        data = stages._read_open(fd, size, limit)
    finally:
        os.close(fd)

    assert len(data) == limit + 1


def test_file_written_during_the_run_is_picked_up_by_the_next_run(tmp_path, monkeypatch):
    root, path = one_file(tmp_path)
    db_path = tmp_path / "news.duckdb"
    real = stages._read_open

    def read_while_a_writer_appends(fd: int, size: int, limit: int) -> bytes:
        data = real(fd, size, limit)
        with path.open("a") as handle:  # the run reads only this file
            handle.write("A late paragraph.\n")
        return data

    monkeypatch.setattr(stages, "_read_open", read_while_a_writer_appends)
    first = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)
    monkeypatch.setattr(stages, "_read_open", real)
    [(status, reason)] = query(db_path, "select status, reason from source_files")
    second = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)

    assert (first.files_rejected, status) == (1, "rejected")
    assert "changed while being read" in reason and "next run" in reason
    assert second.files_loaded == 1
    assert query(db_path, "select status, sha256 from source_files") == [
        ("loaded", hashlib.sha256(path.read_bytes()).hexdigest())
    ]


def test_unreadable_file_is_retried_once_it_can_be_read(tmp_path, monkeypatch):
    root, path = one_file(tmp_path)
    db_path = tmp_path / "news.duckdb"
    if IS_ROOT:
        deny_reads_of(monkeypatch, "story.txt")
    else:
        path.chmod(0)
    first = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)
    # Fixing permissions changes neither size nor mtime: the ledger must still retry it.
    monkeypatch.undo()
    path.chmod(0o644)
    second = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)

    assert first.files_rejected == 1
    assert "permission denied" in first.rejected[0][1]
    assert second.files_loaded == 1


def test_broken_link_is_loaded_once_its_target_appears(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    target = root / "later.md"  # inside the input, named like no article: read via the link
    (root / "link.txt").symlink_to(target)
    db_path = tmp_path / "news.duckdb"
    first = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)
    target.write_text(kyodo("Target arrives", "It is here now."))
    second = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)

    assert "broken symbolic link" in first.rejected[0][1]
    assert second.files_loaded == 1


def test_fifty_mb_file_is_rejected_by_default_and_loads_when_the_limit_is_raised(tmp_path):
    root = tmp_path / "in"
    (root / DAY).mkdir(parents=True)
    (root / DAY / "fifty-mb.txt").write_bytes(PADDED_50MB)
    db_path = tmp_path / "news.duckdb"
    first = run_pipeline(Settings(input_dir=root, db_path=db_path), as_tasks=False)
    # Same file, same size and mtime: raising the limit alone must get it read.
    second = run_pipeline(
        Settings(input_dir=root, db_path=db_path, max_file_bytes=60 * MB), as_tasks=False
    )

    assert len(PADDED_50MB) > 50 * MB
    assert (
        first.files_rejected == 1 and "over the limit of 20,971,520 bytes" in first.rejected[0][1]
    )
    assert second.files_loaded == 1
    assert query(db_path, "select status, size_bytes from source_files") == [
        ("loaded", len(PADDED_50MB))
    ]
    assert article(db_path, full_path(root, f"{DAY}/fifty-mb.txt"))["text"] == (
        "Budget report runs long\n\nThe budget grew again in Tokyo on Monday."
    )


def test_discovery_in_chunks_finds_the_same_rows_as_in_one_go(tmp_path, monkeypatch):
    root = tmp_path / "in"
    for day in ("01", "02", "03", "04"):
        for n in range(3):
            path = root / "2017" / "04" / day / f"story-{n}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(kyodo(f"Story {day}-{n}", "It loads."))
    # Before 1970 and past year 2262: mtimes converted one by one, at different places of
    # the second and third chunks (files 5 and 10 of 12).
    os.utime(root / "2017" / "04" / "02" / "story-1.txt", ns=(0, -86_400 * 10**9))
    os.utime(root / "2017" / "04" / "04" / "story-0.txt", ns=(0, 2**63 - 1))
    whole = stages.discover_files(root, ("*.txt",))
    monkeypatch.setattr(stages, "_DISCOVER_CHUNK", 4)
    chunked = stages.discover_files(root, ("*.txt",))

    assert whole.height == 12
    assert chunked.equals(whole)
    mtimes = dict(zip(whole.get_column("path"), whole.get_column("modified_at"), strict=True))
    assert mtimes[full_path(root, "2017/04/02/story-1.txt")] == datetime(1969, 12, 31)
    assert mtimes[full_path(root, "2017/04/04/story-0.txt")].date() == date(2262, 4, 11)
    assert sum(moment.year != 2026 for moment in mtimes.values()) == 2
