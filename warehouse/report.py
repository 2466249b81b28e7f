"""Named queries from sql/queries/ and the HTML report: gathering (SQL to polars) apart from rendering."""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from warehouse import db

QUERY_DIR = db.SQL_DIR / "queries"
PARAM_TYPES = ("date", "int", "text")
DEFAULT_SINCE = date(1900, 1, 1)
DEFAULT_UNTIL = date(2999, 12, 31)

_PARAMS_LINE = re.compile(r"^--\s*params:\s*(?P<spec>.*)$", re.MULTILINE)
_PARAM_SPEC = re.compile(
    r"(?P<name>[a-z_][a-z0-9_]*)\s*\(\s*(?P<type>\w+)\s*(?:,\s*default\s+(?P<default>[^)]*?))?\s*\)"
)
_SQL_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")


class QueryError(ValueError):
    """A named query is unknown, malformed, or was given parameters it cannot take."""


# --- named queries -------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query: its name, type and default (None: required)."""

    name: str
    type: str
    default: str | None = None

    def convert(self, query: str, value: object) -> object:
        """The value as the type DuckDB should bind; strings from the command line are parsed."""
        if not isinstance(value, str):
            return value
        try:
            if self.type == "date":
                return date.fromisoformat(value)
            if self.type == "int":
                return int(value)
        except ValueError:
            like = "a date like 2017-04-10" if self.type == "date" else "a whole number"
            raise QueryError(
                f"query {query}: parameter {self.name}: {value!r} is not {like}"
            ) from None
        return value

    def describe(self) -> str:
        """`since (date, default 1900-01-01)` or `country (text, required)`."""
        default = "required" if self.default is None else f"default {self.default}"
        return f"{self.name} ({self.type}, {default})"


@dataclass(frozen=True)
class NamedQuery:
    """A .sql file in sql/queries/: its name, one-line description, parameters and text."""

    name: str
    description: str
    params: tuple[Param, ...]
    sql: str
    path: Path

    def bind(self, given: dict[str, object]) -> dict[str, object]:
        """Every declared parameter's value, from `given` or its default, typed for DuckDB."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            takes = ", ".join(declared) if declared else "no parameters"
            raise QueryError(
                f"query {self.name}: unknown parameter {', '.join(unknown)}"
                f" (it takes {takes}; see `wirehouse query --list`)"
            )
        values: dict[str, object] = {}
        for param in self.params:
            if param.name in given:
                values[param.name] = param.convert(self.name, given[param.name])
            elif param.default is not None:
                values[param.name] = param.convert(self.name, param.default)
            else:
                flag = f"--{param.name}" if param.name in CONVENIENCE_FLAGS else "--param"
                example = f"{flag} VALUE" if flag != "--param" else f"--param {param.name}=VALUE"
                raise QueryError(
                    f"query {self.name}: missing parameter {param.name} ({param.type});"
                    f" pass {example}"
                )
        return values


# Parameters that `wirehouse query` also takes as their own flags.
CONVENIENCE_FLAGS = ("since", "until", "country", "limit")


def load_query(path: Path) -> NamedQuery:
    """Parse one named-query file; raise QueryError naming the file when its header is wrong."""
    text = path.read_text()
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if not first.startswith("--") or first.lstrip("- ").startswith("params:"):
        raise QueryError(f"{path}: the first line must be a `--` comment describing the query")
    description = first.lstrip("-").strip()
    header = _PARAMS_LINE.search(text)
    if header is None:
        raise QueryError(f"{path}: no `-- params:` line; write `-- params: none` if it takes none")
    spec = header.group("spec").strip()
    params: list[Param] = []
    if spec.lower() != "none":
        for match in _PARAM_SPEC.finditer(spec):
            if match.group("type") not in PARAM_TYPES:
                raise QueryError(
                    f"{path}: parameter {match.group('name')} has type {match.group('type')!r};"
                    f" use one of {', '.join(PARAM_TYPES)}"
                )
            default = match.group("default")
            params.append(Param(match.group("name"), match.group("type"), default))
    used = set(_SQL_PARAM.findall(_LINE_COMMENT.sub("", text)))
    declared = {p.name for p in params}
    if used != declared:
        raise QueryError(
            f"{path}: declares parameters {sorted(declared)} but uses {sorted(used)};"
            " make the `-- params:` line match the $names in the SQL"
        )
    return NamedQuery(path.stem, description, tuple(params), text, path)


def named_queries(directory: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every named query shipped in sql/queries/, by name."""
    return {path.stem: load_query(path) for path in sorted(directory.glob("*.sql"))}


def find_query(name: str, directory: Path = QUERY_DIR) -> NamedQuery | None:
    """The named query called `name`, or None when no file has that name (so it is SQL text)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return None
    path = directory / f"{name}.sql"
    return load_query(path) if path.is_file() else None


def run_query(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """The result of a named query, its parameters bound (never pasted) by DuckDB."""
    query = find_query(name)
    if query is None:
        raise QueryError(f"no named query {name!r} in {QUERY_DIR}")
    return con.sql(query.sql, params=query.bind(params)).pl()


# --- gathering -----------------------------------------------------------------

_TOTALS_SQL = """
with in_range as (
    select
        articles.article_id,
        articles.published_date,
    from articles
    where articles.published_date between $since and $until
),

counts as (
    select
        (select count(*) from in_range) as article_count,
        (select count(*) from sentences
            where sentences.article_id in (select in_range.article_id from in_range))
            as sentence_count,
        (select count(*) from mentions
            where mentions.article_id in (select in_range.article_id from in_range))
            as mention_count,
        (select min(in_range.published_date) from in_range) as first_date,
        (select max(in_range.published_date) from in_range) as last_date,
        (select count(*) from source_files where source_files.status = 'rejected')
            as rejected_file_count,
        (select count(*) from source_files where source_files.status = 'duplicate')
            as duplicate_file_count,
        (select count(*) from source_files where source_files.status = 'loaded')
            as loaded_file_count,
),

final as (
    select * from counts
)

select * from final
"""

# grain: one row per (mention_date, country_code) for the given countries.
_DAILY_SQL = """
with final as (
    select
        daily.mention_date,
        daily.country_code,
        daily.mention_count,
    from country_mentions_daily as daily
    where daily.mention_date between $since and $until
        and list_contains($country_codes, daily.country_code)
        and daily.mention_count > 0
    order by daily.mention_date, daily.country_code
)

select * from final
"""

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
    since = since or DEFAULT_SINCE
    until = until or DEFAULT_UNTIL
    window = {"since": since, "until": until}
    totals = con.sql(_TOTALS_SQL, params=window).pl().row(0, named=True)
    top_countries = run_query(con, "top-countries", **window, limit=top)
    codes = top_countries.get_column("country_code").to_list()
    return ReportData(
        since=since,
        until=until,
        top=top,
        totals=totals,
        top_countries=top_countries,
        daily=con.sql(_DAILY_SQL, params={**window, "country_codes": codes}).pl(),
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


# --- rendering -----------------------------------------------------------------

CHART_FILES = (
    "daily_mentions.png",
    "mention_kinds.png",
    "top_people.png",
    "top_organizations.png",
    "cooccurrence.png",
)
_KIND_COLOURS = dict(
    zip(
        MENTION_KINDS,
        ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"),
        strict=True,
    )
)


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _empty_chart(title: str, note: str) -> bytes:
    fig = _figure(10, 2.2)
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=13)
    ax.text(0.5, 0.5, note, ha="center", va="center", fontsize=14, color="#666666")
    ax.set_axis_off()
    return _png(fig)


def chart_daily(data: ReportData) -> bytes:
    """Line chart: mentions of the top countries per period over time."""
    codes = data.top_countries.get_column("country_code").to_list()
    period, series = daily_series(data.daily, codes)
    title = f"Mentions per {period} of the top {len(codes)} countries"
    if series.is_empty():
        return _empty_chart(title, "No country mentions in this date range")
    import matplotlib.dates as mdates
    from matplotlib import ticker

    fig = _figure(10, 4.8)
    ax = fig.add_subplot()
    for code in codes:
        rows = series.filter(pl.col("country_code") == code)
        ax.plot(
            rows["period_date"].to_list(),
            rows["mention_count"].to_list(),
            marker="o",
            markersize=3,
            linewidth=1.4,
            label=code,
        )
    periods = series["period_date"].unique()
    if len(periods) == 1:
        # One point would sit on an axis matplotlib spreads over years.
        only = periods[0]
        ax.set_xlim(only - timedelta(days=3), only + timedelta(days=3))
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_ylabel(f"mentions per {period}")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title, loc="left", fontsize=13)
    ax.legend(
        ncols=min(len(codes), 10), loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False
    )
    return _png(fig)


def chart_kinds(data: ReportData) -> bytes:
    """Stacked horizontal bars: each top country's mentions split by kind, as shares."""
    title = "How each country is mentioned (share of its mentions by kind)"
    if data.kinds.is_empty():
        return _empty_chart(title, "No country mentions in this date range")
    kinds = data.kinds.reverse()  # barh draws bottom-up; keep the most mentioned on top
    counts = {kind: kinds[f"{kind}_count"].cast(pl.Float64).to_list() for kind in MENTION_KINDS}
    totals = [sum(values) for values in zip(*counts.values(), strict=True)]
    labels = kinds["country_code"].to_list()
    fig = _figure(10, 1.2 + 0.38 * len(labels))
    ax = fig.add_subplot()
    left = [0.0] * len(labels)
    for kind in MENTION_KINDS:
        shares = [c / t if t else 0.0 for c, t in zip(counts[kind], totals, strict=True)]
        ax.barh(labels, shares, left=left, color=_KIND_COLOURS[kind], label=kind, height=0.7)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    for y, total in enumerate(totals):
        ax.text(1.01, y, f"{int(total)}", va="center", fontsize=9, color="#444444")
    ax.set_xlim(0, 1.08)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_title(title, loc="left", fontsize=13)
    ax.legend(
        ncols=len(MENTION_KINDS), loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False
    )
    return _png(fig)


def chart_entities(frame: pl.DataFrame, what: str) -> bytes:
    """Horizontal bars of the most mentioned people or organisations, or a note when there are none."""
    title = f"Top {what}"
    if frame.is_empty():
        return _empty_chart(title, f"No {what} found yet")
    from matplotlib import ticker

    rows = frame.reverse()
    labels = [
        f"{name} ({code})" if code else str(name)
        for name, code in zip(
            rows["entity_name"].to_list(), rows["country_code"].to_list(), strict=True
        )
    ]
    fig = _figure(10, 1.0 + 0.38 * len(labels))
    ax = fig.add_subplot()
    bars = ax.barh(labels, rows["mention_count"].to_list(), color="#4c72b0", height=0.7)
    ax.bar_label(bars, padding=3, fontsize=9)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("mentions")
    ax.set_title(title, loc="left", fontsize=13)
    return _png(fig)


def chart_cooccurrence(data: ReportData) -> bytes:
    """Heatmap: sentences in which each pair of the top countries is mentioned together."""
    title = "Countries mentioned in the same sentence"
    codes = data.top_countries.get_column("country_code").to_list()
    if len(codes) < 2:
        return _empty_chart(title, "Fewer than two countries in this date range")
    import numpy as np

    index = {code: i for i, code in enumerate(codes)}
    matrix = np.zeros((len(codes), len(codes)))
    for code, other, count in data.pairs.select(
        "country_code", "other_country_code", "sentence_count"
    ).iter_rows():
        if code in index and other in index:
            matrix[index[code], index[other]] = count
    masked = np.ma.masked_where(np.eye(len(codes), dtype=bool), matrix)
    size = min(10.0, 2.5 + 0.6 * len(codes))
    fig = _figure(size + 1.5, size)
    ax = fig.add_subplot()
    import matplotlib

    # The diagonal (a country with itself) is grey, so it does not read as "never together".
    cmap = matplotlib.colormaps["Blues"].with_extremes(bad="#d9d9d9")
    image = ax.imshow(masked, cmap=cmap, vmin=0)
    ax.set_xticks(range(len(codes)), codes)
    ax.set_yticks(range(len(codes)), codes)
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    peak = matrix.max() or 1
    for i in range(len(codes)):
        for j in range(len(codes)):
            if i != j and matrix[i, j]:
                colour = "white" if matrix[i, j] > peak * 0.6 else "#222222"
                ax.text(
                    j, i, f"{int(matrix[i, j])}", ha="center", va="center", fontsize=9, color=colour
                )
    fig.colorbar(image, ax=ax, shrink=0.8, label="sentences mentioning both")
    ax.set_title(title, loc="left", fontsize=13, pad=28)
    return _png(fig)


def render_charts(data: ReportData) -> dict[str, bytes]:
    """Every chart of the report as PNG bytes, by file name."""
    import matplotlib

    matplotlib.use("Agg")
    return {
        "daily_mentions.png": chart_daily(data),
        "mention_kinds.png": chart_kinds(data),
        "top_people.png": chart_entities(data.people, "people"),
        "top_organizations.png": chart_entities(data.organizations, "organizations"),
        "cooccurrence.png": chart_cooccurrence(data),
    }


_CHART_CAPTIONS = {
    "daily_mentions.png": "Mentions of the most mentioned countries over time"
    " (kinds name, capital, demonym and place).",
    "mention_kinds.png": "Each country's mentions split by kind; the number at the right is the"
    " total of all kinds.",
    "top_people.png": "People most often mentioned.",
    "top_organizations.png": "Organisations most often mentioned.",
    "cooccurrence.png": "Number of sentences in which both countries are mentioned.",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>wirehouse report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem 2rem;
       color: #222; background: #fff; }}
h1 {{ margin-bottom: 0.2rem; }}
.meta {{ color: #666; margin-top: 0; }}
.numbers {{ display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 1rem 0; }}
.number {{ border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.9rem; min-width: 7rem; }}
.number b {{ display: block; font-size: 1.5rem; }}
.number span {{ color: #666; font-size: 0.85rem; }}
figure {{ margin: 1.5rem 0; }}
figure img {{ max-width: 100%; height: auto; border: 1px solid #eee; }}
figcaption {{ color: #555; font-size: 0.9rem; }}
.empty {{ background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4rem 0.8rem; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }}
th, td {{ text-align: left; padding: 0.2rem 0.8rem 0.2rem 0; border-bottom: 1px solid #eee; }}
td.n {{ text-align: right; }}
</style>
</head>
<body data-charts-rendered="pending">
<h1>wirehouse report</h1>
<p class="meta">{meta}</p>
<div class="numbers">
{numbers}
</div>
{top_table}
{figures}
<script>
// Lets a headless browser (and a curious reader) confirm every chart decoded.
window.addEventListener("load", function () {{
  var charts = document.querySelectorAll("img.chart");
  var rendered = 0;
  charts.forEach(function (img) {{
    if (img.complete && img.naturalWidth > 0) {{ rendered += 1; }}
  }});
  document.body.dataset.chartsRendered = rendered + "/" + charts.length;
}});
</script>
</body>
</html>
"""


def _number(value: object, label: str) -> str:
    shown = "–" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
    return f'<div class="number"><b>{html.escape(shown)}</b><span>{html.escape(label)}</span></div>'


def render_html(data: ReportData, charts: dict[str, bytes]) -> str:
    """The self-contained page: key numbers, a top-countries table, every chart inline as PNG."""
    t = data.totals
    first, last = t["first_date"], t["last_date"]
    date_range = f"{first} to {last}" if first else "no articles"
    numbers = "\n".join(
        [
            _number(t["article_count"], "articles"),
            _number(t["sentence_count"], "sentences"),
            _number(t["mention_count"], "mentions"),
            _number(date_range, "published"),
            _number(t["loaded_file_count"], "files loaded"),
            _number(t["rejected_file_count"], "files rejected"),
            _number(t["duplicate_file_count"], "duplicate files"),
        ]
    )
    window = (
        "all dates"
        if (data.since, data.until) == (DEFAULT_SINCE, DEFAULT_UNTIL)
        else f"{data.since} to {data.until}"
    )
    meta = html.escape(
        f"{data.db_path or 'warehouse'} · articles published {window} · top {data.top}"
        f" · generated {data.generated_at}"
    )
    rows = "".join(
        f"<tr><td>{html.escape(str(r['country_code']))}</td>"
        f"<td>{html.escape(str(r['country_name'] or ''))}</td>"
        f"<td class=n>{r['mention_count']}</td><td class=n>{r['article_count']}</td>"
        f"<td>{r['first_mention_date']}</td><td>{r['last_mention_date']}</td></tr>"
        for r in data.top_countries.iter_rows(named=True)
    )
    top_table = (
        "<h2>Top countries</h2><table><tr><th>code</th><th>country</th><th>mentions</th>"
        f"<th>articles</th><th>first</th><th>last</th></tr>{rows}</table>"
        if rows
        else '<p class="empty">No country mentions in this date range.</p>'
    )
    notes = {
        "top_people.png": "No people found yet." if data.people.is_empty() else "",
        "top_organizations.png": "No organizations found yet."
        if data.organizations.is_empty()
        else "",
    }
    figures = []
    for name in CHART_FILES:
        encoded = base64.b64encode(charts[name]).decode("ascii")
        note = f'<p class="empty">{html.escape(notes[name])}</p>' if notes.get(name) else ""
        figures.append(
            f'<figure id="{name.removesuffix(".png")}">{note}'
            f'<img class="chart" alt="{html.escape(_CHART_CAPTIONS[name])}"'
            f' src="data:image/png;base64,{encoded}">'
            f"<figcaption>{html.escape(_CHART_CAPTIONS[name])} (also {name})</figcaption></figure>"
        )
    return _PAGE.format(meta=meta, numbers=numbers, top_table=top_table, figures="\n".join(figures))


def write_report(
    db_path: Path,
    out_dir: Path,
    *,
    since: date | None = None,
    until: date | None = None,
    top: int = 10,
) -> Path:
    """Write out_dir/index.html and one PNG per chart from a read-only connection; returns the page."""
    with db.connect(db_path, read_only=True) as con:
        data = gather_report(con, since=since, until=until, top=top, db_path=str(db_path))
    charts = render_charts(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, png in charts.items():
        (out_dir / name).write_bytes(png)
    page = out_dir / "index.html"
    page.write_text(render_html(data, charts), encoding="utf-8")
    return page
