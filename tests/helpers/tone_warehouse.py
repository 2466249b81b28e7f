"""A migrated in-memory warehouse of hand-written articles, scored sentences and country mentions,
for tests of what reads tone per country and day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb

from tests.helpers.warehouse_rows import insert_articles, insert_countries
from warehouse import db


def tone_warehouse(
    countries: Sequence[tuple[str, str]],
    articles: Sequence[tuple[str, date]],
    sentences: Sequence[tuple[str, int, float | None]],
    mentions: Sequence[tuple[str, int, str, str]],
) -> duckdb.DuckDBPyConnection:
    """countries (code, name); articles (article_id, published_date); sentences (article_id,
    sentence_no, tone); mentions (article_id, sentence_no, mention_kind, country_code), each
    one character at its own offset."""
    con = duckdb.connect()
    db.migrate(con)
    insert_countries(con, countries)
    insert_articles(con, articles)
    con.executemany(
        "insert into sentence_spans (article_id, sentence_no, paragraph_no, start_char, end_char,"
        " is_truncated, tone) values (?, ?, 1, 0, 1, false, ?)",
        sentences,
    )
    for start, (article_id, sentence_no, kind, code) in enumerate(mentions):
        con.execute(
            "insert into mentions (article_id, sentence_no, start_char, end_char, surface,"
            " entity_id, entity_type, mention_kind, country_code)"
            " values (?, ?, ?, ?, 'x', 'e', 'country', ?, ?)",
            [article_id, sentence_no, start, start + 1, kind, code],
        )
    return con
