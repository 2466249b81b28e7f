"""The pump: batches made in parallel, a bounded number ahead, loaded in order by one loader.

Making a batch (reading and transforming its files) may run anywhere the flow's task runner
sends it; loading runs here, one batch at a time, in the order the batches were cut, on the
run's one write connection (DuckDB has a single writer). The connection is held across loads
and given up when its hold is over (warehouse/db.py HeldConnection), and never kept while
waiting longer than that for a batch, so readers get in between.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

Part = TypeVar("Part")  # what a batch is made from (a slice of the files to read)
Batch = TypeVar("Batch")  # a made batch, ready to load
Loaded = TypeVar("Loaded")  # what loading a batch returns
Made = TypeVar("Made", covariant=True)


class Writer(Protocol):
    """The run's held write connection, as the pump times it (db.HeldConnection)."""

    def seconds_left(self) -> float: ...
    def release_if_due(self) -> None: ...
    def release(self) -> None: ...


class Pending(Protocol[Made]):
    """A batch being made: a Prefect future, or a concurrent.futures.Future."""

    def add_done_callback(self, fn: Callable[[Any], object], /) -> None: ...
    def result(self) -> Made: ...


def untimed(_stage: str) -> AbstractContextManager[object]:
    """A timer that measures nothing."""
    return nullcontext()


@dataclass
class Pump(Generic[Part, Batch, Loaded]):
    """Makes and loads batches: make(batch_no, part) starts making one, load(batch_no, batch,
    is_last) loads it; batch numbers count on across passes, from 1."""

    make: Callable[[int, Part], Pending[Batch]]
    load: Callable[[int, Batch, bool], Loaded]
    writer: Writer
    # Batches made but not loaded, at most: memory grows with each one.
    in_flight: int
    # True when make builds the batch right away (no task runner): the connection is given
    # up first when its hold is over, so readers get in while the batch is made.
    inline: bool = False
    timer: Callable[[str], AbstractContextManager[object]] = untimed  # "wait" and "load"
    batch_no: int = 0  # the last batch number given

    def run(
        self, parts: Sequence[Part], then: Callable[[], Sequence[Part]] | None = None
    ) -> Iterator[Loaded]:
        """Load a batch made of each part, in order, then of each part `then` returns once every
        one is loaded (asked once); yields what each load returns. The last load of each pass
        is told so (is_last). Ends with the connection given up."""
        try:
            yield from self._pass(parts)
            if then is not None:
                yield from self._pass(then())
            with self.timer("load"):
                self.writer.release()  # the last checkpoint, before anything else reads
        finally:
            self.writer.release()

    def _pass(self, parts: Sequence[Part]) -> Iterator[Loaded]:
        last = self.batch_no + len(parts)
        pending: deque[tuple[int, Pending[Batch], threading.Event]] = deque()
        for part in parts:
            self.batch_no += 1
            pending.append(self._start(self.batch_no, part))
            if len(pending) >= self.in_flight:
                yield self._load(*pending.popleft(), last)
        while pending:
            yield self._load(*pending.popleft(), last)

    def _start(self, batch_no: int, part: Part) -> tuple[int, Pending[Batch], threading.Event]:
        if self.inline:
            self.writer.release_if_due()
        made = self.make(batch_no, part)
        ready = threading.Event()
        made.add_done_callback(lambda _: ready.set())
        return batch_no, made, ready

    def _load(
        self, batch_no: int, made: Pending[Batch], ready: threading.Event, last: int
    ) -> Loaded:
        with self.timer("wait"):
            # Keep the warehouse open for this batch only while the hold lasts: waiting longer
            # with it open would keep readers out for as long as the batch takes.
            if not ready.wait(timeout=self.writer.seconds_left()):
                self.writer.release()
            batch = made.result()
        with self.timer("load"):
            loaded = self.load(batch_no, batch, batch_no == last)
            self.writer.release_if_due()
        return loaded
