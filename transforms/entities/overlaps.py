"""The overlaps pass: of spans that overlap, which one is kept."""

from __future__ import annotations

import polars as pl


def candidate_spans(
    people: pl.LazyFrame, organizations: pl.LazyFrame, curated: pl.LazyFrame
) -> pl.LazyFrame:
    """The person and organisation candidates that overlap no curated organisation, and of
    those overlapping each other the leftmost, then longest, then lowest priority number."""
    return _leftmost_longest(
        _drop_overlapping(pl.concat([people, organizations], how="diagonal"), curated)
    )


def _article_lift() -> tuple[pl.Expr, pl.Expr]:
    """(lift, limit) on rows sorted by article_id: limit is above every offset in the frame,
    lift is each row's article number times limit.

    Added to offsets, lift puts each article's values above every earlier article's, so a
    running max (or a reverse running min) over the whole frame never crosses into another
    article: the same as `.over("article_id")`, without a window's group-by and scatter.
    Sized from the data, lifted values stay below articles x (longest article + 2), far inside
    an Int64 (a fixed 2**40 would wrap, silently, past 2**23 articles in one frame).
    """
    limit = pl.col("end_char").max().cast(pl.Int64) + 2
    return pl.col("article_id").rle_id().cast(pl.Int64) * limit, limit


def _drop_overlapping(spans: pl.LazyFrame, stronger: pl.LazyFrame) -> pl.LazyFrame:
    """Spans that overlap none of the stronger spans of their article.

    One sort instead of a pairwise join: a span clashes when a stronger span sorted before it
    ends after its start, or the next stronger span starts before its end.
    """
    columns = spans.collect_schema().names()
    is_strong = pl.col("_is_strong")
    start, end = pl.col("start_char"), pl.col("end_char")
    # Per article, via _article_lift: the furthest end of the stronger spans so far (stored
    # plus one, so that 0 can stand for none yet: -1 after decoding), and the nearest start of
    # the stronger spans still to come (limit - 1 for none).
    lift, limit = _article_lift()
    strong_end = pl.when(is_strong).then(end + 1).otherwise(0)
    strong_start = pl.when(is_strong).then(start).otherwise(limit - 1)
    return (
        pl.concat(
            [
                spans.with_columns(pl.lit(False).alias("_is_strong")),
                stronger.select("article_id", "start_char", "end_char").with_columns(
                    pl.lit(True).alias("_is_strong")
                ),
            ],
            how="diagonal",
        )
        .sort("article_id", "start_char", "_is_strong", descending=[False, False, True])
        .with_columns(
            ((lift + strong_end).cum_max() - lift - 1).alias("_strong_end"),
            ((lift + strong_start).cum_min(reverse=True) - lift).alias("_next_strong_start"),
        )
        .filter(
            ~is_strong & (pl.col("_strong_end") <= start) & (pl.col("_next_strong_start") >= end)
        )
        .select(columns)
    )


def _leftmost_longest(spans: pl.LazyFrame) -> pl.LazyFrame:
    """Non-overlapping spans: at each start the longest (then lowest priority) wins, and a span
    starting inside an earlier one is dropped."""
    # An appositive and a company can tie on span and priority (`Unimedia Inc, chairman`):
    # the organisation wins, every run, rather than whichever row the sort left first.
    tiebreak = ["entity_type"] if "entity_type" in spans.collect_schema().names() else []
    lift, _ = _article_lift()
    return (
        spans.sort(
            "article_id",
            "start_char",
            "end_char",
            "priority",
            *tiebreak,
            descending=[False, False, True, False, *(False for _ in tiebreak)],
        )
        # The furthest end so far in the article (via _article_lift); below zero on an
        # article's first row, where the row before belongs to an earlier article.
        .with_columns(((lift + pl.col("end_char")).cum_max().shift(1) - lift).alias("previous_end"))
        .filter(pl.col("previous_end").is_null() | (pl.col("start_char") >= pl.col("previous_end")))
        .drop("previous_end")
    )
