"""The disk-touching stages the flow runs: find files, read them into article records."""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path, PurePosixPath
from stat import S_ISREG

import polars as pl

from transforms.file_reads import (
    FileRead,
    LedgerRow,
    grown_reason,
    ledger_frame,
    ledger_rows,
    read_change,
    refusals,
    split_unchanged,
    unchanged_frame,
    unreadable_reason,
)
from transforms.mtimes import mtime_column, mtime_date, mtime_us
from transforms.reading import ArticleRow, article_rows_frame, read_documents
from transforms.schemas import FOUND_SCHEMA, UNLISTED_SCHEMA
from wirehouse.terminal import printable

log = logging.getLogger("wirehouse")

# Rows go into frames every _DISCOVER_CHUNK files: a million Python strings and ints at
# once would cost ~200 MB that the interpreter keeps for the rest of the run.
_DISCOVER_CHUNK = 1 << 16
# Files are parsed in batches of about this many bytes (read_documents scans each batch
# at once), so a run over large files holds only one batch of their bytes besides articles.
_PARSE_BATCH_BYTES = 4 * 1024 * 1024

FoundRow = tuple[str, int, int, str | None]  # path, size, mtime in ns, problem


def _shown_name(rel: str) -> tuple[str, str | None]:
    """The path as shown, and a problem when the name is not valid UTF-8."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(rel).decode("utf-8", errors="backslashreplace")
        return shown, "file name is not valid UTF-8 (shown with \\x escapes): rename it"
    return rel, None


def _name_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a file name matches a pattern, as PurePosixPath(name).match(pattern) says."""
    # A name is one path part: only one-part relative patterns can match it.
    parts = [
        PurePosixPath(p).parts[0]
        for p in patterns
        if len(PurePosixPath(p).parts) == 1 and not PurePosixPath(p).is_absolute()
    ]
    suffixes = tuple(part[1:] for part in parts if part.startswith("*"))
    if len(suffixes) == len(parts) and not any(c in s for s in suffixes for c in "*?["):
        return lambda name: name.endswith(suffixes)
    regex = re.compile("|".join(fnmatch.translate(part) for part in parts) or r"(?!)")
    return lambda name: regex.match(name) is not None


def source_root(root: Path) -> str:
    """The input folder as sources are identified under it: its real path, symlinks resolved."""
    return os.path.realpath(root)


def source_prefix(root: Path) -> str:
    """What the path of every file found under root starts with (as shown when the folder's
    name is not valid UTF-8: then no file under it is loaded, see discover)."""
    return _shown_name(os.path.join(source_root(root), ""))[0]


@dataclass(frozen=True)
class Discovery:
    """What one walk of the input folder found: files, and folders it could not list."""

    files: pl.DataFrame  # FOUND_SCHEMA; path is the file's full path (see source_root)
    unlisted: pl.DataFrame  # UNLISTED_SCHEMA

    @property
    def is_complete(self) -> bool:
        """Whether every folder under the input could be listed (so a file not found is gone)."""
        return self.unlisted.is_empty()


def discover_files(root: Path, patterns: tuple[str, ...]) -> pl.DataFrame:
    """Every file under root matching a pattern, with its size, mtime and any problem, by path."""
    return discover(root, patterns).files


def discover(root: Path, patterns: tuple[str, ...]) -> Discovery:
    """Walk root: every file matching a pattern (full path, size, mtime, problem) and every
    folder that could not be listed, with the reason."""
    top = source_root(root)
    shown_top, bad_name = _shown_name(top)
    if bad_name:
        return _undecodable_input(shown_top)
    unlisted: list[tuple[str, str]] = []
    # The frame is built as the walk goes, so unlisted is complete once it is.
    files = _found_frame(
        _found_rows(prefix, entries)
        for prefix, entries in _walk(top, _name_matcher(patterns), unlisted)
    )
    return Discovery(
        files=files, unlisted=pl.DataFrame(unlisted, schema=UNLISTED_SCHEMA, orient="row")
    )


def _undecodable_input(shown_top: str) -> Discovery:
    """The discovery of an input folder whose own path is not valid UTF-8: nothing, and why."""
    # Every identity would carry the undecodable name: nothing is read, and it is said.
    reason = (
        f"{shown_top}: the input folder's path is not valid UTF-8 (shown with \\x escapes),"
        " and a file's full path is its identity in the warehouse: rename the folder"
    )
    return Discovery(
        files=pl.DataFrame(schema=FOUND_SCHEMA),
        unlisted=pl.DataFrame([(shown_top, reason)], schema=UNLISTED_SCHEMA, orient="row"),
    )


def _walk(
    top: str, matches: Callable[[str], bool], unlisted: list[tuple[str, str]]
) -> Iterator[tuple[str, list[os.DirEntry[str]]]]:
    """(folder path ending in '/', its matching entries by name) for every folder under top,
    each real folder once; what cannot be listed or followed goes to unlisted, with why."""
    seen: set[tuple[int, int]] = set()
    # Depth first, files before subfolders, names sorted: the order os.walk gave.
    stack: list[str] = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
            st = os.stat(directory)
        except OSError as exc:
            # Recorded, never skipped in silence: a folder that cannot be listed may hold
            # files the warehouse knows, and --prune must not take them for deleted.
            shown, _ = _shown_name(directory)
            unlisted.append((shown, _unlisted_reason(shown, directory == top, exc)))
            continue
        # A symlinked directory can point back up the tree; visit each real directory once.
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        prefix = os.path.join(directory, "")
        subdirs, files = _sort_entries(prefix, entries, matches, unlisted)
        yield prefix, files
        stack.extend(prefix + name for name in reversed(subdirs))


def _sort_entries(
    prefix: str,
    entries: list[os.DirEntry[str]],
    matches: Callable[[str], bool],
    unlisted: list[tuple[str, str]],
) -> tuple[list[str], list[os.DirEntry[str]]]:
    """(subfolder names, matching file entries), each sorted by name, of one folder's entries;
    links that cannot be followed and may be folders go to unlisted."""
    subdirs: list[str] = []
    files: list[os.DirEntry[str]] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()  # follows symlinks, as os.walk(followlinks=True)
        except OSError as exc:
            if matches(entry.name):  # recorded by _found_rows as a file that cannot be read
                files.append(entry)
            else:
                unlisted.append(_unlisted_entry(prefix + entry.name, exc))
            continue
        if is_dir:
            subdirs.append(entry.name)
        elif matches(entry.name):
            files.append(entry)
        elif entry.is_symlink() and not os.path.exists(prefix + entry.name):
            # A link whose target is gone may be a folder on a drive not mounted: what
            # the warehouse holds from under it is not known to be gone.
            unlisted.append(_unlisted_entry(prefix + entry.name, None))
    files.sort(key=lambda entry: entry.name)
    subdirs.sort()
    return subdirs, files


def _found_rows(prefix: str, entries: list[os.DirEntry[str]]) -> list[FoundRow]:
    """(path as shown, size, mtime in ns, problem) of every matching entry of one folder that
    is an article file: not a FIFO, socket or device, and not gone since the listing."""
    rows: list[FoundRow] = []
    for entry in entries:
        path = prefix + entry.name
        problem = None
        if not path.isascii():
            path, problem = _shown_name(path)
        try:
            file_stat = entry.stat()
        except OSError as exc:
            # A link whose target is missing, or a link loop: recorded, so nothing
            # matching the patterns goes unaccounted for.
            try:
                file_stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone between listing and stat: it was never there for this run
            problem = problem or (
                f"broken symbolic link ({exc.strerror or exc}): fix or remove the link"
            )
        else:
            if not S_ISREG(file_stat.st_mode):
                continue
        rows.append((path, file_stat.st_size, file_stat.st_mtime_ns, problem))
    return rows


def _found_frame(folders: Iterator[list[FoundRow]]) -> pl.DataFrame:
    """The found rows of every folder as one FOUND_SCHEMA frame, built in chunks of about
    _DISCOVER_CHUNK rows."""
    chunks = [pl.DataFrame(schema=FOUND_SCHEMA)]
    rows: list[FoundRow] = []
    for folder_rows in folders:
        rows += folder_rows
        if len(rows) >= _DISCOVER_CHUNK:
            chunks.append(_found_chunk(rows))
            rows = []
    chunks.append(_found_chunk(rows))
    return pl.concat(chunks, rechunk=True)


def _found_chunk(rows: list[FoundRow]) -> pl.DataFrame:
    """Found rows as a FOUND_SCHEMA frame."""
    paths, sizes, mtimes_ns, problems = zip(*rows, strict=True) if rows else ((),) * 4
    return pl.DataFrame(
        [
            pl.Series("path", paths, dtype=pl.String),
            pl.Series("size_bytes", sizes, dtype=pl.Int64),
            mtime_column(mtimes_ns).alias("modified_at"),
            pl.Series("problem", problems, dtype=pl.String),
        ]
    )


def _unlisted_entry(path: str, exc: OSError | None) -> tuple[str, str]:
    """A folder entry that may be a folder but cannot be followed, with the reason."""
    shown, _ = _shown_name(path)
    cause = "its target is missing" if exc is None else (exc.strerror or str(exc))
    return (
        shown,
        f"{shown}: symbolic link or entry that cannot be followed ({cause}); if it is a folder,"
        " nothing under it was looked at and none of its rows is pruned: fix or remove it",
    )


def _unlisted_reason(folder: str, is_root: bool, exc: OSError) -> str:
    """Why a folder could not be listed, and what to do."""
    what = "input folder" if is_root else "folder"
    if isinstance(exc, FileNotFoundError) and is_root:
        return f"{folder}: input folder does not exist: check --input (a typo, or a drive not mounted?)"
    if isinstance(exc, NotADirectoryError) and is_root:
        return f"{folder}: --input is a file, not a folder: give the folder that holds the articles"
    if isinstance(exc, PermissionError):
        cause = "permission denied: make it readable"
    else:
        cause = f"{exc.strerror or exc}: check the disk or the path"
    return (
        f"{folder}: could not list this {what} ({cause}); the files under it were not looked at"
        " and none of their rows is pruned; it is tried again on the next run"
    )


def read_files(
    files: pl.DataFrame,
    known_sha: dict[str, str],
    *,
    input_format: str,
    reference_date: date | None,
    max_file_bytes: int,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(ledger rows, articles, unchanged files) for the given files; bad files get a reason.

    A rejection that the file's bytes do not explain (unreadable, vanished, still being
    written, over the size limit) leaves size_bytes null, so the next run reads it again.
    """
    parse = partial(
        _parse_batch,
        known_sha=known_sha,
        input_format=input_format,
        reference_date=reference_date,
    )
    rows: list[LedgerRow] = []
    articles: list[ArticleRow] = []
    unchanged: list[pl.DataFrame] = []
    # map, not a loop over the batches: no name holds a parsed batch's bytes while the
    # next batch is read.
    for batch_rows, batch_articles, batch_unchanged in map(
        parse, _read_batches(files, max_file_bytes)
    ):
        rows += batch_rows
        articles += batch_articles
        unchanged.append(batch_unchanged)
    return ledger_frame(rows), article_rows_frame(articles), pl.concat(unchanged, rechunk=True)


def _read_batches(files: pl.DataFrame, max_file_bytes: int) -> Iterator[list[FileRead]]:
    """Every file taken by _take, in batches holding about _PARSE_BATCH_BYTES of bytes."""
    batch: list[FileRead] = []
    held = 0
    for path, size, mtime, refused in zip(
        files.get_column("path").to_list(),
        files.get_column("size_bytes").to_list(),
        files.get_column("modified_at").dt.epoch("us").to_list(),
        refusals(files, max_file_bytes),
        strict=True,
    ):
        read = _take(path, size, mtime, refused, max_file_bytes)
        batch.append(read)
        held += read.size_bytes or 0
        if held >= _PARSE_BATCH_BYTES:
            yield batch
            batch, held = [], 0
    yield batch


def _take(path: str, size: int, mtime: int, refused: str | None, max_file_bytes: int) -> FileRead:
    """One discovered file (size, mtime in microseconds as found, why it is refused if it
    is) read with every guard: its bytes and their hash, or why nothing was read."""
    if refused is not None:
        return FileRead(path, mtime, reason=refused)
    try:
        before, data, after = _read_file(path, max_file_bytes)
    except _Grown as grown:
        return FileRead(path, mtime, reason=grown_reason(path, size, grown.size, max_file_bytes))
    except OSError as exc:
        is_link = isinstance(exc, FileNotFoundError) and os.path.islink(path)
        return FileRead(path, mtime, reason=unreadable_reason(path, exc, is_link))
    now_mtime = mtime_us(after.st_mtime_ns)
    reason, notes = read_change(path, (size, mtime), before, after, len(data), now_mtime)
    if reason is not None:
        return FileRead(path, mtime, reason=reason)
    digest = hashlib.sha256(data).hexdigest()
    return FileRead(path, now_mtime, after.st_size, digest, data, None, notes)


def _parse_batch(
    batch: list[FileRead],
    *,
    known_sha: dict[str, str],
    input_format: str,
    reference_date: date | None,
) -> tuple[list[LedgerRow], list[ArticleRow], pl.DataFrame]:
    """(ledger rows, articles, files the content-hash shortcut skipped) of one batch read;
    the skipped files as a frame, which keeps none of their bytes."""
    fresh, unchanged = split_unchanged(batch, known_sha)
    results = read_documents(
        [(r.data, r.path, mtime_date(r.modified_at)) for r in fresh if r.data is not None],
        input_format=input_format,
        reference_date=reference_date,
    )
    rows, articles, crashes = ledger_rows(fresh, results)
    for path, exc in crashes:
        log.error("reading %s failed", printable(path), exc_info=exc)
    return rows, articles, unchanged_frame(unchanged)


def _read_open(fd: int, size: int) -> bytes:
    """The rest of an open file that fstat said holds size bytes (one read when it still does)."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data  # a short read of a regular file: its end
    chunks = [data]
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _read_file(path: str, max_file_bytes: int) -> tuple[os.stat_result, bytes, os.stat_result]:
    """(fstat before, bytes, fstat after) of one file, both stats of the file actually read.

    Raises _Grown when it is over max_file_bytes before the read.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        before = os.fstat(fd)
        if before.st_size > max_file_bytes:
            raise _Grown(before.st_size)
        data = _read_open(fd, before.st_size)
        return before, data, os.fstat(fd)
    finally:
        os.close(fd)


class _Grown(Exception):
    """The file grew past the size limit between discovery and the read."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size
