"""The export's sentences come from the sentences view's own SQL, plus the article's date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from warehouse import db, export

SENTENCES_SQL = dict((name, query) for name, query, _ in export.EXPORTS)["sentences"]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """A migrated in-memory warehouse with one article of two sentences."""
    con = duckdb.connect()
    db.migrate(con)
    con.execute(
        "insert into articles (article_id, headline, text, published_date, date_basis,"
        " source_path, source_format, content_hash, loaded_at)"
        " values ('a1', 'h', 'Tokyo spoke. Seoul listened.', date '2017-04-10', 'path',"
        " 'a1.txt', 'kyodo', 'a1', now()::timestamp)"
    )
    con.execute(
        "insert into sentence_spans values ('a1', 0, 0, 0, 12, false, 7, 0.0, 0.0, 0.0, 2),"
        " ('a1', 1, 0, 13, 28, true, 7, -0.5, 0.0, 0.4, 2)"
    )
    return con


def test_exported_sentences_are_the_view_rows_with_their_article_date(con):
    exported = con.execute(f"{SENTENCES_SQL} order by sentence_no").fetchall()

    assert exported == [
        ("a1", 0, 0, 0, 12, "Tokyo spoke.", False, 7, 0.0, 0.0, 0.0, 2, date(2017, 4, 10)),
        ("a1", 1, 0, 13, 28, "Seoul listened.", True, 7, -0.5, 0.0, 0.4, 2, date(2017, 4, 10)),
    ]
    assert [row[:-1] for row in exported] == con.execute(
        "select * from sentences order by sentence_no"
    ).fetchall()


def test_exported_sentences_have_the_view_columns_then_published_date(con):
    view = [c[0] for c in con.execute("describe sentences").fetchall()]
    exported = [c[0] for c in con.execute(f"describe {SENTENCES_SQL}").fetchall()]

    assert exported == [*view, "published_date"]


def test_exported_sentences_join_articles_once(con):
    plan = con.execute(f"explain {SENTENCES_SQL}").fetchall()[0][1]

    assert plan.count("articles") == 1


def test_a_view_file_not_ending_in_final_is_refused(tmp_path: Path):
    path = tmp_path / "99_odd.sql"
    path.write_text("create or replace view odd as\nselect 1 as x\n")

    with pytest.raises(ValueError, match=r"99_odd\.sql: expected .* `select \* from final`"):
        export.view_step(path, "anything")
