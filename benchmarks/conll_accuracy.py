"""Entity quality on the CoNLL-2003 development split, scored by ../shared/tools/conll_dev.py.

    .venv/bin/python benchmarks/conll_accuracy.py [--work data/bench/conll] [--record]

Writes one plain article file per document of eng.testa with the shared tool (`conll_dev.py
make`), loads them into WORK/dev.duckdb with the pipeline as plain functions, and prints the
tool's per-type precision, recall and F1 (`conll_dev.py score`). Types: LOC (countries, places,
the dateline city), PER, ORG, MISC (demonyms). Not part of the test suite; the corpus is
research-use-only and everything is written under the git-ignored data/ folder.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

DEFAULT_TOOL = REPO_ROOT.parent / "shared" / "tools" / "conll_dev.py"


def conll_dev(tool: Path, *args: str) -> str:
    """What the shared tool printed for args; raises naming the tool when it fails."""
    done = subprocess.run(
        [sys.executable, str(tool), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", type=Path, default=DEFAULT_TOOL)
    parser.add_argument("--work", type=Path, default=Path("data/bench/conll"))
    parser.add_argument(
        "--record", action="store_true", help="also write the scores into docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    if args.record:
        from benchmarks.record import record_main

        return record_main("conll", "benchmarks/conll_accuracy.py", argv, main)

    testa = args.tool.parent.parent / "corpora" / "conll2003" / "eng.testa"
    if not (args.tool.exists() and testa.exists()):
        print(f"conll: {args.tool} or {testa} not found (../shared is absent on this machine);"
              " nothing to measure", file=sys.stderr)  # fmt: skip
        return 2
    from flows.ingest import run_pipeline
    from wirehouse.settings import Settings

    work = (REPO_ROOT / args.work).resolve()
    shutil.rmtree(work, ignore_errors=True)  # score the code as it is now, from a new warehouse
    work.mkdir(parents=True)
    made = conll_dev(args.tool, "make", str(work)).strip().splitlines()[0]
    summary = run_pipeline(
        Settings(input_dir=work / "raw", db_path=work / "dev.duckdb"), as_tasks=False
    )
    documents = made.split()[0]
    print("# CoNLL-2003 eng.testa: per-type micro precision, recall and F1")
    print(f"{documents} documents; files loaded {summary.files_loaded},"
          f" rejected {summary.files_rejected}\n")  # fmt: skip
    print(conll_dev(args.tool, "score", str(work)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
