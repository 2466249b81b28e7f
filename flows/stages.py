"""The disk-touching stages the flow runs: find files, read them into article records."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from transforms.reading import ARTICLE_SCHEMA, RejectedInput, read_document
from warehouse.db import LEDGER_SCHEMA

DISCOVERED_SCHEMA: dict[str, pl.DataType] = {
    "path": pl.String(),
    "size_bytes": pl.Int64(),
    "modified_at": pl.Datetime("us"),
}


def _mtime(stat: os.stat_result) -> datetime:
    return datetime.fromtimestamp(stat.st_mtime_ns / 1e9, tz=UTC).replace(tzinfo=None)


def discover_files(root: Path, patterns: tuple[str, ...]) -> pl.DataFrame:
    """Every regular file under root matching a pattern, with its size and mtime, sorted by path."""
    rows: list[tuple[str, int, datetime]] = []
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
            try:
                file_stat = full.stat()
            except OSError:
                continue  # a dangling link is not a file we were given
            if not full.is_file():
                continue
            rel = full.relative_to(root).as_posix()
            rows.append((rel, file_stat.st_size, _mtime(file_stat)))
    return pl.DataFrame(rows, schema=DISCOVERED_SCHEMA, orient="row")


def read_files(
    root: Path,
    files: pl.DataFrame,
    known_sha: dict[str, str],
    *,
    input_format: str,
    reference_date,
    max_file_bytes: int,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(ledger rows, articles, unchanged files) for the given files; bad files get a reason."""
    ledger_rows: list[dict[str, object]] = []
    unchanged: list[dict[str, object]] = []
    articles: list[dict[str, object]] = []
    for path, size, mtime in files.select("path", "size_bytes", "modified_at").iter_rows():
        row: dict[str, object] = {
            "path": path,
            "sha256": None,
            "size_bytes": size,
            "modified_at": mtime,
            "status": "rejected",
            "reason": None,
            "encoding": None,
            "source_format": None,
            "article_count": 0,
            "duplicate_of": None,
        }
        ledger_rows.append(row)
        if size > max_file_bytes:
            row["reason"] = (
                f"{path}: file is {size:,} bytes, over the limit of {max_file_bytes:,} bytes"
                f" ({max_file_bytes / 1_048_576:g} MB): split it or raise --max-file-mb"
            )
            continue
        try:
            data = (root / path).read_bytes()
        except OSError as exc:
            row["reason"] = f"{path}: could not read ({exc.strerror or exc}); check it and re-run"
            continue
        digest = hashlib.sha256(data).hexdigest()
        row["sha256"] = digest
        row["size_bytes"] = len(data)
        if known_sha.get(path) == digest:
            ledger_rows.pop()
            unchanged.append({"path": path, "size_bytes": len(data), "modified_at": mtime})
            continue
        try:
            result = read_document(
                data,
                source_path=path,
                mtime_date=mtime.date(),
                input_format=input_format,
                reference_date=reference_date,
            )
        except RejectedInput as exc:
            row["reason"] = f"{path}: {exc}"
            continue
        row["status"] = "loaded"
        row["encoding"] = result.encoding
        row["source_format"] = result.source_format
        row["article_count"] = len(result.articles)
        row["reason"] = "; ".join(result.notes) or None
        articles.extend(result.articles)
    return (
        pl.DataFrame(ledger_rows, schema=LEDGER_SCHEMA),
        pl.DataFrame(articles, schema=ARTICLE_SCHEMA),
        pl.DataFrame(unchanged, schema=DISCOVERED_SCHEMA),
    )
