"""Transform throughput of this checkout against another commit, in alternating runs.

    .venv/bin/python benchmarks/compare_transforms.py --against d1ab62f [--stage less-tone] \\
        [--against-stage pipeline] [--rounds 6] [--repeat 5] [--batch-size 20000]

On a shared machine the same commit's timings swing by a third from one minute to the next,
more than most changes: a figure from each commit taken minutes apart decides nothing. This
script checks the other commit out into a temporary git worktree (removed afterwards), then
runs each checkout's own benchmarks/profile_transforms.py in turn, --rounds times, each run
its best of --repeat on the first --batch-size articles of the Reuters corpus
(data/bench/reuters/articles, see profile_transforms.py). It prints every run, then the best
and the median of each side and their ratios.

--stage names the stage of this checkout to time (`less-tone` is transform_articles without
the tone and focus that came after the entity work); --against-stage the other commit's stage
it is compared with (`pipeline`, its whole transform_articles, by default). Both run with this
checkout's virtual environment.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DATA = REPO_ROOT / "data" / "bench"
# A table row of profile_transforms.py: `| batch | articles | MB | 18.5 (0.90s) | ...`.
_SECONDS = re.compile(r"\(([0-9.]+)s\)")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO_ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def run_profile(root: Path, stage: str, batch_size: int, repeat: int) -> float:
    """Seconds of one stage, best of repeat, from root's own profile_transforms.py."""
    command = [
        sys.executable,
        str(root / "benchmarks" / "profile_transforms.py"),
        "--batch-sizes", str(batch_size),
        "--repeat", str(repeat),
        "--stages", stage,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{root}: profile_transforms.py failed:\n{done.stderr[-2000:]}")
    rows = [line for line in done.stdout.splitlines() if line.startswith("| reuters")]
    if not rows:
        raise SystemExit(f"{root}: no timing row in the output:\n{done.stdout[-2000:]}")
    return float(_SECONDS.findall(rows[-1])[-1])


def compare(
    other: Path, stage: str, other_stage: str, rounds: int, batch_size: int, repeat: int
) -> tuple[list[float], list[float]]:
    """(this checkout's seconds, the other's), one of each per round, alternating which runs
    first so that neither always runs on the warmer machine."""
    mine: list[float] = []
    theirs: list[float] = []
    for index in range(rounds):
        order = [("this", REPO_ROOT, stage), ("other", other, other_stage)]
        for side, root, name in order if index % 2 == 0 else order[::-1]:
            seconds = run_profile(root, name, batch_size, repeat)
            (mine if side == "this" else theirs).append(seconds)
            print(f"round {index + 1}: {side:5s} {name:10s} {seconds:.2f} s", flush=True)
    return mine, theirs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", required=True, help="the commit to compare with")
    parser.add_argument("--stage", default="less-tone")
    parser.add_argument("--against-stage", default="pipeline")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=20000)
    args = parser.parse_args(argv)
    if not (BENCH_DATA / "reuters" / "articles").is_dir():
        raise SystemExit(
            "data/bench/reuters/articles: not found; convert the corpus first with"
            " .venv/bin/python benchmarks/reuters_convert.py --out data/bench/reuters/articles"
        )
    this_commit = _git("rev-parse", "--short", "HEAD")
    dirty = (
        " (with uncommitted changes)"
        if _git("status", "--porcelain", "--untracked-files=no")
        else ""
    )
    other_commit = _git("rev-parse", "--short", args.against)
    with tempfile.TemporaryDirectory(prefix="wirehouse-compare-") as scratch:
        other = Path(scratch) / other_commit
        _git("worktree", "add", "--detach", str(other), other_commit)
        try:
            # The other checkout reads the same converted corpus.
            (other / "data").mkdir(exist_ok=True)
            (other / "data" / "bench").symlink_to(BENCH_DATA)
            mine, theirs = compare(
                other, args.stage, args.against_stage, args.rounds, args.batch_size, args.repeat
            )
        finally:
            _git("worktree", "remove", "--force", str(other))
    print(
        f"\n{args.rounds} rounds, each run the best of {args.repeat}, first {args.batch_size}"
        " articles of Reuters and the samples\n"
    )
    print("| checkout | stage | best | median | runs |")
    print("| --- | --- | ---: | ---: | --- |")
    for label, name, times in (
        (f"{this_commit}{dirty}", args.stage, mine),
        (other_commit, args.against_stage, theirs),
    ):
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"| {label} | {name} | {min(times):.2f} s | {statistics.median(times):.2f} s | {runs} |"
        )
    print(
        f"\nthis / other: best {min(mine) / min(theirs):.2f}x,"
        f" median {statistics.median(mine) / statistics.median(theirs):.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
