"""Run progress for people: a bar on a terminal, plain log lines elsewhere, nothing when quiet."""

from __future__ import annotations

import logging
import time
from typing import Any


class Progress:
    """Counts files and articles as batches load; shows them as the mode asks ('bar', 'log', 'off')."""

    def __init__(self, mode: str, total_files: int, logger: Any = None) -> None:
        self.mode = mode if total_files else "off"
        self.total = total_files
        self.files = 0
        self.articles = 0
        self.bytes = 0
        self.started = time.monotonic()
        self.logger = logger or logging.getLogger("wirehouse")
        self._bar = None
        if self.mode == "bar":
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("loading"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files  {task.fields[articles]:,} articles  {task.fields[rate]}"),
                TimeRemainingColumn(),
                transient=False,
            )
            self._task = self._bar.add_task("load", total=total_files, articles=0, rate="")
            self._bar.start()

    def advance(self, files: int, articles: int, raw_bytes: int) -> None:
        """Record one loaded batch."""
        self.files += files
        self.articles += articles
        self.bytes += raw_bytes
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = f"{self.files / elapsed:,.0f} files/s, {self.bytes / elapsed / 1e6:.1f} MB/s"
        if self._bar is not None:
            self._bar.update(self._task, advance=files, articles=self.articles, rate=rate)
        elif self.mode == "log":
            remaining = (self.total - self.files) / max(self.files / elapsed, 1e-9)
            self.logger.info(
                "progress: %d/%d files, %d articles, %s, about %.0fs left",
                self.files,
                self.total,
                self.articles,
                rate,
                remaining,
            )

    def close(self) -> None:
        """Finish the bar, if any."""
        if self._bar is not None:
            self._bar.stop()
