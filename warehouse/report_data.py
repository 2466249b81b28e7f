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
    db_path: str = "",
) -> ReportData:
    """Read everything the report shows from the warehouse."""
    window = {"since": since or DEFAULT_SINCE, "until": until or DEFAULT_UNTIL}
    top_countries = run_query(con, "top-countries", **window, limit=top)
    codes = top_countries.get_column("country_code").to_list()
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
        db_path=db_path,
    )


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
    first, last = daily["mention_date"].min(), daily["mention_date"].max()
    span_days = (last - first).days
    # Sparse data over years is unreadable per day: coarsen so the lines show a trend.
    if span_days <= 92:
        period, every = "day", "1d"
    elif span_days <= 731:
        period, every = "week", "1w"
    else:
        period, every = "month", "1mo"
    binned = (
        daily.with_columns(pl.col("mention_date").dt.truncate(every).alias("period_date"))
        .group_by("period_date", "country_code")
        .agg(pl.col("mention_count").sum().cast(pl.Int64).alias("mention_count"))
    )
    periods = pl.date_range(
        binned["period_date"].min(), binned["period_date"].max(), every, eager=True
    ).alias("period_date")
    grid = pl.DataFrame(periods).join(pl.DataFrame({"country_code": codes}), how="cross")
    filled = (
        grid.join(binned, on=["period_date", "country_code"], how="left")
        .with_columns(pl.col("mention_count").fill_null(0).alias("mention_count"))
        .sort("period_date", "country_code")
    )
    return period, filled
