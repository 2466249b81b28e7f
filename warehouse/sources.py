"""Source identity: files recorded by an older release, and folders a run could not list."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from stat import S_ISREG

import duckdb
import polars as pl

from warehouse import db

# How many recorded files are hashed, at most, to tell whether an input folder is the one an
# older release loaded them from: one file with the recorded bytes is enough evidence.
_CONFIRM_SAMPLE = 50


def _sha256(path: str, size: int) -> str | None:
    """The SHA-256 of the file at path when it is a regular file of size bytes, else None."""
    try:
        # Non-blocking, and only a regular file of the recorded size is read: a FIFO or
        # /dev/zero put at the path cannot hang or fill the run (see flows/stages.py).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not S_ISREG(st.st_mode) or st.st_size != size:
            return None
        digest = hashlib.sha256()
        held = 0
        while held <= size and (chunk := os.read(fd, min(1 << 20, size + 1 - held))):
            digest.update(chunk)
            held += len(chunk)
        return digest.hexdigest() if held == size else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _same_size_and_mtime(path: str, size: int | None, mtime_us: int | None) -> bool:
    """Whether the file still has the size and modification time recorded (to the µs)."""
    if size is None or mtime_us is None:
        return False
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_size == size and st.st_mtime_ns // 1000 == mtime_us


def adopt_relative_paths(
    con: duckdb.DuckDBPyConnection, prefix: str, warn: Callable[[str], None]
) -> int:
    """Give full paths to rows an older release recorded relative to this input folder;
    returns how many files were adopted.

    Older releases stored paths relative to whichever --input was given, so a row cannot tell
    which folder it came from. A row is adopted by the first input folder that holds its file,
    provided the folder is confirmed as the one it was loaded from: at least one of the
    recorded files there still has the recorded size and modification time, or the recorded
    bytes (checked on up to _CONFIRM_SAMPLE files). A folder where none does (another feed
    with the same file names, or one where every file changed since) adopts nothing, and the
    older rows stay as they are.
    """
    if "://" in prefix:
        return 0  # an object-store input: no release before these recorded relative objects
    # A full path starts with '/', an object's URL holds '://' (which no real path holds).
    legacy = con.sql(
        "select path, sha256, size_bytes, epoch_us(modified_at) as mtime_us from source_files"
        " where not starts_with(path, '/') and not contains(path, '://') order by path"
    ).pl()
    if legacy.is_empty():
        return 0
    present = legacy.filter(
        pl.col("path").map_elements(lambda p: os.path.lexists(prefix + p), return_dtype=pl.Boolean)
    )
    if present.is_empty():
        return 0
    sample = present.drop_nulls(["sha256", "size_bytes"]).head(_CONFIRM_SAMPLE)
    if not (
        any(
            _same_size_and_mtime(prefix + p, size, mtime)
            for p, size, mtime in present.select("path", "size_bytes", "mtime_us").iter_rows()
        )
        or any(_sha256(prefix + p, size) == sha for p, sha, size, _ in sample.iter_rows())
    ):
        warn(
            f"{present.height} file(s) under {prefix} have the relative paths of files an earlier"
            " wirehouse release recorded, but none has the bytes it recorded: they are loaded"
            " as new sources and the earlier rows are left as they are; run once with the"
            " --input those rows came from to give them full paths"
        )
        return 0
    adopted = present.select(
        pl.col("path").alias("old_path"), (pl.lit(prefix) + pl.col("path")).alias("new_path")
    )
    with db.transaction(con, {"adopted_frame": adopted}):
        # A full path already recorded is a source of its own (loaded by this release before
        # the folder was confirmed): the older row does not replace it.
        con.execute(
            "create or replace temp table adopted_paths as select * from adopted_frame"
            " where new_path not in (select path from source_files)"
        )
        count = con.execute("select count(*) from adopted_paths").fetchone()[0]
        con.execute(
            "update articles set source_path = adopted_paths.new_path from adopted_paths"
            " where articles.source_path = adopted_paths.old_path"
        )
        con.execute(
            "update source_files set duplicate_of = adopted_paths.new_path from adopted_paths"
            " where source_files.duplicate_of = adopted_paths.old_path"
        )
        # path is the key: new rows under new keys, then the old keys go (an update of a key
        # column is a delete and insert to DuckDB anyway).
        con.execute(
            "insert into source_files by name"
            " select source_files.* replace (adopted_paths.new_path as path)"
            " from source_files inner join adopted_paths"
            " on source_files.path = adopted_paths.old_path"
        )
        con.execute("delete from source_files where path in (select old_path from adopted_paths)")
    return int(count)


def record_unlisted(con: duckdb.DuckDBPyConnection, prefix: str, unlisted: pl.DataFrame) -> None:
    """Replace the recorded unlisted folders under this input folder with this run's."""
    with db.transaction(con, {"run_unlisted": unlisted.select("folder_path", "reason")}):
        con.execute(
            "delete from unlisted_folders"
            " where folder_path = $root or starts_with(folder_path, $prefix)",
            {"root": prefix.rstrip("/") or "/", "prefix": prefix},
        )
        con.execute(
            "insert into unlisted_folders (folder_path, reason, checked_at)"
            " select folder_path, reason, now()::timestamp from run_unlisted"
        )
