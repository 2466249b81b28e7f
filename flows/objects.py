"""Article files in object storage: list the objects under a URL prefix, and read them.

The object-store branch of flows/stages.py, chosen by the input's URL scheme (s3://, gs://,
az://...: wirehouse.settings.location); a local folder never comes here. Everything goes
through fsspec, so any store with an fsspec filesystem works (s3fs for S3 and S3-compatible
stores). Whoever reads, a thread of this process or a Dask worker on another machine, opens
the store itself from the URL and the storage options, with the credentials of its own
environment: the flow sends names, never bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from flows.stages import Discovery, name_matcher, parse_reads
from transforms.file_reads import FileRead, grown_reason, refusals, unreadable_reason
from transforms.schemas import FOUND_SCHEMA, UNLISTED_SCHEMA

# Objects are fetched together, about this many bytes at a time (as stages.py parses local
# files): a batch of small objects costs a few round trips, not one per object.
_FETCH_BATCH_BYTES = 4 * 1024 * 1024
_EPOCH = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_RETRY = "it is tried again on the next run"


def filesystem(url: str, storage_options: dict[str, Any]) -> tuple[Any, str]:
    """(fsspec filesystem, the URL's path in it with no trailing slash) for a URL."""
    import fsspec  # only runs over object storage pay for the import

    fs, path = fsspec.core.url_to_fs(url, **storage_options)
    return fs, path.rstrip("/")


def source_root(url: str, storage_options: dict[str, Any]) -> str:
    """The input URL as sources are identified under it: the store's own scheme (s3a:// is
    s3://), no trailing slash; an object's identity is this followed by its key under it."""
    try:
        fs, path = filesystem(url, storage_options)
    except (ImportError, ValueError):
        # No filesystem for the scheme: discover says so, and nothing is read.
        return url.rstrip("/")
    return fs.unstrip_protocol(path)


def discover(url: str, patterns: tuple[str, ...], storage_options: dict[str, Any]) -> Discovery:
    """Every object under the URL prefix (recursively) whose name matches a pattern, with its
    size, mtime and ETag; when the listing fails, no object and the reason (which blocks
    --prune, as a folder that cannot be listed does)."""
    root = source_root(url, storage_options)
    try:
        fs, top = filesystem(url, storage_options)
        listing = fs.find(top, detail=True)
    except ImportError as exc:
        return _unlisted(root, f"no filesystem for this URL ({exc}): install the package named")
    except ValueError as exc:
        return _unlisted(root, f"{exc}: give a URL such as s3://bucket/prefix, or a folder")
    except Exception as exc:  # noqa: BLE001 - a store fails in many ways; each is recorded
        return _unlisted(
            root,
            f"could not list the objects under it ({type(exc).__name__}: {exc}): check the"
            " URL, the endpoint and the credentials in the environment",
        )
    if top in listing and listing[top].get("type") != "directory":
        return _unlisted(
            root, "--input is one object, not a prefix: give the prefix that holds the articles"
        )
    matches = name_matcher(patterns)
    under = top + "/"
    rows = [
        (fs.unstrip_protocol(name), int(info["size"]), _mtime_us(info), _etag(info))
        for name, info in sorted(listing.items())
        if info.get("type") != "directory"
        and name.startswith(under)
        and matches(name.rpartition("/")[2])
    ]
    return Discovery(files=_found_frame(rows), unlisted=pl.DataFrame(schema=UNLISTED_SCHEMA))


def _unlisted(root: str, problem: str) -> Discovery:
    """The discovery of a URL that could not be listed: nothing, and why."""
    reason = (
        f"{root}: {problem}; the objects under it were not looked at and none of their rows"
        f" is pruned; {_RETRY}"
    )
    return Discovery(
        files=pl.DataFrame(schema=FOUND_SCHEMA),
        unlisted=pl.DataFrame([(root, reason)], schema=UNLISTED_SCHEMA, orient="row"),
    )


def _found_frame(rows: list[tuple[str, int, int | None, str | None]]) -> pl.DataFrame:
    """(URL, size, mtime in microseconds, ETag) rows as a FOUND_SCHEMA frame."""
    urls, sizes, mtimes, etags = zip(*rows, strict=True) if rows else ((),) * 4
    return pl.DataFrame(
        [
            pl.Series("path", urls, dtype=pl.String),
            pl.Series("size_bytes", sizes, dtype=pl.Int64),
            pl.Series("modified_at", mtimes, dtype=pl.Int64).cast(pl.Datetime("us")),
            pl.Series("etag", etags, dtype=pl.String),
            pl.Series("problem", [None] * len(urls), dtype=pl.String),
        ]
    )


def _mtime_us(info: dict[str, Any]) -> int:
    """An object's modification time, in microseconds since 1970 (UTC), as its store lists it."""
    # s3fs: LastModified; gcsfs: updated; adlfs: last_modified; others: mtime or created.
    for key in ("LastModified", "last_modified", "updated", "mtime", "created"):
        value = info.get(key)
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return (value - _EPOCH) // _ONE_US
        if isinstance(value, int | float):
            return round(value * 1_000_000)
    return 0  # a store that gives no time: 1970, and the size and ETag tell changes


def _etag(info: dict[str, Any]) -> str | None:
    """An object's ETag as its store lists it, without the quotes S3 puts around it."""
    value = info.get("ETag", info.get("etag"))
    return str(value).strip('"') if value is not None else None


def read_objects(
    files: pl.DataFrame,
    known_sha: dict[str, str],
    *,
    url: str,
    storage_options: dict[str, Any],
    input_format: str,
    reference_date: date | None,
    max_file_bytes: int,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(ledger rows, articles, unchanged files) for listed objects under url, as
    stages.read_files gives for local files; a bad object gets a reason."""
    fs, _ = filesystem(url, storage_options)
    return parse_reads(
        _fetch_batches(fs, files, max_file_bytes),
        known_sha,
        input_format=input_format,
        reference_date=reference_date,
    )


def _fetch_batches(fs: Any, files: pl.DataFrame, max_file_bytes: int) -> Iterator[list[FileRead]]:
    """Every listed object read (or why not), in batches of about _FETCH_BATCH_BYTES listed."""
    batch: list[tuple[str, int, int, str | None, str | None]] = []
    held = 0
    for row in zip(
        files.get_column("path").to_list(),
        files.get_column("size_bytes").to_list(),
        files.get_column("modified_at").dt.epoch("us").to_list(),
        files.get_column("etag").to_list(),
        refusals(files, max_file_bytes),
        strict=True,
    ):
        batch.append(row)
        held += row[1] if row[4] is None else 0
        if held >= _FETCH_BATCH_BYTES:
            yield _fetch(fs, batch, max_file_bytes)
            batch, held = [], 0
    yield _fetch(fs, batch, max_file_bytes)


def _fetch(
    fs: Any, listed: list[tuple[str, int, int, str | None, str | None]], max_file_bytes: int
) -> list[FileRead]:
    """Listed objects (URL, size, mtime in µs, ETag, why refused) read together, each at most
    max_file_bytes + 1 bytes: their bytes and hash, or why nothing was read."""
    wanted = [i for i, (_, size, _, _, refused) in enumerate(listed) if refused is None and size]
    fetched = dict(
        zip(
            wanted,
            fs.cat_ranges(
                [fs._strip_protocol(listed[i][0]) for i in wanted],
                [0] * len(wanted),
                [max_file_bytes + 1] * len(wanted),  # the end is exclusive
                on_error="return",
            )
            if wanted
            else [],
            strict=True,
        )
    )
    # An empty object needs no request (a range of it is refused with 416).
    return [
        _take(fs, row, fetched.get(i, b""), max_file_bytes) if row[4] is None else _refused(row)
        for i, row in enumerate(listed)
    ]


def _refused(row: tuple[str, int, int, str | None, str | None]) -> FileRead:
    url, _, mtime, _, refused = row
    return FileRead(url, mtime, reason=refused)


def _take(
    fs: Any,
    row: tuple[str, int, int, str | None, str | None],
    data: bytes | BaseException,
    max_file_bytes: int,
) -> FileRead:
    """One listed object as read: its bytes and their hash, or why nothing was read."""
    url, size, mtime, etag, _ = row
    if isinstance(data, BaseException):
        exc = data if isinstance(data, OSError) else OSError(f"{type(data).__name__}: {data}")
        return FileRead(url, mtime, reason=unreadable_reason(url, exc, is_link=False))
    if len(data) > max_file_bytes:
        return FileRead(
            url,
            mtime,
            reason=grown_reason(url, size, _size_now(fs, url, len(data)), max_file_bytes),
        )
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != size:
        # Replaced since it was listed. An object is written whole, so the bytes read are one
        # complete version: loaded, with no ETag, as its version is not known; the next run
        # reads it again and records the ETag it lists.
        note = f"changed after it was listed ({size:,} bytes listed, {len(data):,} read)"
        return FileRead(url, mtime, len(data), digest, data, None, (note,))
    return FileRead(url, mtime, size, digest, data, None, (), etag)


def _size_now(fs: Any, url: str, read: int) -> int:
    """The object's size now, for the message about an object over the limit (read: at least)."""
    try:
        return int(fs.info(fs._strip_protocol(url))["size"])
    except Exception:  # noqa: BLE001 - only a message's number depends on it
        return read
