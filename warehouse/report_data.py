"""What the HTML report shows, read from the warehouse as polars frames (SQL in sql/report/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb
import polars as pl

from warehouse.queries import DEFAULT_SINCE, DEFAULT_UNTIL, report_sql, run_query

# The kinds counted by sql/queries/mention-kinds.sql, one `<kind>_count` column each.
MENTION_KINDS = ("name", "capital", "demonym", "place", "person", "organization")


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, as polars frames, for one date range."""

    since: date
    until: date
    top: int
    totals: dict[str, object]
    top_countries: pl.DataFrame
    daily: pl.DataFrame
    kinds: pl.DataFrame
    people: pl.DataFrame
    organizations: pl.DataFrame
    pairs: pl.DataFrame
    # The maps: mentions per country, and the places of one country (map_country, None when no
    # country is mentioned and none was asked for).
    country_mentions: pl.DataFrame
    map_country: str | None
    places: pl.DataFrame
    tone: pl.DataFrame
    db_path: str = ""
    generated_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )


def gather_report(
    con: duckdb.DuckDBPyConnection,
    *,
    since: date | None = None,
    until: date | None = None,
    top: int = 10,
    map_country: str | None = None,
    db_path: str = "",
) -> ReportData:
    """Read everything the report shows from the warehouse; the places map shows map_country,
    else the most mentioned country."""
    window = {"since": since or DEFAULT_SINCE, "until": until or DEFAULT_UNTIL}
    top_countries = run_query(con, "top-countries", **window, limit=top)
    codes = top_countries.get_column("country_code").to_list()
    map_country = map_country or (codes[0] if codes else None)
    places = con.sql(
        report_sql("country_places"), params={**window, "country_code": map_country}
    ).pl()
    return ReportData(
        **window,
        top=top,
        totals=con.sql(report_sql("totals"), params=window).pl().row(0, named=True),
        top_countries=top_countries,
        daily=con.sql(report_sql("daily_mentions"), params={**window, "country_codes": codes}).pl(),
        kinds=run_query(con, "mention-kinds", **window, limit=top),
        people=run_query(con, "top-people", **window, limit=top),
        organizations=run_query(con, "top-organizations", **window, limit=top),
        pairs=run_query(con, "country-pairs", **window, limit=top),
        country_mentions=con.sql(report_sql("country_mentions"), params=window).pl(),
        map_country=map_country,
        places=places,
        tone=con.sql(report_sql("country_tone"), params={**window, "country_codes": codes}).pl(),
        db_path=db_path,
    )


def _period(dates: pl.Series) -> tuple[str, str]:
    """The period the time charts bin dates into, by their span: its name and polars interval."""
    span_days = (dates.max() - dates.min()).days
    # Sparse data over years is unreadable per day: coarsen so the lines show a trend.
    if span_days <= 92:
        return "day", "1d"
    if span_days <= 731:
        return "week", "1w"
    return "month", "1mo"


def _grid(binned: pl.DataFrame, every: str, codes: list[str]) -> pl.DataFrame:
    """Every period from the first binned to the last, for every country code: period_date,
    country_code."""
    periods = pl.date_range(
        binned["period_date"].min(), binned["period_date"].max(), every, eager=True
    ).alias("period_date")
    return pl.DataFrame(periods).join(pl.DataFrame({"country_code": codes}), how="cross")


def daily_series(daily: pl.DataFrame, codes: list[str]) -> tuple[str, pl.DataFrame]:
    """The period chosen for the time chart and one row per (period_date, country_code), zero-filled."""
    if daily.is_empty():
        return "day", pl.DataFrame(
            schema={
                "period_date": pl.Date(),
                "country_code": pl.String(),
                "mention_count": pl.Int64(),
            }
        )
    period, every = _period(daily["mention_date"])
    binned = (
        daily.with_columns(pl.col("mention_date").dt.truncate(every).alias("period_date"))
        .group_by("period_date", "country_code")
        .agg(pl.col("mention_count").sum().cast(pl.Int64).alias("mention_count"))
    )
    filled = (
        _grid(binned, every, codes)
        .join(binned, on=["period_date", "country_code"], how="left")
        .with_columns(pl.col("mention_count").fill_null(0).alias("mention_count"))
        .sort("period_date", "country_code")
    )
    return period, filled


def tone_series(tone: pl.DataFrame, codes: list[str]) -> tuple[str, pl.DataFrame]:
    """The period chosen for the tone chart (as daily_series chooses it) and one row per
    (period_date, country_code): the mean tone of the period's sentences, null without any."""
    schema = {
        "period_date": pl.Date(),
        "country_code": pl.String(),
        "mean_tone": pl.Float64(),
        "sentence_count": pl.Int64(),
    }
    if tone.is_empty():
        return "day", pl.DataFrame(schema=schema)
    period, every = _period(tone["mention_date"])
    # A period's mean is over its sentences, not its days: each day weighs by its sentences.
    binned = (
        tone.with_columns(pl.col("mention_date").dt.truncate(every).alias("period_date"))
        .group_by("period_date", "country_code")
        .agg(
            (
                (pl.col("mean_tone") * pl.col("sentence_count")).sum()
                / pl.col("sentence_count").sum()
            ).alias("mean_tone"),
            pl.col("sentence_count").sum().cast(pl.Int64).alias("sentence_count"),
        )
    )
    # No sentence in a period is no tone, not a neutral one: it stays null and breaks the line.
    filled = (
        _grid(binned, every, codes)
        .join(binned, on=["period_date", "country_code"], how="left")
        .with_columns(pl.col("sentence_count").fill_null(0).alias("sentence_count"))
        .sort("period_date", "country_code")
        .select(list(schema))
    )
    return period, filled
