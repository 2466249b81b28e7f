"""Hand-written rows for a migrated warehouse: the countries and articles that tests of views
and queries count mentions against."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb


def insert_countries(con: duckdb.DuckDBPyConnection, countries: Sequence[tuple[str, str]]) -> None:
    """countries (code, name), none of them historical."""
    con.executemany(
        "insert into countries (country_code, iso3, name, is_historical) values (?, null, ?, false)",
        countries,
    )


def insert_articles(
    con: duckdb.DuckDBPyConnection,
    articles: Sequence[tuple[str, date]],
    *,
    text: str = "x",
    source_format: str = "plain",
) -> None:
    """articles (article_id, published_date), dated by path, each filed as `<article_id>.txt`
    with text and its id as its content hash."""
    con.executemany(
        "insert into articles (article_id, headline, text, published_date, date_basis,"
        " source_path, source_format, content_hash, loaded_at)"
        " values (?, 'h', ?, ?, 'path', ?, ?, ?, now()::timestamp)",
        [
            (article_id, text, published, f"{article_id}.txt", source_format, article_id)
            for article_id, published in articles
        ],
    )
