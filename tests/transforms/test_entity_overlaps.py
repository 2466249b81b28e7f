"""Overlap removal works article by article, whatever the size of the offsets.

_leftmost_longest and _drop_overlapping run one running max/min over the whole frame, with
each article's offsets lifted above the previous article's; these cases put offsets far beyond
any real article to show one article never leaks into the next.
"""

import polars as pl

from transforms.entities.overlaps import _drop_overlapping, _leftmost_longest

HUGE = 2**41  # past the fixed lift (2**40) these functions once used


def spans(rows: list[tuple[str, int, int]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "article_id": [r[0] for r in rows],
            "start_char": [r[1] for r in rows],
            "end_char": [r[2] for r in rows],
            "priority": [0] * len(rows),
        },
        schema={"article_id": pl.String, "start_char": pl.Int64, "end_char": pl.Int64,
                "priority": pl.Int32},
    )  # fmt: skip


def kept(frame: pl.LazyFrame) -> list[tuple[str, int, int]]:
    return sorted(frame.select("article_id", "start_char", "end_char").collect().iter_rows())


def test_leftmost_longest_keeps_each_articles_own_spans_next_to_huge_offsets():
    frame = spans(
        [
            ("a", 0, 5),
            ("a", HUGE, HUGE + 3),
            ("b", 0, 5),  # first span of b: nothing before it in b
            ("b", 2, 4),  # starts inside (0, 5): dropped
            ("b", 7, 9),
        ]
    )
    assert kept(_leftmost_longest(frame)) == [
        ("a", 0, 5),
        ("a", HUGE, HUGE + 3),
        ("b", 0, 5),
        ("b", 7, 9),
    ]


def test_drop_overlapping_compares_only_with_stronger_spans_of_the_same_article():
    frame = spans([("a", 0, 5), ("b", 0, 5), ("b", 7, 9), ("c", 1, 2)])
    stronger = spans([("a", HUGE, HUGE + 3), ("b", 3, 4)])
    # a: its stronger span is far away; b: (0, 5) holds (3, 4), (7, 9) is clear; c: none.
    assert kept(_drop_overlapping(frame, stronger)) == [("a", 0, 5), ("b", 7, 9), ("c", 1, 2)]
