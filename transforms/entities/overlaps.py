"""The overlaps pass: of spans that overlap, which one is kept."""

from __future__ import annotations

import polars as pl


def candidate_spans(
    people: pl.LazyFrame, organizations: pl.LazyFrame, curated: pl.LazyFrame
) -> pl.LazyFrame:
    """The person and organisation candidates that overlap no curated organisation, and of
    those overlapping each other the leftmost, then longest, then lowest priority number."""
    return _leftmost_longest(uncurated_spans(people, organizations, curated))


def uncurated_spans(
    people: pl.LazyFrame, organizations: pl.LazyFrame, curated: pl.LazyFrame
) -> pl.LazyFrame:
    """The person and organisation candidates that overlap no curated organisation, people
    first, each in its order: candidate_spans before the overlaps between them are settled."""
    return _drop_overlapping(pl.concat([people, organizations], how="diagonal"), curated)


def with_more_candidates(
    uncurated: pl.LazyFrame, more: pl.LazyFrame, curated: pl.LazyFrame
) -> pl.LazyFrame:
    """candidate_spans of the candidates of uncurated (uncurated_spans) and more after them:
    the curated organisations are read only for the new ones."""
    return _leftmost_longest(
        pl.concat([uncurated, _drop_overlapping(more, curated)], how="diagonal")
    )


def _article_lift() -> tuple[pl.Expr, pl.Expr]:
    """(lift, limit) on rows sorted by article_id: limit is above every offset in the frame,
    lift is each row's article number times limit.

    Added to offsets, lift puts each article's values above every earlier article's, so a
    running max over the whole frame never crosses into another article: the same as
    `.over("article_id")`, without a window's group-by and scatter.
    Sized from the data, lifted values stay below articles x (longest article + 2), far inside
    an Int64 (a fixed 2**40 would wrap, silently, past 2**23 articles in one frame).
    """
    limit = pl.col("end_char").max().cast(pl.Int64) + 2
    return pl.col("article_id").rle_id().cast(pl.Int64) * limit, limit


# The width, in characters, of the stretches of text within which _drop_overlapping pairs spans.
_STRETCH = 64


def _drop_overlapping(spans: pl.LazyFrame, stronger: pl.LazyFrame) -> pl.LazyFrame:
    """Spans that overlap none of the stronger spans of their article, in their order.

    A join, not a sort of both together: each span is paired with the stronger spans that
    touch one of the same _STRETCH-character stretches of its article (two that overlap share
    one), a handful of pairs each. A hash join of them costs a fraction of sorting the batch's
    spans by article and offset, and the pairs grow with the text, not with its square, however
    densely a text is written with names.
    """
    columns = spans.collect_schema().names()
    numbered = spans.with_row_index("_row")
    clashing = (
        _by_stretch(numbered.select("_row", "article_id", "start_char", "end_char"))
        .join(
            _by_stretch(
                stronger.select(
                    "article_id",
                    pl.col("start_char").alias("_strong_start"),
                    pl.col("end_char").alias("_strong_end"),
                ),
                start="_strong_start",
                end="_strong_end",
            ),
            on=["article_id", "_stretch"],
        )
        .filter(
            (pl.col("_strong_start") < pl.col("end_char"))
            & (pl.col("_strong_end") > pl.col("start_char"))
        )
        .select("_row")
    )
    return numbered.join(clashing, on="_row", how="anti", maintain_order="left").select(columns)


def _by_stretch(
    spans: pl.LazyFrame, start: str = "start_char", end: str = "end_char"
) -> pl.LazyFrame:
    """spans, once for each _STRETCH-character stretch of the article they touch (column
    _stretch, numbered from the article's start; an empty span touches the one it is in)."""
    first = pl.col(start) // _STRETCH
    last = pl.max_horizontal(pl.col(end) - 1, pl.col(start)) // _STRETCH
    return spans.with_columns(pl.int_ranges(first, last + 1).alias("_stretch")).explode("_stretch")


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
            # Stable: the spans come as runs already sorted (one per pass), which a stable
            # sort merges in a fraction of the time of an unstable one.
            maintain_order=True,
        )
        # The furthest end so far in the article (via _article_lift); below zero on an
        # article's first row, where the row before belongs to an earlier article.
        .with_columns(((lift + pl.col("end_char")).cum_max().shift(1) - lift).alias("previous_end"))
        .filter(pl.col("previous_end").is_null() | (pl.col("start_char") >= pl.col("previous_end")))
        .drop("previous_end")
    )
