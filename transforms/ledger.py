"""Decisions about files: which to read, which are gone, which repeat a loaded article, and
what one load adds to a run's counts."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import polars as pl


def plan_reads(discovered: pl.DataFrame, known: pl.DataFrame) -> pl.DataFrame:
    """Files to read: new, or size/mtime/ETag differ from the ledger, or the file they duplicate will change.

    Column is_forced marks duplicates re-read because their original changed: their own
    bytes did not, so the content-hash shortcut must not skip them.
    """
    changed = (
        discovered.join(
            known.select(
                "path",
                pl.col("size_bytes").alias("known_size"),
                pl.col("modified_at").alias("known_mtime"),
                pl.col("etag").alias("known_etag"),
            ),
            on="path",
            how="left",
        )
        .filter(
            pl.col("known_size").is_null()
            | (pl.col("known_size") != pl.col("size_bytes"))
            | (pl.col("known_mtime") != pl.col("modified_at"))
            # An object store's mtime is to the second: a rewrite of the same size within
            # it changes only the ETag. Both are null for local files.
            | pl.col("known_etag").ne_missing(pl.col("etag"))
        )
        .drop("known_size", "known_mtime", "known_etag")
    )
    # A copy repeats texts of one or more files (list column repeats, from duplicate_copies):
    # when any of them changes, the copy is read in the same run, as it may now be canonical.
    links = (
        known.select("path", "repeats")
        if "repeats" in known.columns
        else known.select("path", pl.col("duplicate_of").cast(pl.List(pl.String)).alias("repeats"))
    )
    copies = (
        links.explode("repeats")
        .filter(pl.col("repeats").is_in(changed.get_column("path").implode()))
        .select("path")
    )
    forced = discovered.join(copies, on="path", how="semi").join(changed, on="path", how="anti")
    return pl.concat(
        [
            changed.with_columns(pl.lit(False).alias("is_forced")),
            forced.with_columns(pl.lit(True).alias("is_forced")),
        ]
    )


class Deduplicated(NamedTuple):
    """A batch's files and articles once the texts already loaded are set aside."""

    files: pl.DataFrame  # the ledger rows, with status 'duplicate' where nothing is left
    kept: pl.DataFrame  # the articles to load
    demoted: pl.DataFrame  # DEMOTED_SCHEMA: loaded articles a copy in the batch outranks
    copies: pl.DataFrame  # COPY_SCHEMA: every text a file holds but does not count, per file


def mark_duplicates(
    files: pl.DataFrame, articles: pl.DataFrame, loaded: pl.DataFrame
) -> Deduplicated:
    """Files with their duplicate status, the articles to keep, the loaded ones to demote and
    the texts each file repeats.

    Of all articles with the same normalised text, in this batch and already loaded (loaded:
    content_hash, source_path, article_id), the canonical one has the smallest source_path,
    then the smallest article_id; the rest are not counted. So the warehouse holds the same
    canonical articles whatever order or runs the files arrive in: a file that sorts before
    the loaded copy takes its place, and the loaded copy is demoted (its rows deleted, its
    file marked duplicate) in the same transaction. Files left with no article are 'duplicate'.
    """
    files = files.drop("duplicate_of", strict=False)
    candidates = pl.concat(
        [
            articles.select("content_hash", "source_path", "article_id").with_columns(
                pl.lit(False).alias("is_loaded")
            ),
            loaded.select("content_hash", "source_path", "article_id").with_columns(
                pl.lit(True).alias("is_loaded")
            ),
        ]
    )
    ranked = candidates.sort("source_path", "article_id").with_columns(
        pl.col("source_path").first().over("content_hash").alias("canonical_path"),
        pl.col("article_id").first().over("content_hash").alias("canonical_id"),
    )
    is_copy = pl.col("article_id") != pl.col("canonical_id")
    dropped_here = ranked.filter(is_copy & ~pl.col("is_loaded"))
    demoted = ranked.filter(is_copy & pl.col("is_loaded")).select(
        "article_id", "source_path", pl.col("canonical_path").alias("duplicate_of")
    )
    kept = articles.join(dropped_here.select("article_id"), on="article_id", how="anti")
    dropped = dropped_here.group_by("source_path").agg(
        pl.col("canonical_path").min().alias("duplicate_of"), pl.len().alias("dropped_count")
    )
    kept_counts = kept.group_by("source_path").agg(pl.len().cast(pl.Int32).alias("kept_count"))
    updated = (
        files.join(dropped, left_on="path", right_on="source_path", how="left")
        .join(kept_counts, left_on="path", right_on="source_path", how="left")
        .with_columns(
            pl.when(pl.col("status") != "loaded")
            .then(pl.col("status"))
            .when(pl.col("kept_count").is_null() & pl.col("dropped_count").is_not_null())
            .then(pl.lit("duplicate"))
            .otherwise(pl.col("status"))
            .alias("status"),
            pl.when(pl.col("dropped_count").is_not_null())
            .then(duplicate_reason(pl.col("duplicate_of"), pl.col("reason")))
            .otherwise(pl.col("reason"))
            .alias("reason"),
            pl.when(pl.col("status") == "loaded")
            .then(pl.col("kept_count").fill_null(0))
            .otherwise(pl.lit(0, dtype=pl.Int32))
            .cast(pl.Int32)
            .alias("article_count"),
        )
        .drop("dropped_count", "kept_count")
    )
    copies = pl.concat(
        [
            dropped_here.select(
                pl.col("source_path").alias("path"),
                "content_hash",
                pl.col("canonical_path").alias("duplicate_of"),
            ),
            ranked.filter(is_copy & pl.col("is_loaded")).select(
                pl.col("source_path").alias("path"),
                "content_hash",
                pl.col("canonical_path").alias("duplicate_of"),
            ),
        ]
    ).unique()
    return Deduplicated(updated, kept, demoted, copies)


def duplicate_reason(duplicate_of: pl.Expr, notes: pl.Expr) -> pl.Expr:
    """The reason of a file with an article not counted: the canonical file, then any notes.

    warehouse/db.py writes the same text in SQL when it demotes a loaded file.
    """
    return pl.concat_str(
        pl.lit("same text as "),
        duplicate_of,
        pl.lit(" (already loaded); not counted twice"),
        pl.when(notes.is_not_null()).then(pl.lit("; ") + notes).otherwise(pl.lit("")),
    )


def gone_files(known: pl.DataFrame, discovered: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """The known files under the input folder that the walk did not find (column path).

    Only paths starting with prefix (the input folder's) are candidates: another folder's
    files are not gone because this one does not hold them.
    """
    return (
        known.filter((pl.col("status") != "removed") & pl.col("path").str.starts_with(prefix))
        .join(discovered, on="path", how="anti")
        .select("path")
    )


def copies_of_gone(
    known: pl.DataFrame, gone: pl.DataFrame, discovered: pl.DataFrame, to_read: pl.DataFrame
) -> pl.DataFrame:
    """The found files holding copies of a gone file's texts and not planned yet, as to_read rows
    (is_forced): with their canonical file gone, one of them may now count the text."""
    return (
        known.explode("repeats")
        .filter(pl.col("repeats").is_in(gone.get_column("path").implode()))
        .select("path")
        .unique()
        .join(discovered, on="path", how="inner")
        .join(to_read, on="path", how="anti")
        .with_columns(pl.lit(True).alias("is_forced"))
        .select(to_read.columns)
    )


def trusted_hashes(known: pl.DataFrame, to_read: pl.DataFrame) -> pl.DataFrame:
    """(path, sha256) of the planned files whose bytes the content-hash shortcut may skip when
    they still hash the same: rows in the warehouse now, and not forced (a forced copy's own
    bytes did not change, yet it must be read)."""
    forced = to_read.filter(pl.col("is_forced")).select("path")
    return (
        known.filter(pl.col("status") != "removed")
        .select("path", "sha256")
        .drop_nulls()
        .join(to_read.select("path"), on="path", how="semi")
        .join(forced, on="path", how="anti")
    )


class Plan(NamedTuple):
    """What one run reads, the hashes it may trust, and the files --prune removes."""

    to_read: pl.DataFrame  # PLANNED_SCHEMA
    known_sha: pl.DataFrame  # (path, sha256): see trusted_hashes
    gone: pl.DataFrame  # (path): rows to remove; empty unless pruning
    prune_skipped: str | None = None  # why --prune removes nothing this run, when it does not


def plan_run(
    discovered: pl.DataFrame,
    known: pl.DataFrame,
    *,
    prune_under: str | None = None,
    prune_skipped: str | None = None,
) -> Plan:
    """The run's plan; with prune_under (the input folder's path prefix), also the files gone
    from it (for the prune task to remove) and the found copies of their texts (to read again)."""
    to_read = plan_reads(discovered, known)
    gone = pl.DataFrame(schema={"path": pl.String()})
    if prune_under is not None:
        gone = gone_files(known, discovered, prune_under)
        if gone.height:
            to_read = pl.concat([to_read, copies_of_gone(known, gone, discovered, to_read)])
    return Plan(to_read, trusted_hashes(known, to_read), gone, prune_skipped)


def why_not_prune(
    discovered: pl.DataFrame, unlisted: pl.DataFrame, *, root: str, input_dir: Path | str
) -> str | None:
    """Why --prune must remove nothing this run, or None when the walk proves what is gone.

    root is the input folder as sources are identified under it (its real path): when it is
    the one folder that could not be listed, its own reason says why.
    """
    if unlisted.height:
        folders = unlisted.get_column("folder_path")
        if folders.to_list() == [root]:
            return unlisted.get_column("reason")[0]  # the input folder itself
        shown = ", ".join(folders.head(3).to_list()) + (", ..." if len(folders) > 3 else "")
        return (
            f"{len(folders)} folder(s) under {input_dir} could not be listed ({shown});"
            " a file there may still exist, so no row is removed until every folder is listed"
        )
    if discovered.is_empty():
        return (
            f"no article file under {input_dir}: an empty input folder is more often"
            " a wrong --input or an unmounted drive than a deletion; remove the rows of a folder"
            " you emptied on purpose by running with --prune once a file is back in it"
        )
    return None


def marked_copies(discovered: pl.DataFrame, marked: pl.DataFrame) -> pl.DataFrame:
    """The found files a load marked to be read again (marked: path), as to_read rows
    (is_forced): a load deleted the text they held a copy of."""
    return discovered.join(marked, on="path", how="semi").with_columns(
        pl.lit(True).alias("is_forced")
    )


def planned_as_unchanged(files: pl.DataFrame, to_read: pl.DataFrame) -> int:
    """How many of these files the plan counted as unchanged (they are not in to_read)."""
    return files.join(to_read, on="path", how="anti").height


class DedupedBatch(NamedTuple):
    """A batch's rows as one load writes them: texts already counted set aside."""

    files: pl.DataFrame  # LEDGER_SCHEMA, status 'duplicate' where nothing is left
    articles: pl.DataFrame  # the articles to load
    sentences: pl.DataFrame  # theirs only, and so on
    mentions: pl.DataFrame
    entities: pl.DataFrame
    demoted: pl.DataFrame  # DEMOTED_SCHEMA
    copies: pl.DataFrame  # COPY_SCHEMA


def dedupe_batch(
    files: pl.DataFrame,
    articles: pl.DataFrame,
    sentences: pl.DataFrame,
    mentions: pl.DataFrame,
    entities: pl.DataFrame,
    loaded: pl.DataFrame,
) -> DedupedBatch:
    """The batch's rows to load, given the loaded articles with one of its texts (loaded:
    content_hash, source_path, article_id); see mark_duplicates for which copy counts."""
    # This batch's files are about to replace their own rows: they cannot be originals.
    loaded = loaded.join(
        files.select(pl.col("path").alias("source_path")), on="source_path", how="anti"
    )
    files, kept, demoted, copies = mark_duplicates(files, articles, loaded)
    kept_ids = kept.select("article_id")
    return DedupedBatch(
        files=files,
        articles=kept,
        sentences=sentences.join(kept_ids, on="article_id", how="semi"),
        mentions=mentions.join(kept_ids, on="article_id", how="semi"),
        entities=entities.join(kept_ids, on="article_id", how="semi"),
        demoted=demoted,
        copies=copies,
    )


class BatchCounts(NamedTuple):
    """What one load adds to a run's counts."""

    files_unchanged: int  # read, but their bytes had not changed
    files_loaded: int
    files_duplicate: int
    files_rejected: int
    articles: int
    sentences: int
    mentions: int
    raw_bytes: int  # of the files read
    rejected: pl.DataFrame  # REJECT_SCHEMA
    files_done: int  # every file the batch settled, unchanged ones included


def count_batch(
    files: pl.DataFrame, unchanged: pl.DataFrame, sentences: pl.DataFrame, mentions: pl.DataFrame
) -> BatchCounts:
    """The counts of one deduplicated batch: files by status, and the rows it loads."""
    status = files.get_column("status")
    rejected = files.filter(status == "rejected").select("path", "reason")
    return BatchCounts(
        files_unchanged=unchanged.height,
        files_loaded=int((status == "loaded").sum()),
        files_duplicate=int((status == "duplicate").sum()),
        files_rejected=rejected.height,
        articles=int(files.get_column("article_count").sum()),
        sentences=sentences.height,
        mentions=mentions.height,
        raw_bytes=int(files.get_column("size_bytes").fill_null(0).sum()),
        rejected=rejected,
        files_done=files.height + unchanged.height,
    )
