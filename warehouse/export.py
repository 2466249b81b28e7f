"""Parquet export: every table and view, Hive-partitioned by year and month, swapped in atomically."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from warehouse import db

MANIFEST = "manifest.json"

# Each export: its name, the query producing it, and the date expression that
# partitions it (None: one file). Sentences and mentions take their article's date.
EXPORTS: tuple[tuple[str, str, str | None], ...] = (
    ("source_files", "select * from source_files", None),
    ("countries", "select * from countries", None),
    ("entities", "select * from entities", None),
    ("articles", "select * from articles", "published_date"),
    (
        "sentences",
        # The sentences view's columns, cut from the one join with articles that the date
        # needs anyway (the view would join articles a second time).
        "select sentence_spans.article_id, sentence_spans.sentence_no,"
        " sentence_spans.paragraph_no, sentence_spans.start_char, sentence_spans.end_char,"
        " substr(articles.text, sentence_spans.start_char + 1,"
        " sentence_spans.end_char - sentence_spans.start_char) as sentence,"
        " sentence_spans.is_truncated, sentence_spans.load_id, articles.published_date"
        " from sentence_spans"
        " inner join articles on articles.article_id = sentence_spans.article_id",
        "published_date",
    ),
    (
        "mentions",
        "select mentions.*, articles.published_date from mentions"
        " inner join articles on articles.article_id = mentions.article_id",
        "published_date",
    ),
    ("country_mentions_daily", "select * from country_mentions_daily", "mention_date"),
    ("entity_mentions_daily", "select * from entity_mentions_daily", "mention_date"),
)


class ExportRefused(RuntimeError):
    """The output folder exists and is not a wirehouse export; nothing was written."""


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def export_warehouse(
    db_path: Path,
    out_dir: Path,
    *,
    tables: list[str] | None = None,
    force: bool = False,
    since: date | None = None,
    until: date | None = None,
    before_swap: Callable[[], None] | None = None,
) -> Path:
    """Write the export to a fresh folder beside out_dir, then swap it in; returns out_dir."""
    out_dir = Path(out_dir).resolve()
    foreign = out_dir.exists() and not (out_dir / MANIFEST).exists() and any(out_dir.iterdir())
    if foreign and not force:
        raise ExportRefused(
            f"{out_dir}: exists and holds files wirehouse did not write;"
            " choose an empty or new folder, or pass --force to replace it"
        )
    wanted = [e for e in EXPORTS if tables is None or e[0] in tables]
    unknown = set(tables or []) - {e[0] for e in EXPORTS}
    if unknown:
        raise ValueError(f"unknown tables: {', '.join(sorted(unknown))}")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # A killed export leaves its staging or retired folder behind. If it died between
    # the two renames of a swap, the retired folder is the last good export: restore it.
    retired_left = sorted(out_dir.parent.glob(f".{out_dir.name}.retired-*"))
    if retired_left and not out_dir.exists():
        os.rename(retired_left[-1], out_dir)
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out_dir.parent.glob(f".{out_dir.name}.retired-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = out_dir.parent / f".{out_dir.name}.staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    manifest: dict[str, object] = {
        "producer": "wirehouse",
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {},
    }
    try:
        # 512 MB: on the 1,000,000-article warehouse the export peaks at 633 MiB RSS in 29 s,
        # against 1,104 MiB in 23 s with DuckDB's 1 GB.
        with db.connect(db_path, read_only=True, memory_limit="512MB") as con:
            manifest["schema_version"] = db.schema_version(con)
            manifest["since"] = since.isoformat() if since else None
            manifest["until"] = until.isoformat() if until else None
            # Bound as variables, never pasted into the SQL text.
            con.execute("set variable export_since = ?", [since or date(1, 1, 1)])
            con.execute("set variable export_until = ?", [until or date(9999, 12, 31)])
            for name, query, date_column in wanted:
                if date_column is not None:
                    query = (
                        f"select * from ({query}) where {date_column}"
                        " between getvariable('export_since') and getvariable('export_until')"
                    )
                target = staging / name
                count = con.execute(f"select count(*) from ({query})").fetchone()[0]
                if date_column is None or not count:
                    target.mkdir()
                    con.execute(
                        f"copy ({query}) to {_sql_string(str(target / 'data.parquet'))}"
                        " (format parquet)"
                    )
                else:
                    con.execute(
                        f"copy (select *, year({date_column}) as year,"
                        f" month({date_column}) as month from ({query}))"
                        f" to {_sql_string(str(target))}"
                        " (format parquet, partition_by (year, month))"
                    )
                files = sorted(p.relative_to(staging).as_posix() for p in target.rglob("*.parquet"))
                manifest["tables"][name] = {
                    "rows": int(count),
                    "partitioned_by": ["year", "month"] if date_column and count else [],
                    "files": files,
                }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
        if before_swap is not None:
            before_swap()  # the crash tests' hook: staging complete, not yet visible
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return result == 0


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Replace out_dir by staging atomically, so a reader sees the old or the new export."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous export
        return
    # Without an atomic exchange, two renames: out_dir is briefly absent, never half-written.
    retired = out_dir.parent / f".{out_dir.name}.retired-{uuid.uuid4().hex[:8]}"
    os.rename(out_dir, retired)
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(retired, out_dir)  # put the previous export back before giving up
        raise
    shutil.rmtree(retired, ignore_errors=True)
