"""The Prefect flow: discover -> read -> transform -> load -> export, one batch of files at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError

from flows import stages
from gazetteer import Gazetteer, load_gazetteer
from transforms.ledger import mark_duplicates, plan_reads
from transforms.pipeline import transform_articles
from warehouse import db
from warehouse.export import export_warehouse
from wirehouse.settings import Settings


@dataclass
class RunSummary:
    """Counts of one run, for logs, the artifact and the command's exit status."""

    files_seen: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_duplicate: int = 0
    files_rejected: int = 0
    articles: int = 0
    sentences: int = 0
    mentions: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    top_countries: list[tuple[str, str, int]] = field(default_factory=list)
    export_dir: str | None = None

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
        if self.rejected:
            lines += ["", "## Rejected files", ""]
            lines += [f"- `{path}`: {reason}" for path, reason in self.rejected[:50]]
        if self.export_dir:
            lines += ["", f"Exported to `{self.export_dir}`."]
        return "\n".join(lines)


@task(cache_policy=NO_CACHE)
def discover(input_dir: Path, patterns: tuple[str, ...]) -> pl.DataFrame:
    """Find the article files under the input folder."""
    return stages.discover_files(input_dir, patterns)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def prepare_warehouse(settings: Settings, gazetteer: Gazetteer) -> pl.DataFrame:
    """Migrate the warehouse, refresh reference data, and return the file ledger."""
    with db.connect(settings.db_path) as con:
        db.migrate(con)
        db.refresh_reference(con, gazetteer.countries, gazetteer.entities)
        return db.ledger(con)


@task(cache_policy=NO_CACHE)
def read(
    settings: Settings, files: pl.DataFrame, known_sha: dict[str, str]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Read one batch of files into ledger rows, articles and the files found unchanged."""
    return stages.read_files(
        settings.input_dir,
        files,
        known_sha,
        input_format=settings.input_format,
        reference_date=settings.reference_date,
        max_file_bytes=settings.max_file_bytes,
    )


@task(cache_policy=NO_CACHE)
def transform(
    settings: Settings, articles: pl.DataFrame, gazetteer: Gazetteer
) -> list[pl.DataFrame]:
    """Articles (with dateline countries), sentences, mentions and new entities of one batch."""
    result = transform_articles(
        articles.lazy(), gazetteer, include_dateline_mentions=settings.include_dateline_mentions
    )
    return pl.collect_all(list(result))


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def load(
    settings: Settings,
    files: pl.DataFrame,
    articles: pl.DataFrame,
    sentences: pl.DataFrame,
    mentions: pl.DataFrame,
    entities: pl.DataFrame,
    unchanged: pl.DataFrame,
) -> pl.DataFrame:
    """Load one batch in one transaction; returns the ledger rows as written."""
    with db.connect(settings.db_path) as con:
        loaded = db.known_hashes(con, articles.get_column("content_hash").unique().to_list())
        # This batch's files are about to replace their own rows: they cannot be originals.
        loaded = loaded.join(
            files.select(pl.col("path").alias("source_path")), on="source_path", how="anti"
        )
        files, kept = mark_duplicates(files, articles, loaded)
        kept_ids = kept.select("article_id")
        batch = db.Batch(
            files=files,
            articles=kept,
            sentences=sentences.join(kept_ids, on="article_id", how="semi"),
            mentions=mentions.join(kept_ids, on="article_id", how="semi"),
            entities=entities,
        )
        db.load_batch(con, batch)
        if unchanged.height:
            db.touch_files(con, unchanged)
    return files


@task(cache_policy=NO_CACHE, retries=1)
def export(settings: Settings, out_dir: Path) -> Path:
    """Write the warehouse as Parquet for analysts."""
    return export_warehouse(settings.db_path, out_dir)


@task(cache_policy=NO_CACHE)
def summarise(settings: Settings, summary: RunSummary) -> RunSummary:
    """Add warehouse-wide top countries to the summary."""
    with db.connect(settings.db_path, read_only=True) as con:
        summary.top_countries = con.execute(
            "select country_code, any_value(country_name), sum(mention_count)::bigint as n"
            " from country_mentions_daily group by country_code order by n desc, country_code"
            " limit 10"
        ).fetchall()
    return summary


def batches(frame: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    """The frame cut into consecutive slices of at most size rows."""
    return [frame.slice(offset, size) for offset in range(0, frame.height, max(size, 1))]


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("wirehouse")


def run_pipeline(settings: Settings, *, as_tasks: bool = True) -> RunSummary:
    """Bring the warehouse up to date; as_tasks=False calls the same steps as plain functions."""

    def step(t: Task) -> Callable:  # type: ignore[type-arg]
        return t if as_tasks else t.fn

    logger = _logger()
    summary = RunSummary()
    gazetteer = load_gazetteer()
    discovered = step(discover)(settings.input_dir, settings.patterns)
    summary.files_seen = discovered.height
    logger.info("discover: %d files under %s", discovered.height, settings.input_dir)
    known = step(prepare_warehouse)(settings, gazetteer)
    to_read = plan_reads(discovered, known)
    summary.files_unchanged = discovered.height - to_read.height
    logger.info("plan: %d new or changed, %d unchanged", to_read.height, summary.files_unchanged)
    forced = set(to_read.filter(pl.col("is_forced")).get_column("path").to_list())
    known_sha = {
        path: sha
        for path, sha in known.select("path", "sha256").drop_nulls().iter_rows()
        if path not in forced
    }
    for number, files in enumerate(batches(to_read, settings.batch_size), start=1):
        ledger_rows, articles, unchanged = step(read)(settings, files, known_sha)
        summary.files_unchanged += unchanged.height
        articles, sentences, mentions, entities = step(transform)(settings, articles, gazetteer)
        written = step(load)(
            settings, ledger_rows, articles, sentences, mentions, entities, unchanged
        )
        loaded = written.filter(pl.col("status") == "loaded")
        kept_ids = articles.join(
            loaded.select(pl.col("path").alias("source_path")), on="source_path", how="semi"
        )
        summary.files_loaded += loaded.height
        summary.files_duplicate += written.filter(pl.col("status") == "duplicate").height
        rejected = written.filter(pl.col("status") == "rejected").select("path", "reason")
        summary.files_rejected += rejected.height
        summary.rejected += list(rejected.iter_rows())
        summary.articles += int(written.get_column("article_count").sum())
        summary.sentences += sentences.join(kept_ids, on="article_id", how="semi").height
        summary.mentions += mentions.join(kept_ids, on="article_id", how="semi").height
        logger.info(
            "batch %d: %d files read -> %d articles, %d sentences, %d mentions;"
            " %d loaded, %d duplicate, %d rejected, %d unchanged",
            number,
            files.height,
            articles.height,
            sentences.height,
            mentions.height,
            loaded.height,
            written.height - loaded.height - rejected.height,
            rejected.height,
            unchanged.height,
        )
        for _, reason in rejected.iter_rows():
            logger.warning("rejected %s", reason)
    if settings.export_dir is not None:
        summary.export_dir = str(step(export)(settings, settings.export_dir))
        logger.info("export: Parquet written to %s", summary.export_dir)
    summary = step(summarise)(settings, summary)
    logger.info(
        "done: %d files seen, %d unchanged, %d loaded, %d duplicate, %d rejected",
        summary.files_seen,
        summary.files_unchanged,
        summary.files_loaded,
        summary.files_duplicate,
        summary.files_rejected,
    )
    return summary


@flow(name="wirehouse-ingest", log_prints=False)
def ingest(
    input_dir: Path = Path("samples/articles"),
    db_path: Path = Path("warehouse/news.duckdb"),
    reference_date: date | None = None,
    input_format: str = "auto",
    export_dir: Path | None = None,
    batch_size: int = 500,
    max_file_mb: float = 20.0,
    include_dateline_mentions: bool = False,
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
    )
    summary = run_pipeline(settings)
    create_markdown_artifact(
        key="wirehouse-run-summary", markdown=summary.markdown(), description="wirehouse run"
    )
    return summary
