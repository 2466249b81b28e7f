"""Run the pipeline in this process without Prefect, for tests that kill or race real processes.

usage: python -m tests.helpers.run_plain INPUT DB [--batch-size N] [--if-running wait|fail]
                                                  [--export DIR] [--prune]
WIREHOUSE_CRASH_AT (e.g. load:2) makes the process SIGKILL itself at that point.
Exit status: 0 done, 3 another run holds the warehouse and --if-running fail.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.ingest import run_pipeline
from warehouse.locks import WarehouseBusy
from wirehouse.settings import Settings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("input", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--if-running", default="wait")
    parser.add_argument("--export", type=Path)
    parser.add_argument("--prune", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env().with_overrides(
        input_dir=args.input,
        db_path=args.db,
        batch_size=args.batch_size,
        if_running=args.if_running,
        export_dir=args.export,
        prune_missing=args.prune or None,
        workers=1,
    )
    try:
        summary = run_pipeline(settings, as_tasks=False)
    except WarehouseBusy as exc:
        print(f"wirehouse: {exc}", file=sys.stderr)
        return 3
    print(f"loaded {summary.files_loaded} unchanged {summary.files_unchanged}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
