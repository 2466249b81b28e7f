"""wirehouse/terminal.py: what a file name or text may hold never reaches a terminal raw."""

from __future__ import annotations

import pytest

from wirehouse.terminal import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("a\tb", "a\\tb"),
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # OSC: retitles the terminal
        ("\x1b[2J", "\\x1b[2J"),  # CSI: clears the screen
        ("\x9b2J", "\\x9b2J"),  # the one-byte C1 form of CSI
        ("nul\x00", "nul\\x00"),
        ("del\x7f", "del\\x7f"),
        ("abc\u202egnp.txt", "abc\\u202egnp.txt"),  # right-to-left override
        ("one\u2028two", "one\\u2028two"),  # line separator
        ("bad\udcff.txt", "bad\\udcff.txt"),  # an undecodable byte of a file name
    ],
)
def test_control_characters_are_shown_as_their_escapes(raw, shown):
    assert printable(raw) == shown


@pytest.mark.parametrize(
    "text",
    ["/data/wire/2017/04/10/a.txt", "Zürich – 東京 — São Paulo", "C:\\not\\escaped", ""],
)
def test_ordinary_text_is_unchanged(text):
    assert printable(text) == text


def test_a_forged_summary_line_stays_on_the_line_it_was_printed_in():
    name = "x.txt\nwirehouse: 0 files seen, 0 rejected"

    assert printable(f"  rejected: {name}: empty file").splitlines() == [
        "  rejected: x.txt\\nwirehouse: 0 files seen, 0 rejected: empty file"
    ]


def test_anything_printable_is_given_as_its_str():
    from pathlib import Path

    assert printable(Path("/in/a\nb.txt")) == "/in/a\\nb.txt"
    assert printable(42) == "42"
