"""The one settings object, built at the entry point and passed down."""

from __future__ import annotations

import inspect
import os
import re
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = Path("warehouse/news.duckdb")
FORMATS = ("auto", "kyodo", "plain", "jsonl")
# Which symbolic links under the input folder a run follows: those whose target is inside the
# folder (a drop folder shared with others cannot lead the run to /etc), every one, or none.
FOLLOW_SYMLINKS = ("inside", "all", "none")
# A URL's scheme: an fsspec protocol such as s3, gs or az (RFC 3986's syntax for schemes).
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# Schemes that name this machine's own files: read by the local path, with every local rule.
_LOCAL_SCHEMES = ("file", "local")


def location(value: str | Path) -> Path | str:
    """An input or export location as a run takes it: a local folder as a Path (a file:// URL
    included), any other URL (s3://bucket/prefix, gs://..., az://...) as the text given.

    A URL cannot be a Path: Path("s3://bucket") would fold the two slashes into one.
    """
    if isinstance(value, Path):
        return value
    match = _URL.match(value)
    if match is None:
        return Path(value)
    if match.group(1).lower() in _LOCAL_SCHEMES:
        return Path(value[match.end() :] or "/")
    return value


def is_url(value: str | Path | None) -> bool:
    """Whether a location (see location) is in object storage rather than a local folder."""
    return isinstance(value, str) and _URL.match(value) is not None


def default_workers() -> int:
    """Batches read and transformed at once by default: one per core.

    Measured on 2 cores, one worker was 5-6% faster than two (polars already spreads a
    batch's transform over both cores and the loader wants one), but it lowered the 100,000-
    article peak RSS more than the 1,000,000-article one, whose discovery and ledger frames
    weigh ~150-250 MiB more: peaks differed by +24% to +31% over three runs with one worker,
    +17% with two, against the 30% the scale target allows. So one per core, as before.
    """
    return os.cpu_count() or 2


@dataclass(frozen=True)
class Settings:
    """Everything a run needs; environment variables only fill the defaults."""

    # A local folder, or an fsspec URL (str) of objects: see location.
    input_dir: Path | str = Path("samples/articles")
    db_path: Path = DEFAULT_DB
    export_dir: Path | str | None = None
    reference_date: date | None = None
    input_format: str = "auto"
    max_file_bytes: int = 20 * 1024 * 1024
    batch_size: int = 10_000
    include_dateline_mentions: bool = False
    workers: int = field(default_factory=default_workers)
    dask_address: str | None = None
    dask_local_workers: int = 0
    lock_wait_seconds: float = 600.0
    # How long a run keeps the warehouse open for writing before it checkpoints and lets
    # readers in (warehouse/db.py HeldConnection); 0 gives it up after every batch.
    write_hold_seconds: float = 5.0
    export_force: bool = False
    if_running: str = "wait"  # wait | fail: what a run does while another run holds the warehouse
    prune_missing: bool = False  # remove the rows of files no longer under input_dir
    progress: str = "log"  # bar (a terminal) | log (plain lines, CI) | off (--quiet)
    crash_at: str | None = None  # test hook, e.g. "load:2": SIGKILL this process there
    strict: bool = False
    patterns: tuple[str, ...] = field(default=("*.txt", "*.jsonl", "*.ndjson", "*.json"))
    follow_symlinks: str = "inside"  # one of FOLLOW_SYMLINKS
    # fsspec storage options for URL locations (e.g. {"endpoint_url": ...}). Credentials
    # belong in each machine's environment (AWS_ACCESS_KEY_ID...), not here: a deployment's
    # parameters are stored by the Prefect server.
    storage_options: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Flow parameters and callers may give a location as text: a URL stays text, a folder
        # becomes a Path, so every stage can tell them apart by type (is_url).
        object.__setattr__(self, "input_dir", location(self.input_dir))
        if self.export_dir is not None:
            object.__setattr__(self, "export_dir", location(self.export_dir))

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with the non-None changes applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def flow_parameters(self) -> dict[str, object]:
        """These settings as the ingest flow's parameters (FLOW_SETTINGS), by parameter name."""
        parameters = {name: getattr(self, name) for name in FLOW_SETTINGS}
        parameters["max_file_mb"] = parameters.pop("max_file_bytes") / _MIB
        return parameters

    @classmethod
    def from_flow_parameters(cls, parameters: Mapping[str, object]) -> Settings:
        """The settings of a flow run: its parameters, defaults where they are None (or,
        for workers, 0, which deployments made before it could be None still store)."""
        changes = dict(parameters)
        if changes.get("max_file_mb") is not None:
            changes["max_file_bytes"] = int(float(changes["max_file_mb"]) * _MIB)
        changes.pop("max_file_mb", None)
        if changes.get("workers") == 0:
            changes["workers"] = None
        return cls().with_overrides(**changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Defaults, overridden by WIREHOUSE_* variables where set."""
        env = os.environ if env is None else env
        base = cls()
        changes: dict[str, object] = {}
        if "WIREHOUSE_INPUT" in env:
            changes["input_dir"] = location(env["WIREHOUSE_INPUT"])
        if "WIREHOUSE_DB" in env:
            changes["db_path"] = Path(env["WIREHOUSE_DB"])
        if "WIREHOUSE_MAX_FILE_MB" in env:
            changes["max_file_bytes"] = int(float(env["WIREHOUSE_MAX_FILE_MB"]) * 1024 * 1024)
        if "WIREHOUSE_CRASH_AT" in env:
            changes["crash_at"] = env["WIREHOUSE_CRASH_AT"]
        if "WIREHOUSE_DASK_ADDRESS" in env:
            changes["dask_address"] = env["WIREHOUSE_DASK_ADDRESS"]
        return base.with_overrides(**changes)


# The settings a run of the ingest flow takes as parameters (flows/ingest.py): its deployments
# and schedules set them. The others say how this process runs the flow (dask_*: its task
# runner), only decide the command's exit status (strict), are set by no command yet
# (export_force) or by none at all (patterns).
FLOW_SETTINGS = (
    "input_dir",
    "db_path",
    "export_dir",
    "reference_date",
    "input_format",
    "max_file_bytes",
    "batch_size",
    "include_dateline_mentions",
    "workers",
    "lock_wait_seconds",
    "write_hold_seconds",
    "if_running",
    "prune_missing",
    "progress",
    "crash_at",
    "follow_symlinks",
    "storage_options",
)


# Deployments give the file-size cap in MiB, as the command line does (--max-file-mb).
_MIB = 1024 * 1024


def flow_signature() -> inspect.Signature:
    """The ingest flow's parameters: FLOW_SETTINGS, keyword-only, with their types and defaults
    (None for a default worked out where the run happens, such as workers)."""
    types = typing.get_type_hints(Settings)
    defaults = {setting.name: setting.default for setting in fields(Settings)}
    parameters = []
    for name in FLOW_SETTINGS:
        default, annotation = defaults[name], types[name]
        if default is MISSING:
            default, annotation = None, annotation | None
        if name == "max_file_bytes":
            name, default, annotation = "max_file_mb", default / _MIB, float
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    return inspect.Signature(parameters)
