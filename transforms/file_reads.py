"""The read stage's decisions about each file: whether to open it, whether what was read can
be trusted, whether the content-hash shortcut skips it, and the ledger row it gets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from transforms.reading import ArticleRow, ReadResult, RejectedInput
from transforms.schemas import DISCOVERED_SCHEMA, LEDGER_SCHEMA

LedgerRow = tuple[object, ...]  # one file, its values in LEDGER_SCHEMA's column order

_RETRY = "it is tried again on the next run"
_NEXT_RUN = "not loaded this run: it will be picked up next run"


class FileStat(Protocol):
    """What the guards read of a file's stat (os.stat_result has more)."""

    st_size: int
    st_mtime_ns: int


@dataclass(slots=True)
class FileRead:
    """One discovered file as the read stage took it: its bytes and their hash, or why none.

    modified_at is in microseconds since 1970: the mtime of the bytes read, or the mtime
    discovery found when nothing was read.
    """

    path: str
    modified_at: int | None
    size_bytes: int | None = None
    sha256: str | None = None
    data: bytes | None = None
    reason: str | None = None  # why nothing was read
    notes: tuple[str, ...] = ()  # what the ledger should say about bytes that were read
    etag: str | None = None  # an object's ETag as listed, when the bytes read are of it


def refusal(path: str, size: int, problem: str | None, max_file_bytes: int) -> str | None:
    """Why a discovered file is not opened (a problem discovery found, or its size), or None."""
    if problem is not None:
        return f"{path}: {problem}; {_RETRY}"
    if size > max_file_bytes:
        return (
            f"{path}: file is {size:,} bytes, over the limit of {max_file_bytes:,} bytes"
            f" ({max_file_bytes / 1_048_576:g} MB): split it or raise --max-file-mb"
        )
    return None


def refusals(files: pl.DataFrame, max_file_bytes: int) -> list[str | None]:
    """refusal of each discovered file (FOUND_SCHEMA; problem may be absent), in order."""
    problem = pl.col("problem") if "problem" in files.columns else pl.lit(None, pl.String)
    refused = files.select(problem.is_not_null() | (pl.col("size_bytes") > max_file_bytes))
    reasons: list[str | None] = [None] * files.height
    for i in refused.to_series().arg_true().to_list():
        row = files.row(i, named=True)
        reasons[i] = refusal(row["path"], row["size_bytes"], row.get("problem"), max_file_bytes)
    return reasons


def grown_reason(path: str, found_size: int, size: int, max_file_bytes: int) -> str:
    """Why a file that grew past the size limit after it was found is not read."""
    return (
        f"{path}: grew from {found_size:,} to {size:,} bytes after it was found and is"
        f" now over the limit of {max_file_bytes:,} bytes: split it or raise --max-file-mb"
    )


def unreadable_reason(path: str, exc: OSError, is_link: bool) -> str:
    """Why a file that discovery found could not be read (is_link: the path is a symlink)."""
    if isinstance(exc, FileNotFoundError) and not is_link:
        return (
            f"{path}: vanished after it was found (deleted or moved during the run);"
            f" nothing loaded: {_RETRY} if it comes back"
        )
    if isinstance(exc, PermissionError):
        return f"{path}: could not read (permission denied): make it readable; {_RETRY}"
    return f"{path}: could not read ({exc.strerror or exc}): check the file; {_RETRY}"


def not_regular_reason(path: str, kind: str) -> str:
    """Why a file that discovery found is not read when what the path opens is now kind
    (a FIFO, a device, a folder): something was put in its place."""
    return (
        f"{path}: no longer a regular file ({kind} was put in its place after it was found),"
        f" so nothing was read: put the article file back; {_RETRY}"
    )


def read_change(
    path: str,
    found: tuple[int, int | None],
    before: FileStat,
    after: FileStat,
    read_size: int,
    read_mtime: int,
) -> tuple[str | None, tuple[str, ...]]:
    """(why the bytes read are left for the next run, notes about them), given the size and
    mtime (microseconds since 1970) discovery found, the stats before and after the read,
    how many bytes came and the mtime read."""
    size = after.st_size
    if before.st_size != size or before.st_mtime_ns != after.st_mtime_ns or read_size != size:
        return (
            f"{path}: changed while being read ({before.st_size:,} bytes before,"
            f" {size:,} after); {_NEXT_RUN}",
            (),
        )
    found_size, found_mtime = found
    if size < found_size:
        # Shrunk and now still: read as it is, and said.
        return None, (f"shrank from {found_size:,} to {size:,} bytes after it was found",)
    if size != found_size or read_mtime != found_mtime:
        return (
            f"{path}: changed while being read ({found_size:,} bytes when found, {size:,}"
            f" now): it may still be being written; {_NEXT_RUN}",
            (),
        )
    return None, ()


def split_unchanged(
    reads: list[FileRead], known_sha: dict[str, str]
) -> tuple[list[FileRead], list[FileRead]]:
    """(files to parse or reject, files the content-hash shortcut skips): a file is skipped
    when the bytes read hash as the ledger says its bytes did."""
    if not known_sha:
        return reads, []
    fresh: list[FileRead] = []
    unchanged: list[FileRead] = []
    for read in reads:
        same = read.sha256 is not None and known_sha.get(read.path) == read.sha256
        (unchanged if same else fresh).append(read)
    return fresh, unchanged


def ledger_rows(
    reads: list[FileRead], results: Iterator[ReadResult | Exception]
) -> tuple[list[LedgerRow], list[ArticleRow], list[tuple[str, Exception]]]:
    """(ledger rows, articles, reader crashes as (path, exception)) of files read, in order,
    given the reader's result for each file that has bytes, in the same order.

    A rejection that the file's bytes do not explain (nothing was read) leaves size_bytes
    null, so the next run reads it again.
    """
    rows: list[LedgerRow] = []
    articles: list[ArticleRow] = []
    crashes: list[tuple[str, Exception]] = []
    for read in reads:
        status, reason, encoding, source_format, count = "rejected", read.reason, None, None, 0
        result = next(results) if read.data is not None else None
        if isinstance(result, ReadResult):
            status, encoding, source_format = "loaded", result.encoding, result.source_format
            if read.notes or result.notes:
                reason = "; ".join([*read.notes, *result.notes]) or None
            count = len(result.rows)
            articles += result.rows
        elif isinstance(result, RejectedInput):
            reason = f"{read.path}: {result}"
        elif result is not None:
            crashes.append((read.path, result))
            reason = (
                f"{read.path}: could not be read as an article ({type(result).__name__}:"
                f" {result}); this is a wirehouse bug: please report it with the file"
            )
        rows.append(
            (
                read.path,
                read.sha256,
                read.size_bytes,
                read.modified_at,
                status,
                reason,
                encoding,
                source_format,
                count,
                None,  # duplicate_of: set by the de-duplication after the read
                read.etag,
            )
        )
    return rows, articles, crashes


def ledger_frame(rows: list[LedgerRow]) -> pl.DataFrame:
    """Ledger rows (modified_at in microseconds since 1970) as a LEDGER_SCHEMA frame."""
    return _frame(rows, LEDGER_SCHEMA)


def unchanged_frame(reads: Iterable[FileRead]) -> pl.DataFrame:
    """The files the content-hash shortcut skipped, as a DISCOVERED_SCHEMA frame."""
    return _frame([(r.path, r.size_bytes, r.modified_at, r.etag) for r in reads], DISCOVERED_SCHEMA)


def _frame(rows: list[tuple[object, ...]], schema: pl.Schema) -> pl.DataFrame:
    """Rows in the schema's column order as a frame; datetimes given in microseconds."""
    columns = zip(*rows, strict=True) if rows else [()] * len(schema)
    return pl.DataFrame(
        [
            pl.Series(name, values, dtype=pl.Int64 if dtype == pl.Datetime else dtype).cast(dtype)
            for (name, dtype), values in zip(schema.items(), columns, strict=True)
        ]
    )
