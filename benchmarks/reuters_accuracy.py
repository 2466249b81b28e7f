"""Country-extraction accuracy of wirehouse against the Reuters-21578 PLACES labels.

    .venv/bin/python benchmarks/reuters_accuracy.py [--corpus ../shared/corpora/reuters21578]
        [--work data/bench/reuters] [--limit N]

Converts the corpus into WORK/articles (unless already converted with the same --limit), runs
the pipeline as plain functions into WORK/news.duckdb, then scores every story that has a body
and at least one PLACES code mapping to a country (benchmarks/reuters_places.csv):

- predicted set = distinct non-null country_code of the article's mentions (every kind), plus
  articles.dateline_country_code when the warehouse has that column;
- gold set = the story's mapped PLACES codes.

The focus (articles.focus_country_code, when the warehouse has it) is scored on its own: the
share of scored stories with a focus whose focus country is one of their labelled countries.

Prints a markdown report (scores, the same scores by title/body and with/without the dateline,
the largest error classes with example NEWIDs and surfaces, never sentences) and writes
WORK/score.json. The corpus is research-use-only: nothing of it is printed beyond short
surface tokens and NEWIDs, and nothing is written inside the repository except under the
git-ignored data/ folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shlex
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.reuters_convert import (  # noqa: E402
    DEFAULT_CORPUS,
    REPO_ROOT,
    CorpusMissing,
    convert,
    require_corpus,
)

PLACES_CSV = Path(__file__).resolve().parent / "reuters_places.csv"
_NEWID_IN_PATH = re.compile(r"reut-(\d+)\.txt$")

Pair = tuple[frozenset[str], frozenset[str]]  # (gold, predicted)


# --------------------------------------------------------------------------- metrics (pure)


def all_found_share(pairs: Sequence[Pair]) -> float:
    """Share of stories whose gold countries are all in the predicted set (CLIFF-CLAVIN's measure)."""
    if not pairs:
        return 0.0
    return sum(1 for gold, pred in pairs if gold <= pred) / len(pairs)


def micro_pr(pairs: Sequence[Pair]) -> dict[str, float]:
    """Precision, recall and F1 over all (story, country) decisions pooled."""
    tp = sum(len(gold & pred) for gold, pred in pairs)
    fp = sum(len(pred - gold) for gold, pred in pairs)
    fn = sum(len(gold - pred) for gold, pred in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def macro_pr(pairs: Sequence[Pair]) -> dict[str, float]:
    """Per-story precision and recall averaged over stories.

    A story with an empty predicted set has precision 0 (every scored story has a gold country,
    so predicting nothing is a miss, not an abstention); an empty gold set gives recall 1.
    """
    if not pairs:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precisions, recalls = [], []
    for gold, pred in pairs:
        hit = len(gold & pred)
        precisions.append(hit / len(pred) if pred else 0.0)
        recalls.append(hit / len(gold) if gold else 1.0)
    precision = sum(precisions) / len(pairs)
    recall = sum(recalls) / len(pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def macro_by_country(pairs: Sequence[Pair], min_support: int = 1) -> dict[str, float]:
    """Precision and recall per country, averaged over countries with >= min_support gold stories."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, pred in pairs:
        tp.update(gold & pred)
        fp.update(pred - gold)
        fn.update(gold - pred)
    countries = [c for c in set(tp) | set(fn) if tp[c] + fn[c] >= min_support]
    if not countries:
        return {"precision": 0.0, "recall": 0.0, "countries": 0}
    precision = sum(tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0 for c in countries)
    recall = sum(tp[c] / (tp[c] + fn[c]) for c in countries)
    return {
        "precision": precision / len(countries),
        "recall": recall / len(countries),
        "countries": len(countries),
    }


def most_mentioned(mentions: Iterable[tuple[str, int]]) -> str | None:
    """The country with most mentions; ties go to the country mentioned first.

    ``mentions`` are (country_code, start position) pairs; None when there are none.
    """
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for country, position in mentions:
        counts[country] += 1
        first[country] = min(position, first.get(country, position))
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], first[c], c))


def focus_scores(focuses: Sequence[tuple[frozenset[str], str | None]]) -> dict:
    """Of the stories with a focus country, the share whose focus is a labelled country; and
    how many stories have no focus."""
    with_focus = [(gold, focus) for gold, focus in focuses if focus is not None]
    hits = sum(1 for gold, focus in with_focus if focus in gold)
    return {
        "stories_with_focus": len(with_focus),
        "stories_without_focus": len(focuses) - len(with_focus),
        "focus_labelled": hits / len(with_focus) if with_focus else 0.0,
    }


def top_share(tops: Sequence[tuple[frozenset[str], str | None]]) -> float:
    """Share of stories whose most-mentioned country is a gold one (no prediction = wrong)."""
    if not tops:
        return 0.0
    return sum(1 for gold, top in tops if top is not None and top in gold) / len(tops)


def scores(pairs: Sequence[Pair], tops: Sequence[tuple[frozenset[str], str | None]]) -> dict:
    """All headline scores of one variant."""
    return {
        "stories": len(pairs),
        "all_found": all_found_share(pairs),
        "micro": micro_pr(pairs),
        "macro_story": macro_pr(pairs),
        "macro_country": macro_by_country(pairs, min_support=10),
        "top_is_gold": top_share(tops),
        "no_prediction": sum(1 for _, pred in pairs if not pred) / len(pairs) if pairs else 0.0,
    }


# Former states the PLACES labels name (ussr, east-germany, yugoslavia, czechoslovakia) and the
# countries today's gazetteer may give their places instead: the successors of
# gazetteer/data/successions.csv, fixed here so the count means the same on every commit.
FORMER_STATES: dict[str, frozenset[str]] = {
    "SU": frozenset(
        {
            "SU",
            "RU",
            "UA",
            "BY",
            "KZ",
            "UZ",
            "TM",
            "KG",
            "TJ",
            "AM",
            "AZ",
            "GE",
            "MD",
            "EE",
            "LV",
            "LT",
        }
    ),
    "DD": frozenset({"DD", "DE"}),
    "YU": frozenset({"YU", "SI", "HR", "BA", "MK", "RS", "ME", "XK"}),
    "CS": frozenset({"CS", "CZ", "SK"}),
}


def former_state_errors(
    pairs: Sequence[Pair], tops: Sequence[tuple[frozenset[str], str | None]]
) -> dict[str, dict[str, int]]:
    """Errors within each former state's group of codes (FORMER_STATES), per group.

    missed: (story, code of the group) labelled but not predicted; spurious: predicted, not
    labelled; wrong_top: stories whose most-mentioned country is not labelled, where that country
    or a label is of the group. A Soviet story scored RU counts a missed SU and a spurious RU.
    """
    errors = {}
    for former, group in FORMER_STATES.items():
        missed = sum(len((gold & group) - pred) for gold, pred in pairs)
        spurious = sum(len((pred & group) - gold) for gold, pred in pairs)
        wrong_top = sum(
            1
            for gold, top in tops
            if top is not None and top not in gold and (top in group or gold & group)
        )
        errors[former] = {
            "missed": missed,
            "spurious": spurious,
            "wrong_top": wrong_top,
            "total": missed + spurious + wrong_top,
        }
    return errors


# --------------------------------------------------------------------------- inputs


def load_place_map(path: Path = PLACES_CSV) -> dict[str, str]:
    """Reuters place code -> country code ('' when the code names no country)."""
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["reuters_place"].strip(): row["country_code"].strip() for row in rows}


def load_labels(articles_dir: Path, place_map: dict[str, str]) -> dict[int, dict]:
    """newid -> {path, gold (frozenset of country codes), places, unmapped}."""
    labels: dict[int, dict] = {}
    with (articles_dir / "labels.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            places = [p for p in row["places"].split(";") if p]
            gold = frozenset(place_map[p] for p in places if place_map.get(p))
            labels[int(row["newid"])] = {
                "path": row["path"],
                "gold": gold,
                "places": places,
                "unmapped": [p for p in places if p not in place_map],
            }
    return labels


def read_warehouse(db_path: Path) -> tuple[dict[int, dict], bool]:
    """newid -> {headline_len, dateline_country, focus_country, mentions: [(cc, start,
    surface, kind)]}.

    Stories whose file was a duplicate of another file use that file's article when the ledger
    records which one (source_files.duplicate_of).
    """
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        article_cols = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_name = 'articles'"
            ).fetchall()
        }
        ledger_cols = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns"
                " where table_name = 'source_files'"
            ).fetchall()
        }
        has_dateline = "dateline_country_code" in article_cols
        dateline_expr = "dateline_country_code" if has_dateline else "null"
        focus_expr = "focus_country_code" if "focus_country_code" in article_cols else "null"
        by_article: dict[str, dict] = {}
        path_to_article: dict[str, str] = {}
        for article_id, path, headline, dateline_cc, focus_cc in con.execute(
            f"select article_id, source_path, headline, {dateline_expr}, {focus_expr} from articles"
        ).fetchall():
            by_article[article_id] = {
                "headline_len": len(headline),
                "dateline_country": dateline_cc,
                "focus_country": focus_cc,
                "mentions": [],
            }
            path_to_article[path] = article_id
        for article_id, cc, start, surface, kind in con.execute(
            "select article_id, country_code, start_char, surface, mention_kind from mentions"
            " where country_code is not null order by article_id, start_char"
        ).fetchall():
            if article_id in by_article:
                by_article[article_id]["mentions"].append((cc, start, surface, kind))
        if "duplicate_of" in ledger_cols:
            for path, original in con.execute(
                "select path, duplicate_of from source_files"
                " where status = 'duplicate' and duplicate_of is not null"
            ).fetchall():
                if original in path_to_article and path not in path_to_article:
                    path_to_article[path] = path_to_article[original]
    finally:
        con.close()
    out: dict[int, dict] = {}
    for path, article_id in path_to_article.items():
        match = _NEWID_IN_PATH.search(path)
        if match:
            out[int(match.group(1))] = by_article[article_id]
    return out, has_dateline


# --------------------------------------------------------------------------- scoring

VARIANTS = {
    "all (title + body + dateline)": (True, True, True),
    "title mentions only": (True, False, False),
    "body mentions only": (False, True, False),
    "body + dateline": (False, True, True),
    "title + body, no dateline": (True, True, False),
    "dateline only": (False, False, True),
}


def predictions(article: dict, title: bool, body: bool, dateline: bool) -> list[tuple[str, int]]:
    """(country, position) evidence of one article under a variant.

    The dateline country counts as one mention at position -1 (it opens the body), so it wins
    ties for the most-mentioned country; the report also gives the reading where the dateline
    decides only when the text names no country.
    """
    found = [
        (cc, start)
        for cc, start, _surface, _kind in article["mentions"]
        if (title if start < article["headline_len"] else body)
    ]
    if dateline and article["dateline_country"]:
        found.append((article["dateline_country"], -1))
    return found


def score_all(labels: dict[int, dict], warehouse: dict[int, dict]) -> dict:
    """Every variant's scores plus the error classes of the main variant."""
    scored = [
        (newid, lab) for newid, lab in sorted(labels.items()) if lab["gold"] and newid in warehouse
    ]
    result: dict = {
        "stories_converted": len(labels),
        "stories_with_country_label": sum(1 for lab in labels.values() if lab["gold"]),
        "stories_scored": len(scored),
        "stories_not_in_warehouse": sum(
            1 for newid, lab in labels.items() if lab["gold"] and newid not in warehouse
        ),
        "variants": {},
    }
    for name, (title, body, dateline) in VARIANTS.items():
        pairs, tops, fallback_tops = [], [], []
        for newid, lab in scored:
            article = warehouse[newid]
            evidence = predictions(article, title, body, dateline)
            pairs.append((lab["gold"], frozenset(cc for cc, _ in evidence)))
            tops.append((lab["gold"], most_mentioned(evidence)))
            # second reading: the dateline only decides when the text names no country
            fallback = most_mentioned(predictions(article, title, body, False))
            if fallback is None and dateline:
                fallback = article["dateline_country"]
            fallback_tops.append((lab["gold"], fallback))
        result["variants"][name] = scores(pairs, tops)
        result["variants"][name]["top_is_gold_dateline_fallback"] = top_share(fallback_tops)
        if "former_states" not in result:  # the main variant's, the first
            result["former_states"] = former_state_errors(pairs, tops)
    result["errors"] = error_classes(scored, warehouse)
    result["focus"] = focus_scores(
        [(lab["gold"], warehouse[newid].get("focus_country")) for newid, lab in scored]
    )
    return result


def error_classes(
    scored: list[tuple[int, dict]], warehouse: dict[int, dict], top: int = 15
) -> dict:
    """Largest missed / spurious countries, spurious surfaces, wrong top country; 3 NEWIDs each."""
    missed: dict[str, list[int]] = defaultdict(list)
    spurious: dict[str, list[int]] = defaultdict(list)
    surfaces: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    wrong_top: dict[tuple[str, str], list[int]] = defaultdict(list)
    missed_title_only: dict[str, list[int]] = defaultdict(list)
    nothing: list[int] = []
    for newid, lab in scored:
        article = warehouse[newid]
        evidence = predictions(article, True, True, True)
        pred = {cc for cc, _ in evidence}
        gold = lab["gold"]
        if not pred:
            nothing.append(newid)
        for cc in gold - pred:
            missed[cc].append(newid)
        for cc in pred - gold:
            spurious[cc].append(newid)
            seen = set()
            for mcc, _start, surface, kind in article["mentions"]:
                if mcc == cc and (surface, kind) not in seen:
                    seen.add((surface, kind))
                    surfaces[(cc, surface, kind)].append(newid)
            if article["dateline_country"] == cc:
                surfaces[(cc, "<dateline>", "dateline")].append(newid)
        body_only = {cc for cc, _ in predictions(article, False, True, True)}
        for cc in gold - body_only:
            if cc in pred:  # found only thanks to the title
                missed_title_only[cc].append(newid)
        winner = most_mentioned(evidence)
        if winner is not None and winner not in gold:
            wrong_top[(winner, ",".join(sorted(gold)))].append(newid)

    def rank(table: dict, label) -> list[dict]:
        items = sorted(table.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))[:top]
        return [{"class": label(key), "count": len(ids), "examples": ids[:3]} for key, ids in items]

    return {
        "no_prediction": {"count": len(nothing), "examples": nothing[:3]},
        "missed": rank(missed, lambda cc: f"missed {cc}"),
        "spurious": rank(spurious, lambda cc: f"spurious {cc}"),
        "spurious_surfaces": rank(surfaces, lambda k: f"spurious {k[0]} from {k[2]} '{k[1]}'"),
        "wrong_top": rank(wrong_top, lambda k: f"top {k[0]} but labelled {k[1]}"),
        "found_only_in_title": rank(missed_title_only, lambda cc: f"{cc} only in title"),
    }


# --------------------------------------------------------------------------- report


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def markdown(result: dict) -> str:
    lines = [
        f"Stories scored: {result['stories_scored']} (of {result['stories_converted']} converted;"
        f" {result['stories_with_country_label']} with a country label;"
        f" {result['stories_not_in_warehouse']} labelled but not in the warehouse)."
        f" Dateline column present: {result['has_dateline_column']}.",
        "",
        "| variant | stories | all labelled found | micro P | micro R | micro F1 |"
        " macro P (story) | macro R (story) | macro P (country) | macro R (country) |"
        " top country labelled | top labelled (dateline as fallback) | no prediction |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in result["variants"].items():
        lines.append(
            f"| {name} | {s['stories']} | {pct(s['all_found'])} | {pct(s['micro']['precision'])}"
            f" | {pct(s['micro']['recall'])} | {pct(s['micro']['f1'])}"
            f" | {pct(s['macro_story']['precision'])} | {pct(s['macro_story']['recall'])}"
            f" | {pct(s['macro_country']['precision'])} | {pct(s['macro_country']['recall'])}"
            f" | {pct(s['top_is_gold'])} | {pct(s['top_is_gold_dateline_fallback'])}"
            f" | {pct(s['no_prediction'])} |"
        )
    main = next(iter(result["variants"].values()))
    lines += [
        "",
        f"Targets (main variant): all labelled found >= 95% -> {pct(main['all_found'])};"
        f" top country labelled >= 95% -> {pct(main['top_is_gold'])}.",
        "",
        "Former-state errors (main variant; each former state with the codes of its successors):",
        "",
        "| former state | missed | spurious | wrong top | total |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {former} | {e['missed']} | {e['spurious']} | {e['wrong_top']} | {e['total']} |"
        for former, e in result["former_states"].items()
    ]
    lines += [
        "",
        f"Soviet-era errors (SU and its successors): {result['former_states']['SU']['total']}.",
        "",
    ]
    focus = result.get("focus")
    if focus and focus["stories_with_focus"]:
        lines += [
            f"Focus country (articles.focus_country_code) among the labelled countries:"
            f" {pct(focus['focus_labelled'])} of {focus['stories_with_focus']} scored stories"
            f" with a focus (target >= 96%); {focus['stories_without_focus']} have none.",
            "",
        ]
    errors = result["errors"]
    lines += [
        "## Largest error classes (main variant; examples are Reuters NEWIDs)",
        "",
        f"No country predicted at all: {errors['no_prediction']['count']}"
        f" (e.g. {', '.join(map(str, errors['no_prediction']['examples']))})",
        "",
    ]
    for key, title in (
        ("missed", "Missed labelled countries"),
        ("spurious", "Spurious countries"),
        ("spurious_surfaces", "Spurious countries by surface"),
        ("wrong_top", "Most-mentioned country not labelled"),
        ("found_only_in_title", "Labelled country found only through the title"),
    ):
        lines += [f"### {title}", "", "| class | stories | example NEWIDs |", "|---|---:|---|"]
        lines += [
            f"| {row['class']} | {row['count']} | {', '.join(map(str, row['examples']))} |"
            for row in errors[key]
        ]
        lines.append("")
    return "\n".join(lines)


def scores_only(printed: str) -> str:
    """The printed report without its error classes and file paths, for docs/benchmarks.md."""
    # The error classes quote surfaces and NEWIDs of a research-use-only corpus: they stay in
    # the terminal and score.json, never in a file of the repository.
    kept = re.sub(r"## Largest error classes.*?(?=^Wall time:)", "", printed, flags=re.S | re.M)
    kept = re.sub(r"^Command: .*$", "", kept, flags=re.M)  # the section states the command
    kept = re.sub(r"\n{3,}", "\n\n", kept)
    return "\n".join(
        line for line in kept.strip().splitlines() if not line.startswith("Scores written to")
    )


# --------------------------------------------------------------------------- main


def prepare_articles(corpus: Path, articles_dir: Path, limit: int | None) -> tuple[int, bool]:
    """Convert unless WORK/articles already holds a conversion with the same limit."""
    marker = articles_dir / "conversion.marker"  # not *.json: the pipeline would read it
    if marker.exists() and (articles_dir / "labels.csv").exists():
        done = json.loads(marker.read_text())
        if done.get("limit") == limit:
            return int(done["count"]), False
    if articles_dir.exists():
        shutil.rmtree(articles_dir)
    count = convert(corpus, articles_dir, limit)
    marker.write_text(json.dumps({"limit": limit, "count": count}))
    return count, True


def run(corpus: Path, work: Path, limit: int | None) -> dict:
    """Convert, run the pipeline, score; return the result (also written to WORK/score.json)."""
    from flows.ingest import run_pipeline
    from wirehouse.settings import Settings

    timings: dict[str, float] = {}
    started = time.perf_counter()
    articles_dir = work / "articles"
    db_path = work / "news.duckdb"
    count, _ = prepare_articles(corpus, articles_dir, limit)
    # Always score the code as it is now: a warehouse from an earlier run would be
    # skipped as unchanged by the incremental loader.
    for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    timings["convert"] = time.perf_counter() - started
    t0 = time.perf_counter()
    summary = run_pipeline(Settings(input_dir=articles_dir, db_path=db_path), as_tasks=False)
    timings["pipeline"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    labels = load_labels(articles_dir, load_place_map())
    warehouse, has_dateline = read_warehouse(db_path)
    result = score_all(labels, warehouse)
    timings["score"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    result["has_dateline_column"] = has_dateline
    result["unmapped_place_codes"] = sorted({p for lab in labels.values() for p in lab["unmapped"]})
    result["pipeline"] = {
        "files_seen": summary.files_seen,
        "files_loaded": summary.files_loaded,
        "files_unchanged": summary.files_unchanged,
        "files_duplicate": summary.files_duplicate,
        "files_rejected": summary.files_rejected,
        "articles_converted": count,
    }
    result["timings_s"] = {k: round(v, 2) for k, v in timings.items()}
    result["limit"] = limit
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder with reut2-*.sgm (default: %(default)s, from the repo root)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("data/bench/reuters"),
        help="work folder for articles, warehouse and score.json (default: %(default)s)",
    )
    parser.add_argument("--limit", type=int, default=None, help="convert only the first N stories")
    parser.add_argument(
        "--record", action="store_true", help="also write the scores into docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    if args.record:
        from benchmarks.record import record_main

        return record_main(
            "reuters-accuracy", "benchmarks/reuters_accuracy.py", argv, main, keep=scores_only
        )
    command = shlex.join([".venv/bin/python", "benchmarks/reuters_accuracy.py", *sys.argv[1:]])
    try:
        corpus = require_corpus(args.corpus)
    except CorpusMissing as missing:
        print(missing, file=sys.stderr)
        return 2
    work = args.work if args.work.is_absolute() else REPO_ROOT / args.work
    work.mkdir(parents=True, exist_ok=True)
    result = run(corpus, work, args.limit)
    result["command"] = command
    (work / "score.json").write_text(json.dumps(result, indent=2, sort_keys=False))
    print(f"# Reuters-21578 country accuracy\n\nCommand: `{command}`\n")
    print(markdown(result))
    t = result["timings_s"]
    print(
        f"Wall time: {t['total']:.1f} s (convert {t['convert']:.1f} s, pipeline {t['pipeline']:.1f} s,"
        f" score {t['score']:.1f} s). Pipeline: {result['pipeline']}."
    )
    if result["unmapped_place_codes"]:
        print(f"Place codes missing from reuters_places.csv: {result['unmapped_place_codes']}")
    print(f"Scores written to {work / 'score.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
