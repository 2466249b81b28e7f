"""Schema migrations: a warehouse written by an older schema keeps its rows when migrated."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.flows.test_sources import release_warehouse
from transforms.schemas import COUNTRY_SCHEMA, ENTITY_SCHEMA
from warehouse import db

# Two articles as the schema of migrations 001-003 stored them, sentence text included.
OLD_ARTICLES = [
    ("a1", "Japan and Chile sign deal\n\nThey signed on Monday. Tokyo welcomed it.", 1),
    ("a2", "Café in São Paulo \U0001f44d\n\nIt opened. Fans queued \U0001f600 all day", 2),
]
# article_id, sentence_no, paragraph_no, start_char, end_char, sentence, is_truncated, load_id
OLD_SENTENCES = [
    ("a1", 0, 0, 0, 25, "Japan and Chile sign deal", False, 1),
    ("a1", 1, 1, 27, 49, "They signed on Monday.", False, 1),
    ("a1", 2, 1, 50, 68, "Tokyo welcomed it.", False, 1),
    ("a2", 0, 0, 0, 19, "Café in São Paulo \U0001f44d", False, 2),
    ("a2", 1, 1, 21, 31, "It opened.", False, 2),
    ("a2", 2, 1, 32, 53, "Fans queued \U0001f600 all day", True, 2),
]


# Views that read sentence_spans and its tone columns (migrations 004 and 008).
TONE_VIEWS = ("00_sentences.sql", "04_country_tone_daily.sql")


def old_schema_warehouse(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warehouse built by migrations 001-003 and their views, holding OLD_ARTICLES' rows."""
    every_migration, every_view = db.migration_files(), db.view_files()
    with monkeypatch.context() as patch:
        patch.setattr(db, "migration_files", lambda: [p for p in every_migration if p.name < "004"])
        # The views that read what later migrations add (tone, articles' focus).
        later = (*TONE_VIEWS, "01_country_mentions_daily.sql")
        patch.setattr(db, "view_files", lambda: [p for p in every_view if p.name not in later])
        with db.connect(path) as con:
            assert db.migrate(con) == [
                "001_core_tables.sql",
                "002_datelines_and_duplicates.sql",
                "003_load_ids.sql",
            ]
            for article_id, text, load_id in OLD_ARTICLES:
                con.execute(
                    "insert into articles (article_id, headline, text, published_date, date_basis,"
                    " source_path, source_format, content_hash, loaded_at, load_id)"
                    " values (?, ?, ?, ?, 'path', ?, 'plain', ?, now()::timestamp, ?)",
                    [
                        article_id,
                        text.split("\n", 1)[0],
                        text,
                        date(2017, 4, 10),
                        f"2017/04/10/{article_id}.txt",
                        article_id,
                        load_id,
                    ],
                )
            con.executemany("insert into sentences values (?, ?, ?, ?, ?, ?, ?, ?)", OLD_SENTENCES)


def test_old_sentences_come_back_through_the_view_with_their_text(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    old_schema_warehouse(path, monkeypatch)

    with db.connect(path) as con:
        assert db.migrate(con) == [
            "004_sentence_spans.sql",
            "005_sources_and_entity_evidence.sql",
            "006_duplicate_copies.sql",
            "007_country_validity.sql",
            "008_object_etags.sql",
            "009_tone.sql",
            "010_coordinates_and_focus.sql",
        ]
        rows = con.execute(
            "select * exclude (tone, positive, negative, word_count) from sentences"
            " order by article_id, sentence_no"
        ).fetchall()
        [(scored,)] = con.execute("select count(tone) from sentences").fetchall()
        view_columns = con.execute("describe sentences").fetchall()
        span_columns = con.execute("describe sentence_spans").fetchall()
        [(table_type,)] = con.execute(
            "select table_type from information_schema.tables where table_name = 'sentences'"
        ).fetchall()

    assert rows == OLD_SENTENCES
    assert scored == 0  # migration 009's tone comes with the next read of their files
    tone_columns = [
        ("tone", "DOUBLE"),
        ("positive", "DOUBLE"),
        ("negative", "DOUBLE"),
        ("word_count", "INTEGER"),
    ]
    assert [(c[0], c[1]) for c in view_columns] == [
        ("article_id", "VARCHAR"),
        ("sentence_no", "INTEGER"),
        ("paragraph_no", "INTEGER"),
        ("start_char", "BIGINT"),
        ("end_char", "BIGINT"),
        ("sentence", "VARCHAR"),
        ("is_truncated", "BOOLEAN"),
        ("load_id", "BIGINT"),
        *tone_columns,
    ]
    assert [(c[0], c[1]) for c in span_columns] == [
        ("article_id", "VARCHAR"),
        ("sentence_no", "INTEGER"),
        ("paragraph_no", "INTEGER"),
        ("start_char", "BIGINT"),
        ("end_char", "BIGINT"),
        ("is_truncated", "BOOLEAN"),
        ("load_id", "BIGINT"),
        *tone_columns,
    ]
    assert table_type == "VIEW"


def test_a_migrated_warehouse_migrates_no_further_and_keeps_its_spans(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    old_schema_warehouse(path, monkeypatch)
    with db.connect(path) as con:
        db.migrate(con)

    with db.connect(path) as con:
        assert db.migrate(con) == []
        assert db.schema_version(con) == 10
        [(span_count,)] = con.execute("select count(*) from sentence_spans").fetchall()
        # 005 cannot know the input folder of older relative paths: they stay as they were.
        paths = con.execute("select source_path from articles order by article_id").fetchall()
    assert span_count == 6
    assert paths == [("2017/04/10/a1.txt",), ("2017/04/10/a2.txt",)]


def test_a_sentence_that_is_not_its_articles_text_stops_the_migration_unchanged(
    tmp_path, monkeypatch
):
    path = tmp_path / "old.duckdb"
    old_schema_warehouse(path, monkeypatch)
    with db.connect(path) as con:
        con.execute("update sentences set sentence = 'Tokyo welcomed it!' where sentence_no = 2"
                    " and article_id = 'a1'")  # fmt: skip

    with db.connect(path) as con:
        with pytest.raises(Exception, match="sentence 2 of article a1 is not its article's text"):
            db.migrate(con)
        assert db.schema_version(con) == 3
        [(kept,)] = con.execute(
            "select sentence from sentences where article_id = 'a1' and sentence_no = 2"
        ).fetchall()
    assert kept == "Tokyo welcomed it!"


def test_stored_countries_keep_their_rows_and_get_their_dates_from_the_next_refresh(tmp_path):
    path = tmp_path / "release.duckdb"
    release_warehouse(path)  # schema version 4
    with db.connect(path) as con:
        # The release's fixture leaves out the reference rows; two as it stored them.
        con.execute(
            "insert into countries values ('SU', 'SUN', 'Soviet Union', true),"
            " ('RU', 'RUS', 'Russia', false)"
        )
        assert "007_country_validity.sql" in db.migrate(con)
        before = con.execute("select * from countries order by country_code").fetchall()
        db.refresh_reference(
            con,
            pl.DataFrame(
                [("SU", "SUN", "Soviet Union", True, date(1922, 12, 30), date(1991, 12, 26))],
                schema=COUNTRY_SCHEMA,
                orient="row",
            ),
            pl.DataFrame(schema=ENTITY_SCHEMA),
        )
        after = con.execute("select * from countries order by country_code").fetchall()
    assert before == [
        ("RU", "RUS", "Russia", False, None, None),
        ("SU", "SUN", "Soviet Union", True, None, None),
    ]
    assert after == [
        ("RU", "RUS", "Russia", False, None, None),
        ("SU", "SUN", "Soviet Union", True, date(1922, 12, 30), date(1991, 12, 26)),
    ]


@contextmanager
def _at_007(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[duckdb.DuckDBPyConnection]:
    """Within: a connection to a warehouse built by migrations 001-007 and the views they allow
    (country_mentions_daily reads the focus that 010 adds, the tone views 009's columns)."""
    every_migration, every_view = db.migration_files(), db.view_files()
    with monkeypatch.context() as patch:
        patch.setattr(db, "migration_files", lambda: [p for p in every_migration if p.name < "008"])
        later = (*TONE_VIEWS, "01_country_mentions_daily.sql")
        patch.setattr(db, "view_files", lambda: [p for p in every_view if p.name not in later])
        with db.connect(path) as con:
            assert db.migrate(con)[-1] == "007_country_validity.sql"
            yield con


def schema_7_warehouse(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warehouse built by migrations 001-007 and the views they allow, holding one loaded
    file under a full path, one under an older release's relative path and one rejected."""
    with _at_007(path, monkeypatch) as con:
        con.execute(
            "insert into source_files (path, sha256, size_bytes, status, article_count,"
            " loaded_at) values"
            " ('/feeds/a1.txt', 'h1', 10, 'loaded', 1, now()::timestamp),"
            " ('2017/a2.txt', 'h2', 20, 'loaded', 1, now()::timestamp),"
            " ('/feeds/bad.txt', 'h3', 30, 'rejected', 0, now()::timestamp)"
        )
        con.execute(
            "insert into articles (article_id, headline, text, published_date, date_basis,"
            " source_path, source_format, content_hash, loaded_at, load_id)"
            " values ('a1', 'Deal', 'Deal\n\nIt was good.', date '2017-04-10', 'path',"
            " '/feeds/a1.txt', 'plain', 'a1', now()::timestamp, 1)"
        )
        con.execute(
            "insert into sentence_spans values ('a1', 0, 0, 0, 4, false, 1),"
            " ('a1', 1, 1, 6, 18, false, 1)"
        )


def test_migration_009_adds_tone_columns_empty_and_reads_loaded_files_again(tmp_path, monkeypatch):
    path = tmp_path / "seven.duckdb"
    schema_7_warehouse(path, monkeypatch)

    with db.connect(path) as con:
        assert db.migrate(con) == [
            "008_object_etags.sql",
            "009_tone.sql",
            "010_coordinates_and_focus.sql",
        ]
        articles = con.execute(
            "select article_id, tone, positive, negative, polarity, word_count from articles"
        ).fetchall()
        sentences = con.execute(
            "select sentence, tone, positive, negative, word_count from sentences"
            " order by sentence_no"
        ).fetchall()
        files = con.execute(
            "select path, sha256, size_bytes, status from source_files order by path"
        ).fetchall()
        [(tone_days,)] = con.execute("select count(*) from country_tone_daily").fetchall()

    assert articles == [("a1", None, None, None, None, None)]
    assert sentences == [("Deal", None, None, None, None), ("It was good.", None, None, None, None)]
    assert files == [
        # The full path is read again on its next run, which scores its articles ...
        ("/feeds/a1.txt", None, None, "loaded"),
        # ... a rejected file has no rows to score; a relative path keeps what adoption needs.
        ("/feeds/bad.txt", "h3", 30, "rejected"),
        ("2017/a2.txt", "h2", 20, "loaded"),
    ]
    assert tone_days == 0  # no mentions: the view exists and is empty


def warehouse_at_007(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warehouse built by migrations 001-007, holding one loaded article and two entities."""
    with _at_007(path, monkeypatch) as con:
        con.execute(
            "insert into articles (article_id, headline, text, published_date, date_basis,"
            " dateline_place, dateline_country_code, source_path, source_format,"
            " content_hash, loaded_at, load_id) values ('a1', 'Rain in Lucca',"
            " 'Rain in Lucca\n\nLUCCA, April 10 - Rain fell.', '2017-04-10', 'path',"
            " 'LUCCA', 'IT', '/in/a1.txt', 'plain', 'h1', now()::timestamp, 1)"
        )
        con.execute(
            "insert into mentions values ('a1', 0, 8, 13, 'Lucca', 'place:3174530', 'place',"
            " 'place', 'IT', 1)"
        )
        con.execute(
            "insert into entities values ('place:3174530', 'place', 'Lucca', 'IT'),"
            " ('person:x', 'person', 'X', null)"
        )


def test_migration_010_keeps_a_007_warehouses_rows_and_adds_nullable_points_and_focus(
    tmp_path, monkeypatch
):
    path = tmp_path / "old.duckdb"
    warehouse_at_007(path, monkeypatch)

    with db.connect(path) as con:
        assert db.migrate(con) == [
            "008_object_etags.sql",
            "009_tone.sql",
            "010_coordinates_and_focus.sql",
        ]
        article = con.execute(
            "select article_id, dateline_country_code, dateline_latitude, dateline_longitude,"
            " focus_country_code, focus_place from articles"
        ).fetchall()
        entities = con.execute("select * from entities order by entity_id").fetchall()
        daily = con.execute(
            "select country_code, mention_count, place_count, focus_article_count"
            " from country_mentions_daily"
        ).fetchall()
        # The next run's reference refresh gives the gazetteer's places their points; a person
        # keeps none.
        db.refresh_reference(
            con,
            pl.DataFrame(schema=COUNTRY_SCHEMA),
            pl.DataFrame(
                [("place:3174530", "place", "Lucca", "IT", 43.84, 10.50)],
                schema=ENTITY_SCHEMA,
                orient="row",
            ),
        )
        refreshed = con.execute("select * from entities order by entity_id").fetchall()

    # Articles loaded before 008 have no point or focus until their file is loaded again.
    assert article == [("a1", "IT", None, None, None, None)]
    assert entities == [
        ("person:x", "person", "X", None, None, None),
        ("place:3174530", "place", "Lucca", "IT", None, None),
    ]
    assert daily == [("IT", 1, 1, 0)]
    assert refreshed == [
        ("person:x", "person", "X", None, None, None),
        ("place:3174530", "place", "Lucca", "IT", 43.84, 10.50),
    ]


# --- a warehouse whose schema is current -------------------------------------------------


def stamp_of(con, view: str) -> str:
    return con.execute("select comment from duckdb_views() where view_name = ?", [view]).fetchone()[
        0
    ]


def replace_by_hand(con, view: str, stamp: str) -> None:
    """Put another definition in place of view, stamped as if its file had created it."""
    con.execute(f"create or replace view {view} as select 1 as marker")
    con.execute(f"comment on view {view} is '{stamp}'")


def test_a_current_warehouse_is_left_as_it_is(tmp_path):
    path = tmp_path / "n.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
        replace_by_hand(con, "sentences", stamp_of(con, "sentences"))

    with db.connect(path) as con:
        assert db.migrate(con) == []
        # Not created again: the stamp says it is as its file makes it.
        assert con.execute("select * from sentences").fetchall() == [(1,)]


def test_a_view_whose_file_changed_is_created_again(tmp_path, monkeypatch):
    sql_dir = tmp_path / "sql"
    shutil.copytree(db.SQL_DIR, sql_dir)
    monkeypatch.setattr(db, "SQL_DIR", sql_dir)
    path = tmp_path / "n.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
        replace_by_hand(con, "sentences", stamp_of(con, "sentences"))
    view_file = sql_dir / "views" / "00_sentences.sql"
    view_file.write_text("-- reworded\n" + view_file.read_text())

    with db.connect(path) as con:
        assert db.migrate(con) == []
        assert "marker" not in con.sql("select * from sentences limit 0").columns
        assert stamp_of(con, "sentences").startswith("wirehouse 00_sentences.sql sha256:")


def test_a_dropped_view_is_created_again(tmp_path):
    path = tmp_path / "n.duckdb"
    with db.connect(path) as con:
        db.migrate(con)
        con.execute("drop view entity_mentions_daily")

    with db.connect(path) as con:
        db.migrate(con)
        views = {row[0] for row in con.execute("select view_name from duckdb_views()").fetchall()}
    assert "entity_mentions_daily" in views
