"""Parquet export to object storage (s3://bucket/prefix, any fsspec URL).

The files are the ones a local export writes (warehouse/export.py): DuckDB writes them into a
local staging folder, then they are uploaded. A bucket has no atomic rename, so the manifest
marks a whole export instead: it is deleted first and uploaded last, after every data file,
and a reader that goes by the manifest's file list never sees half an export.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from warehouse.export import FORMAT, MANIFEST, ExportRefused, _wanted, _write_tables, files_listed


def _filesystem(url: str, storage_options: dict[str, Any]) -> tuple[Any, str]:
    """(fsspec filesystem, the URL's path in it with no trailing slash)."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(url, **storage_options)
    return fs, path.rstrip("/")


def _not_an_export(fs: Any, root: str, present: list[str]) -> str | None:
    """Why the objects under root are not one whole wirehouse export, or None."""
    if f"{root}/{MANIFEST}" not in present:
        return f"no {MANIFEST} written by wirehouse export"
    try:
        listed = files_listed(fs.cat_file(f"{root}/{MANIFEST}").decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        listed = None
    if listed is None:
        return f"its {MANIFEST} has no format {FORMAT!r}, so wirehouse export did not write it"
    for key in present:
        relative = key[len(root) + 1 :]
        if relative not in listed:
            return f"{relative} is not listed in its {MANIFEST}"
    return None


def export_to_url(
    db_path: Path,
    url: str,
    *,
    tables: list[str] | None = None,
    force: bool = False,
    since: date | None = None,
    until: date | None = None,
    before_swap: Callable[[], None] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> str:
    """Write the export under the URL prefix, replacing an earlier export there (anything else
    only with force); returns the prefix's URL."""
    wanted = _wanted(tables)
    fs, root = _filesystem(url, storage_options or {})
    if not root:
        raise ExportRefused(f"{url}: names no bucket; give one, e.g. s3://bucket/export")
    shown = fs.unstrip_protocol(root)
    present = sorted(fs.find(root)) if root else []
    reason = _not_an_export(fs, root, present) if present else None
    if reason and not force:
        raise ExportRefused(
            f"{shown}: holds objects wirehouse did not write ({reason}); nothing was changed."
            " Choose an empty or new prefix, or pass --force to replace everything under it"
        )
    staging = Path(tempfile.mkdtemp(prefix="wirehouse-export-"))
    try:
        manifest = _write_tables(db_path, staging, wanted, since, until)
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        # The old manifest goes first: from here until the new one is up, no export is whole.
        if f"{root}/{MANIFEST}" in present:
            fs.rm_file(f"{root}/{MANIFEST}")
        if files:
            fs.put([str(staging / f) for f in files], [f"{root}/{f}" for f in files])
        if before_swap is not None:
            before_swap()  # the crash tests' hook: data uploaded, manifest not yet
        stale = sorted(set(present) - {f"{root}/{f}" for f in [*files, MANIFEST]})
        if stale:
            fs.rm(stale)
        fs.pipe_file(
            f"{root}/{MANIFEST}", json.dumps(manifest, indent=2, default=str).encode("utf-8")
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return shown
