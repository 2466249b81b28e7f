"""The disk-touching stages the flow runs: find files, read them into article records."""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path, PurePosixPath
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISREG, S_ISSOCK

import polars as pl

from transforms.file_reads import (
    FileRead,
    LedgerRow,
    grown_reason,
    ledger_frame,
    ledger_rows,
    not_regular_reason,
    read_change,
    refusal,
    refusals,
    split_unchanged,
    unchanged_frame,
    unreadable_reason,
)
from transforms.mtimes import mtime_column, mtime_date, mtime_us
from transforms.reading import ArticleRow, article_rows_frame, read_documents
from transforms.schemas import FOUND_SCHEMA, UNLISTED_SCHEMA
from wirehouse.settings import FOLLOW_SYMLINKS, is_url
from wirehouse.terminal import printable

log = logging.getLogger("wirehouse")

# Rows go into frames every _DISCOVER_CHUNK files: a million Python strings and ints at
# once would cost ~200 MB that the interpreter keeps for the rest of the run.
_DISCOVER_CHUNK = 1 << 16
# Files are parsed in batches of about this many bytes (read_documents scans each batch
# at once), so a run over large files holds only one batch of their bytes besides articles.
_PARSE_BATCH_BYTES = 4 * 1024 * 1024

FoundRow = tuple[str, int, int, str | None]  # path, size, mtime in ns, problem

# How a discovered file is opened. O_NONBLOCK: a FIFO put in its place after discovery opens at
# once instead of waiting for a writer for good (fstat then refuses it); it changes nothing for
# a regular file. O_NOCTTY: a terminal put in its place does not become the run's terminal.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY


def _shown_name(rel: str) -> tuple[str, str | None]:
    """The path as shown, and a problem when the name is not valid UTF-8."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(rel).decode("utf-8", errors="backslashreplace")
        return shown, "file name is not valid UTF-8 (shown with \\x escapes): rename it"
    return rel, None


def name_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
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


def source_root(root: Path | str, storage_options: dict[str, object] | None = None) -> str:
    """The input as sources are identified under it: a folder's real path, symlinks resolved;
    a URL's canonical form (flows/objects.py)."""
    if is_url(root):
        from flows import objects  # fsspec is imported only for object storage

        return objects.source_root(str(root), storage_options or {})
    return os.path.realpath(root)


def source_prefix(root: Path | str, storage_options: dict[str, object] | None = None) -> str:
    """What the path of every file found under root starts with (as shown when the folder's
    name is not valid UTF-8: then no file under it is loaded, see discover)."""
    if is_url(root):
        return source_root(root, storage_options) + "/"
    return _shown_name(os.path.join(source_root(root), ""))[0]


@dataclass(frozen=True)
class Links:
    """Which symbolic links under the input folder a run follows (--follow-symlinks)."""

    mode: str  # inside | all | none (wirehouse.settings.FOLLOW_SYMLINKS)
    top: str  # the input folder's real path (source_root)

    def __post_init__(self) -> None:
        if self.mode not in FOLLOW_SYMLINKS:
            raise ValueError(
                f"follow_symlinks {self.mode!r}: give one of {', '.join(FOLLOW_SYMLINKS)}"
            )

    def refusal(self, path: str) -> str | None:
        """Why the symbolic link at path is not followed; None when it is."""
        if self.mode == "all":
            return None
        if self.mode == "none":
            return "symbolic link, not followed (--follow-symlinks none)"
        # The target with every link on the way resolved, as far as it exists: a link to a
        # link that leads out is out.
        target = os.path.realpath(path)
        if target == self.top or target.startswith(os.path.join(self.top, "")):
            return None
        shown, _ = _shown_name(target)
        return (
            f"symbolic link to {shown}, outside the input folder, not followed"
            " (--follow-symlinks inside)"
        )

    @property
    def fix(self) -> str:
        """What to do about a link not followed."""
        if self.mode == "none":
            return "run with --follow-symlinks inside or all to follow it"
        return "move its target into the input folder, or run with --follow-symlinks all"


@dataclass(frozen=True)
class Discovery:
    """What one walk of the input folder found: files, and folders it could not list."""

    files: pl.DataFrame  # FOUND_SCHEMA; path is the file's full path (see source_root)
    unlisted: pl.DataFrame  # UNLISTED_SCHEMA

    @property
    def is_complete(self) -> bool:
        """Whether every folder under the input could be listed (so a file not found is gone)."""
        return self.unlisted.is_empty()


def discover_files(
    root: Path, patterns: tuple[str, ...], follow_symlinks: str = "inside"
) -> pl.DataFrame:
    """Every file under root matching a pattern, with its size, mtime and any problem, by path."""
    return discover(root, patterns, follow_symlinks).files


def discover(
    root: Path | str,
    patterns: tuple[str, ...],
    follow_symlinks: str = "inside",
    storage_options: dict[str, object] | None = None,
) -> Discovery:
    """Walk root: every file matching a pattern (full path, size, mtime, problem) and every
    folder that could not be listed or followed, with the reason. A link follow_symlinks does
    not follow is a file with a problem, or a folder not listed. A URL root lists objects
    instead (flows/objects.py), with storage_options."""
    if is_url(root):
        from flows import objects

        return objects.discover(str(root), patterns, storage_options or {})
    top = source_root(root)
    links = Links(follow_symlinks, top)
    shown_top, bad_name = _shown_name(top)
    if bad_name:
        return _undecodable_input(shown_top)
    unlisted: list[tuple[str, str]] = []
    # The frame is built as the walk goes, so unlisted is complete once it is.
    files = _found_frame(
        _found_rows(prefix, entries, links)
        for prefix, entries in _walk(top, name_matcher(patterns), links, unlisted)
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
    top: str, matches: Callable[[str], bool], links: Links, unlisted: list[tuple[str, str]]
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
        subdirs, files = _sort_entries(prefix, entries, matches, links, unlisted)
        yield prefix, files
        stack.extend(prefix + name for name in reversed(subdirs))


def _sort_entries(
    prefix: str,
    entries: list[os.DirEntry[str]],
    matches: Callable[[str], bool],
    links: Links,
    unlisted: list[tuple[str, str]],
) -> tuple[list[str], list[os.DirEntry[str]]]:
    """(subfolder names, matching file entries), each sorted by name, of one folder's entries;
    links that cannot or may not be followed and may be folders go to unlisted."""
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
            refused = entry.is_symlink() and links.refusal(prefix + entry.name)
            if refused:
                unlisted.append(_unfollowed_folder(prefix + entry.name, refused, links.fix))
            else:
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


def _found_rows(prefix: str, entries: list[os.DirEntry[str]], links: Links) -> list[FoundRow]:
    """(path as shown, size, mtime in ns, problem) of every matching entry of one folder that
    is an article file: not a FIFO, socket or device, and not gone since the listing; a link
    that links does not follow is one with a problem (and the link's own size and mtime)."""
    rows: list[FoundRow] = []
    check_links = links.mode != "all"
    for entry in entries:
        path = prefix + entry.name
        problem = None
        if not path.isascii():
            path, problem = _shown_name(path)
        if check_links and entry.is_symlink():
            refused = links.refusal(prefix + entry.name)
            if refused:
                try:
                    link_stat = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # gone between listing and stat
                refused = f"{refused}: {links.fix}"
                rows.append((path, link_stat.st_size, link_stat.st_mtime_ns, problem or refused))
                continue
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
            pl.repeat(None, len(paths), dtype=pl.String, eager=True).alias("etag"),  # objects only
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


def _unfollowed_folder(path: str, refused: str, fix: str) -> tuple[str, str]:
    """A link to a folder that --follow-symlinks does not follow, with the reason."""
    shown, _ = _shown_name(path)
    return (
        shown,
        f"{shown}: {refused}; nothing under it was looked at and none of its rows is pruned: {fix}",
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
    links: Links | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(ledger rows, articles, unchanged files) for the given files; bad files get a reason.

    A rejection that the file's bytes do not explain (unreadable, vanished, still being
    written, over the size limit, no longer a regular file) leaves size_bytes null, so the
    next run reads it again. links is the policy discovery applied, applied again to a file
    that has become a link since (None: every link is followed).
    """
    return parse_reads(
        _read_batches(files, max_file_bytes, links),
        known_sha,
        input_format=input_format,
        reference_date=reference_date,
    )


def parse_reads(
    reads: Iterable[list[FileRead]],
    known_sha: dict[str, str],
    *,
    input_format: str,
    reference_date: date | None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(ledger rows, articles, unchanged files) of files read in batches (local files or
    objects: flows/objects.py), each batch parsed once it is read."""
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
    for batch_rows, batch_articles, batch_unchanged in map(parse, reads):
        rows += batch_rows
        articles += batch_articles
        unchanged.append(batch_unchanged)
    return ledger_frame(rows), article_rows_frame(articles), pl.concat(unchanged, rechunk=True)


def _read_batches(
    files: pl.DataFrame, max_file_bytes: int, links: Links | None
) -> Iterator[list[FileRead]]:
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
        read = _take(path, size, mtime, refused, max_file_bytes, links)
        batch.append(read)
        held += read.size_bytes or 0
        if held >= _PARSE_BATCH_BYTES:
            yield batch
            batch, held = [], 0
    yield batch


def _take(
    path: str,
    size: int,
    mtime: int,
    refused: str | None,
    max_file_bytes: int,
    links: Links | None,
) -> FileRead:
    """One discovered file (size, mtime in microseconds as found, why it is refused if it
    is) read with every guard: its bytes and their hash, or why nothing was read."""
    if refused is not None:
        return FileRead(path, mtime, reason=refused)
    try:
        before, data, after = _read_file(path, max_file_bytes, links)
    except _Grown as grown:
        return FileRead(path, mtime, reason=grown_reason(path, size, grown.size, max_file_bytes))
    except _NotRegular as odd:
        return FileRead(path, mtime, reason=not_regular_reason(path, odd.kind))
    except _NotFollowed as link:
        return FileRead(path, mtime, reason=refusal(path, size, link.reason, max_file_bytes))
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


def _read_open(fd: int, size: int, limit: int) -> bytes:
    """The rest of an open regular file that fstat said holds size bytes (one read when it
    still does), never more than limit + 1 bytes however much it grows meanwhile."""
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data  # a short read of a regular file: its end
    chunks = [data]
    held = len(data)
    while held <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - held))):
        chunks.append(chunk)
        held += len(chunk)
    return b"".join(chunks)


def _open(path: str, links: Links | None) -> int:
    """A descriptor of the file at path, opened without waiting on a FIFO; a link put at the
    path since discovery is followed only as links allows (else _NotFollowed)."""
    if links is None or links.mode == "all":
        return os.open(path, _OPEN_FLAGS)
    try:
        # Most paths are no link: one open, which fails on a link, decides.
        return os.open(path, _OPEN_FLAGS | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
    refused = links.refusal(path)
    if refused:
        raise _NotFollowed(f"{refused}: {links.fix}")
    return os.open(path, _OPEN_FLAGS)


def _read_file(
    path: str, max_file_bytes: int, links: Links | None = None
) -> tuple[os.stat_result, bytes, os.stat_result]:
    """(fstat before, bytes, fstat after) of one file, both stats of the file actually read.

    Raises _NotRegular when what was opened is not a regular file (a FIFO, device, socket or
    folder put at the path since discovery), _NotFollowed for a link links does not follow,
    and _Grown when it is over max_file_bytes before or during the read.

    There is no clock on a read: once the descriptor is a regular file, a read never waits
    for a writer, so the size cap (at most max_file_bytes + 1 bytes are read) bounds both
    the time and the memory a file can take. Only a hung network mount can stall it, in
    the kernel, where no timer of ours could interrupt it.
    """
    fd = _open(path, links)
    try:
        before = os.fstat(fd)
        if not S_ISREG(before.st_mode):
            raise _NotRegular(_file_kind(before.st_mode))
        if before.st_size > max_file_bytes:
            raise _Grown(before.st_size)
        data = _read_open(fd, before.st_size, max_file_bytes)
        after = os.fstat(fd)
        if len(data) > max_file_bytes:
            raise _Grown(max(after.st_size, len(data)))
        return before, data, after
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for is_kind, kind in (
        (S_ISFIFO, "a FIFO"),
        (S_ISCHR, "a character device"),
        (S_ISBLK, "a block device"),
        (S_ISSOCK, "a socket"),
        (S_ISDIR, "a folder"),
    ):
        if is_kind(mode):
            return kind
    return "another kind of file"


class _Grown(Exception):
    """The file grew past the size limit between discovery and the read."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class _NotRegular(Exception):
    """What was opened is not a regular file (kind says what it is)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class _NotFollowed(Exception):
    """The path is, now, a symbolic link that the run's --follow-symlinks does not follow."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
