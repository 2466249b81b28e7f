"""Time and peak memory of single huge texts: one-paragraph articles and a JSON Lines body.

    .venv/bin/python benchmarks/huge_text.py [--sizes 1 5 20] [--jsonl-sizes 20] [--runon-sizes 1 5]
        [--stages transform run] [--timeout 900] [--checkout PATH] [--record]

Wire feeds sometimes deliver a whole book as one paragraph. For each size (MB of UTF-8 text),
a file is generated in a temporary folder: for --sizes, a plain-text article whose body is
one paragraph of that size (`paragraph`); for --jsonl-sizes, a JSON Lines file of one record
whose body is that size (`jsonl`); for --runon-sizes, a paragraph like the first with every
full stop made a comma, so no sentence ends in it (`runon`). The text is random sentences from the word list below (no corpus text), with country
names, people and companies for the mention and entity passes and non-ASCII words all through
it, so character and byte offsets differ.

Each file is then processed in a child process of its own, whose peak RSS (os.wait4) is its
own: `transform` reads the file with the flow's read stage and collects transform_articles
(sentences, mentions, entities); `run` is `wirehouse run` into a fresh temporary warehouse,
Prefect's temporary server included (its own processes' memory is not counted). A first row,
`startup`, is the same on a 1 KB article: the fixed cost in every other row. `+s/MB` is the
seconds each MB added since the row above costs (the startup row, for the first size): time
grows linearly when it stays level from size to size.

A case that outlasts --timeout is stopped and shown as such. --checkout runs the children
from another checkout of wirehouse (a commit to compare), this script's text and all.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

MB = 1_000_000
STAGES = ("transform", "run")

# Written for this benchmark. Subjects and objects name countries, capitals, people (a title
# and a name) and companies, so every pass has work; the accented words keep the text
# non-ASCII throughout.
_SUBJECTS = (
    "Japan", "China", "South Korea", "Germany", "Brazil", "the United States", "France",
    "Prime Minister Akio Tanabe", "President Maria Okafor", "Toyota Motor Corp.",
    "Velmara SpA", "the central bank", "officials in Tokyo", "the ministry in Zürich",
    "José Núñez", "analysts in São Paulo", "Chancellor Jürgen Weiß", "Mr. Ito",
)  # fmt: skip
_VERBS = (
    "said", "agreed", "warned", "announced", "denied", "reported", "expected", "signed",
    "rejected", "welcomed",
)  # fmt: skip
_OBJECTS = (
    "a trade deal with Chile", "new tariffs on steel", "talks in Beijing", "a rate cut",
    "record exports to India", "a pact with Canada", "higher output in Seoul",
    "the café owners' complaint", "a visit to Moscow", "an inquiry into the naïve plan",
    "a bond sale in Paris", "aid for Kenya", "weaker growth in Europe",
)  # fmt: skip
_TAILS = ("on Monday", "last week", "in April", "late on Friday", "", "", "")


def generated_text(size: int, seed: int = 0) -> str:
    """Sentences from the word lists above, one paragraph of at least size UTF-8 bytes."""
    pick = random.Random(seed).choice
    sentences: list[str] = []
    length = 0
    while length < size:
        tail = pick(_TAILS)
        sentence = f"{pick(_SUBJECTS)} {pick(_VERBS)} {pick(_OBJECTS)}{' ' + tail if tail else ''}."
        sentence = sentence[0].upper() + sentence[1:]
        sentences.append(sentence)
        length += len(sentence.encode()) + 1
    return " ".join(sentences)


def write_case(folder: Path, shape: str, size: int) -> Path:
    """One file of the shape, its body size bytes of generated text, alone in folder."""
    folder.mkdir(parents=True)
    body = generated_text(size)
    if shape == "runon":  # one sentence of the whole paragraph: no full stop anywhere
        body = body.replace(".", ",")
    headline = "Talks resume as exports rise"
    if shape == "jsonl":
        path = folder / "feed.jsonl"
        record = {"title": headline, "body": body, "date": "2017-04-10"}
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        path = folder / "2017" / "04" / "10" / "book.txt"
        path.parent.mkdir(parents=True)
        path.write_text(f"{headline}\n\n{body}\n", encoding="utf-8")
    return path


def transform_child(input_dir: Path) -> int:
    """Read and transform the files of input_dir in this process; print one JSON line."""
    import polars as pl

    from flows import stages
    from gazetteer import load_gazetteer
    from transforms.engine import ENGINE
    from transforms.pipeline import transform_articles
    from wirehouse.settings import Settings

    settings = Settings()
    gazetteer = load_gazetteer()
    started = time.perf_counter()
    found = stages.discover_files(input_dir, settings.patterns)
    ledger, articles, _ = stages.read_files(
        found, {}, input_format="auto", reference_date=None, max_file_bytes=1 << 40
    )
    read = time.perf_counter()
    _, sentences, mentions, entities = pl.collect_all(
        list(transform_articles(articles.lazy(), gazetteer)), engine=ENGINE
    )
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "articles": articles.height,
                "rejected": ledger.filter(pl.col("status") == "rejected")
                .get_column("reason")
                .to_list(),
                "sentences": sentences.height,
                "mentions": mentions.height,
                "read_seconds": read - started,
                "transform_seconds": done - read,
            }
        )
    )
    return 0


def run_child(command: list[str], env: dict[str, str], cwd: Path, timeout: float) -> dict:
    """Run command: wall seconds, peak RSS in bytes, exit code, stdout and stderr, or
    timed_out after timeout seconds (the command and all it started are then killed)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        # A session of its own, so a timeout kills Prefect's server with it.
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=err, start_new_session=True
        )
        while True:
            # wait4, not Popen.wait: it gives this child's own peak RSS.
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                os.wait4(process.pid, 0)
                process.returncode = -signal.SIGKILL  # reaped here; Popen must not wait again
                return {"timed_out": True, "seconds": time.perf_counter() - started}
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "timed_out": False,
            "seconds": seconds,
            "peak_rss": usage.ru_maxrss * 1024,  # KiB on Linux
            "code": process.returncode,
            "out": out.read(),
            "err": err.read(),
        }


def measure(stage: str, path: Path, work: Path, env: dict[str, str], args: argparse.Namespace):
    """The row of one stage on the file at path (alone in its folder)."""
    if stage == "transform":
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(path.parent)]
    else:
        size_mb = path.stat().st_size / 1_048_576
        command = [
            sys.executable, "-m", "wirehouse.cli", "run", "--input", str(path.parent),
            "--db", str(work / "news.duckdb"), "--max-file-mb", f"{2 * size_mb + 1:.0f}",
            "--quiet",
        ]  # fmt: skip
    result = run_child(command, env, args.checkout, args.timeout)
    if result["timed_out"]:
        return {"seconds": None, "note": f"stopped after {args.timeout:.0f} s"}
    if result["code"] != 0:
        tail = " | ".join(result["err"].strip().splitlines()[-3:])
        return {"seconds": None, "note": f"exit {result['code']}: {tail}"}
    row = {"seconds": result["seconds"], "peak_rss": result["peak_rss"]}
    if stage == "transform":
        found = json.loads(result["out"].strip().splitlines()[-1])
        if found["articles"] != 1:
            return {"seconds": None, "note": f"not read: {found['rejected']}"}
        row["note"] = (
            f"read {found['read_seconds']:.1f} s, transform {found['transform_seconds']:.1f} s;"
            f" {found['sentences']:,} sentences, {found['mentions']:,} mentions"
        )
    else:
        row["note"] = result["out"].strip().splitlines()[-1].split("; ", 1)[-1].split(" -> ")[0]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20], help="MB of text")
    parser.add_argument(
        "--jsonl-sizes", type=float, nargs="*", default=[20], help="MB of JSON Lines body"
    )
    parser.add_argument(
        "--runon-sizes",
        type=float,
        nargs="*",
        default=[1, 5],
        help="MB of one paragraph with no sentence end in it",
    )
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per case")
    parser.add_argument("--checkout", type=Path, default=REPO_ROOT, help="wirehouse to run")
    parser.add_argument(
        "--record", action="store_true", help="also write the figures into docs/benchmarks.md"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return transform_child(args.child)
    if args.record:
        sys.path.insert(0, str(REPO_ROOT))
        from benchmarks.record import record_main

        return record_main("huge-text", "benchmarks/huge_text.py", argv, main)

    args.checkout = args.checkout.resolve()
    with tempfile.TemporaryDirectory(prefix="wirehouse-huge-text-") as temp:
        work = Path(temp)
        env = dict(
            os.environ,
            PYTHONPATH=str(args.checkout),
            PREFECT_HOME=str(work / "prefect"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
        )
        env.pop("PREFECT_API_URL", None)  # each run starts Prefect's temporary server
        tiny = write_case(work / "startup", "paragraph", 1000)
        # Untimed: the gazetteer cache is built if this machine has none yet, and Prefect
        # creates its database in the new PREFECT_HOME on its first run.
        for stage in args.stages:
            measure(stage, tiny, work / f"warehouse-warm-up-{stage}", env, args)
        print(f"checkout: {args.checkout}; timeout {args.timeout:.0f} s per case")
        print(f"{'case':<18}{'stage':<11}{'seconds':>8}{'+s/MB':>7}{'peak RSS':>10}  notes")
        cases = [("startup", 0.001, tiny)]
        cases += [("paragraph", size, None) for size in args.sizes]
        cases += [("jsonl", size, None) for size in args.jsonl_sizes]
        cases += [("runon", size, None) for size in args.runon_sizes]
        # The row before, per shape and stage: (MB, seconds); every shape starts at startup's.
        previous: dict[tuple[str, str], tuple[float, float]] = {}
        for number, (shape, size, path) in enumerate(cases):
            if path is None:
                path = write_case(work / f"case-{number}", shape, int(size * MB))
            label = "startup (1 KB)" if shape == "startup" else f"{shape} {size:g} MB"
            for stage in args.stages:
                row = measure(stage, path, work / f"warehouse-{number}-{stage}", env, args)
                seconds = row["seconds"]
                if seconds is None:
                    print(f"{label:<18}{stage:<11}{'-':>8}{'-':>7}{'-':>10}  {row['note']}")
                    previous.pop((shape, stage), None)
                    continue
                before = previous.get((shape, stage), previous.get(("startup", stage)))
                added = (
                    f"{(seconds - before[1]) / (size - before[0]):7.2f}"
                    if before is not None and shape != "startup"
                    else f"{'':7}"
                )
                previous[(shape, stage)] = (size, seconds)
                rss = f"{row['peak_rss'] / 1_048_576:,.0f} MiB"
                print(f"{label:<18}{stage:<11}{seconds:8.1f}{added}{rss:>10}  {row['note']}",
                      flush=True)  # fmt: skip
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
