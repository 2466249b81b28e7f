"""The invariants in sql/checks/: each one fails its load, which is rolled back whole."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from gazetteer import Gazetteer
from transforms.pipeline import transform_articles
from transforms.reading import articles_frame, read_document
from transforms.schemas import LEDGER_SCHEMA
from warehouse import db

STORY = (
    b"Kyodo News\nBack to Main\nJapan and Chile sign deal\n\n"
    b"Japan and Chile signed a trade deal on Monday. Officials in Tokyo welcomed it.\n(April 10)\n"
)


# A thumbs-up with a skin tone: two code points outside the Basic Multilingual Plane (4 UTF-8
# bytes each) that show as one character.
EMOJI_STORY = STORY.replace(
    b"welcomed it.", "welcomed it \U0001f44d\U0001f3fd in S\u00e3o Paulo.".encode()
)


def batch_for(
    gazetteer: Gazetteer, path: str = "2017/04/10/deal.txt", story: bytes = STORY
) -> db.Batch:
    result = read_document(story, source_path=path, mtime_date=date(2017, 4, 10))
    articles, sentences, mentions, entities = pl.collect_all(
        list(transform_articles(articles_frame(result.articles).lazy(), gazetteer))
    )
    files = pl.DataFrame(
        [{"path": path, "sha256": "x", "size_bytes": len(STORY), "modified_at": None,
          "status": "loaded", "reason": None, "encoding": "utf-8", "source_format": "kyodo",
          "article_count": 1, "duplicate_of": None}],
        schema=LEDGER_SCHEMA,
    )  # fmt: skip
    return db.Batch(files, articles, sentences, mentions, entities)


def with_sentences(batch: db.Batch, sentences: pl.DataFrame) -> db.Batch:
    return db.Batch(batch.files, batch.articles, sentences, batch.mentions, batch.entities)


def past_the_text(batch: db.Batch) -> db.Batch:
    """The batch with its last sentence ending one character after its article's text."""
    text_length = len(batch.articles.get_column("text").item())
    is_last = pl.col("sentence_no") == pl.col("sentence_no").max()
    end_char = pl.when(is_last).then(text_length + 1).otherwise(pl.col("end_char"))
    return with_sentences(batch, batch.sentences.with_columns(end_char.alias("end_char")))


def rows(con) -> tuple[int, int, int, int]:
    return con.execute(
        "select (select count(*) from articles), (select count(*) from sentence_spans),"
        " (select count(*) from mentions), (select count(*) from source_files)"
    ).fetchall()[0]


def test_a_valid_batch_passes_every_check(warehouse_con, gazetteer: Gazetteer) -> None:
    db.load_batch(warehouse_con, batch_for(gazetteer), run_first_load_id=1)
    assert rows(warehouse_con)[0] == 1


@pytest.mark.parametrize(
    ("corrupt", "check"),
    [
        (past_the_text, "03_sentence_spans_inside_text"),
        (
            lambda b: with_sentences(
                b, b.sentences.with_columns(pl.col("start_char").alias("end_char"))
            ),
            "03_sentence_spans_inside_text",
        ),
        (
            lambda b: with_sentences(
                b, b.sentences.with_columns(pl.lit("elsewhere").alias("article_id"))
            ),
            "03_sentence_spans_inside_text",
        ),
        (
            lambda b: db.Batch(
                b.files, b.articles, b.sentences,
                b.mentions.with_columns(pl.col("surface").str.to_uppercase()), b.entities,
            ),
            "04_mention_surfaces_match_text",
        ),
        (
            lambda b: db.Batch(
                b.files, b.articles, b.sentences,
                b.mentions.with_columns(pl.lit(0, dtype=pl.Int32).alias("sentence_no")),
                b.entities,
            ),
            "05_mentions_inside_their_sentence",
        ),
        (
            lambda b: db.Batch(b.files, b.articles, b.sentences.head(0), b.mentions.head(0),
                               b.entities),
            "06_every_article_has_a_sentence",
        ),
        (
            lambda b: db.Batch(b.files, pl.concat([b.articles, b.articles]), b.sentences,
                               b.mentions, b.entities),
            "01_article_keys_unique",
        ),
        (
            # The headline's row twice: its span still lies inside the text, so only the key
            # check can tell.
            lambda b: with_sentences(b, pl.concat([b.sentences, b.sentences.head(1)])),
            "02_sentence_keys_unique",
        ),
    ],
)  # fmt: skip
def test_a_broken_invariant_fails_the_load_and_leaves_nothing(
    corrupt, check: str, warehouse_con, gazetteer: Gazetteer
) -> None:
    with pytest.raises(db.CheckFailed, match=check):
        db.load_batch(warehouse_con, corrupt(batch_for(gazetteer)))
    assert rows(warehouse_con) == (0, 0, 0, 0)


def test_spans_are_measured_in_python_characters_not_bytes_or_graphemes(
    warehouse_con, gazetteer: Gazetteer
) -> None:
    # The last sentence ends where the text ends: at 121 characters, which are 128 UTF-8 bytes
    # and 120 graphemes. Counting bytes would let a span past the end through; counting
    # graphemes would reject the last sentence of the valid batch.
    batch = batch_for(gazetteer, story=EMOJI_STORY)
    assert batch.sentences.get_column("end_char").to_list() == [25, 73, 121]
    with pytest.raises(db.CheckFailed, match="03_sentence_spans_inside_text"):
        db.load_batch(warehouse_con, past_the_text(batch))
    assert rows(warehouse_con) == (0, 0, 0, 0)
    db.load_batch(warehouse_con, batch)
    [(sentence,)] = warehouse_con.execute(
        "select sentence from sentences where sentence_no = 2"
    ).fetchall()
    assert sentence == "Officials in Tokyo welcomed it \U0001f44d\U0001f3fd in S\u00e3o Paulo."


def test_the_same_text_under_a_second_path_breaks_the_duplicate_check(
    warehouse_con, gazetteer: Gazetteer
) -> None:
    db.load_batch(warehouse_con, batch_for(gazetteer))
    copy = batch_for(gazetteer, path="2017/04/10/copy.txt")
    with pytest.raises(db.CheckFailed, match="07_no_duplicate_article_text"):
        db.load_batch(warehouse_con, copy)
    assert rows(warehouse_con) == (1, 3, rows(warehouse_con)[2], 1)


def test_the_daily_view_check_runs_in_a_runs_last_load(warehouse_con, gazetteer: Gazetteer) -> None:
    # A view that overcounts: only the run-wide check can see it.
    warehouse_con.execute(
        "create or replace view country_mentions_daily as select mention_date, country_code,"
        " mention_count + 1 as mention_count from"
        " (select a.published_date as mention_date, m.country_code, count(*) as mention_count"
        "  from mentions m join articles a using (article_id)"
        "  where m.country_code is not null group by all)"
    )
    db.load_batch(warehouse_con, batch_for(gazetteer))  # not the last load: passes
    with pytest.raises(db.CheckFailed, match="08_daily_view_matches_mentions"):
        db.load_batch(
            warehouse_con,
            batch_for(gazetteer, "2017/04/10/other.txt", STORY.replace(b"Chile", b"Peru")),
            run_first_load_id=1,
        )
    assert rows(warehouse_con)[0] == 1


# One long sentence with non-ASCII characters all through it: its mentions lie many of check
# 04's 256-character pieces into the text, where byte and character offsets differ most.
LONG_STORY = STORY.replace(
    b"Officials in Tokyo welcomed it.",
    " ".join(["Officials in S\u00e3o Paulo and Z\u00fcrich welcomed it"] * 40).encode() + b".",
)


def with_mentions(batch: db.Batch, spans: list[tuple[int, int]], shift: int = 0) -> db.Batch:
    """The batch with person mentions added in its longest sentence, at (start, end) offsets
    from that sentence's start, each with the text found shift characters further on as its
    surface (0: the right surface)."""
    text = batch.articles.get_column("text").item()
    sentence_no, sentence_start = (
        batch.sentences.sort(pl.col("end_char") - pl.col("start_char"))
        .select("sentence_no", "start_char")
        .row(-1)
    )
    added = pl.DataFrame(
        [
            {
                "article_id": batch.articles.get_column("article_id").item(),
                "sentence_no": sentence_no,
                "start_char": sentence_start + start,
                "end_char": sentence_start + end,
                "surface": text[sentence_start + start + shift : sentence_start + end + shift],
                "entity_id": "person:test",
                "entity_type": "person",
                "mention_kind": "person",
                "country_code": None,
            }
            for start, end in spans
        ],
        schema=batch.mentions.schema,
    )
    mentions = pl.concat([batch.mentions, added])
    return db.Batch(batch.files, batch.articles, batch.sentences, mentions, batch.entities)


def test_mentions_deep_in_a_long_text_across_pieces_pass_the_surface_check(
    warehouse_con, gazetteer: Gazetteer
) -> None:
    batch = batch_for(gazetteer, story=LONG_STORY)
    assert batch.sentences.select((pl.col("end_char") - pl.col("start_char")).max()).item() > 1500
    # Straddling the piece boundaries at 256 and 512 (the sentence starts after the
    # headline), far into the text, and longer than a piece (read from the whole text).
    spans = [(200, 330), (490, 530), (1200, 1210), (100, 900), (0, 1)]
    db.load_batch(warehouse_con, with_mentions(batch, spans))
    assert rows(warehouse_con)[2] == batch.mentions.height + len(spans)


@pytest.mark.parametrize("span", [(200, 330), (490, 530), (1200, 1210), (100, 900)])
def test_a_surface_one_character_off_deep_in_a_long_text_fails_the_surface_check(
    span: tuple[int, int], warehouse_con, gazetteer: Gazetteer
) -> None:
    batch = with_mentions(batch_for(gazetteer, story=LONG_STORY), [span], shift=1)
    text = batch.articles.get_column("text").item()
    start, end, surface = batch.mentions.row(-1)[2:5]
    assert text[start:end] != surface  # the precondition: this surface really is wrong
    with pytest.raises(db.CheckFailed, match="04_mention_surfaces_match_text"):
        db.load_batch(warehouse_con, batch)
    assert rows(warehouse_con) == (0, 0, 0, 0)


def test_a_tone_view_that_overcounts_fails_a_runs_last_load(
    warehouse_con, gazetteer: Gazetteer
) -> None:
    # A tone view that overcounts sentences: only the run-wide check can see it.
    warehouse_con.execute(
        "create or replace view country_tone_daily as select a.published_date as mention_date,"
        " m.country_code, count(*) + 1 as sentences from mentions m join articles a"
        " using (article_id) where m.country_code is not null group by all"
    )
    db.load_batch(warehouse_con, batch_for(gazetteer))  # not the last load: passes
    with pytest.raises(db.CheckFailed, match="09_tone_view_matches_mentions"):
        db.load_batch(
            warehouse_con,
            batch_for(gazetteer, "2017/04/10/other.txt", STORY.replace(b"Chile", b"Peru")),
            run_first_load_id=1,
        )
    [(articles,)] = warehouse_con.execute("select count(*) from articles").fetchall()
    assert articles == 1
