"""Overlap removal works article by article, whatever the size of the offsets.

_leftmost_longest runs one running max over the whole frame, with each article's offsets
lifted above the previous article's; _drop_overlapping pairs spans by the stretches of text they
touch. These cases put offsets far beyond any real article to show one article never leaks into
the next, and check _drop_overlapping against the definition of overlap on random spans.
"""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.entities.overlaps import (
    _drop_overlapping,
    _leftmost_longest,
    candidate_spans,
    uncurated_spans,
    with_more_candidates,
)

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


_SPAN = st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 300), st.integers(0, 150)).map(
    lambda t: (t[0], t[1], t[1] + t[2])
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_SPAN, max_size=12), st.lists(_SPAN, max_size=12))
def test_drop_overlapping_keeps_exactly_the_spans_no_stronger_span_overlaps(
    weak: list[tuple[str, int, int]], strong: list[tuple[str, int, int]]
):
    # Offsets up to 450 and lengths up to 150 cross many of the 64-character stretches the
    # pairing uses; empty spans included. Two spans overlap when each starts before the other
    # ends. Duplicates stay: every row given is kept or dropped on its own.
    expected = sorted(
        (article, start, end)
        for article, start, end in weak
        if not any(
            other == article and other_start < end and other_end > start
            for other, other_start, other_end in strong
        )
    )
    assert kept(_drop_overlapping(spans(weak), spans(strong))) == expected


def _typed(rows: list[tuple[str, int, int]], priority: int, entity_type: str) -> pl.LazyFrame:
    return spans(rows).with_columns(
        pl.lit(priority, dtype=pl.Int32).alias("priority"), pl.lit(entity_type).alias("entity_type")
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_SPAN, max_size=8),
    st.lists(_SPAN, max_size=8),
    st.lists(_SPAN, max_size=8),
    st.lists(_SPAN, max_size=6),
)
def test_candidates_settled_again_with_more_are_the_candidates_of_all_of_them(
    people: list[tuple[str, int, int]],
    organisations: list[tuple[str, int, int]],
    more: list[tuple[str, int, int]],
    curated: list[tuple[str, int, int]],
):
    # The overlaps pass run on the candidates already cleared of the curated organisations,
    # with more candidates added (the propagated spans), gives what it gives on all of them
    # at once, rows and order alike.
    person, organisation = _typed(people, 0, "person"), _typed(organisations, 1, "organization")
    added, fixed = _typed(more, 5, "organization"), spans(curated)
    at_once = candidate_spans(person, pl.concat([organisation, added]), fixed).collect()
    again = with_more_candidates(uncurated_spans(person, organisation, fixed), added, fixed)
    assert again.collect().equals(at_once)
