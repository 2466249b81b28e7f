"""The disk-touching stages the flow runs: find files, read them into article records."""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath
from stat import S_ISREG

import polars as pl

from transforms.reading import (
    ArticleRow,
    ReadResult,
    RejectedInput,
    article_rows_frame,
    read_documents,
)
from transforms.schemas import FOUND_SCHEMA, LEDGER_SCHEMA, UNLISTED_SCHEMA

log = logging.getLogger("wirehouse")


_RETRY = "it is tried again on the next run"
# mtimes from 1970 up to int64 nanoseconds (year 2262) convert in bulk; others one by one.
_NS_LIMIT = 2**63 - 1
_EPOCH = datetime(1970, 1, 1)
_DAY_US = 86_400_000_000
# Files are parsed in batches of about this many bytes (read_documents scans each batch
# at once), so a run over large files holds only one batch of their bytes besides articles.
_PARSE_BATCH_BYTES = 4 * 1024 * 1024


def _mtime(stat: os.stat_result) -> datetime:
    return _mtime_of_ns(stat.st_mtime_ns)


def _mtime_of_ns(ns: int) -> datetime:
    try:
        return datetime.fromtimestamp(ns / 1e9, tz=UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        # A clock set to year 10000 (or before year 1) must not stop the run.
        return datetime.max if ns > 0 else datetime.min


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


def _modified_at(mtimes_ns: list[int | None], odd: dict[int, datetime]) -> pl.Series:
    """mtimes in ns as _mtime() converts them (float seconds, microseconds half to even).

    odd holds the rows converted one by one (out of int64 range or before 1970).
    """
    ns = pl.Series(mtimes_ns, dtype=pl.Int64).cast(pl.Float64)
    # Series by series: dividing by a scalar multiplies by its reciprocal, which rounds
    # differently from Python's ns / 1e9 and moves some mtimes by a microsecond.
    seconds = ns / pl.Series([1e9]).new_from_index(0, len(ns))
    whole = seconds.floor()
    micros = ((seconds - whole) * 1e6).round(0, mode="half_to_even")
    modified = (whole.cast(pl.Int64) * 1_000_000 + micros.cast(pl.Int64)).cast(pl.Datetime("us"))
    if odd:
        modified = modified.scatter(
            list(odd), pl.Series(list(odd.values()), dtype=pl.Datetime("us"))
        )
    return modified


_DISCOVER_CHUNK = 1 << 16


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
    matches = _name_matcher(patterns)
    paths: list[str] = []
    sizes: list[int] = []
    mtimes_ns: list[int | None] = []
    odd_mtimes: dict[int, datetime] = {}
    problems: list[str | None] = []
    unlisted: list[tuple[str, str]] = []
    # Rows go into frames every _DISCOVER_CHUNK files: a million Python strings and ints at
    # once would cost ~200 MB that the interpreter keeps for the rest of the run.
    chunks: list[pl.DataFrame] = []

    def flush() -> None:
        chunks.append(
            pl.DataFrame(
                [
                    pl.Series("path", paths, dtype=pl.String),
                    pl.Series("size_bytes", sizes, dtype=pl.Int64),
                    _modified_at(mtimes_ns, odd_mtimes).alias("modified_at"),
                    pl.Series("problem", problems, dtype=pl.String),
                ]
            )
        )
        for column in (paths, sizes, mtimes_ns, problems):
            column.clear()
        odd_mtimes.clear()

    seen_dirs: set[tuple[int, int]] = set()
    top = source_root(root)
    shown_top, bad_name = _shown_name(top)
    if bad_name:
        # Every identity would carry the undecodable name: nothing is read, and it is said.
        reason = (
            f"{shown_top}: the input folder's path is not valid UTF-8 (shown with \\x escapes),"
            " and a file's full path is its identity in the warehouse: rename the folder"
        )
        return Discovery(
            files=pl.DataFrame(schema=FOUND_SCHEMA),
            unlisted=pl.DataFrame([(shown_top, reason)], schema=UNLISTED_SCHEMA, orient="row"),
        )
    # Depth first, files before subfolders, names sorted: the order os.walk gave.
    stack: list[str] = [top]
    while stack:
        directory = stack.pop()
        prefix = os.path.join(directory, "")
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
        if (st.st_dev, st.st_ino) in seen_dirs:
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        subdirs: list[str] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows symlinks, as os.walk(followlinks=True)
            except OSError as exc:
                if matches(entry.name):  # recorded below as a file that cannot be read
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
        for entry in files:
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
                    continue  # a FIFO, socket or device is not an article file
            ns = file_stat.st_mtime_ns
            if not 0 <= ns < _NS_LIMIT:
                odd_mtimes[len(paths)] = _mtime(file_stat)
                ns = None
            paths.append(path)
            sizes.append(file_stat.st_size)
            mtimes_ns.append(ns)
            problems.append(problem)
            if len(paths) >= _DISCOVER_CHUNK:
                flush()
        subdirs.sort(reverse=True)
        stack.extend(prefix + name for name in subdirs)
    flush()
    return Discovery(
        files=pl.concat(chunks, rechunk=True),
        unlisted=pl.DataFrame(unlisted, schema=UNLISTED_SCHEMA, orient="row"),
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


def _unreadable(path: str, full: Path, exc: OSError) -> str:
    """The reason a file that discovery found could not be read."""
    if isinstance(exc, FileNotFoundError) and not full.is_symlink():
        return (
            f"{path}: vanished after it was found (deleted or moved during the run);"
            f" nothing loaded: {_RETRY} if it comes back"
        )
    if isinstance(exc, PermissionError):
        return f"{path}: could not read (permission denied): make it readable; {_RETRY}"
    return f"{path}: could not read ({exc.strerror or exc}): check the file; {_RETRY}"


def _mtime_us(ns: int) -> int:
    """An mtime in ns as microseconds since 1970, rounded as _mtime() rounds it."""
    if 0 <= ns < _NS_LIMIT:
        # fromtimestamp's rounding: float seconds, the fraction to microseconds half to even.
        seconds = ns / 1e9
        whole = math.floor(seconds)
        return whole * 1_000_000 + round((seconds - whole) * 1e6)
    return (_mtime_of_ns(ns) - _EPOCH) // timedelta(microseconds=1)


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
    # Ledger columns, one list each (mtimes as microseconds since 1970).
    paths: list[str] = []
    shas: list[str | None] = []
    sizes: list[int | None] = []
    mtimes: list[int | None] = []
    statuses: list[str] = []
    reasons: list[str | None] = []
    encodings: list[str | None] = []
    formats: list[str | None] = []
    counts: list[int] = []
    unchanged: list[tuple[str, int, int]] = []
    articles: list[ArticleRow] = []
    # Files read but not parsed yet: (ledger row, notes so far), and what read_documents takes.
    pending: list[tuple[int, tuple[str, ...]]] = []
    pending_files: list[tuple[bytes, str, date]] = []
    pending_bytes = 0
    days: dict[int, date] = {}

    def add_row(path: str, mtime: int | None, reason: str | None) -> None:
        paths.append(path)
        shas.append(None)
        sizes.append(None)
        mtimes.append(mtime)
        statuses.append("rejected")
        reasons.append(reason)
        encodings.append(None)
        formats.append(None)
        counts.append(0)

    def parse_pending() -> None:
        """Parse the files read so far, in one batch, and complete their ledger rows."""
        results = read_documents(
            pending_files, input_format=input_format, reference_date=reference_date
        )
        for (row, notes), (_, path, _), result in zip(pending, pending_files, results, strict=True):
            if isinstance(result, ReadResult):
                statuses[row] = "loaded"
                if notes or result.notes:
                    reasons[row] = "; ".join([*notes, *result.notes]) or None
                encodings[row] = result.encoding
                formats[row] = result.source_format
                counts[row] = len(result.rows)
                articles.extend(result.rows)
            elif isinstance(result, RejectedInput):
                reasons[row] = f"{path}: {result}"
            else:
                log.error("reading %s failed", path, exc_info=result)
                reasons[row] = (
                    f"{path}: could not be read as an article ({type(result).__name__}:"
                    f" {result}); this is a wirehouse bug: please report it with the file"
                )
        pending.clear()
        pending_files.clear()

    has_problem = "problem" in files.columns
    problems = files.get_column("problem").to_list() if has_problem else [None] * files.height
    for path, size, mtime, problem in zip(
        files.get_column("path").to_list(),
        files.get_column("size_bytes").to_list(),
        files.get_column("modified_at").dt.epoch("us").to_list(),
        problems,
        strict=True,
    ):
        if problem is not None:
            add_row(path, mtime, f"{path}: {problem}; {_RETRY}")
            continue
        if size > max_file_bytes:
            add_row(
                path,
                mtime,
                f"{path}: file is {size:,} bytes, over the limit of {max_file_bytes:,} bytes"
                f" ({max_file_bytes / 1_048_576:g} MB): split it or raise --max-file-mb",
            )
            continue
        full = path
        try:
            before, data, after = _read_file(full, max_file_bytes)
        except _Grown as grown:
            add_row(
                path,
                mtime,
                f"{path}: grew from {size:,} to {grown.size:,} bytes after it was found and is"
                f" now over the limit of {max_file_bytes:,} bytes: split it or raise --max-file-mb",
            )
            continue
        except OSError as exc:
            add_row(path, mtime, _unreadable(path, Path(full), exc))
            continue
        now_size = after.st_size
        if (
            before.st_size != now_size
            or before.st_mtime_ns != after.st_mtime_ns
            or len(data) != now_size
        ):
            add_row(
                path,
                mtime,
                f"{path}: changed while being read ({before.st_size:,} bytes before,"
                f" {now_size:,} after); not loaded this run: it will be picked up next run",
            )
            continue
        now_mtime = _mtime_us(after.st_mtime_ns)
        notes: tuple[str, ...] = ()
        if now_size < size:
            # Shrunk and now still: read it as it is, and say so.
            notes = (f"shrank from {size:,} to {now_size:,} bytes after it was found",)
        elif now_size != size or now_mtime != mtime:
            add_row(
                path,
                mtime,
                f"{path}: changed while being read ({size:,} bytes when found, {now_size:,}"
                " now): it may still be being written; not loaded this run: it will be picked"
                " up next run",
            )
            continue
        digest = hashlib.sha256(data).hexdigest()
        if known_sha.get(path) == digest:
            unchanged.append((path, now_size, now_mtime))
            continue
        day = now_mtime // _DAY_US
        mtime_date = days.get(day)
        if mtime_date is None:
            mtime_date = days[day] = (_EPOCH + timedelta(microseconds=now_mtime)).date()
        # Rejected unless parsing says otherwise; the bytes read are recorded either way.
        add_row(path, now_mtime, None)
        shas[-1], sizes[-1] = digest, now_size
        pending.append((len(paths) - 1, notes))
        pending_files.append((data, path, mtime_date))
        pending_bytes += now_size
        if pending_bytes >= _PARSE_BATCH_BYTES:
            parse_pending()
            pending_bytes = 0
    parse_pending()
    ledger = pl.DataFrame(
        {
            "path": paths,
            "sha256": shas,
            "size_bytes": sizes,
            "modified_at": mtimes,
            "status": statuses,
            "reason": reasons,
            "encoding": encodings,
            "source_format": formats,
            "article_count": counts,
            "duplicate_of": [None] * len(paths),
        },
        schema={**LEDGER_SCHEMA, "modified_at": pl.Int64()},
    ).with_columns(pl.col("modified_at").cast(LEDGER_SCHEMA["modified_at"]))
    unchanged_paths, unchanged_sizes, unchanged_mtimes = (
        zip(*unchanged, strict=True) if unchanged else ((), (), ())
    )
    return (
        ledger,
        article_rows_frame(articles),
        pl.DataFrame(
            [
                pl.Series("path", unchanged_paths, dtype=pl.String),
                pl.Series("size_bytes", unchanged_sizes, dtype=pl.Int64),
                _datetimes("modified_at", list(unchanged_mtimes)),
            ]
        ),
    )


def _datetimes(name: str, micros: list[int | None]) -> pl.Series:
    """Microseconds since 1970 as a Datetime("us") column."""
    return pl.Series(name, micros, dtype=pl.Int64).cast(pl.Datetime("us"))


class _Grown(Exception):
    """The file grew past the size limit between discovery and the read."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size
