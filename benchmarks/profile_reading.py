"""Throughput of discovery, reading and sentence splitting, and a check that results stay the same.

    .venv/bin/python benchmarks/profile_reading.py [--save-baseline | --check]
        [--repeat 3] [--batch-sizes 1000 20000] [--tree N] [--stages discover read sentences]

Input: the converted Reuters corpus (data/bench/reuters/articles; convert it first with
`benchmarks/reuters_convert.py --out data/bench/reuters/articles`), samples/articles and the
Kyodo seed folder (../shared/seeds) when present, each read with the flow's own stages.

Timings are best of --repeat, in MB/s of raw file bytes (discover, read) or of article text
(sentences, UTF-8 bytes) and files/s. --tree N also times discover_files on a generated tree of
N tiny files in a temporary folder (warm cache: one untimed walk first), deleted afterwards.

--save-baseline writes the ledger rows, the article frame and the sentence frame of every folder
(stacked, each column prefixed with its frame) to data/bench/reading_baseline.parquet; --check
compares the current code against it, exactly, and prints the first differences.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl  # noqa: E402

from benchmarks.timing import best_of  # noqa: E402
from flows import stages  # noqa: E402
from transforms.sentences import split_sentences  # noqa: E402
from wirehouse.settings import Settings  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
REUTERS = REPO_ROOT / "data" / "bench" / "reuters" / "articles"
SAMPLES = REPO_ROOT / "samples" / "articles"
SEEDS = REPO_ROOT.parent / "shared" / "seeds"
BASELINE = REPO_ROOT / "data" / "bench" / "reading_baseline.parquet"
STAGES = ("discover", "read", "sentences")


def folders() -> dict[str, Path]:
    """The folders profiled, by name."""
    if not REUTERS.is_dir():
        sys.exit(
            f"{REUTERS}: not found; convert the corpus first with .venv/bin/python"
            " benchmarks/reuters_convert.py --out data/bench/reuters/articles"
        )
    found = {"reuters": REUTERS, "samples": SAMPLES}
    if SEEDS.is_dir():
        found["seeds"] = SEEDS
    return found


def read(root: Path, found: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(ledger rows, articles, unchanged) for the discovered files, as the flow reads them."""
    settings = Settings()
    return stages.read_files(
        found,
        {},
        input_format=settings.input_format,
        reference_date=settings.reference_date,
        max_file_bytes=settings.max_file_bytes,
    )


def outputs() -> pl.DataFrame:
    """Ledger rows, articles and sentences of every folder, stacked with prefixed columns."""
    parts = []
    for name, root in folders().items():
        found = stages.discover_files(root, Settings().patterns)
        ledger, articles, _ = read(root, found)
        sentences = split_sentences(articles.lazy()).collect()
        for frame_name, frame, key in (
            ("discovered", found, ["path"]),
            ("ledger", ledger, ["path"]),
            ("articles", articles, ["article_id"]),
            ("sentences", sentences, ["article_id", "sentence_no"]),
        ):
            parts.append(
                frame.sort(key)
                .select(pl.all().name.prefix(f"{frame_name}."))
                .with_columns(pl.lit(name).alias("folder"), pl.lit(frame_name).alias("frame"))
            )
    return pl.concat(parts, how="diagonal")


def save_baseline(frame: pl.DataFrame) -> None:
    BASELINE.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(BASELINE)
    counts = frame.group_by("folder", "frame").len().sort("folder", "frame").rows()
    print(f"baseline saved to {BASELINE}: {counts}")


def check_baseline(frame: pl.DataFrame) -> bool:
    """True when frame equals the saved baseline row for row; prints the first differences."""
    if not BASELINE.exists():
        sys.exit(f"{BASELINE}: no baseline; record one with --save-baseline on unchanged code")
    baseline = pl.read_parquet(BASELINE)
    if frame.columns == baseline.columns and frame.equals(baseline):
        print(f"check: OK ({frame.height} rows equal the baseline)")
        return True
    for (folder, frame_name), old in baseline.group_by("folder", "frame", maintain_order=True):
        cols = [c for c in old.columns if c.startswith(f"{frame_name}.")]
        old = old.select(cols)
        new = frame.filter((pl.col("folder") == folder) & (pl.col("frame") == frame_name))
        new = new.select(cols) if set(cols) <= set(new.columns) else new
        if new.equals(old):
            continue
        print(f"check {folder}/{frame_name}: {old.height} -> {new.height} rows differ")
        if new.columns != old.columns or new.schema != old.schema:
            print(f"  schema {old.schema} -> {new.schema}")
            continue
        for col in cols:
            diff = (
                new.get_column(col).ne_missing(old.get_column(col))
                if new.height == old.height
                else None
            )
            if diff is not None and diff.any():
                at = diff.arg_true()[:3].to_list()
                print(f"  {col}: {diff.sum()} rows; first at {at}:")
                for i in at:
                    print(f"    old {old[i, col]!r:.200}\n    new {new[i, col]!r:.200}")
    return False


def make_tree(root: Path, count: int) -> None:
    """count tiny .txt files (plus a few ignored ones) in 2-level directories of 500 files."""
    for i in range(count):
        d = root / f"{i // 50_000:02d}" / f"{i // 500:04d}"
        if i % 500 == 0:
            d.mkdir(parents=True, exist_ok=True)
            (d / "README.md").write_bytes(b"x")
        (d / f"{i:07d}.txt").write_bytes(b"Headline\n\nBody.\n")


def time_tree(count: int, repeat: int) -> None:
    """discover_files on a generated tree of count files, warm cache."""
    base = Path(tempfile.mkdtemp(prefix="wirehouse-tree-"))
    try:
        started = time.perf_counter()
        make_tree(base, count)
        print(f"tree: {count:,} files generated in {time.perf_counter() - started:.1f} s")
        patterns = Settings().patterns
        found = stages.discover_files(base, patterns)  # warm the cache
        assert found.height == count, found.height
        seconds = best_of(repeat, lambda: stages.discover_files(base, patterns))
        print(
            f"discover tree     {count:>9,} files {seconds:7.3f} s {count / seconds:>10,.0f} files/s"
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


def time_folder(
    name: str, root: Path, repeat: int, batch_sizes: list[int], wanted: tuple[str, ...]
) -> None:
    patterns = Settings().patterns
    found = stages.discover_files(root, patterns)
    raw_mb = found.get_column("size_bytes").sum() / 1e6
    files = found.height
    if "discover" in wanted:
        s = best_of(repeat, lambda: stages.discover_files(root, patterns))
        print(f"discover {name:8} {files:>9,} files {s:7.3f} s {files / s:>10,.0f} files/s")
    if "read" in wanted:
        s = best_of(repeat, lambda: read(root, found))
        print(
            f"read     {name:8} {raw_mb:9.2f} MB    {s:7.3f} s {raw_mb / s:10.2f} MB/s"
            f" {files / s:>9,.0f} files/s"
        )
    if "sentences" in wanted:
        _, articles, _ = read(root, found)
        for size in batch_sizes:
            batches = [articles.slice(i, size) for i in range(0, articles.height, size)]
            text_mb = articles.get_column("text").str.len_bytes().sum() / 1e6

            def run(batches: list[pl.DataFrame] = batches) -> None:
                for batch in batches:
                    split_sentences(batch.lazy()).collect()

            s = best_of(repeat, run)
            print(
                f"sentences {name:7} {text_mb:9.2f} MB    {s:7.3f} s {text_mb / s:10.2f} MB/s"
                f" (batch {size:,})"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--save-baseline", action="store_true")
    mode.add_argument("--check", action="store_true", help="compare with the baseline only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--tree", type=int, default=0, help="also time discovery of N files")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    args = parser.parse_args(argv)
    if args.save_baseline:
        save_baseline(outputs())
        return 0
    if args.check:
        return 0 if check_baseline(outputs()) else 1
    print(f"polars {pl.__version__}, {os.cpu_count()} cores, best of {args.repeat}")
    for name, root in folders().items():
        if name == "seeds":
            continue
        time_folder(name, root, args.repeat, args.batch_sizes, tuple(args.stages))
    if args.tree:
        time_tree(args.tree, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
