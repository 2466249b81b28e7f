"""Progress reporting: a bar on terminals, plain lines in logs, silence when quiet."""

from __future__ import annotations

import logging

import pytest

from flows.progress import Progress


def test_log_mode_reports_files_articles_rate_and_time_left(caplog) -> None:
    logger = logging.getLogger("test-progress")
    with caplog.at_level(logging.INFO, logger="test-progress"):
        progress = Progress("log", total_files=10, logger=logger)
        progress.advance(files=4, articles=6, raw_bytes=4_000)
        progress.close()
    (line,) = caplog.messages
    assert line.startswith("progress: 4/10 files, 6 articles, ")
    assert "files/s" in line and "MB/s" in line and "left" in line


@pytest.mark.parametrize("mode", ["off", "log", "bar"])
def test_nothing_is_shown_when_there_is_nothing_to_load(mode: str, caplog) -> None:
    with caplog.at_level(logging.INFO):
        progress = Progress(mode, total_files=0)
        progress.close()
    assert progress.mode == "off" and caplog.messages == []


def test_quiet_mode_says_nothing(caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        progress = Progress("off", total_files=5)
        progress.advance(files=5, articles=5, raw_bytes=10)
        progress.close()
    assert caplog.messages == []
    assert (progress.files, progress.articles) == (5, 5)


def test_bar_mode_counts_towards_its_total() -> None:
    progress = Progress("bar", total_files=3)
    progress.advance(files=2, articles=2, raw_bytes=100)
    task = progress._bar.tasks[0]
    assert (task.completed, task.total, task.fields["articles"]) == (2, 3, 2)
    progress.close()
