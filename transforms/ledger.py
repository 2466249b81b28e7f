"""Decisions about files: which changed since the last run, and which repeat a loaded article."""

from __future__ import annotations

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
    copies = known.filter(
        pl.col("duplicate_of").is_in(changed.get_column("path").implode())
    ).select("path")
    forced = discovered.join(copies, on="path", how="semi").join(changed, on="path", how="anti")
    return pl.concat(
        [
            changed.with_columns(pl.lit(False).alias("is_forced")),
            forced.with_columns(pl.lit(True).alias("is_forced")),
        ]
    )


def mark_duplicates(
    files: pl.DataFrame, articles: pl.DataFrame, loaded: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Drop articles whose text is already loaded from another path; files left empty become 'duplicate'."""
    files = files.drop("duplicate_of", strict=False)
    earlier = (
        loaded.rename({"source_path": "first_path"})
        .join(
            articles.select("content_hash", "source_path").unique(),
            on="content_hash",
            how="inner",
        )
        .filter(pl.col("first_path") != pl.col("source_path"))
        .group_by("content_hash", "source_path")
        .agg(pl.col("first_path").min())
    )
    ranked = (
        articles.join(earlier, on=["content_hash", "source_path"], how="left")
        .sort("source_path", "article_id")
        .with_columns(
            pl.coalesce(
                "first_path",
                pl.when(pl.int_range(pl.len()).over("content_hash") > 0).then(
                    pl.col("source_path").first().over("content_hash")
                ),
            ).alias("duplicate_of")
        )
    )
    kept = ranked.filter(pl.col("duplicate_of").is_null()).drop("first_path", "duplicate_of")
    dropped = (
        ranked.filter(pl.col("duplicate_of").is_not_null())
        .group_by("source_path")
        .agg(pl.col("duplicate_of").first(), pl.len().alias("dropped_count"))
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
            .then(
                pl.concat_str(
                    pl.lit("same text as "),
                    pl.col("duplicate_of"),
                    pl.lit(" (already loaded); not counted twice"),
                    pl.when(pl.col("reason").is_not_null())
                    .then(pl.lit("; ") + pl.col("reason"))
                    .otherwise(pl.lit("")),
                )
            )
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
    return updated, kept
