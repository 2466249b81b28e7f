"""Run the fuzz properties of tests/transforms/test_fuzz.py with many examples and report per target.

    .venv/bin/python benchmarks/fuzz.py --examples 10000 [--targets reader-random-bytes ...]

Prints, per target: examples run (shrinking included), distinct failures, seconds.
Exits 1 when any target failed.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.transforms.test_fuzz import TARGETS  # noqa: E402


def run_target(name: str, examples: int) -> tuple[int, int, float]:
    """(examples run, failures, seconds) of one target."""
    strategies, check = TARGETS[name]
    calls = 0

    def counted(args: tuple) -> None:
        nonlocal calls
        calls += 1
        check(*args)

    test = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        report_multiple_bugs=True,
        suppress_health_check=list(HealthCheck),
    )(given(st.tuples(*strategies))(counted))
    started = time.perf_counter()
    failures = 0
    try:
        test()
    except BaseExceptionGroup as group:
        failures = len(group.exceptions)
        traceback.print_exception(group)
    except Exception:  # noqa: BLE001 - report every kind of failure and go on
        failures = 1
        traceback.print_exc()
    return calls, failures, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples per target")
    parser.add_argument("--targets", nargs="*", choices=sorted(TARGETS), default=list(TARGETS))
    args = parser.parse_args(argv)
    rows = []
    for name in args.targets:
        calls, failures, seconds = run_target(name, args.examples)
        rows.append((name, calls, failures, seconds))
        print(f"{name:<22} examples {calls:>7,}  failures {failures}  {seconds:9.1f} s", flush=True)
    print()
    print(f"{'target':<22} {'examples':>9} {'failures':>9} {'seconds':>9}")
    for name, calls, failures, seconds in rows:
        print(f"{name:<22} {calls:>9,} {failures:>9} {seconds:>9.1f}")
    return 1 if any(failures for _, _, failures, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
