"""flows/pump.py: batches made a bounded number ahead, loaded in order, the write connection
given up while a batch is late, the last load of each pass told so. Plain callables, no Prefect."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from flows.pump import Pump


class FakeWriter:
    """Records what the pump asks of the write connection in a shared log."""

    def __init__(self, log: list[str], hold_seconds: float = 3600.0) -> None:
        self.log = log
        self.hold_seconds = hold_seconds

    def seconds_left(self) -> float:
        return self.hold_seconds

    def release_if_due(self) -> None:
        self.log.append("release_if_due")

    def release(self) -> None:
        self.log.append("release")


def done(value: object) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def inline_pump(log: list[str], in_flight: int) -> Pump:
    """A pump whose batches are made at once: make and load only write to the log."""

    def make(batch_no: int, part: str) -> Future:
        log.append(f"make {batch_no} {part}")
        return done(part.upper())

    def load(batch_no: int, batch: str, is_last: bool) -> str:
        log.append(f"load {batch_no} {batch}" + (" last" if is_last else ""))
        return f"loaded {batch}"

    return Pump(make, load, FakeWriter(log), in_flight=in_flight)


def test_a_batch_is_loaded_once_in_flight_batches_reach_the_bound() -> None:
    log: list[str] = []
    loaded = list(inline_pump(log, in_flight=2).run(["a", "b", "c", "d"]))

    assert loaded == ["loaded A", "loaded B", "loaded C", "loaded D"]
    steps = [entry for entry in log if entry.startswith(("make", "load"))]
    assert steps == [
        "make 1 a",
        "make 2 b",
        "load 1 A",
        "make 3 c",
        "load 2 B",
        "make 4 d",
        "load 3 C",
        "load 4 D last",
    ]


def test_batches_made_out_of_order_are_loaded_in_the_order_they_were_cut() -> None:
    loads: list[int] = []
    delays = {1: 0.3, 2: 0.0, 3: 0.15}  # batch 1 finishes last
    with ThreadPoolExecutor(max_workers=3) as pool:

        def make(batch_no: int, part: str) -> Future:
            return pool.submit(lambda: (time.sleep(delays[batch_no]), part)[1])

        def load(batch_no: int, batch: str, is_last: bool) -> None:
            loads.append(batch_no)

        pump = Pump(make, load, FakeWriter([]), in_flight=3)
        list(pump.run(["a", "b", "c"]))

    assert loads == [1, 2, 3]


def test_never_more_batches_in_flight_than_the_bound() -> None:
    in_flight = 0
    most = 0
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=8) as pool:

        def make(batch_no: int, part: int) -> Future:
            nonlocal in_flight, most
            with lock:
                in_flight += 1
                most = max(most, in_flight)
            return pool.submit(time.sleep, 0.01)

        def load(batch_no: int, batch: None, is_last: bool) -> None:
            nonlocal in_flight
            with lock:
                in_flight -= 1

        list(Pump(make, load, FakeWriter([]), in_flight=3).run(list(range(10))))

    assert most == 3
    assert in_flight == 0


def test_the_last_load_of_each_pass_is_told_and_numbers_count_on_across_passes() -> None:
    log: list[str] = []
    pump = inline_pump(log, in_flight=2)
    asked_after: list[list[str]] = []

    def then() -> list[str]:
        asked_after.append([entry for entry in log if entry.startswith("load")])
        return ["d", "e"]

    list(pump.run(["a", "b", "c"], then))

    assert [entry for entry in log if entry.startswith("load")] == [
        "load 1 A",
        "load 2 B",
        "load 3 C last",
        "load 4 D",
        "load 5 E last",
    ]
    # Asked once, when every batch of the first pass was loaded.
    assert asked_after == [["load 1 A", "load 2 B", "load 3 C last"]]


def test_a_late_batch_gives_the_connection_up_before_the_loader_waits_for_it() -> None:
    log: list[str] = []
    with ThreadPoolExecutor(max_workers=1) as pool:

        def make(batch_no: int, part: str) -> Future:
            return pool.submit(lambda: (time.sleep(0.3), log.append(f"made {part}"))[1])

        def load(batch_no: int, batch: None, is_last: bool) -> None:
            log.append("load")

        writer = FakeWriter(log, hold_seconds=0.05)  # the hold ends long before the batch
        list(Pump(make, load, writer, in_flight=2).run(["a"]))

    assert log[:3] == ["release", "made a", "load"]


def test_a_batch_ready_within_the_hold_is_loaded_on_the_held_connection() -> None:
    log: list[str] = []
    list(inline_pump(log, in_flight=2).run(["a"]))

    assert log == ["make 1 a", "load 1 A last", "release_if_due", "release", "release"]


def test_made_here_the_connection_is_given_up_first_when_due_so_readers_get_in() -> None:
    log: list[str] = []
    pump = inline_pump(log, in_flight=1)
    pump.inline = True
    list(pump.run(["a", "b"]))

    assert log[:6] == [
        "release_if_due",
        "make 1 a",
        "load 1 A",
        "release_if_due",
        "release_if_due",
        "make 2 b",
    ]


def test_nothing_to_load_still_gives_the_connection_up() -> None:
    log: list[str] = []
    assert list(inline_pump(log, in_flight=2).run([], lambda: [])) == []
    assert log == ["release", "release"]


def test_a_failed_batch_stops_the_pump_and_gives_the_connection_up() -> None:
    log: list[str] = []
    failed: Future = Future()
    failed.set_exception(ValueError("unreadable batch"))
    pump = Pump(lambda n, part: failed, lambda n, b, last: None, FakeWriter(log), in_flight=2)

    with pytest.raises(ValueError, match="unreadable batch"):
        list(pump.run(["a"]))
    assert log == ["release"]


def test_every_wait_and_load_is_timed() -> None:
    timed: list[str] = []

    class Timer:
        def __init__(self, stage: str) -> None:
            timed.append(stage)

        def __enter__(self) -> None:
            return None

        def __exit__(self, *_: object) -> None:
            return None

    pump = inline_pump([], in_flight=2)
    pump.timer = Timer
    list(pump.run(["a", "b"]))

    # One wait and one load per batch, and the last release counted as loading.
    assert timed == ["wait", "load", "wait", "load", "load"]
