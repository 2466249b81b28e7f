"""Hand-annotated gold set: exact-span precision and recall of the mentions, per kind.

The articles under tests/gold/articles and the annotations in tests/gold/annotations.csv are
original texts written for wirehouse and annotated by hand by docs/annotation-guidelines.md.
An annotation names a span by (file, surface, occurrence): the n-th whole-word occurrence of
the surface in the article's text (headline, a blank line, then the body paragraphs with their
hard-wrapped lines joined by single spaces; see README, `articles.text`).

A predicted mention matches a gold one when the span, the kind and the country code agree, and
the entity id agrees too unless the gold entity id is `place:*` (a place whose GeoNames id the
annotator did not pin down; only its country is checked).
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import full_path, query

GOLD = Path(__file__).resolve().parents[1] / "gold"
ARTICLES = GOLD / "articles"
ANNOTATIONS = GOLD / "annotations.csv"
DATELINES = GOLD / "datelines.csv"

KINDS = ("name", "capital", "demonym", "place", "person", "organization")
THRESHOLD = 0.95
WILDCARD_PLACE = "place:*"

_NAV_LINE = re.compile(r"(?i)^back to (main|top|index)$")
_TRAILING_DATELINE = re.compile(
    r"\s*\(\s*(?:Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\s*\)\s*$"
)
_ENTITY_ID = re.compile(
    r"^(country:[A-Z]{2}|place:(\*|\d+|[A-Z]{2}-[A-Z0-9]{1,3})|person:[a-z0-9]+(-[a-z0-9]+)*"
    r"|org:[a-z0-9]+(-[a-z0-9]+)*)$"
)


@dataclass(frozen=True)
class Annotation:
    file: str
    surface: str
    occurrence: int
    kind: str
    entity_id: str
    country_code: str | None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def load_annotations() -> list[Annotation]:
    return [
        Annotation(
            file=row["file"],
            surface=row["surface"],
            occurrence=int(row["occurrence"]),
            kind=row["mention_kind"],
            entity_id=row["entity_id"],
            country_code=row["country_code"] or None,
        )
        for row in _rows(ANNOTATIONS)
    ]


def load_datelines() -> dict[str, tuple[str, str]]:
    return {
        row["file"]: (row["dateline_place"], row["dateline_country_code"])
        for row in _rows(DATELINES)
    }


def article_files() -> list[str]:
    return sorted(p.relative_to(ARTICLES).as_posix() for p in ARTICLES.rglob("*.txt"))


def gold_file(source_path: str) -> str:
    """The gold files' name (the path under ARTICLES) of an article's full source path."""
    prefix = full_path(ARTICLES, "")
    assert source_path.startswith(prefix), f"{source_path} is not a full path under {prefix}"
    return source_path.removeprefix(prefix)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def whole_word_starts(text: str, surface: str) -> list[int]:
    """Start offsets of the surface where it is not part of a longer word (hyphens separate)."""
    starts = []
    at = text.find(surface)
    while at >= 0:
        end = at + len(surface)
        before_ok = at == 0 or not _is_word_char(text[at - 1])
        after_ok = end == len(text) or not _is_word_char(text[end])
        if before_ok and after_ok:
            starts.append(at)
        at = text.find(surface, at + 1)
    return starts


def resolve(text: str, surface: str, occurrence: int) -> tuple[int, int] | None:
    """(start, end) of the n-th whole-word occurrence, or None when there is no such one."""
    starts = whole_word_starts(text, surface)
    if not 1 <= occurrence <= len(starts):
        return None
    start = starts[occurrence - 1]
    return start, start + len(surface)


def gold_text(path: Path) -> str:
    """The article text per README (`articles.text`), rebuilt independently of the product."""
    lines = path.read_text(encoding="utf-8").split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    kyodo = len(nonblank) >= 2 and _NAV_LINE.match(lines[nonblank[1]].strip())
    head_at = nonblank[2] if kyodo else nonblank[0]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines[head_at + 1 :]:
        if line.strip():
            current.append(" ".join(line.split()))
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    if paragraphs:
        last = _TRAILING_DATELINE.sub("", paragraphs[-1])
        paragraphs[-1:] = [last] if last else []
    headline = " ".join(lines[head_at].split())
    return headline + "\n\n" + "\n\n".join(paragraphs)


# ---------------------------------------------------------------------------------------------
# Self-checks of the gold files (fast; no pipeline)


def test_gold_files_are_well_formed() -> None:
    annotations = load_annotations()
    files = set(article_files())
    assert len(files) >= 25
    assert {a.file for a in annotations} == files, "every article is annotated, no stray file"
    for a in annotations:
        assert a.kind in KINDS, a
        assert _ENTITY_ID.match(a.entity_id), a
        assert a.occurrence >= 1, a
        if a.kind in ("name", "capital", "demonym"):
            assert a.entity_id == f"country:{a.country_code}", a
        if a.kind == "place":
            assert a.entity_id.startswith("place:") and a.country_code, a
        if a.kind == "person":
            assert a.entity_id.startswith("person:"), a
        if a.kind == "organization":
            assert a.entity_id.startswith("org:"), a
    for file, (place, code) in load_datelines().items():
        assert file in files and place and re.fullmatch(r"[A-Z]{2}", code), file


def test_every_annotation_resolves_to_a_whole_word_occurrence_and_none_overlap() -> None:
    spans: dict[str, list[tuple[int, int, Annotation]]] = defaultdict(list)
    problems = []
    for a in load_annotations():
        text = gold_text(ARTICLES / a.file)
        span = resolve(text, a.surface, a.occurrence)
        if span is None:
            found = len(whole_word_starts(text, a.surface))
            problems.append(f"{a.file}: {a.surface!r} #{a.occurrence} (text has {found})")
            continue
        assert text[span[0] : span[1]] == a.surface
        spans[a.file].append((*span, a))
    assert not problems, "annotations that do not resolve:\n" + "\n".join(problems)
    for file, items in spans.items():
        items.sort(key=lambda item: item[:2])
        for (s1, e1, a1), (s2, _e2, a2) in zip(items, items[1:], strict=False):
            assert e1 <= s2, f"{file}: {a1.surface!r}@{s1} overlaps {a2.surface!r}@{s2}"


def test_person_ids_carry_one_country_per_article() -> None:
    """Later surname-only mentions carry the same country as the full form in the article."""
    seen: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for a in load_annotations():
        if a.kind == "person":
            seen[(a.file, a.entity_id)].add(a.country_code)
    mixed = {key: codes for key, codes in seen.items() if len(codes) > 1}
    assert not mixed


# ---------------------------------------------------------------------------------------------
# The pipeline against the gold set


@pytest.fixture(scope="module")
def gold_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from flows.ingest import run_pipeline
    from wirehouse.settings import Settings

    db_path = tmp_path_factory.mktemp("gold") / "gold.duckdb"
    summary = run_pipeline(Settings(input_dir=ARTICLES, db_path=db_path), as_tasks=False)
    assert summary.files_loaded == len(article_files()), summary.rejected
    return db_path


def _cc(value: str | None) -> str | None:
    return value or None


def score(db_path: Path) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Per-kind gold/predicted/tp/precision/recall, and a list of the disagreements."""
    texts = {
        gold_file(path): text
        for path, text in query(db_path, "select source_path, text from articles")
    }
    predicted = query(
        db_path,
        "select a.source_path, m.start_char, m.end_char, m.surface, m.mention_kind,"
        " m.entity_id, m.country_code"
        " from mentions m join articles a using (article_id)",
    )
    notes: list[str] = []
    gold_by_span: dict[tuple[str, int, int], Annotation] = {}
    gold_count: Counter[str] = Counter()
    for a in load_annotations():
        gold_count[a.kind] += 1
        text = texts.get(a.file)
        span = resolve(text, a.surface, a.occurrence) if text is not None else None
        if span is None:
            notes.append(f"unresolvable in articles.text: {a.file} {a.surface!r} #{a.occurrence}")
            continue
        gold_by_span[(a.file, *span)] = a
    pred_count: Counter[str] = Counter()
    tp: Counter[str] = Counter()
    matched: set[tuple[str, int, int]] = set()
    wrong: set[tuple[str, int, int]] = set()
    for source_path, start, end, surface, kind, entity_id, code in predicted:
        path = gold_file(source_path)
        pred_count[kind] += 1
        key = (path, start, end)
        gold = gold_by_span.get(key)
        ok = (
            gold is not None
            and gold.kind == kind
            and gold.country_code == _cc(code)
            and (gold.entity_id == WILDCARD_PLACE or gold.entity_id == entity_id)
        )
        if ok:
            tp[kind] += 1
            matched.add(key)
        elif gold is None:
            notes.append(f"spurious: {path} {surface!r}@{start} {kind} {entity_id} {code}")
        else:
            wrong.add(key)
            notes.append(
                f"wrong: {path} {surface!r}@{start} predicted {kind} {entity_id} {code},"
                f" gold {gold.kind} {gold.entity_id} {gold.country_code}"
            )
    for key, gold in gold_by_span.items():
        if key not in matched and key not in wrong:
            notes.append(
                f"missed: {key[0]} {gold.surface!r}@{key[1]} {gold.kind} {gold.entity_id}"
                f" {gold.country_code}"
            )
    table: dict[str, dict[str, float]] = {}
    for kind in (*KINDS, *sorted(set(pred_count) - set(KINDS))):
        g, p, t = gold_count[kind], pred_count[kind], tp[kind]
        table[kind] = {
            "gold": g,
            "predicted": p,
            "tp": t,
            "precision": t / p if p else (1.0 if g == 0 else 0.0),
            "recall": t / g if g else 1.0,
        }
    return table, notes


def format_table(table: dict[str, dict[str, float]]) -> str:
    lines = [f"{'kind':<13} {'gold':>5} {'pred':>5} {'tp':>5} {'precision':>9} {'recall':>7}"]
    for kind, row in table.items():
        lines.append(
            f"{kind:<13} {row['gold']:>5} {row['predicted']:>5} {row['tp']:>5}"
            f" {row['precision']:>9.3f} {row['recall']:>7.3f}"
        )
    return "\n".join(lines)


def test_every_mention_kind_reaches_the_precision_and_recall_threshold_on_the_gold_set(
    gold_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table, notes = score(gold_db)
    report = format_table(table)
    with capsys.disabled():
        print("\n\nGold set: exact-span precision/recall per mention kind")
        print(report)
        if notes:
            print(f"\n{len(notes)} disagreements (first 60):")
            print("\n".join(f"  {n}" for n in notes[:60]))
    below = [
        f"{kind}: precision {row['precision']:.3f}, recall {row['recall']:.3f}"
        for kind, row in table.items()
        if kind in KINDS and (row["precision"] < THRESHOLD or row["recall"] < THRESHOLD)
    ]
    assert not below, f"below {THRESHOLD} on the gold set:\n" + "\n".join(below) + "\n" + report


def test_opening_datelines_give_the_gold_place_and_country_and_none_elsewhere(
    gold_db: Path,
) -> None:
    expected = load_datelines()
    rows = query(gold_db, "select source_path, dateline_place, dateline_country_code from articles")
    wrong = []
    for source_path, place, code in rows:
        path = gold_file(source_path)
        want = expected.get(path)
        got = (place, code)
        if want is None:
            if place is not None or code is not None:
                wrong.append(f"{path}: no opening dateline, got {got}")
        elif place is None or place.casefold() != want[0].casefold() or code != want[1]:
            wrong.append(f"{path}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)
