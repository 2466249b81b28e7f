"""Speed and scale benchmark: end-to-end throughput, stage times, memory, incremental runs, geotext.

Not part of the test suite. Reads ../shared/corpora/reuters21578 (research use only) and writes
everything under --work (default data/bench, git-ignored). Each pipeline run happens in its own
process so its peak RSS is its own; times exclude interpreter start-up and, in Prefect mode, the
temporary Prefect server's start-up (the clock starts when the flow body starts).

    .venv/bin/python benchmarks/speed.py                       # Reuters + 100,000 + 1,000,000
    .venv/bin/python benchmarks/speed.py --synthetic 100000    # one smaller scale run
    .venv/bin/python benchmarks/speed.py --skip-synthetic      # Reuters only

Synthetic corpora are generated once into --work/speed-synthetic-N (article i is the same in
every size, so the 100,000 corpus is the first tenth of the 1,000,000 one) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


class RssSampler:
    """This process's resident memory, sampled every interval seconds on a daemon thread."""

    def __init__(self, interval: float = 0.25) -> None:
        self.samples: list[tuple[float, int]] = []
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            with open("/proc/self/statm") as statm:
                self.samples.append((time.perf_counter(), int(statm.read().split()[1]) * page))
            self._stop.wait(self._interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def quarter_peaks(self) -> list[int]:
        """Peak RSS in each quarter of the sampled time: flat memory gives four similar peaks."""
        if not self.samples:
            return []
        first, last = self.samples[0][0], self.samples[-1][0]
        span = max(last - first, 1e-9)
        peaks = [0, 0, 0, 0]
        for moment, rss in self.samples:
            quarter = min(int(4 * (moment - first) / span), 3)
            peaks[quarter] = max(peaks[quarter], rss)
        return peaks


def worker(args: argparse.Namespace) -> int:
    """Run the pipeline once in this process and print one JSON line of measurements."""
    from flows.ingest import run_flow, run_pipeline
    from wirehouse.settings import Settings

    settings = Settings(
        input_dir=args.input,
        db_path=args.db,
        batch_size=args.batch_size,
        workers=args.workers,
        export_dir=args.export,
        dask_local_workers=args.dask_local,
    )
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    started = time.perf_counter()
    with RssSampler() as sampler:
        summary = (
            run_flow(settings) if args.mode == "prefect" else run_pipeline(settings, as_tasks=False)
        )
    outer = time.perf_counter() - started
    task_seconds = probe_task_cost(args.workers) if args.mode == "prefect" else None
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "files_seen": summary.files_seen,
                "files_loaded": summary.files_loaded,
                "files_unchanged": summary.files_unchanged,
                "articles": summary.articles,
                "sentences": summary.sentences,
                "mentions": summary.mentions,
                "raw_bytes": summary.raw_bytes,
                "seconds": summary.seconds,
                "outer_seconds": outer,
                "peak_rss_bytes": own,
                "peak_child_rss_bytes": kids,
                "rss_quarter_peaks": sampler.quarter_peaks(),
                "batches": -(-(summary.files_seen - summary.files_unchanged) // args.batch_size),
                "empty_task_seconds": task_seconds,
            }
        )
    )
    return 0


def probe_task_cost(workers: int, count: int = 40) -> float:
    """Seconds Prefect spends on one task run with nothing in it, on the same server and
    task runner as the pipeline: half called in the flow (as the loads are), half submitted
    to the thread pool (as the batches are)."""
    import polars as pl
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE
    from prefect.task_runners import ThreadPoolTaskRunner

    # Parameters like read_and_transform's: a batch's files and their known hashes.
    files = pl.DataFrame({"path": [f"{n:08}.txt" for n in range(10_000)]})
    known = files.with_columns(pl.col("path").str.replace(".txt", "", literal=True).alias("sha256"))

    @task(cache_policy=NO_CACHE)
    def empty(number: int, files: pl.DataFrame, known: pl.DataFrame) -> int:
        return number

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=workers))
    def probe() -> float:
        empty(0, files, known)  # the first task run of a flow pays one-off costs: not counted
        started = time.perf_counter()
        for number in range(count // 2):
            empty(number, files, known)
        futures = [empty.submit(number, files, known) for number in range(count // 2)]
        for future in futures:
            future.result()
        return (time.perf_counter() - started) / count

    return probe()


def run_worker(
    input_dir: Path, db: Path, *, mode: str, batch_size: int, workers: int,
    export: Path | None = None, dask_local: int = 0,
) -> dict:  # fmt: skip
    command = [
        sys.executable, str(Path(__file__).resolve()), "worker", "--input", str(input_dir),
        "--db", str(db), "--mode", mode, "--batch-size", str(batch_size),
        "--workers", str(workers), "--dask-local", str(dask_local),
    ]  # fmt: skip
    if export:
        command += ["--export", str(export)]
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"worker failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh(db: Path) -> None:
    for path in (db, db.with_name(db.name + ".wal"), db.with_name(db.name + ".run.lock")):
        path.unlink(missing_ok=True)


def warehouse_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + ".wal")) if p.exists())


def peer_comparison(input_dir: Path, limit_files: int | None = None) -> dict:
    """geotext vs wirehouse's mention stage on the same article texts, already in memory."""
    import polars as pl
    from geotext import GeoText

    from flows.stages import discover_files, read_files
    from gazetteer import load_gazetteer
    from transforms.engine import ENGINE
    from transforms.pipeline import transform_articles
    from transforms.sentences import split_sentences

    files = discover_files(input_dir, ("*.txt", "*.jsonl"))
    if limit_files:
        files = files.head(limit_files)
    _, articles, _ = read_files(
        files, {}, input_format="auto", reference_date=None, max_file_bytes=1 << 30
    )
    texts = articles.get_column("text").to_list()
    size = sum(len(t.encode()) for t in texts)
    GeoText(texts[0])  # warm up: every other part is timed best of three after a first run
    geotext_seconds = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        found = 0
        for text in texts:
            places = GeoText(text)
            found += len(places.cities) + len(places.countries)
        geotext_seconds = min(geotext_seconds, time.perf_counter() - started)

    gazetteer = load_gazetteer()
    best_sentences = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sentences = split_sentences(articles.lazy()).collect(engine=ENGINE)
        best_sentences = min(best_sentences, time.perf_counter() - started)
    best_mentions = float("inf")
    best_transform = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = transform_articles(articles.lazy(), gazetteer)
        pl.collect_all(list(result), engine=ENGINE)
        best_transform = min(best_transform, time.perf_counter() - started)
    from transforms.mentions import find_mentions

    # The pipeline's own mention pass: countries, capitals, demonyms, places and curated
    # organisations, with character offsets, on sentences split beforehand.
    for _ in range(3):
        started = time.perf_counter()
        mentions = find_mentions(
            sentences.lazy(), gazetteer.mention_surface_forms, gazetteer.blockers
        )
        mentions.collect(engine=ENGINE)
        best_mentions = min(best_mentions, time.perf_counter() - started)
    mb = size / 1e6
    return {
        "texts": len(texts),
        "mb": mb,
        "geotext_mb_s": mb / geotext_seconds,
        "geotext_found": found,
        "sentences_mb_s": mb / best_sentences,
        "gazetteer_mentions_mb_s": mb / best_mentions,
        "all_transforms_mb_s": mb / best_transform,
    }


def measure_corpus(
    name: str, input_dir: Path, work: Path, args: argparse.Namespace, add: callable
) -> dict:
    db = work / f"{name}.duckdb"
    export = work / f"{name}-export"
    fresh(db)
    shutil.rmtree(export, ignore_errors=True)
    first = run_worker(
        input_dir, db, mode=args.mode, batch_size=args.batch_size, workers=args.workers,
        export=export, dask_local=args.dask_local,
    )  # fmt: skip
    first["warehouse_bytes"] = warehouse_bytes(db)
    nothing_new = run_worker(
        input_dir, db, mode=args.mode, batch_size=args.batch_size, workers=args.workers
    )
    add(100)
    hundred_new = run_worker(
        input_dir, db, mode=args.mode, batch_size=args.batch_size, workers=args.workers
    )
    return {"first": first, "nothing_new": nothing_new, "hundred_new": hundred_new}


def report(name: str, result: dict) -> None:
    first = result["first"]
    total = first["seconds"]["total"]
    mb = first["raw_bytes"] / 1e6
    stages = ", ".join(
        f"{k} {v:.1f}s" for k, v in first["seconds"].items() if k not in ("total", "wait")
    )
    print(f"\n## {name}")
    print(f"- files {first['files_seen']:,}, articles {first['articles']:,}, raw text {mb:,.1f} MB")
    print(
        f"- end to end: {total:.1f} s, {first['articles'] / total:,.0f} articles/s,"
        f" {mb / total:.1f} MB/s (stage sums across threads: {stages};"
        f" waiting for batches {first['seconds'].get('wait', 0):.1f}s)"
    )
    quarters = " / ".join(f"{peak / 2**20:,.0f}" for peak in first["rss_quarter_peaks"])
    print(
        f"- peak RSS {first['peak_rss_bytes'] / 2**20:,.0f} MiB (by quarter of the run:"
        f" {quarters} MiB; largest child {first['peak_child_rss_bytes'] / 2**20:,.0f} MiB);"
        f" warehouse {first['warehouse_bytes'] / 2**20:,.0f} MiB"
    )
    for label in ("nothing_new", "hundred_new"):
        run = result[label]
        print(
            f"- incremental, {label.replace('_', ' ')}: {run['seconds']['total']:.1f} s"
            f" (discover {run['seconds'].get('discover', 0):.1f}s, plan"
            f" {run['seconds'].get('prepare', 0):.1f}s), {run['files_loaded']} loaded"
        )


def measure_synthetic(corpus: Path, work: Path, count: int, args: argparse.Namespace) -> dict:
    """Generate (once) and measure a synthetic corpus of count articles."""
    from benchmarks.generate import generate

    synthetic = work / f"speed-synthetic-{count}"
    marker = synthetic / f".complete-{count}"
    if not marker.exists():
        shutil.rmtree(synthetic, ignore_errors=True)
        started = time.perf_counter()
        size = generate(corpus, synthetic, count)
        marker.write_text("")
        print(f"\n(generated {count:,} articles, {size / 1e6:,.0f} MB in"
              f" {time.perf_counter() - started:.0f}s)")  # fmt: skip
    else:
        shutil.rmtree(synthetic / "added", ignore_errors=True)
    more = iter(range(count, count + 1_000_000, 100))

    def add_to_synthetic(added: int) -> None:
        generate(corpus, synthetic / "added", added, start=next(more))

    return measure_corpus(f"synthetic-{count}", synthetic, work, args, add_to_synthetic)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    w = sub.add_parser("worker")
    w.add_argument("--input", type=Path, required=True)
    w.add_argument("--db", type=Path, required=True)
    w.add_argument("--mode", choices=("prefect", "plain"), default="prefect")
    w.add_argument("--batch-size", type=int, required=True)
    w.add_argument("--workers", type=int, default=2)
    w.add_argument("--dask-local", type=int, default=0)
    w.add_argument("--export", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpora/reuters21578"))
    parser.add_argument("--work", type=Path, default=Path("data/bench"))
    parser.add_argument("--synthetic", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--mode", choices=("prefect", "plain"), default="prefect")
    parser.add_argument(
        "--batch-size",
        type=int,
        help="files per batch (default: the product's, --batch-size of run)",
    )
    parser.add_argument(
        "--workers", type=int, help="batches at once (default: the product's, --workers of run)"
    )
    parser.add_argument("--dask-local", type=int, default=0)
    parser.add_argument(
        "--record", action="store_true", help="also write the figures into docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    if args.command == "worker":
        return worker(args)
    if args.record:
        from benchmarks.record import record_main

        return record_main("speed", "benchmarks/speed.py", argv, main)
    if args.batch_size is None:
        from wirehouse.settings import Settings

        args.batch_size = Settings().batch_size
    if args.workers is None:
        from wirehouse.settings import default_workers

        args.workers = default_workers()

    from benchmarks.generate import generate
    from benchmarks.reuters_convert import convert, resolve_corpus

    corpus = resolve_corpus(args.corpus)
    if not sorted(corpus.glob("reut2-*.sgm")):
        print(f"speed: corpus not found at {corpus}; nothing to measure", file=sys.stderr)
        return 2
    work = (REPO_ROOT / args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    print(f"# wirehouse speed benchmark ({args.mode} mode, batch {args.batch_size},"
          f" workers {args.workers}, dask-local {args.dask_local})")  # fmt: skip
    print(f"command: .venv/bin/python benchmarks/speed.py {' '.join(argv or sys.argv[1:])}")

    # The gazetteer is built once per installation and cached on disk (gazetteer/cache.py);
    # build it here, untimed, so the first measured run does not pay for it alone.
    from gazetteer import load_gazetteer

    started = time.perf_counter()
    load_gazetteer()
    print(f"(gazetteer cache ready in {time.perf_counter() - started:.1f} s, before timing)")

    reuters = work / "speed-reuters"
    shutil.rmtree(reuters, ignore_errors=True)
    convert(corpus, reuters)
    extra = iter(range(2_000_000, 3_000_000, 100))

    def add_to_reuters(count: int) -> None:
        generate(corpus, reuters / "added", count, start=next(extra))

    result = measure_corpus("reuters", reuters, work, args, add_to_reuters)
    report("Reuters-21578 (real text)", result)
    peer = peer_comparison(reuters)
    e2e = result["first"]["raw_bytes"] / 1e6 / result["first"]["seconds"]["total"]
    print(
        f"- peer, same {peer['texts']:,} texts in memory ({peer['mb']:.1f} MB): geotext"
        f" {peer['geotext_mb_s']:.1f} MB/s; wirehouse gazetteer mentions"
        f" {peer['gazetteer_mentions_mb_s']:.1f} MB/s"
        f" (sentence splitting {peer['sentences_mb_s']:.1f} MB/s)"
        f" (x{peer['gazetteer_mentions_mb_s'] / peer['geotext_mb_s']:.2f}); all transforms"
        f" (sentences, every entity kind) {peer['all_transforms_mb_s']:.1f} MB/s"
        f" (x{peer['all_transforms_mb_s'] / peer['geotext_mb_s']:.2f}); whole pipeline"
        f" x{e2e / peer['geotext_mb_s']:.2f}"
    )
    if args.mode == "prefect":
        fresh(work / "plain.duckdb")
        plain = run_worker(
            reuters, work / "plain.duckdb", mode="plain", batch_size=args.batch_size,
            workers=args.workers,
        )  # fmt: skip
        first = result["first"]
        # discover, prepare_warehouse, plan, copies_to_read_again, export, summarise, and a
        # read_and_transform, a dedupe and a load per batch
        task_runs = 6 + 3 * first["batches"]
        orchestration = task_runs * first["empty_task_seconds"]
        print(  # plain mode runs batches one after another; Prefect mode overlaps them
            f"- orchestration, estimated: {task_runs} task runs at"
            f" {1000 * first['empty_task_seconds']:.1f}"
            f" ms each (an empty task, same server and runner) = {orchestration:.2f} s,"
            f" {100 * orchestration / first['seconds']['total']:.1f}% of the run; the same run as"
            f" plain functions, batches one after another, took {plain['seconds']['total']:.1f} s"
        )
    if not args.skip_synthetic:
        peaks: dict[int, int] = {}
        rates: dict[int, float] = {}
        for count in args.synthetic:
            big = measure_synthetic(corpus, work, count, args)
            report(f"synthetic ({count:,} articles)", big)
            rates[count] = big["first"]["raw_bytes"] / 1e6 / big["first"]["seconds"]["total"]
            versus = [f"the Reuters run {100 * rates[count] / e2e:.0f}%"]
            if min(rates) < count:  # the same generator's text at a smaller scale
                versus.append(
                    f"the {min(rates):,}-article run {100 * rates[count] / rates[min(rates)]:.0f}%"
                )
            print(f"- throughput vs {', vs '.join(versus)}")
            peaks[count] = big["first"]["peak_rss_bytes"]
        if len(peaks) > 1:
            small, large = min(peaks), max(peaks)
            print(
                f"\n## memory: peak RSS {small:,} articles {peaks[small] / 2**20:,.0f} MiB,"
                f" {large:,} articles {peaks[large] / 2**20:,.0f} MiB"
                f" ({100 * (peaks[large] - peaks[small]) / peaks[small]:+.0f}%)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
