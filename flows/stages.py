"""The disk-touching stages the flow runs: find files, read them into article records."""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from transforms.reading import ARTICLE_SCHEMA, RejectedInput, read_document
from warehouse.db import LEDGER_SCHEMA

log = logging.getLogger("wirehouse")

DISCOVERED_SCHEMA: dict[str, pl.DataType] = {
    "path": pl.String(),
    "size_bytes": pl.Int64(),
    "modified_at": pl.Datetime("us"),
}
# What discovery found: a problem is set when the file is there but cannot be read as given.
FOUND_SCHEMA: dict[str, pl.DataType] = {**DISCOVERED_SCHEMA, "problem": pl.String()}

_RETRY = "it is tried again on the next run"


def _mtime(stat: os.stat_result) -> datetime:
    try:
        return datetime.fromtimestamp(stat.st_mtime_ns / 1e9, tz=UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        # A clock set to year 10000 (or before year 1) must not stop the run.
        return datetime.max if stat.st_mtime_ns > 0 else datetime.min


def _rel_path(full: Path, root: Path) -> tuple[str, str | None]:
    """The '/'-separated path under root, and a problem when the name is not valid UTF-8."""
    rel = full.relative_to(root).as_posix()
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(rel).decode("utf-8", errors="backslashreplace")
        return shown, "file name is not valid UTF-8 (shown with \\x escapes): rename it"
    return rel, None


def discover_files(root: Path, patterns: tuple[str, ...]) -> pl.DataFrame:
    """Every file under root matching a pattern, with its size, mtime and any problem, by path."""
    rows: list[tuple[str, int, datetime, str | None]] = []
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        try:
            st = here.stat()
        except OSError:
            dirnames[:] = []
            continue
        # A symlinked directory can point back up the tree; visit each real directory once.
        if (st.st_dev, st.st_ino) in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirnames.sort()
        for name in sorted(filenames):
            if not any(Path(name).match(p) for p in patterns):
                continue
            full = here / name
            rel, problem = _rel_path(full, root)
            try:
                file_stat = full.stat()
            except OSError as exc:
                # A link whose target is missing, or a link loop: recorded, so nothing
                # matching the patterns goes unaccounted for.
                try:
                    file_stat = full.lstat()
                except OSError:
                    continue  # gone between listing and stat: it was never there for this run
                problem = problem or (
                    f"broken symbolic link ({exc.strerror or exc}): fix or remove the link"
                )
            else:
                if not full.is_file():
                    continue  # a FIFO, socket or device is not an article file
            rows.append((rel, file_stat.st_size, _mtime(file_stat), problem))
    return pl.DataFrame(rows, schema=FOUND_SCHEMA, orient="row")


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


def _stat_key(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_size, stat.st_mtime_ns


def read_files(
    root: Path,
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
    ledger_rows: list[dict[str, object]] = []
    unchanged: list[dict[str, object]] = []
    articles: list[dict[str, object]] = []
    has_problem = "problem" in files.columns
    problems = files.get_column("problem") if has_problem else pl.repeat(None, files.height)
    for (path, size, mtime), problem in zip(
        files.select("path", "size_bytes", "modified_at").iter_rows(), problems, strict=True
    ):
        row: dict[str, object] = {
            "path": path,
            "sha256": None,
            "size_bytes": None,
            "modified_at": mtime,
            "status": "rejected",
            "reason": None,
            "encoding": None,
            "source_format": None,
            "article_count": 0,
            "duplicate_of": None,
        }
        ledger_rows.append(row)
        if problem is not None:
            row["reason"] = f"{path}: {problem}; {_RETRY}"
            continue
        if size > max_file_bytes:
            row["reason"] = (
                f"{path}: file is {size:,} bytes, over the limit of {max_file_bytes:,} bytes"
                f" ({max_file_bytes / 1_048_576:g} MB): split it or raise --max-file-mb"
            )
            continue
        full = root / path
        try:
            before = full.stat()
            if before.st_size > max_file_bytes:
                raise _Grown(before.st_size)
            data = full.read_bytes()
            after = full.stat()
        except _Grown as grown:
            row["reason"] = (
                f"{path}: grew from {size:,} to {grown.size:,} bytes after it was found and is"
                f" now over the limit of {max_file_bytes:,} bytes: split it or raise --max-file-mb"
            )
            continue
        except OSError as exc:
            row["reason"] = _unreadable(path, full, exc)
            continue
        now_size, now_mtime = after.st_size, _mtime(after)
        if _stat_key(before) != _stat_key(after) or len(data) != now_size:
            row["reason"] = (
                f"{path}: changed while being read ({before.st_size:,} bytes before,"
                f" {now_size:,} after); not loaded this run: it will be picked up next run"
            )
            continue
        notes: list[str] = []
        if now_size < size:
            # Shrunk and now still: read it as it is, and say so.
            notes.append(f"shrank from {size:,} to {now_size:,} bytes after it was found")
        elif (now_size, now_mtime) != (size, mtime):
            row["reason"] = (
                f"{path}: changed while being read ({size:,} bytes when found, {now_size:,}"
                " now): it may still be being written; not loaded this run: it will be picked"
                " up next run"
            )
            continue
        digest = hashlib.sha256(data).hexdigest()
        row.update(sha256=digest, size_bytes=now_size, modified_at=now_mtime)
        if known_sha.get(path) == digest:
            ledger_rows.pop()
            unchanged.append({"path": path, "size_bytes": now_size, "modified_at": now_mtime})
            continue
        try:
            result = read_document(
                data,
                source_path=path,
                mtime_date=now_mtime.date(),
                input_format=input_format,
                reference_date=reference_date,
            )
        except RejectedInput as exc:
            row["reason"] = f"{path}: {exc}"
            continue
        except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop the run
            log.exception("reading %s failed", path)
            row["reason"] = (
                f"{path}: could not be read as an article ({type(exc).__name__}: {exc});"
                " this is a wirehouse bug: please report it with the file"
            )
            continue
        row["status"] = "loaded"
        row["encoding"] = result.encoding
        row["source_format"] = result.source_format
        row["article_count"] = len(result.articles)
        row["reason"] = "; ".join(notes + result.notes) or None
        articles.extend(result.articles)
    return (
        pl.DataFrame(ledger_rows, schema=LEDGER_SCHEMA),
        pl.DataFrame(articles, schema=ARTICLE_SCHEMA),
        pl.DataFrame(unchanged, schema=DISCOVERED_SCHEMA),
    )


class _Grown(Exception):
    """The file grew past the size limit between discovery and the read."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size
