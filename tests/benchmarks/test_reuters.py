"""The Reuters-21578 benchmark: converter, place-code mapping and scoring functions.

The SGML below is invented for this test in the shape of the corpus; no corpus text is copied
here (the corpus is research-use-only and lives outside the repository).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from benchmarks import reuters_accuracy as acc
from benchmarks import reuters_convert as conv

REPO_ROOT = Path(__file__).resolve().parents[2]
REUTERS = REPO_ROOT.parent / "shared" / "corpora" / "reuters21578"

INVENTED = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="1" NEWID="7001">
<DATE>  3-MAR-1987 09:12:44.10 junk</DATE>
<TOPICS><D>tea</D><D>trade</D></TOPICS>
<PLACES><D>kenya</D><D>west-germany</D></PLACES>
<PEOPLE></PEOPLE>
<ORGS></ORGS>
<EXCHANGES></EXCHANGES>
<COMPANIES></COMPANIES>
<UNKNOWN>&#5;&#5;&#5;X
&#22;&#22;&#1;f0001&#31;reute</UNKNOWN>
<TEXT>&#2;
<TITLE>KENYA TEA GROWERS &lt;KTG> SEE BIGGER CROP</TITLE>
<DATELINE>    NAIROBI, March 3 - </DATELINE><BODY>Invented growers said the harvest
would rise by a tenth, helped by &amp; late rains.
    Sales to West Germany are expected to
grow as well, a spokesman added.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TEST" CGISPLIT="TRAINING-SET" OLDID="2" NEWID="7002">
<DATE>4-MAR-1987 10:00:00.00</DATE>
<TOPICS></TOPICS>
<PLACES><D>usa</D></PLACES>
<TEXT TYPE="BRIEF">&#2;
<TITLE>INVENTED COMPANY SETS DIVIDEND</TITLE>
&#3;</TEXT>
</REUTERS>
"""


@pytest.fixture
def invented_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "reut2-000.sgm").write_bytes(INVENTED.encode("latin-1"))
    return corpus


def test_iter_stories_parses_fields(invented_corpus: Path) -> None:
    stories = list(conv.iter_stories(invented_corpus))
    assert [s["newid"] for s in stories] == [7001, 7002]
    first = stories[0]
    assert first["date"] == date(1987, 3, 3)
    assert first["title"] == "KENYA TEA GROWERS <KTG> SEE BIGGER CROP"
    assert first["dateline"] == "NAIROBI, March 3 -"
    assert first["places"] == ["kenya", "west-germany"]
    assert first["topics"] == ["tea", "trade"]
    assert "\x03" not in first["body"] and "&amp;" not in first["body"]
    assert stories[1]["body"] == ""


def test_convert_writes_plain_articles_and_labels(invented_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert conv.convert(invented_corpus, out) == 1  # the brief is skipped
    path = out / "1987" / "03" / "03" / "reut-7001.txt"
    assert path.read_text(encoding="utf-8") == (
        "KENYA TEA GROWERS <KTG> SEE BIGGER CROP\n"
        "\n"
        "NAIROBI, March 3 - Invented growers said the harvest\n"
        "would rise by a tenth, helped by & late rains.\n"
        "\n"
        "Sales to West Germany are expected to\n"
        "grow as well, a spokesman added.\n"
    )
    with (out / "labels.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {
            "newid": "7001",
            "path": "1987/03/03/reut-7001.txt",
            "date": "1987-03-03",
            "places": "kenya;west-germany",
            "topics": "tea;trade",
        }
    ]


def test_convert_can_include_briefs_and_limit(invented_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert conv.convert(invented_corpus, out, include_briefs=True) == 2
    assert (out / "1987/03/04/reut-7002.txt").read_text() == "INVENTED COMPANY SETS DIVIDEND\n"
    assert conv.convert(invented_corpus, tmp_path / "one", limit=1) == 1


def test_missing_corpus_exits_cleanly(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="Reuters-21578 not found"):
        conv.require_corpus(tmp_path / "nowhere")
    assert conv.main(["--corpus", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2


def test_pipeline_reads_converted_article(invented_corpus: Path, tmp_path: Path) -> None:
    from flows.ingest import run_pipeline
    from wirehouse.settings import Settings

    out = tmp_path / "out"
    conv.convert(invented_corpus, out)
    run_pipeline(Settings(input_dir=out, db_path=tmp_path / "w.duckdb"), as_tasks=False)
    warehouse, _ = acc.read_warehouse(tmp_path / "w.duckdb")
    assert set(warehouse) == {7001}
    found = {cc for cc, *_ in warehouse[7001]["mentions"]}
    assert {"KE", "DE"} <= found | {warehouse[7001]["dateline_country"]}


# --------------------------------------------------------------------------- places mapping


def test_places_mapping_codes_exist_in_gazetteer(gazetteer) -> None:
    mapping = acc.load_place_map()
    known = set(gazetteer.countries.get_column("country_code").to_list())
    assert {code for code in mapping.values() if code} <= known
    assert mapping["ussr"] == "SU" and mapping["west-germany"] == "DE"
    # The former states are scored as themselves, not as today's successors.
    assert (mapping["east-germany"], mapping["yugoslavia"], mapping["czechoslovakia"]) == (
        "DD",
        "YU",
        "CS",
    )
    assert mapping["uk"] == "GB" and mapping["usa"] == "US"
    assert acc.PLACES_CSV.read_text().startswith("#")


def test_places_mapping_covers_every_reuters_code() -> None:
    listing = REUTERS / "all-places-strings.lc.txt"
    if not listing.exists():
        pytest.skip(f"Reuters-21578 not found at {REUTERS} (../shared is absent on this machine)")
    codes = {line.strip() for line in listing.read_text(encoding="latin-1").splitlines()}
    codes.discard("")
    assert codes - set(acc.load_place_map()) == set()


# --------------------------------------------------------------------------- metrics

F = frozenset


def test_all_found_share() -> None:
    pairs = [(F({"US"}), F({"US", "GB"})), (F({"US", "JP"}), F({"US"})), (F({"FR"}), F())]
    assert acc.all_found_share(pairs) == pytest.approx(1 / 3)
    assert acc.all_found_share([]) == 0.0


def test_micro_and_macro_precision_recall() -> None:
    pairs = [(F({"US"}), F({"US", "GB"})), (F({"US", "JP"}), F({"US"})), (F({"FR"}), F())]
    micro = acc.micro_pr(pairs)
    assert (micro["tp"], micro["fp"], micro["fn"]) == (2, 1, 2)
    assert micro["precision"] == pytest.approx(2 / 3)
    assert micro["recall"] == pytest.approx(2 / 4)
    macro = acc.macro_pr(pairs)
    assert macro["precision"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert macro["recall"] == pytest.approx((1.0 + 0.5 + 0.0) / 3)
    by_country = acc.macro_by_country(pairs)
    # US: tp 2 fp 0 fn 0; JP: tp 0 fn 1; FR: tp 0 fn 1 (GB has no gold story)
    assert by_country["countries"] == 3
    assert by_country["precision"] == pytest.approx(1 / 3)
    assert by_country["recall"] == pytest.approx(1 / 3)


def test_former_state_errors_count_missed_spurious_and_wrong_top_within_each_group() -> None:
    # A Soviet story scored RU: a missed SU, a spurious RU and a wrong top country.
    # A US story with a spurious SU: one spurious. A Czechoslovak story found: no error.
    pairs = [(F({"SU"}), F({"RU"})), (F({"US"}), F({"US", "SU"})), (F({"CS"}), F({"CS"}))]
    tops = [(F({"SU"}), "RU"), (F({"US"}), "US"), (F({"CS"}), "CS")]
    errors = acc.former_state_errors(pairs, tops)
    assert errors["SU"] == {"missed": 1, "spurious": 2, "wrong_top": 1, "total": 4}
    assert errors["CS"] == {"missed": 0, "spurious": 0, "wrong_top": 0, "total": 0}
    assert errors["YU"]["total"] == 0


def test_most_mentioned_counts_then_first_position() -> None:
    assert acc.most_mentioned([]) is None
    assert acc.most_mentioned([("US", 50), ("JP", 10), ("US", 70)]) == "US"
    assert acc.most_mentioned([("US", 50), ("JP", 10), ("US", 70), ("JP", 90)]) == "JP"
    assert acc.most_mentioned([("GB", 5), ("KE", -1)]) == "KE"  # the dateline opens the body
    tops = [(F({"US"}), "US"), (F({"JP"}), "US"), (F({"FR"}), None)]
    assert acc.top_share(tops) == pytest.approx(1 / 3)


def test_focus_share_counts_only_stories_with_a_focus() -> None:
    focuses = [(F({"US", "JP"}), "JP"), (F({"KE"}), "GB"), (F({"FR"}), None), (F({"SU"}), "SU")]
    assert acc.focus_scores(focuses) == {
        "stories_with_focus": 3,
        "stories_without_focus": 1,
        "focus_labelled": pytest.approx(2 / 3),
    }
    assert acc.focus_scores([(F({"FR"}), None)])["focus_labelled"] == 0.0


def test_pipeline_gives_the_invented_story_its_datelines_focus(
    invented_corpus: Path, tmp_path: Path
) -> None:
    from flows.ingest import run_pipeline
    from wirehouse.settings import Settings

    out = tmp_path / "out"
    conv.convert(invented_corpus, out)
    run_pipeline(Settings(input_dir=out, db_path=tmp_path / "w.duckdb"), as_tasks=False)
    warehouse, _ = acc.read_warehouse(tmp_path / "w.duckdb")
    # NAIROBI opens the body; the headline in capitals gives no mention.
    assert warehouse[7001]["focus_country"] == "KE"


def test_predictions_split_title_body_dateline() -> None:
    article = {
        "headline_len": 20,
        "dateline_country": "KE",
        "mentions": [("KE", 0, "KENYA", "name"), ("DE", 60, "West Germany", "name")],
    }
    assert acc.predictions(article, True, False, False) == [("KE", 0)]
    assert acc.predictions(article, False, True, False) == [("DE", 60)]
    assert acc.predictions(article, False, False, True) == [("KE", -1)]


# --------------------------------------------------------------------------- real corpus


@pytest.mark.slow
def test_benchmark_runs_on_real_corpus_sample(tmp_path: Path) -> None:
    if not (REUTERS / "reut2-000.sgm").exists():
        pytest.skip(f"Reuters-21578 not found at {REUTERS} (../shared is absent on this machine)")
    work = tmp_path / "work"
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/reuters_accuracy.py",
            "--corpus",
            str(REUTERS),
            "--work",
            str(work),
            "--limit",
            "500",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((work / "score.json").read_text())
    main = result["variants"]["all (title + body + dateline)"]
    assert main["stories"] > 300
    assert result["unmapped_place_codes"] == []
    assert 0.5 < main["all_found"] <= 1.0
    assert "| variant |" in done.stdout
