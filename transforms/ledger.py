"""Decisions about files: which changed since the last run, and which repeat a loaded article."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl


def plan_reads(discovered: pl.DataFrame, known: pl.DataFrame) -> pl.DataFrame:
    """Files to read: new, or path/size/mtime differ from the ledger, or the file they duplicate will change.

    Column is_forced marks duplicates re-read because their original changed: their own
    bytes did not, so the content-hash shortcut must not skip them.
    """
    changed = (
        discovered.join(
            known.select(
                "path",
                pl.col("size_bytes").alias("known_size"),
                pl.col("modified_at").alias("known_mtime"),
            ),
            on="path",
            how="left",
        )
        .filter(
            pl.col("known_size").is_null()
            | (pl.col("known_size") != pl.col("size_bytes"))
            | (pl.col("known_mtime") != pl.col("modified_at"))
        )
        .drop("known_size", "known_mtime")
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
