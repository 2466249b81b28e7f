"""The Prefect flow: discover -> read -> transform -> load -> export, one batch of files at a time."""

import inspect
import logging
import os
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.task_runners import ThreadPoolTaskRunner

from flows import stages
from flows.progress import Progress
from gazetteer import load_gazetteer
from transforms.engine import ENGINE
from transforms.ledger import mark_duplicates, plan_reads
from transforms.pipeline import transform_articles
from warehouse import db, sources
from warehouse.export import export_warehouse
from warehouse.locks import run_lock
from wirehouse.settings import Settings, default_workers


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
            lines += [f"- {reason}" for _, reason in self.unlisted[:50]]
        if self.prune_skipped:
            lines += ["", f"Nothing pruned: {self.prune_skipped}"]
        if self.rejected:
            lines += ["", "## Rejected files", ""]
            lines += [f"- `{path}`: {reason}" for path, reason in self.rejected[:50]]
        if self.export_dir:
            lines += ["", f"Exported to `{self.export_dir}`."]
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
class BatchResult:
    """What reading and transforming one batch of files produced, ready to load."""

    files: pl.DataFrame
    articles: pl.DataFrame
    sentences: pl.DataFrame
    mentions: pl.DataFrame
    entities: pl.DataFrame
    unchanged: pl.DataFrame
    seconds: dict[str, float]
    worker: str = ""  # host:pid that read and transformed it
    written: pl.DataFrame | None = None  # the ledger rows as loaded (set by the load task)

    def release_frames(self) -> None:
        """Drop the frames once loaded. Prefect keeps every task's final state, result
        included, for the rest of the flow run (to link results to the tasks that made
        them), so a loaded batch still held here would keep memory growing with the corpus;
        that is also why the load task leaves its rows on the batch rather than returning them."""
        for name in ("files", "articles", "sentences", "mentions", "entities", "unchanged"):
            setattr(self, name, getattr(self, name).clear())
        self.written = None


@task(cache_policy=NO_CACHE)
def discover(input_dir: Path, patterns: tuple[str, ...]) -> stages.Discovery:
    """Find the article files under the input folder, and the folders that could not be listed."""
    return stages.discover(input_dir, patterns)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def prepare_warehouse(settings: Settings, unlisted: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Migrate the warehouse, refresh reference data, adopt files recorded by an older release
    and record the folders that could not be listed; return the file ledger and the next load id."""
    # The gazetteer is loaded here, not passed in: Prefect would walk its word sets entry by
    # entry looking for futures (see read_and_transform).
    gazetteer = load_gazetteer()
    prefix = stages.source_prefix(settings.input_dir)
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
def read_and_transform(
    settings: Settings, files: pl.DataFrame, known_sha: pl.DataFrame, batch_no: int = 1
) -> BatchResult:
    """Read one batch of files and transform its articles (one task, to keep orchestration cheap).

    known_sha (path, sha256) is a frame, not a dict: Prefect walks every dict, list and set
    among a task's arguments looking for futures, about 16 µs per entry, so a dict of a
    batch's 10,000 hashes cost 0.16 s per task (measured) and a frame costs nothing.
    """
    started = time.perf_counter()
    ledger_rows, articles, unchanged = stages.read_files(
        files,
        dict(known_sha.iter_rows()),
        input_format=settings.input_format,
        reference_date=settings.reference_date,
        max_file_bytes=settings.max_file_bytes,
    )
    read_done = time.perf_counter()
    crash_point(settings, f"read:{batch_no}")
    result = transform_articles(
        articles.lazy(),
        load_gazetteer(),  # cached per process, so Dask workers build it once
        include_dateline_mentions=settings.include_dateline_mentions,
    )
    articles, sentences, mentions, entities = pl.collect_all(list(result), engine=ENGINE)
    crash_point(settings, f"transform:{batch_no}")
    return BatchResult(
        files=ledger_rows,
        articles=articles,
        sentences=sentences,
        mentions=mentions,
        entities=entities,
        unchanged=unchanged,
        seconds={"read": read_done - started, "transform": time.perf_counter() - read_done},
        worker=f"{socket.gethostname()}:{os.getpid()}",
    )


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def load(
    settings: Settings,
    batch: BatchResult,
    writer: db.HeldConnection,
    batch_no: int = 1,
    run_first_load_id: int | None = None,
) -> None:
    """Load one batch in one transaction on the run's write connection; the ledger rows as
    written are left on the batch (batch.written).

    run_first_load_id is given for a run's last load: its transaction also runs the
    run-wide checks.
    """
    con = writer.connection()
    try:
        _load_on(con, settings, batch, batch_no, run_first_load_id)
    except BaseException:
        # A retry starts on a fresh connection, in case this error left DuckDB's unusable.
        writer.release()
        raise


def _load_on(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    batch: BatchResult,
    batch_no: int,
    run_first_load_id: int | None,
) -> None:
    articles = batch.articles
    files = batch.files
    loaded = db.known_hashes(con, articles.get_column("content_hash").unique().to_list())
    # This batch's files are about to replace their own rows: they cannot be originals.
    loaded = loaded.join(
        files.select(pl.col("path").alias("source_path")), on="source_path", how="anti"
    )
    files, kept, demoted, copies = mark_duplicates(files, articles, loaded)
    kept_ids = kept.select("article_id")
    db.load_batch(
        con,
        db.Batch(
            files=files,
            articles=kept,
            sentences=batch.sentences.join(kept_ids, on="article_id", how="semi"),
            mentions=batch.mentions.join(kept_ids, on="article_id", how="semi"),
            entities=batch.entities.join(kept_ids, on="article_id", how="semi"),
            demoted=demoted,
            copies=copies,
        ),
        before_commit=lambda: crash_point(settings, f"load:{batch_no}"),
        run_first_load_id=run_first_load_id,
    )
    if batch.unchanged.height:
        db.touch_files(con, batch.unchanged)
    batch.written = files


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def prune(
    settings: Settings, discovered: pl.DataFrame, known: pl.DataFrame, to_read: pl.DataFrame
) -> pl.DataFrame:
    """Remove the rows of files gone from the input; returns to_read plus their re-read duplicates.

    Only files under this run's input folder are candidates: another folder's files are not
    gone because this one does not hold them. The caller runs it only after a complete walk.
    """
    gone = known.filter(
        (pl.col("status") != "removed")
        & pl.col("path").str.starts_with(stages.source_prefix(settings.input_dir))
    ).join(discovered, on="path", how="anti")
    if gone.is_empty():
        return to_read
    with db.connect(settings.db_path, wait_seconds=settings.lock_wait_seconds) as con:
        db.remove_files(con, gone.get_column("path").to_list())
    copies = (
        known.explode("repeats")
        .filter(pl.col("repeats").is_in(gone.get_column("path").implode()))
        .select("path")
        .unique()
        .join(discovered, on="path", how="inner")
        .join(to_read, on="path", how="anti")
        .with_columns(pl.lit(True).alias("is_forced"))
    )
    return pl.concat([to_read, copies.select(to_read.columns)])


@task(cache_policy=NO_CACHE, retries=1)
def export(settings: Settings, out_dir: Path) -> Path:
    """Write the warehouse as Parquet for analysts."""
    return export_warehouse(
        settings.db_path,
        out_dir,
        force=settings.export_force,
        before_swap=lambda: crash_point(settings, "export"),
    )


@task(cache_policy=NO_CACHE)
def summarise(settings: Settings) -> list[tuple[str, str, int]]:
    """The warehouse-wide top countries, for the run summary."""
    with db.connect(
        settings.db_path, read_only=True, wait_seconds=settings.lock_wait_seconds
    ) as con:
        return con.execute(
            "select country_code, any_value(country_name), sum(mention_count)::bigint as n"
            " from country_mentions_daily group by country_code order by n desc, country_code"
            " limit 10"
        ).fetchall()


def batches(frame: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    """The frame cut into consecutive slices of at most size rows."""
    return [frame.slice(offset, size) for offset in range(0, frame.height, max(size, 1))]


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("wirehouse")


def _account(summary: RunSummary, batch: BatchResult, written: pl.DataFrame) -> pl.DataFrame:
    """Add one loaded batch to the summary; returns its rejected files."""
    loaded = written.filter(pl.col("status") == "loaded")
    kept_ids = batch.articles.join(
        loaded.select(pl.col("path").alias("source_path")), on="source_path", how="semi"
    )
    summary.files_unchanged += batch.unchanged.height
    summary.files_loaded += loaded.height
    summary.files_duplicate += written.filter(pl.col("status") == "duplicate").height
    rejected = written.filter(pl.col("status") == "rejected").select("path", "reason")
    summary.files_rejected += rejected.height
    summary.rejected += list(rejected.iter_rows())
    summary.articles += int(written.get_column("article_count").sum())
    summary.sentences += batch.sentences.join(kept_ids, on="article_id", how="semi").height
    summary.mentions += batch.mentions.join(kept_ids, on="article_id", how="semi").height
    summary.raw_bytes += int(written.get_column("size_bytes").fill_null(0).sum())
    for stage, seconds in batch.seconds.items():
        summary.add_time(stage, seconds)
    summary.workers.add(batch.worker)
    return rejected


def run_pipeline(settings: Settings, *, as_tasks: bool = True) -> RunSummary:
    """Bring the warehouse up to date; as_tasks=False calls the same steps as plain functions.

    Batches are read and transformed in parallel (as tasks, on the flow's task runner),
    at most a few ahead of the loader so memory stays bounded; one loader writes them
    in order, each in its own transaction.
    """

    logger = _logger()
    with run_lock(
        settings.db_path,
        wait=settings.if_running == "wait",
        timeout=settings.lock_wait_seconds,
        on_wait=logger.warning,
    ):
        return _run_locked(settings, as_tasks=as_tasks, logger=logger)


def _marked_to_read_again(con: duckdb.DuckDBPyConnection, discovered: pl.DataFrame) -> pl.DataFrame:
    """The discovered files that a load of this run marked to be read again, as to_read rows."""
    marked = db.marked_to_read_again(con)
    return discovered.join(marked, on="path", how="semi").with_columns(
        pl.lit(True).alias("is_forced")
    )


def _why_not_prune(settings: Settings, discovery: stages.Discovery) -> str | None:
    """Why --prune must remove nothing this run, or None when the walk proves what is gone."""
    if not discovery.is_complete:
        folders = discovery.unlisted.get_column("folder_path")
        if folders.to_list() == [stages.source_root(settings.input_dir)]:
            return discovery.unlisted.get_column("reason")[0]  # the input folder itself
        shown = ", ".join(folders.head(3).to_list()) + (", ..." if len(folders) > 3 else "")
        return (
            f"{len(folders)} folder(s) under {settings.input_dir} could not be listed ({shown});"
            " a file there may still exist, so no row is removed until every folder is listed"
        )
    if discovery.files.is_empty():
        return (
            f"no article file under {settings.input_dir}: an empty input folder is more often"
            " a wrong --input or an unmounted drive than a deletion; remove the rows of a folder"
            " you emptied on purpose by running with --prune once a file is back in it"
        )
    return None


def _run_locked(settings: Settings, *, as_tasks: bool, logger) -> RunSummary:  # noqa: ANN001
    def step(t: Task) -> Callable:  # type: ignore[type-arg]
        return t if as_tasks else t.fn

    summary = RunSummary()
    run_started = time.perf_counter()
    with timed(summary, "discover"):
        discovery = step(discover)(settings.input_dir, settings.patterns)
    discovered = discovery.files
    summary.files_seen = discovered.height
    summary.unlisted = list(discovery.unlisted.iter_rows())
    summary.folders_unlisted = len(summary.unlisted)
    logger.info("discover: %d files under %s", discovered.height, settings.input_dir)
    for _, reason in summary.unlisted:
        logger.warning("not listed: %s", reason)
    with timed(summary, "prepare"):
        known, first_load_id = step(prepare_warehouse)(settings, discovery.unlisted)
        to_read = plan_reads(discovered, known)
        if settings.prune_missing:
            summary.prune_skipped = _why_not_prune(settings, discovery)
            if summary.prune_skipped is None:
                to_read = step(prune)(settings, discovered, known, to_read)
            else:
                logger.warning("--prune: nothing pruned: %s", summary.prune_skipped)
    summary.files_unchanged = discovered.height - to_read.height
    logger.info("plan: %d new or changed, %d unchanged", to_read.height, summary.files_unchanged)
    forced = to_read.filter(pl.col("is_forced")).select("path")
    # The content-hash shortcut only skips files whose rows are in the warehouse now.
    known_sha = (
        known.filter(pl.col("status") != "removed")
        .select("path", "sha256")
        .drop_nulls()
        .join(to_read.select("path"), on="path", how="semi")
        .join(forced, on="path", how="anti")
    )
    pending: deque = deque()
    in_flight = settings.workers + 1  # bounded: memory grows with batches in flight
    progress = Progress(settings.progress, to_read.height, logger)

    def submit(batch_no: int, files: pl.DataFrame) -> None:
        shas = known_sha.join(files.select("path"), on="path", how="semi")
        if as_tasks:
            future = read_and_transform.submit(settings, files, shas, batch_no)
            ready = threading.Event()
            future.add_done_callback(lambda _: ready.set())
            pending.append((batch_no, future, ready))
        else:
            writer.release_if_due()  # the batch is made right here: let readers in first if due
            batch = read_and_transform.fn(settings, files, shas, batch_no)
            pending.append((batch_no, batch, None))

    # The batch whose transaction also runs the run-wide checks: the last one.
    total_batches = -(-to_read.height // max(settings.batch_size, 1))

    def drain_one() -> None:
        with timed(summary, "wait"):
            batch_no, item, ready = pending.popleft()
            # Keep the warehouse open for the next batch only while the hold lasts: waiting
            # longer with it open would keep readers out for as long as the batch takes.
            if ready is not None and not ready.wait(timeout=writer.seconds_left()):
                writer.release()
            batch = item.result() if ready is not None else item
        last = batch_no == total_batches
        with timed(summary, "load"):
            step(load)(settings, batch, writer, batch_no, first_load_id if last else None)
            written = batch.written
            writer.release_if_due()
        rejected = _account(summary, batch, written)
        progress.advance(
            written.height + batch.unchanged.height,
            int(written.get_column("article_count").sum()),
            int(written.get_column("size_bytes").fill_null(0).sum()),
        )
        logger.debug(
            "batch: %d files -> %d articles, %d sentences, %d mentions; %d rejected;"
            " %d of %d files done",
            batch.files.height + batch.unchanged.height,
            batch.articles.height,
            batch.sentences.height,
            batch.mentions.height,
            rejected.height,
            summary.files_loaded + summary.files_duplicate + summary.files_rejected,
            to_read.height,
        )
        for _, reason in rejected.iter_rows():
            logger.warning("rejected %s", reason)
        batch.release_frames()

    batch_no = 0

    def load_all(files_to_read: pl.DataFrame) -> None:
        """Read, transform and load the files in batches, a bounded number in flight."""
        nonlocal batch_no
        for files in batches(files_to_read, settings.batch_size):
            batch_no += 1
            submit(batch_no, files)
            if len(pending) >= in_flight:
                drain_one()
        while pending:
            drain_one()

    writer = db.HeldConnection(
        settings.db_path,
        hold_seconds=settings.write_hold_seconds,
        wait_seconds=settings.lock_wait_seconds,
        on_wait=logger.warning,
    )
    try:
        with writer:
            load_all(to_read)
            # A load that deletes a text marks the files holding copies of it to be read
            # again; those this run found are read now, so the run ends with them counted.
            again = _marked_to_read_again(writer.connection(), discovered)
            if again.height:
                logger.info("re-read: %d copies of texts this run replaced", again.height)
                # Counted as unchanged when planned; those read twice are counted twice.
                summary.files_unchanged -= again.join(to_read, on="path", how="anti").height
                total_batches += -(-again.height // max(settings.batch_size, 1))
                load_all(again)
            with timed(summary, "load"):
                writer.release()  # the last checkpoint, before export and summary read
    finally:
        progress.close()
    if settings.export_dir is not None:
        with timed(summary, "export"):
            summary.export_dir = str(step(export)(settings, settings.export_dir))
        logger.info("export: Parquet written to %s", summary.export_dir)
    with timed(summary, "summarise"):
        summary.top_countries = step(summarise)(settings)
    summary.seconds["total"] = time.perf_counter() - run_started
    logger.info(
        "done: %d files seen, %d unchanged, %d loaded, %d duplicate, %d rejected",
        summary.files_seen,
        summary.files_unchanged,
        summary.files_loaded,
        summary.files_duplicate,
        summary.files_rejected,
    )
    return summary


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


@flow(name="wirehouse-ingest", log_prints=False)
def ingest(
    input_dir: Path = Path("samples/articles"),
    db_path: Path = Path("warehouse/news.duckdb"),
    reference_date: date | None = None,
    input_format: str = "auto",
    export_dir: Path | None = None,
    batch_size: int = 10_000,
    max_file_mb: float = 20.0,
    include_dateline_mentions: bool = False,
    workers: int = 0,
    lock_wait_seconds: float = 600.0,
    write_hold_seconds: float = 5.0,
    if_running: str = "wait",
    prune_missing: bool = False,
    crash_at: str | None = None,
    progress: str = "log",
) -> RunSummary:
    """Bring the warehouse up to date with the article files under input_dir."""
    settings = Settings(
        input_dir=Path(input_dir),
        db_path=Path(db_path),
        reference_date=reference_date,
        input_format=input_format,
        export_dir=Path(export_dir) if export_dir else None,
        batch_size=batch_size,
        max_file_bytes=int(max_file_mb * 1024 * 1024),
        include_dateline_mentions=include_dateline_mentions,
        workers=workers or default_workers(),
        lock_wait_seconds=lock_wait_seconds,
        write_hold_seconds=write_hold_seconds,
        if_running=if_running,
        prune_missing=prune_missing,
        crash_at=crash_at,
        progress=progress,
    )
    summary = run_pipeline(settings)
    create_markdown_artifact(
        key="wirehouse-run-summary", markdown=summary.markdown(), description="wirehouse run"
    )
    return summary


def run_flow(settings: Settings) -> RunSummary:
    """Run the flow once with the task runner the settings ask for."""
    # The flow's parameters are Settings fields of the same name, but for two conversions.
    names = inspect.signature(ingest.fn).parameters
    parameters = {name: getattr(settings, name) for name in names if hasattr(settings, name)}
    parameters.update(
        # Absolute, so Dask workers with another working directory find the same files.
        input_dir=settings.input_dir.resolve(),
        db_path=settings.db_path.resolve(),
        max_file_mb=settings.max_file_bytes / 1_048_576,
    )
    return ingest.with_options(task_runner=task_runner_for(settings))(**parameters)
