"""benchmarks/record.py: a benchmark writes its figures into its own section of the doc."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import record

DOC = """# Benchmarks

Fixed text about the method.

<!-- bench:speed -->
old speed figures
<!-- /bench:speed -->

Between the sections.

<!-- bench:floor -->
old floor figures
<!-- /bench:floor -->
"""


def test_replacing_a_section_leaves_the_rest_of_the_doc_as_it_was() -> None:
    updated = record.replace_section(DOC, "speed", "new speed figures\n")
    assert updated == DOC.replace("old speed figures", "new speed figures")


def test_a_doc_without_the_section_markers_is_refused_naming_the_markers() -> None:
    with pytest.raises(ValueError, match="<!-- bench:accuracy -->"):
        record.replace_section(DOC, "accuracy", "figures\n")


def test_a_section_carries_command_commit_machine_and_the_figures_verbatim() -> None:
    body = record.section("Reuters: 4.0 s\n", "python speed.py --record", "abc1234", "2 cores")
    assert body == (
        "Command: `python speed.py --record`  \n"
        "Commit: `abc1234`  \n"
        "Machine: 2 cores\n"
        "\n"
        "```text\n"
        "Reuters: 4.0 s\n"
        "```\n"
    )


def test_the_command_names_the_script_and_every_argument_quoted() -> None:
    line = record.command_line("benchmarks/speed.py", ["--synthetic", "100", "--work", "a b"])
    assert line.endswith("python benchmarks/speed.py --synthetic 100 --work 'a b'")


def test_a_successful_run_records_what_it_printed(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)

    def run() -> int:
        print("floor: 1.14 CPU s")
        return 0

    assert record.run_and_record("floor", "benchmarks/floor.py", ["--record"], run, doc=doc) == 0
    written = doc.read_text()
    assert "old floor figures" not in written
    assert "```text\nfloor: 1.14 CPU s\n```\n<!-- /bench:floor -->" in written
    assert "benchmarks/floor.py --record`" in written
    assert "old speed figures" in written


def test_a_record_run_runs_the_script_without_record_and_records_the_command_with_it(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)
    given: list[list[str]] = []

    def main(argv: list[str]) -> int:
        given.append(argv)
        print("floor: 2.00 CPU s")
        return 0

    code = record.record_main(
        "floor", "benchmarks/floor.py", ["--work", "w", "--record"], main, doc=doc
    )

    assert (code, given) == (0, [["--work", "w"]])
    assert "benchmarks/floor.py --work w --record`" in doc.read_text()
    assert "floor: 2.00 CPU s" in doc.read_text()


def test_a_failed_run_leaves_the_doc_untouched(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)

    def run() -> int:
        print("corpus not found")
        return 2

    assert record.run_and_record("floor", "benchmarks/floor.py", [], run, doc=doc) == 2
    assert doc.read_text() == DOC


def test_the_shipped_doc_has_a_section_for_every_recording_benchmark() -> None:
    shipped = record.DOC.read_text()
    for name in ("speed", "floor", "reuters-accuracy", "conll"):
        assert shipped.count(f"<!-- bench:{name} -->") == 1
        assert shipped.count(f"<!-- /bench:{name} -->") == 1


def test_a_scripts_own_command_line_is_left_out_of_the_figures() -> None:
    printed = "# speed\ncommand: .venv/bin/python benchmarks/speed.py\nReuters: 4.0 s\n"
    assert record.without_command_line(printed) == "# speed\nReuters: 4.0 s"
