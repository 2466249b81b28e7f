"""The HTML report: charts (matplotlib) and the self-contained page, from gathered ReportData."""

from __future__ import annotations

import base64
import hashlib
import html
import io
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from warehouse import db, output_files
from warehouse.queries import DEFAULT_SINCE, DEFAULT_UNTIL
from warehouse.report_data import (
    MENTION_KINDS,
    ReportData,
    daily_series,
    gather_report,
    tone_series,
)

# --- charts --------------------------------------------------------------------

PAGE_FILE = "index.html"
# Each chart draws one bar, line or row per country, person or body shown: past a hundred the
# charts stop being readable and the page grows (100,000 built a 55 MB page in over 4 minutes).
MAX_TOP = 100
CHART_FILES = (
    "daily_mentions.png",
    "country_tone.png",
    "world_map.png",
    "country_places.png",
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


def _date_axis(ax, series: pl.DataFrame) -> None:
    """Dates along x, labelled concisely; a lone period gets a week around it (one point would
    sit on an axis matplotlib spreads over years)."""
    import matplotlib.dates as mdates

    periods = series["period_date"].unique()
    if len(periods) == 1:
        only = periods[0]
        ax.set_xlim(only - timedelta(days=3), only + timedelta(days=3))
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _finish_lines(fig, ax, title: str, lines: int) -> bytes:
    """A line chart's grid, title and legend below it; the PNG."""
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title, loc="left", fontsize=13)
    ax.legend(ncols=min(lines, 10), loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    return _png(fig)


def chart_daily(data: ReportData) -> bytes:
    """Line chart: mentions of the top countries per period over time."""
    codes = data.top_countries.get_column("country_code").to_list()
    period, series = daily_series(data.daily, codes)
    title = f"Mentions per {period} of the top {len(codes)} countries"
    if series.is_empty():
        return _empty_chart(title, "No country mentions in this date range")
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
    _date_axis(ax, series)
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_ylabel(f"mentions per {period}")
    ax.set_ylim(bottom=0)
    return _finish_lines(fig, ax, title, len(codes))


def chart_tone(data: ReportData) -> bytes:
    """Line chart: the mean tone of the sentences mentioning each top country, per period."""
    codes = data.top_countries.get_column("country_code").to_list()
    period, series = tone_series(data.tone, codes)
    title = f"Tone per {period} of the sentences mentioning the top {len(codes)} countries"
    if series.is_empty():
        return _empty_chart(title, "No scored sentences mention a country in this date range")

    fig = _figure(10, 4.8)
    ax = fig.add_subplot()
    ax.axhline(0, color="#444444", linewidth=0.9, zorder=1)
    for code in codes:
        rows = series.filter(pl.col("country_code") == code)
        # A period without a sentence is a gap in the line (None), not a neutral tone.
        ax.plot(
            rows["period_date"].to_list(),
            [float("nan") if v is None else v for v in rows["mean_tone"].to_list()],
            marker="o",
            markersize=3,
            linewidth=1.4,
            label=code,
        )
    _date_axis(ax, series)
    # Symmetric about zero so that above the line reads positive and below negative at a glance;
    # as wide as the data needs, never past VADER's -1..1.
    peak = series["mean_tone"].abs().max() or 0.0
    reach = min(1.0, max(0.1, peak * 1.15))
    ax.set_ylim(-reach, reach)
    ax.set_ylabel(f"mean tone per {period} (-1 to 1)")
    return _finish_lines(fig, ax, title, len(codes))


def _country_name(data: ReportData, code: str) -> str:
    """A country's name as the warehouse gives it, else as the map's shapes do, else its code."""
    from warehouse.report_map import country_shapes

    named = data.country_mentions.filter(pl.col("country_code") == code)
    if not named.is_empty() and named["country_name"][0]:
        return named["country_name"][0]
    shape = country_shapes().get(code)
    return shape.name if shape else code


def _country_label(data: ReportData, code: str) -> str:
    """'Italy (IT)', or the code alone when nothing names it."""
    name = _country_name(data, code)
    return f"{name} ({code})" if name != code else code


def chart_world_map(data: ReportData) -> bytes:
    """Choropleth: every country filled by its mentions (grey without any), with a colour bar."""
    title = "Mentions per country"
    if data.country_mentions.is_empty():
        return _empty_chart(title, "No country mentions in this date range")
    from warehouse.report_map import world_map

    fig = _figure(10, 4.6)
    world_map(fig, data.country_mentions)
    fig.axes[0].set_title(title, loc="left", fontsize=13)
    return _png(fig)


def chart_places(data: ReportData) -> bytes:
    """Map of one country: each place mentioned as a point, its area by its mentions."""
    code = data.map_country
    if code is None:
        return _empty_chart("Places mentioned", "No country mentions in this date range")
    label = _country_label(data, code)
    if data.places.is_empty():
        return _empty_chart(
            f"Places mentioned in {label}", f"No place in {label} is mentioned in this date range"
        )
    from warehouse.report_map import places_map

    fig = _figure(10, 6.4)
    places_map(fig, data.places, code, label)
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
        "country_tone.png": chart_tone(data),
        "world_map.png": chart_world_map(data),
        "country_places.png": chart_places(data),
        "mention_kinds.png": chart_kinds(data),
        "top_people.png": chart_entities(data.people, "people"),
        "top_organizations.png": chart_entities(data.organizations, "organizations"),
        "cooccurrence.png": chart_cooccurrence(data),
    }


_CHART_CAPTIONS = {
    "daily_mentions.png": "Mentions of the most mentioned countries over time"
    " (kinds name, capital, demonym and place).",
    "country_tone.png": "Mean tone (VADER compound, -1 to 1) of the sentences mentioning each of the"
    " most mentioned countries, over time; each period weighs its days by their sentences.",
    "world_map.png": "Mentions of each country (kinds name, capital, demonym and place); grey:"
    " not mentioned; a dot: a country too small for the map's shapes, or a former one. Shapes"
    " made with Natural Earth (1:110m, public domain).",
    "country_places.png": "Places mentioned in {country} (cities, regions and the capital standing"
    " for the country), each point's area by its mentions; the most mentioned country unless"
    " --map-country names another.",
    "mention_kinds.png": "Each country's mentions split by kind; the number at the right is the"
    " total of all kinds.",
    "top_people.png": "People most often mentioned.",
    "top_organizations.png": "Organisations most often mentioned.",
    "cooccurrence.png": "Number of sentences in which both countries are mentioned.",
}

# The page's own style and script, each allowed by its hash in the Content-Security-Policy
# (computed as the page is written): nothing else inline runs, not even a script that text
# from the warehouse might smuggle in past the escaping.
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem 2rem;
       color: #222; background: #fff; }
h1 { margin-bottom: 0.2rem; }
.meta { color: #666; margin-top: 0; }
.numbers { display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 1rem 0; }
.number { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.9rem; min-width: 7rem; }
.number b { display: block; font-size: 1.5rem; }
.number span { color: #666; font-size: 0.85rem; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9rem; }
.empty { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4rem 0.8rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.2rem 0.8rem 0.2rem 0; border-bottom: 1px solid #eee; }
td.n { text-align: right; }
"""

_SCRIPT = """
// Lets a headless browser (and a curious reader) confirm every chart decoded.
window.addEventListener("load", function () {
  var charts = document.querySelectorAll("img.chart");
  var rendered = 0;
  charts.forEach(function (img) {
    if (img.complete && img.naturalWidth > 0) { rendered += 1; }
  });
  document.body.dataset.chartsRendered = rendered + "/" + charts.length;
});
"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src {style_hash}; script-src {script_hash}">
<title>wirehouse report</title>
<style>{style}</style>
</head>
<body data-charts-rendered="pending">
<h1>wirehouse report</h1>
<p class="meta">{meta}</p>
<div class="numbers">
{numbers}
</div>
{top_table}
{figures}
<script>{script}</script>
</body>
</html>
"""


def csp_hash(inline: str) -> str:
    """The CSP source that allows exactly this inline script or style: 'sha256-<base64>'."""
    digest = hashlib.sha256(inline.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _number(value: object, label: str) -> str:
    shown = "–" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
    return f'<div class="number"><b>{html.escape(shown)}</b><span>{html.escape(label)}</span></div>'


def _numbers(totals: dict[str, object]) -> str:
    """The row of key numbers at the top of the page."""
    first, last = totals["first_date"], totals["last_date"]
    date_range = f"{first} to {last}" if first else "no articles"
    return "\n".join(
        [
            _number(totals["article_count"], "articles"),
            _number(totals["sentence_count"], "sentences"),
            _number(totals["mention_count"], "mentions"),
            _number(date_range, "published"),
            _number(totals["loaded_file_count"], "files loaded"),
            _number(totals["rejected_file_count"], "files rejected"),
            _number(totals["duplicate_file_count"], "duplicate files"),
        ]
    )


def _meta(data: ReportData) -> str:
    """The line under the title: which warehouse, which dates, how many shown, when."""
    window = (
        "all dates"
        if (data.since, data.until) == (DEFAULT_SINCE, DEFAULT_UNTIL)
        else f"{data.since} to {data.until}"
    )
    return html.escape(
        f"{data.db_path or 'warehouse'} · articles published {window} · top {data.top}"
        f" · generated {data.generated_at}"
    )


def _top_table(top_countries: pl.DataFrame) -> str:
    """The top-countries table, or a note when no country is mentioned."""
    rows = "".join(
        f"<tr><td>{html.escape(str(r['country_code']))}</td>"
        f"<td>{html.escape(str(r['country_name'] or ''))}</td>"
        f"<td class=n>{r['mention_count']}</td><td class=n>{r['article_count']}</td>"
        f"<td>{r['first_mention_date']}</td><td>{r['last_mention_date']}</td></tr>"
        for r in top_countries.iter_rows(named=True)
    )
    if not rows:
        return '<p class="empty">No country mentions in this date range.</p>'
    return (
        "<h2>Top countries</h2><table><tr><th>code</th><th>country</th><th>mentions</th>"
        f"<th>articles</th><th>first</th><th>last</th></tr>{rows}</table>"
    )


def _figures(data: ReportData, charts: dict[str, bytes]) -> str:
    """Every chart as an inline PNG with its caption, and a note where a chart has no data."""
    notes = {
        "top_people.png": "No people found yet." if data.people.is_empty() else "",
        "top_organizations.png": "No organizations found yet."
        if data.organizations.is_empty()
        else "",
    }
    code = data.map_country
    country = _country_label(data, code) if code else "the most mentioned country"
    figures = []
    for name in CHART_FILES:
        encoded = base64.b64encode(charts[name]).decode("ascii")
        caption = html.escape(_CHART_CAPTIONS[name].format(country=country))
        note = f'<p class="empty">{html.escape(notes[name])}</p>' if notes.get(name) else ""
        figures.append(
            f'<figure id="{name.removesuffix(".png")}">{note}'
            f'<img class="chart" alt="{caption}" src="data:image/png;base64,{encoded}">'
            f"<figcaption>{caption} (also {name})</figcaption></figure>"
        )
    return "\n".join(figures)


def render_html(data: ReportData, charts: dict[str, bytes]) -> str:
    """The self-contained page: key numbers, a top-countries table, every chart inline as PNG."""
    return _PAGE.format(
        style=_STYLE,
        style_hash=csp_hash(_STYLE),
        script=_SCRIPT,
        script_hash=csp_hash(_SCRIPT),
        meta=_meta(data),
        numbers=_numbers(data.totals),
        top_table=_top_table(data.top_countries),
        figures=_figures(data, charts),
    )


def write_report(
    db_path: Path,
    out_dir: Path,
    *,
    since: date | None = None,
    until: date | None = None,
    top: int = 10,
    map_country: str | None = None,
) -> Path:
    """Write out_dir/index.html and one PNG per chart from a locked connection; returns the page.

    The places map shows map_country (an ISO alpha-2 code), else the most mentioned country.

    Raises OutputRefused, before reading anything, when out_dir or a file it would write is a
    symbolic link (see warehouse/output_files.py); ValueError when top is out of range.
    """
    if not 1 <= top <= MAX_TOP:
        raise ValueError(f"top must be a whole number from 1 to {MAX_TOP}, not {top}")
    output_files.check_folder(out_dir, [*CHART_FILES, PAGE_FILE])
    with db.connect(db_path, locked=True) as con:
        data = gather_report(
            con,
            since=since,
            until=until,
            top=top,
            map_country=map_country,
            db_path=str(db_path),
        )
    charts = render_charts(data)
    page = render_html(data, charts).encode("utf-8")
    output_files.write_files(out_dir, {**charts, PAGE_FILE: page})
    return out_dir / PAGE_FILE
