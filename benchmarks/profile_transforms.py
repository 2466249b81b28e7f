"""Throughput of each transform stage, and a check that optimisations leave results unchanged.

    .venv/bin/python benchmarks/profile_transforms.py [--save-baseline | --check]
        [--batch-sizes 1000 20000] [--repeat 3] [--kyodo N] [--accented] [--stages ...]

Input: the converted Reuters corpus (data/bench/reuters/articles; convert it first with
`benchmarks/reuters_convert.py --out data/bench/reuters/articles`) plus samples/articles, read
with the flow's own discover and read stages. With --kyodo N, N copies of the Kyodo seed
(../shared/seeds) are added as a dense-text batch of their own. With --accented, each batch is
timed a second time with accented words written into it (`son ` -> `sön `, `ller` -> `llér`:
some 1,650 of the Reuters stories), for the cost of sentences with letters outside ASCII.

Each stage (dateline countries, sentences, gazetteer mentions, entities, tone of sentences and
articles, and the whole of transform_articles) is timed on its own, with its inputs
materialised beforehand, best of --repeat, in MB/s of raw article text (`articles.text`, UTF-8
bytes). `less-tone` is transform_articles without the tone and focus of issue 16
(pipeline.mentions_and_entities) from the raw articles: the stages a commit before them has,
to compare with its `pipeline`; not run unless asked for.

--save-baseline writes the mentions and entities of one batch of every article (sorted) to
data/bench/transform_baseline.parquet; --check compares the current code against it, exactly.
Nothing of the corpus is printed or written inside the repository outside git-ignored data/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl  # noqa: E402

from benchmarks.timing import best_of  # noqa: E402
from flows import stages  # noqa: E402
from gazetteer import Gazetteer, load_gazetteer  # noqa: E402
from gazetteer.datelines import dateline_places, dateline_regions  # noqa: E402
from transforms.datelines import dateline_countries  # noqa: E402
from transforms.engine import ENGINE  # noqa: E402
from transforms.entities import find_entities  # noqa: E402
from transforms.mentions import find_mentions  # noqa: E402
from transforms.pipeline import mentions_and_entities, transform_articles  # noqa: E402
from transforms.sentences import split_sentences  # noqa: E402
from transforms.tone import score_articles, score_sentences  # noqa: E402
from wirehouse.settings import Settings  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
REUTERS = REPO_ROOT / "data" / "bench" / "reuters" / "articles"
SAMPLES = REPO_ROOT / "samples" / "articles"
SEED = REPO_ROOT.parent / "shared" / "seeds" / "000_9931ddaee67d88b9.txt"
BASELINE = REPO_ROOT / "data" / "bench" / "transform_baseline.parquet"
STAGES = ("datelines", "sentences", "mentions", "entities", "tone", "pipeline", "less-tone")
MENTION_KEY = ["article_id", "start_char", "end_char", "surface", "entity_id", "mention_kind",
               "country_code"]  # fmt: skip
MENTION_COLUMNS = [*MENTION_KEY, "sentence_no", "entity_type"]
ENTITY_COLUMNS = ["entity_id", "entity_type", "name", "country_code"]


def read_folder(root: Path) -> pl.DataFrame:
    """The articles of every file under root, as the flow reads them."""
    settings = Settings()
    found = stages.discover_files(root, settings.patterns)
    _, articles, _ = stages.read_files(
        found,
        {},
        input_format=settings.input_format,
        reference_date=settings.reference_date,
        max_file_bytes=settings.max_file_bytes,
    )
    return articles


def load_corpus() -> pl.DataFrame:
    """Reuters then the sample articles, one row per article."""
    if not REUTERS.is_dir():
        sys.exit(
            f"{REUTERS}: not found; convert the corpus first with .venv/bin/python"
            " benchmarks/reuters_convert.py --out data/bench/reuters/articles"
        )
    return pl.concat([read_folder(REUTERS), read_folder(SAMPLES)])


def kyodo_batch(copies: int) -> pl.DataFrame:
    """The Kyodo seed article, copies times over, each copy with its own article_id."""
    if not SEED.exists():
        sys.exit(f"{SEED}: the Kyodo seed is missing; run without --kyodo")
    one = read_folder(SEED.parent).filter(pl.col("source_path") == os.path.realpath(SEED))
    return (
        one.select(pl.all().repeat_by(copies).explode())
        .with_columns(
            pl.concat_str(pl.col("article_id"), pl.lit("-"), pl.int_range(pl.len()).cast(pl.String))
            .alias("article_id")
        )
    )  # fmt: skip


def accented(articles: pl.DataFrame) -> pl.DataFrame:
    """articles with accented words written into their text (`son ` -> `sön `, `ller` ->
    `llér`): names and words with letters outside ASCII, as in copy that spells them so."""
    text = pl.col("text")
    return articles.with_columns(
        text.str.replace_all("son ", "sön ", literal=True).str.replace_all(
            "ller", "llér", literal=True
        )
    )


def time_stages(
    articles: pl.DataFrame, gazetteer: Gazetteer, repeat: int, wanted: tuple[str, ...]
) -> dict[str, float]:
    """Seconds (best of repeat) per stage, each fed materialised inputs."""
    regions, places = dateline_regions(), dateline_places()
    surface_forms = pl.concat(
        [gazetteer.surface_forms, gazetteer.organizations.select(gazetteer.surface_forms.columns)]
    ).unique("surface", keep="first", maintain_order=True)
    with_dc = dateline_countries(articles.lazy(), gazetteer.surface_forms, regions, places).collect(
        engine=ENGINE
    )
    sentences = split_sentences(with_dc.lazy()).collect(engine=ENGINE)
    mentions = find_mentions(sentences.lazy(), surface_forms, gazetteer.blockers).collect(
        engine=ENGINE
    )
    runs: dict[str, Callable[[], object]] = {
        "datelines": lambda: dateline_countries(
            articles.lazy(), gazetteer.surface_forms, regions, places
        ).collect(engine=ENGINE),
        "sentences": lambda: split_sentences(with_dc.lazy()).collect(engine=ENGINE),
        "mentions": lambda: find_mentions(
            sentences.lazy(), surface_forms, gazetteer.blockers
        ).collect(engine=ENGINE),
        "entities": lambda: pl.collect_all(
            list(find_entities(sentences.lazy(), mentions.lazy(), gazetteer)), engine=ENGINE
        ),
        "tone": lambda: score_articles(
            with_dc.lazy(),
            score_sentences(sentences.lazy(), gazetteer.tone_lexicon).collect(engine=ENGINE).lazy(),
        ).collect(engine=ENGINE),
        "pipeline": lambda: pl.collect_all(
            list(transform_articles(articles.lazy(), gazetteer)), engine=ENGINE
        ),
        "less-tone": lambda: pl.collect_all(
            list(mentions_and_entities(articles.lazy(), gazetteer)), engine=ENGINE
        ),
    }
    return {name: best_of(repeat, runs[name]) for name in wanted}


def outputs(articles: pl.DataFrame, gazetteer: Gazetteer) -> pl.DataFrame:
    """Mentions and entities of one batch, stacked (column `table`) and sorted."""
    _, _, mentions, entities = pl.collect_all(
        list(transform_articles(articles.lazy(), gazetteer)), engine=ENGINE
    )
    return pl.concat(
        [
            mentions.select(MENTION_COLUMNS)
            .sort(MENTION_KEY, nulls_last=True)
            .with_columns(pl.lit("mentions").alias("table")),
            entities.select(ENTITY_COLUMNS)
            .sort(ENTITY_COLUMNS, nulls_last=True)
            .with_columns(pl.lit("entities").alias("table")),
        ],
        how="diagonal",
    )


def _sentences_hash() -> str:
    return hashlib.sha256((REPO_ROOT / "transforms" / "sentences.py").read_bytes()).hexdigest()


def save_baseline(frame: pl.DataFrame) -> None:
    BASELINE.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(BASELINE)
    BASELINE.with_suffix(".json").write_text(
        json.dumps({"sentences_py_sha256": _sentences_hash(), "polars": pl.__version__})
    )
    counts = frame.group_by("table").len().sort("table").rows()
    print(f"baseline saved to {BASELINE}: {dict(counts)}")


def check_baseline(frame: pl.DataFrame) -> bool:
    """True when frame equals the saved baseline row for row; prints the first differences."""
    if not BASELINE.exists():
        sys.exit(f"{BASELINE}: no baseline; record one with --save-baseline on unchanged code")
    meta = json.loads(BASELINE.with_suffix(".json").read_text())
    if meta.get("sentences_py_sha256") != _sentences_hash():
        print("warning: transforms/sentences.py changed since the baseline was recorded")
    baseline = pl.read_parquet(BASELINE)
    if frame.equals(baseline):
        print(f"check: OK ({frame.height} rows equal the baseline)")
        return True
    for table in ("mentions", "entities"):
        new = frame.filter(pl.col("table") == table)
        old = baseline.filter(pl.col("table") == table)
        missing = old.join(new, on=old.columns, how="anti", nulls_equal=True)
        extra = new.join(old, on=new.columns, how="anti", nulls_equal=True)
        print(f"check {table}: {old.height} -> {new.height} rows;"
              f" {missing.height} missing, {extra.height} new")  # fmt: skip
        cols = [
            c for c in ("article_id", "start_char", "end_char", "entity_id") if c in old.columns
        ]
        with pl.Config(tbl_rows=10, tbl_cols=12):
            if missing.height:
                print("missing (key columns only):", missing.select(cols).head(10), sep="\n")
            if extra.height:
                print("new (key columns only):", extra.select(cols).head(10), sep="\n")
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--save-baseline", action="store_true")
    mode.add_argument("--check", action="store_true", help="compare with the baseline only")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kyodo", type=int, default=0, help="also time N copies of the seed")
    parser.add_argument(
        "--accented", action="store_true", help="also time each batch with accented words"
    )
    parser.add_argument(
        "--stages", nargs="+", choices=STAGES, default=[s for s in STAGES if s != "less-tone"]
    )
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)

    gazetteer = load_gazetteer()
    dateline_regions(), dateline_places()  # built once per process, not timed
    articles = load_corpus()
    text_mb = articles.get_column("text").str.len_bytes().sum() / 1e6
    print(f"corpus: {articles.height} articles, {text_mb:.1f} MB of text")

    ok = True
    if args.save_baseline or args.check:
        frame = outputs(articles, gazetteer)
        if args.save_baseline:
            save_baseline(frame)
        else:
            ok = check_baseline(frame)
    if args.check or args.no_timing:
        return 0 if ok else 1

    batches = [(f"reuters+samples[:{n}]", articles.head(n)) for n in args.batch_sizes]
    if args.accented:
        batches += [(f"{label}, accented", accented(batch)) for label, batch in batches]
    if args.kyodo:
        batches.append((f"kyodo seed x{args.kyodo}", kyodo_batch(args.kyodo)))
    print(f"\nMB/s of raw text, best of {args.repeat} (seconds in brackets)\n")
    print("| batch | articles | MB | " + " | ".join(args.stages) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in args.stages) + " |")
    for label, batch in batches:
        mb = batch.get_column("text").str.len_bytes().sum() / 1e6
        seconds = time_stages(batch, gazetteer, args.repeat, tuple(args.stages))
        cells = " | ".join(f"{mb / s:.1f} ({s:.2f}s)" for s in seconds.values())
        print(f"| {label} | {batch.height} | {mb:.1f} | {cells} |", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
