"""`wirehouse report`: a self-contained HTML page with eight charts, checked in headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from flows.ingest import run_pipeline
from tests.conftest import REPO_ROOT, SAMPLES, query
from warehouse.output_files import OutputRefused
from warehouse.report import CHART_FILES, MAX_TOP, render_charts, render_html, write_report
from warehouse.report_data import ReportData, daily_series
from wirehouse.cli import main
from wirehouse.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    """The samples loaded once for the read-only tests here (what conftest's `run` does)."""
    db_path = tmp_path_factory.mktemp("report") / "news.duckdb"
    summary = run_pipeline(Settings(input_dir=SAMPLES, db_path=db_path), as_tasks=False)
    assert summary.files_loaded == 12
    return db_path


@pytest.fixture(scope="module")
def report_dir(sample_db) -> Path:
    out = sample_db.parent / "report"
    write_report(sample_db, out)
    return out


def number(page: str, label: str) -> str:
    """The key number shown above `label` in the page header."""
    match = re.search(rf"<b>([^<]*)</b><span>{re.escape(label)}</span>", page)
    assert match, f"no key number labelled {label!r}"
    return match.group(1)


# --- the page and its files ------------------------------------------------------


def test_report_writes_the_page_and_every_chart_as_png(report_dir):
    page = (report_dir / "index.html").read_text()

    assert sorted(p.name for p in report_dir.iterdir()) == sorted([*CHART_FILES, "index.html"])
    for name in CHART_FILES:
        assert (report_dir / name).read_bytes().startswith(PNG_MAGIC), name
    assert page.count('<img class="chart"') == len(CHART_FILES) == 8
    assert page.count('src="data:image/png;base64,') == 8


def test_report_page_needs_no_network(report_dir):
    page = (report_dir / "index.html").read_text()

    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # the browser itself refuses any fetch


def test_report_header_numbers_match_the_warehouse(report_dir, sample_db):
    page = (report_dir / "index.html").read_text()
    articles, sentences, mentions = (
        query(sample_db, f"select count(*) from {t}")[0][0]
        for t in ("articles", "sentences", "mentions")
    )
    first, last = query(sample_db, "select min(published_date), max(published_date) from articles")[
        0
    ]

    assert number(page, "articles") == f"{articles:,}" == "14"
    assert number(page, "sentences") == f"{sentences:,}"
    assert number(page, "mentions") == f"{mentions:,}"
    assert number(page, "published") == f"{first} to {last}"
    assert number(page, "files rejected") == "0"


def test_report_notes_people_and_organizations_only_when_there_are_none(report_dir, sample_db):
    page = (report_dir / "index.html").read_text()
    for entity_type, note in (
        ("person", "No people found yet."),
        ("organization", "No organizations found yet."),
    ):
        found = query(
            sample_db,
            "select count(*) from mentions m join entities e on e.entity_id = m.entity_id"
            " where e.entity_type = ?",
            [entity_type],
        )[0][0]

        assert (f'<p class="empty">{note}</p>' in page) == (found == 0), entity_type


def test_report_since_and_until_narrow_every_number(sample_db, tmp_path):
    write_report(sample_db, tmp_path / "r", since=date(2017, 4, 1), until=date(2017, 9, 30))
    page = (tmp_path / "r" / "index.html").read_text()
    articles = query(
        sample_db,
        "select count(*) from articles where published_date between '2017-04-01' and '2017-09-30'",
    )[0][0]

    assert number(page, "articles") == str(articles)
    assert 0 < articles < 14
    assert "2017-04-01 to 2017-09-30" in page
    assert "2016-09-03" not in page


def test_cli_report_writes_the_page(sample_db, tmp_path, capsys):
    out = tmp_path / "cli-report"

    assert main(["report", "--out", str(out), "--db", str(sample_db), "--top", "3"]) == 0

    assert str(out / "index.html") in capsys.readouterr().out
    page = (out / "index.html").read_text()
    assert page.count("<tr><td>") == 3  # three rows in the top-countries table


def test_cli_report_maps_the_places_of_the_country_asked_for(sample_db, tmp_path):
    out = tmp_path / "cli-report"

    assert main(["report", "--out", str(out), "--db", str(sample_db), "--map-country", "us"]) == 0

    page = (out / "index.html").read_text()
    assert 'alt="Places mentioned in United States (US) (cities' in page
    assert "Places mentioned in Japan" not in page


def test_report_maps_the_most_mentioned_country_by_default(report_dir):
    page = (report_dir / "index.html").read_text()

    # Japan leads the samples: 101 mentions to the United States' 49.
    assert 'alt="Places mentioned in Japan (JP) (cities' in page


@pytest.mark.parametrize("code", ["I", "ITA", "I1", "ｉｔ", ""])
def test_cli_report_map_country_not_two_letters_is_a_usage_error(tmp_path, capsys, code):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--out", str(tmp_path / "r"), "--map-country", code])

    assert exit_info.value.code == 2
    assert "--map-country" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_cli_report_on_a_missing_warehouse_exits_1(tmp_path, capsys):
    missing = tmp_path / "none.duckdb"

    assert main(["report", "--out", str(tmp_path / "r"), "--db", str(missing)]) == 1

    assert "does not exist" in capsys.readouterr().err
    assert not missing.exists()


def test_report_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--help"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: wirehouse report")


def test_report_csp_allows_only_the_page_own_script_and_style_by_their_hashes(report_dir):
    page = (report_dir / "index.html").read_text()
    policy = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]*)"', page).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)

    def sha256(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert "unsafe-inline" not in policy
    assert f"script-src 'sha256-{sha256(script)}'" in policy
    assert f"style-src 'sha256-{sha256(style)}'" in policy
    assert page.count("<script") == 1 and page.count("<style") == 1


# --- where the report is written ----------------------------------------------


def test_report_refuses_a_link_planted_in_its_folder_and_writes_nothing(sample_db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("not the report's")
    out = tmp_path / "r"
    out.mkdir()
    (out / "index.html").symlink_to(victim)

    with pytest.raises(OutputRefused, match="index.html: is a symbolic link"):
        write_report(sample_db, out)

    assert victim.read_text() == "not the report's"
    assert [p.name for p in out.iterdir()] == ["index.html"]


def test_cli_report_into_a_linked_folder_exits_2_in_one_line(sample_db, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "r").symlink_to(elsewhere, target_is_directory=True)

    code = main(["report", "--out", str(tmp_path / "r"), "--db", str(sample_db)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "is a symbolic link" in err
    assert list(elsewhere.iterdir()) == []


def test_cli_report_into_a_file_exits_2_in_one_line(sample_db, tmp_path, capsys):
    (tmp_path / "r").write_text("a file")

    code = main(["report", "--out", str(tmp_path / "r"), "--db", str(sample_db)])

    err = capsys.readouterr().err
    assert code == 2
    assert err == f"wirehouse: {tmp_path / 'r'}: is a file, not a folder; choose a folder\n"


@pytest.mark.parametrize("top", ["0", "-1", "101", "100000", "1.5", "١٠"])
def test_cli_report_top_outside_1_to_100_is_a_usage_error(tmp_path, capsys, top):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--out", str(tmp_path / "r"), "--top", top])

    assert exit_info.value.code == 2
    assert "--top" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_report_top_cap_is_the_one_the_help_states(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])

    assert MAX_TOP == 100
    assert f"(1 to {MAX_TOP}" in capsys.readouterr().out
    with pytest.raises(ValueError, match="from 1 to 100"):
        write_report(Path("unused.duckdb"), Path("unused"), top=MAX_TOP + 1)


# --- gathering and rendering on tiny frames ------------------------------------


def test_daily_series_fills_missing_days_with_zero():
    daily = pl.DataFrame(
        {
            "mention_date": [date(2017, 4, 1), date(2017, 4, 3)],
            "country_code": ["JP", "KR"],
            "mention_count": [2, 5],
        }
    )

    period, series = daily_series(daily, ["JP", "KR"])

    assert period == "day"
    assert series.filter(pl.col("country_code") == "JP")["mention_count"].to_list() == [2, 0, 0]
    assert series.filter(pl.col("country_code") == "KR")["mention_count"].to_list() == [0, 0, 5]


def test_daily_series_goes_monthly_over_years():
    daily = pl.DataFrame(
        {
            "mention_date": [date(2016, 9, 3), date(2016, 9, 20), date(2019, 3, 25)],
            "country_code": ["JP", "JP", "JP"],
            "mention_count": [1, 2, 4],
        }
    )

    period, series = daily_series(daily, ["JP"])

    assert period == "month"
    assert series.height == 31  # September 2016 to March 2019
    assert series["mention_count"].to_list()[0] == 3
    assert series["mention_count"].sum() == 7


def tiny_report(people: pl.DataFrame) -> ReportData:
    empty_entities = people.clear()
    return ReportData(
        since=date(1900, 1, 1),
        until=date(2999, 12, 31),
        top=2,
        totals={
            "article_count": 1,
            "sentence_count": 2,
            "mention_count": 3,
            "first_date": date(2017, 4, 10),
            "last_date": date(2017, 4, 10),
            "rejected_file_count": 0,
            "duplicate_file_count": 0,
            "loaded_file_count": 1,
        },
        top_countries=pl.DataFrame(
            {
                "country_code": ["JP", "US"],
                "country_name": ["Japan", "United <States>"],
                "mention_count": [2, 1],
                "article_count": [1, 1],
                "first_mention_date": [date(2017, 4, 10)] * 2,
                "last_mention_date": [date(2017, 4, 10)] * 2,
            }
        ),
        daily=pl.DataFrame(
            {
                "mention_date": [date(2017, 4, 10)] * 2,
                "country_code": ["JP", "US"],
                "mention_count": [2, 1],
            }
        ),
        kinds=pl.DataFrame(
            {
                "country_code": ["JP", "US"],
                "country_name": ["Japan", "United States"],
                "mention_count": [2, 1],
                **{
                    f"{kind}_count": [1, 1] if kind in ("name", "person") else [0, 0]
                    for kind in ("name", "capital", "demonym", "place", "person", "organization")
                },
            }
        ),
        people=people,
        organizations=empty_entities,
        pairs=pl.DataFrame(
            {
                "country_code": ["JP", "US"],
                "other_country_code": ["US", "JP"],
                "sentence_count": [1, 1],
            }
        ),
        country_mentions=pl.DataFrame(
            {
                "country_code": ["JP", "US"],
                "country_name": ["Japan", "United <States>"],
                "mention_count": [2, 1],
                "latitude": [35.69, 38.9],
                "longitude": [139.69, -77.04],
            }
        ),
        map_country="JP",
        places=pl.DataFrame(
            {
                "entity_id": ["country:JP"],
                "mention_kind": ["capital"],
                "place_name": ["Tokyo"],
                "latitude": [35.69],
                "longitude": [139.69],
                "mention_count": [1],
            }
        ),
        tone=pl.DataFrame(
            {
                "mention_date": [date(2017, 4, 10)] * 2,
                "country_code": ["JP", "US"],
                "sentence_count": [2, 1],
                "mean_tone": [0.25, -0.5],
            }
        ),
    )


def test_report_says_no_people_found_yet_when_there_are_none():
    people = pl.DataFrame(
        schema={
            "entity_id": pl.String(),
            "entity_name": pl.String(),
            "country_code": pl.String(),
            "mention_count": pl.Int64(),
        }
    )
    data = tiny_report(people)

    page = render_html(data, render_charts(data))

    assert '<p class="empty">No people found yet.</p>' in page
    assert '<p class="empty">No organizations found yet.</p>' in page


def test_people_chart_and_page_show_people_when_there_are_some():
    people = pl.DataFrame(
        {
            "entity_id": ["person:abe"],
            "entity_name": ["Shinzo Abe"],
            "country_code": ["JP"],
            "mention_count": [4],
        }
    )
    data = tiny_report(people)

    charts = render_charts(data)
    page = render_html(data, charts)

    assert all(png.startswith(PNG_MAGIC) for png in charts.values())
    assert "No people found yet" not in page
    assert "No organizations found yet" in page
    assert "United &lt;States&gt;" in page
    assert len(charts["top_people.png"]) != len(charts["top_organizations.png"])


def test_maps_and_tone_chart_show_the_empty_note_without_data(monkeypatch):
    from dataclasses import replace

    import warehouse.report as report

    notes = []
    real_empty_chart = report._empty_chart
    monkeypatch.setattr(
        report,
        "_empty_chart",
        lambda title, note: notes.append(note) or real_empty_chart(title, note),
    )
    full = tiny_report(
        pl.DataFrame(
            schema={
                "entity_name": pl.String(),
                "country_code": pl.String(),
                "mention_count": pl.Int64(),
            }
        )
    )
    empty = replace(
        full,
        country_mentions=full.country_mentions.clear(),
        map_country=None,
        places=full.places.clear(),
        tone=full.tone.clear(),
    )

    charts = {
        name: render(empty)
        for name, render in (
            ("tone", report.chart_tone),
            ("world", report.chart_world_map),
            ("places", report.chart_places),
        )
    }
    no_places = report.chart_places(replace(full, places=full.places.clear()))

    assert all(png.startswith(PNG_MAGIC) for png in [*charts.values(), no_places])
    assert notes == [
        "No scored sentences mention a country in this date range",
        "No country mentions in this date range",
        "No country mentions in this date range",
        "No place in Japan (JP) is mentioned in this date range",
    ]
    assert "the most mentioned country" in render_html(empty, render_charts(empty))


# --- in a real browser (slow) -------------------------------------------------


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_every_chart_renders_in_headless_chromium(run, tmp_path):
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} not found; .ci/run installs it (apt-get install chromium chromium-driver)"
        )
        print(reason)
        pytest.skip(reason)
    assert run(SAMPLES).files_loaded == 12
    page = write_report(tmp_path / "news.duckdb", tmp_path / "report")
    page_url = page.resolve().as_uri()

    dumped = chromium(tmp_path, "--dump-dom", page_url)

    assert dumped.returncode == 0, dumped.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dumped.stdout)
    assert body, dumped.stdout[:2000]
    assert 'data-charts-rendered="8/8"' in body.group(0)
    for figure_id, alt in (
        ("country_tone", "Mean tone (VADER compound, -1 to 1) of the sentences"),
        ("world_map", "Mentions of each country (kinds name, capital, demonym and place)"),
        ("country_places", "Places mentioned in Japan (JP)"),
    ):
        assert re.search(
            rf'<figure id="{figure_id}"><img class="chart" alt="{re.escape(alt)}', dumped.stdout
        ), figure_id

    # The policy is enforced: the same page with one character of its script changed runs none.
    tampered = page.with_name("tampered.html")
    tampered.write_text(page.read_text().replace('rendered + "/"', 'rendered + "|"'))
    blocked = chromium(tmp_path, "--dump-dom", tampered.resolve().as_uri())
    assert blocked.returncode == 0, blocked.stderr[-2000:]
    assert 'data-charts-rendered="pending"' in blocked.stdout

    shot = tmp_path / "screenshot.png"
    # Tall enough to hold the charts down to the places map (the fourth).
    taken = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,3400", page_url)

    assert taken.returncode == 0, taken.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1280, 3400)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    assert len(colours) > 200, f"screenshot looks blank: {len(colours)} colours"
    pixels = {colour: count for count, colour in colours}
    # The maps are on screen: the world map's grey for countries nobody mentioned and
    # YlOrRd's darkest red (#800026) for the most mentioned (Japan, and the colour bar's top),
    # the places map's sea (#eef4f8) and its country's fill (#f6efd9), each over many pixels.
    for name, rgb, least in (
        ("no mentions grey", (0xD9, 0xD9, 0xD9), 20_000),
        ("most mentioned red", (0x80, 0x00, 0x26), 50),
        ("places map sea", (0xEE, 0xF4, 0xF8), 20_000),
        ("places map country", (0xF6, 0xEF, 0xD9), 5_000),
    ):
        assert pixels.get(rgb, 0) >= least, f"{name}: {pixels.get(rgb, 0)} pixels of {rgb}"
    keep = REPO_ROOT / "data" / "report-screenshot.png"
    keep.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, keep)
