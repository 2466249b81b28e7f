"""The Prefect flow: discover -> plan -> read -> transform -> dedupe -> load -> export -> summarise.

Each stage is a small task. The per-batch ones run in flows/pump.py: read and transform (one
task) on the flow's task runner, a few batches ahead; dedupe and load in order, here, on the
run's write connection.
"""

import inspect
import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import duckdb
import polars as pl
from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.task_runners import ThreadPoolTaskRunner

from flows import stages
from flows.progress import Progress
from flows.pump import Pending, Pump
from gazetteer import load_gazetteer
from transforms import ledger
from transforms.engine import ENGINE
from transforms.pipeline import transform_articles
from warehouse import db, queries, sources
from warehouse.export import export_warehouse
from warehouse.locks import run_lock
from wirehouse.settings import Settings, flow_signature, is_url
from wirehouse.terminal import printable

Logger = logging.Logger | logging.LoggerAdapter
P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class RunSummary:
    """Counts of one run, for logs, the artifact and the command's exit status."""

    files_seen: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_duplicate: int = 0
    files_rejected: int = 0
    folders_unlisted: int = 0
    articles: int = 0
    sentences: int = 0
    mentions: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    # Folders under the input that could not be listed: (folder, reason).
    unlisted: list[tuple[str, str]] = field(default_factory=list)
    prune_skipped: str | None = None  # why --prune removed nothing, when it did not run
    top_countries: list[tuple[str, str, int]] = field(default_factory=list)
    export_dir: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage
    raw_bytes: int = 0  # bytes of the files read this run
    workers: set[str] = field(default_factory=set)  # host:pid of every process that read a batch

    def add_time(self, stage: str, seconds: float) -> None:
        """Accumulate wall time spent in a stage."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def add(self, counts: ledger.BatchCounts) -> None:
        """Add one loaded batch's counts."""
        self.files_unchanged += counts.files_unchanged
        self.files_loaded += counts.files_loaded
        self.files_duplicate += counts.files_duplicate
        self.files_rejected += counts.files_rejected
        self.rejected += list(counts.rejected.iter_rows())
        self.articles += counts.articles
        self.sentences += counts.sentences
        self.mentions += counts.mentions
        self.raw_bytes += counts.raw_bytes

    def markdown(self) -> str:
        """The run summary as a Prefect markdown artifact."""
        lines = [
            "# wirehouse run",
            "",
            "| files seen | unchanged | loaded | duplicate | rejected |"
            " articles | sentences | mentions |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {self.files_seen} | {self.files_unchanged} | {self.files_loaded} |"
            f" {self.files_duplicate} | {self.files_rejected} | {self.articles} |"
            f" {self.sentences} | {self.mentions} |",
            "",
            "## Top countries (all loaded articles)",
            "",
            "| country | name | mentions |",
            "|---|---|---:|",
            *(f"| {code} | {name} | {count} |" for code, name, count in self.top_countries),
        ]
        if self.unlisted:
            lines += ["", "## Folders that could not be listed", ""]
            lines += [f"- {printable(reason)}" for _, reason in self.unlisted[:50]]
        if self.prune_skipped:
            lines += ["", f"Nothing pruned: {printable(self.prune_skipped)}"]
        if self.rejected:
            lines += ["", "## Rejected files", ""]
            lines += [
                f"- `{printable(path)}`: {printable(reason)}" for path, reason in self.rejected[:50]
            ]
        if self.export_dir:
            lines += ["", f"Exported to `{printable(self.export_dir)}`."]
        return "\n".join(lines)


@contextmanager
def timed(summary: RunSummary, stage: str) -> Iterator[None]:
    """Add the wall time of the block to the summary's stage timings."""
    started = time.perf_counter()
    try:
        yield
    finally:
        summary.add_time(stage, time.perf_counter() - started)


def crash_point(settings: Settings, point: str) -> None:
    """Test hook: SIGKILL this process at the named point when settings.crash_at names it."""
    if settings.crash_at == point:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class ReadBatch:
    """What reading one batch of files produced."""

    files: pl.DataFrame  # LEDGER_SCHEMA: one row per file read
    articles: pl.DataFrame  # ARTICLE_SCHEMA
    unchanged: pl.DataFrame  # files whose bytes had not changed: their new size and mtime
    seconds: float
    worker: str  # host:pid that read it


@dataclass
class BatchResult:
    """One batch of files read and transformed; once deduplicated, the rows its load writes."""

    files: pl.DataFrame
    articles: pl.DataFrame
    sentences: pl.DataFrame
    mentions: pl.DataFrame
    entities: pl.DataFrame
    unchanged: pl.DataFrame
    seconds: dict[str, float]
    worker: str = ""  # host:pid that read and transformed it
    demoted: pl.DataFrame | None = None  # DEMOTED_SCHEMA, set by dedupe
    copies: pl.DataFrame | None = None  # COPY_SCHEMA, set by dedupe

    def release_frames(self) -> None:
        """Drop the frames once loaded. Prefect keeps every task's final state, result
        included, for the rest of the flow run (to link results to the tasks that made
        them), so a loaded batch still held here would keep memory growing with the corpus
        (the batch as made and as deduplicated both); that is also why the load task returns
        nothing."""
        for name in ("files", "articles", "sentences", "mentions", "entities", "unchanged"):
            setattr(self, name, getattr(self, name).clear())
        self.demoted = self.copies = None


@dataclass(frozen=True)
class Runner:
    """Calls each stage as a Prefect task, or (as_tasks=False: tests, tests/helpers/run_plain.py)
    as the plain function beneath it, with no Prefect involved. Plain functions submitted run
    on pool, threads as the flow's default task runner has, or, with no pool, at once."""

    as_tasks: bool = True
    pool: Executor | None = None

    def __call__(self, stage: Task[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the stage here; its result."""
        return stage(*args, **kwargs) if self.as_tasks else stage.fn(*args, **kwargs)

    def submit(self, stage: Task[P, R], *args: P.args, **kwargs: P.kwargs) -> Pending[R]:
        """Start the stage on the flow's task runner (a Prefect future); as a plain function,
        on the pool, or run it now (a future already done)."""
        if self.as_tasks:
            return stage.submit(*args, **kwargs)
        if self.pool is not None:
            return self.pool.submit(stage.fn, *args, **kwargs)
        done: Future[R] = Future()
        done.set_result(stage.fn(*args, **kwargs))
        return done


@task(cache_policy=NO_CACHE)
def discover(
    input_dir: Path | str,
    patterns: tuple[str, ...],
    follow_symlinks: str = "inside",
    storage_options: dict[str, object] | None = None,
) -> stages.Discovery:
    """Find the article files under the input folder (or objects under the input URL), and the
    folders that could not be listed or followed."""
    return stages.discover(input_dir, patterns, follow_symlinks, storage_options)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def prepare_warehouse(settings: Settings, unlisted: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Migrate the warehouse, refresh reference data, adopt files recorded by an older release
    and record the folders that could not be listed; return the file ledger and the next load id."""
    # The gazetteer is loaded here, not passed in: Prefect would walk its word sets entry by
    # entry looking for futures (see read_and_transform).
    gazetteer = load_gazetteer()
    prefix = stages.source_prefix(settings.input_dir, settings.storage_options)
    with db.connect(settings.db_path, wait_seconds=settings.lock_wait_seconds) as con:
        db.migrate(con)
        db.refresh_reference(con, gazetteer.countries, gazetteer.entities)
        adopted = sources.adopt_relative_paths(con, prefix, _logger().warning)
        if adopted:
            _logger().info(
                "%d files recorded by an earlier release now have full paths under %s",
                adopted,
                prefix,
            )
        sources.record_unlisted(con, prefix, unlisted)
        return db.ledger(con), db.next_load_id(con)


@task(cache_policy=NO_CACHE)
def plan(settings: Settings, discovery: stages.Discovery, known: pl.DataFrame) -> ledger.Plan:
    """The files to read, the hashes the content-hash shortcut may trust and, with --prune, the
    files gone from the input folder (or why none is removed)."""
    skipped = None
    if settings.prune_missing:
        skipped = ledger.why_not_prune(
            discovery.files,
            discovery.unlisted,
            root=stages.source_root(settings.input_dir, settings.storage_options),
            input_dir=settings.input_dir,
        )
    pruning = settings.prune_missing and skipped is None
    return ledger.plan_run(
        discovery.files,
        known,
        prune_under=(
            stages.source_prefix(settings.input_dir, settings.storage_options) if pruning else None
        ),
        prune_skipped=skipped,
    )


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def prune(settings: Settings, gone: pl.DataFrame) -> None:
    """Remove the rows of the files gone from the input folder (gone: path)."""
    with db.connect(settings.db_path, wait_seconds=settings.lock_wait_seconds) as con:
        db.remove_files(con, gone.get_column("path").to_list())


def read(
    settings: Settings, files: pl.DataFrame, known_sha: pl.DataFrame, batch_no: int = 1
) -> ReadBatch:
    """Read one batch of files: their ledger rows and articles."""
    started = time.perf_counter()
    if is_url(settings.input_dir):
        from flows import objects  # fsspec is imported only for object storage

        # The objects are fetched here, by whichever worker runs this: only names travel.
        rows, articles, unchanged = objects.read_objects(
            files,
            dict(known_sha.iter_rows()),
            url=str(settings.input_dir),
            storage_options=settings.storage_options,
            input_format=settings.input_format,
            reference_date=settings.reference_date,
            max_file_bytes=settings.max_file_bytes,
        )
    else:
        rows, articles, unchanged = stages.read_files(
            files,
            dict(known_sha.iter_rows()),
            input_format=settings.input_format,
            reference_date=settings.reference_date,
            max_file_bytes=settings.max_file_bytes,
            links=stages.Links(settings.follow_symlinks, stages.source_root(settings.input_dir)),
        )
    seconds = time.perf_counter() - started
    crash_point(settings, f"read:{batch_no}")
    return ReadBatch(rows, articles, unchanged, seconds, f"{socket.gethostname()}:{os.getpid()}")


def transform(settings: Settings, batch: ReadBatch, batch_no: int = 1) -> BatchResult:
    """Split one batch's articles into sentences and find their mentions and entities."""
    started = time.perf_counter()
    result = transform_articles(
        batch.articles.lazy(),
        load_gazetteer(),  # cached per process, so Dask workers build it once
        include_dateline_mentions=settings.include_dateline_mentions,
    )
    articles, sentences, mentions, entities = pl.collect_all(list(result), engine=ENGINE)
    crash_point(settings, f"transform:{batch_no}")
    return BatchResult(
        files=batch.files,
        articles=articles,
        sentences=sentences,
        mentions=mentions,
        entities=entities,
        unchanged=batch.unchanged,
        seconds={"read": batch.seconds, "transform": time.perf_counter() - started},
        worker=batch.worker,
    )


@task(cache_policy=NO_CACHE)
def read_and_transform(
    settings: Settings, files: pl.DataFrame, known_sha: pl.DataFrame, batch_no: int = 1
) -> BatchResult:
    """Read one batch of files, then transform it: the unit of work a worker is sent.

    One task, not two: a batch's articles never travel between workers, no worker thread
    waits on another task's result, and two more task runs per batch (about 12 ms each,
    nested) slowed the Reuters run by about 4% (measured).

    known_sha (path, sha256) is a frame, not a dict: Prefect walks every dict, list and set
    among a task's arguments looking for futures, about 16 µs per entry, so a dict of a
    batch's 10,000 hashes cost 0.16 s per task (measured) and a frame costs nothing.
    """
    return transform(settings, read(settings, files, known_sha, batch_no), batch_no)


@contextmanager
def _writing(writer: db.HeldConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The run's write connection; given up on an error, so that a retry starts on a fresh one
    (the error may have left DuckDB's unusable)."""
    con = writer.connection()
    try:
        yield con
    except BaseException:
        writer.release()
        raise


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def dedupe(batch: BatchResult, writer: db.HeldConnection) -> BatchResult:
    """The batch as its load writes it, the texts already counted set aside: looked up on the
    run's write connection, so the loads of earlier batches count."""
    with _writing(writer) as con:
        hashes = batch.articles.get_column("content_hash").unique().to_list()
        loaded = db.known_hashes(con, hashes)
    rows = ledger.dedupe_batch(
        batch.files, batch.articles, batch.sentences, batch.mentions, batch.entities, loaded
    )
    return replace(batch, **rows._asdict())


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def load(
    settings: Settings,
    batch: BatchResult,
    writer: db.HeldConnection,
    batch_no: int = 1,
    run_first_load_id: int | None = None,
) -> None:
    """Load one deduplicated batch in one transaction on the run's write connection.

    run_first_load_id is given for the last load of a pass: its transaction also runs the
    run-wide checks.
    """
    rows = db.Batch(
        files=batch.files,
        articles=batch.articles,
        sentences=batch.sentences,
        mentions=batch.mentions,
        entities=batch.entities,
        demoted=batch.demoted,
        copies=batch.copies,
    )
    with _writing(writer) as con:
        db.load_batch(
            con,
            rows,
            before_commit=lambda: crash_point(settings, f"load:{batch_no}"),
            run_first_load_id=run_first_load_id,
        )
        if batch.unchanged.height:
            db.touch_files(con, batch.unchanged)


@task(cache_policy=NO_CACHE)
def copies_to_read_again(writer: db.HeldConnection, discovered: pl.DataFrame) -> pl.DataFrame:
    """The found files a load of this run marked to be read again, as to_read rows."""
    return ledger.marked_copies(discovered, db.marked_to_read_again(writer.connection()))


@task(cache_policy=NO_CACHE, retries=1)
def export(settings: Settings, out_dir: Path | str) -> Path | str:
    """Write the warehouse as Parquet for analysts (to a folder, or a URL prefix)."""
    return export_warehouse(
        settings.db_path,
        out_dir,
        force=settings.export_force,
        before_swap=lambda: crash_point(settings, "export"),
        storage_options=settings.storage_options,
    )


@task(cache_policy=NO_CACHE)
def summarise(settings: Settings) -> list[tuple[str, str, int]]:
    """The warehouse-wide top countries, for the run summary."""
    with db.connect(settings.db_path, locked=True, wait_seconds=settings.lock_wait_seconds) as con:
        return queries.top_countries(con)


def batches(frame: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    """The frame cut into consecutive slices of at most size rows."""
    return [frame.slice(offset, size) for offset in range(0, frame.height, max(size, 1))]


def _logger() -> Logger:
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("wirehouse")


def _warner(logger: Logger) -> Callable[[str], None]:
    """logger.warning for a message naming files, control characters escaped."""
    return lambda message: logger.warning("%s", printable(message))


def run_pipeline(settings: Settings, *, as_tasks: bool = True) -> RunSummary:
    """Bring the warehouse up to date; as_tasks=False calls the same stages as plain functions,
    batches read and transformed on settings.workers threads when that is more than one."""
    logger = _logger()
    with (
        run_lock(
            settings.db_path,
            wait=settings.if_running == "wait",
            timeout=settings.lock_wait_seconds,
            on_wait=_warner(logger),
        ),
        _plain_pool(settings.workers) if not as_tasks else nullcontext() as pool,
    ):
        return _pipeline(settings, Runner(as_tasks, pool), logger)


def _plain_pool(workers: int) -> ThreadPoolExecutor | nullcontext[None]:
    """workers threads for the batches of a run without Prefect; none for one worker."""
    return ThreadPoolExecutor(workers, "wirehouse-batch") if workers > 1 else nullcontext()


def _pipeline(settings: Settings, run: Runner, logger: Logger) -> RunSummary:
    """The stages of one run, in order."""
    summary = RunSummary()
    started = time.perf_counter()
    with timed(summary, "discover"):
        discovery = run(
            discover,
            settings.input_dir,
            settings.patterns,
            settings.follow_symlinks,
            settings.storage_options,
        )
    _note_discovery(summary, discovery, settings, logger)
    with timed(summary, "prepare"):
        known, first_load_id = run(prepare_warehouse, settings, discovery.unlisted)
        planned = run(plan, settings, discovery, known)
        if planned.gone.height:
            run(prune, settings, planned.gone)
    _note_plan(summary, discovery, planned, logger)
    # read -> transform, a few batches ahead; dedupe -> load, in order; then the re-read pass
    per_batch = Batches(settings, run, discovery.files, planned, first_load_id, summary, logger)
    per_batch.load_all()
    if settings.export_dir is not None:
        with timed(summary, "export"):
            summary.export_dir = str(run(export, settings, settings.export_dir))
        logger.info("export: Parquet written to %s", printable(summary.export_dir))
    with timed(summary, "summarise"):
        summary.top_countries = run(summarise, settings)
    summary.seconds["total"] = time.perf_counter() - started
    _note_done(summary, logger)
    return summary


def _note_discovery(
    summary: RunSummary, discovery: stages.Discovery, settings: Settings, logger: Logger
) -> None:
    summary.files_seen = discovery.files.height
    summary.unlisted = list(discovery.unlisted.iter_rows())
    summary.folders_unlisted = len(summary.unlisted)
    logger.info(
        "discover: %d files under %s", discovery.files.height, printable(settings.input_dir)
    )
    for _, reason in summary.unlisted:
        logger.warning("not listed: %s", printable(reason))


def _note_plan(
    summary: RunSummary, discovery: stages.Discovery, planned: ledger.Plan, logger: Logger
) -> None:
    summary.prune_skipped = planned.prune_skipped
    if planned.prune_skipped is not None:
        logger.warning("--prune: nothing pruned: %s", printable(planned.prune_skipped))
    summary.files_unchanged = discovery.files.height - planned.to_read.height
    logger.info(
        "plan: %d new or changed, %d unchanged", planned.to_read.height, summary.files_unchanged
    )


def _note_done(summary: RunSummary, logger: Logger) -> None:
    logger.info(
        "done: %d files seen, %d unchanged, %d loaded, %d duplicate, %d rejected",
        summary.files_seen,
        summary.files_unchanged,
        summary.files_loaded,
        summary.files_duplicate,
        summary.files_rejected,
    )


@dataclass
class Batches:
    """The per-batch stages of one run, as flows/pump.py calls them: make (read -> transform,
    on the task runner), load (dedupe -> load, here) and again (the re-read pass)."""

    settings: Settings
    run: Runner
    discovered: pl.DataFrame
    planned: ledger.Plan
    first_load_id: int
    summary: RunSummary
    logger: Logger

    def load_all(self) -> None:
        """Read, transform, dedupe and load the planned files, then the copies marked to be
        read again; count them into the summary."""
        settings = self.settings
        writer = db.HeldConnection(
            settings.db_path,
            hold_seconds=settings.write_hold_seconds,
            wait_seconds=settings.lock_wait_seconds,
            on_wait=_warner(self.logger),
        )
        pump = Pump(
            make=self.make,
            load=partial(self.load, writer),
            writer=writer,
            in_flight=settings.workers + 1,  # bounded: memory grows with batches in flight
            inline=not self.run.as_tasks,
            timer=partial(timed, self.summary),
        )
        to_read = self.planned.to_read
        progress = Progress(settings.progress, to_read.height, self.logger)
        try:
            again = partial(self.again, writer)
            with closing(pump.run(batches(to_read, settings.batch_size), again)) as loads:
                for made, batch in loads:
                    self.account(made, batch, progress)
        finally:
            progress.close()

    def make(self, batch_no: int, files: pl.DataFrame) -> Pending[BatchResult]:
        """Start reading and transforming one batch of files."""
        known_sha = self.planned.known_sha.join(files.select("path"), on="path", how="semi")
        return self.run.submit(read_and_transform, self.settings, files, known_sha, batch_no)

    def load(
        self, writer: db.HeldConnection, batch_no: int, made: BatchResult, is_last: bool
    ) -> tuple[BatchResult, BatchResult]:
        """Dedupe and load one made batch; the batch as made, and as loaded."""
        batch = self.run(dedupe, made, writer)
        first_load_id = self.first_load_id if is_last else None
        self.run(load, self.settings, batch, writer, batch_no, first_load_id)
        return made, batch

    def again(self, writer: db.HeldConnection) -> list[pl.DataFrame]:
        """The re-read pass, in batches: a load that deletes a text marks the files holding
        copies of it to be read again; those this run found are read now, so it ends with
        them counted."""
        again = self.run(copies_to_read_again, writer, self.discovered)
        if again.height:
            self.logger.info("re-read: %d copies of texts this run replaced", again.height)
            # Counted as unchanged when planned; those read twice are counted twice.
            unchanged = ledger.planned_as_unchanged(again, self.planned.to_read)
            self.summary.files_unchanged -= unchanged
        return batches(again, self.settings.batch_size)

    def account(self, made: BatchResult, batch: BatchResult, progress: Progress) -> None:
        """Count one loaded batch into the summary and the progress shown, log it, and free it."""
        counts = ledger.count_batch(batch.files, batch.unchanged, batch.sentences, batch.mentions)
        summary = self.summary
        summary.add(counts)
        for stage, seconds in batch.seconds.items():
            summary.add_time(stage, seconds)
        summary.workers.add(batch.worker)
        progress.advance(counts.files_done, counts.articles, counts.raw_bytes)
        self.logger.debug(
            "batch: %d files -> %d articles, %d sentences, %d mentions; %d rejected;"
            " %d of %d files done",
            made.files.height + made.unchanged.height,
            made.articles.height,
            made.sentences.height,
            made.mentions.height,
            counts.files_rejected,
            summary.files_loaded + summary.files_duplicate + summary.files_rejected,
            self.planned.to_read.height,
        )
        for _, reason in counts.rejected.iter_rows():
            self.logger.warning("rejected %s", printable(reason))
        made.release_frames()
        batch.release_frames()


def task_runner_for(settings: Settings):  # noqa: ANN201 - a Prefect TaskRunner
    """Threads on this machine by default; Dask when an address or a local cluster is asked for."""
    if settings.dask_address or settings.dask_local_workers:
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": settings.dask_local_workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    return ThreadPoolTaskRunner(max_workers=settings.workers)


def _takes_flow_settings(fn: Callable[..., R]) -> Callable[..., R]:
    """fn, with the flow's parameters as its signature: the settings a flow run takes, with
    their types and defaults (wirehouse/settings.py FLOW_SETTINGS), as Prefect validates,
    shows and deploys them."""
    returns = inspect.signature(fn).return_annotation
    fn.__signature__ = flow_signature().replace(return_annotation=returns)  # type: ignore[attr-defined]
    return fn


@flow(name="wirehouse-ingest", log_prints=False)
@_takes_flow_settings
def ingest(**parameters: Any) -> RunSummary:
    """Bring the warehouse up to date with the article files under input_dir."""
    summary = run_pipeline(Settings.from_flow_parameters(parameters))
    create_markdown_artifact(
        key="wirehouse-run-summary", markdown=summary.markdown(), description="wirehouse run"
    )
    return summary


def run_flow(settings: Settings) -> RunSummary:
    """Run the flow once with the task runner the settings ask for."""
    # Absolute paths, so Dask workers with another working directory find the same files
    # (a URL names the same objects anywhere).
    input_dir = settings.input_dir
    absolute = settings.with_overrides(
        input_dir=input_dir if is_url(input_dir) else Path(input_dir).resolve(),
        db_path=settings.db_path.resolve(),
    )
    runner = task_runner_for(settings)
    return ingest.with_options(task_runner=runner)(**absolute.flow_parameters())
