"""The named steps of transforms/reading.py, each on small inputs with hand-checked answers."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from transforms.reading import (
    Decoded,
    ReadResult,
    RejectedInput,
    _article,
    _datelines,
    _decode_as_text,
    _decode_by_bom,
    _decode_by_nuls,
    _json_date,
    _json_line_row,
    _json_record,
    _looks_json,
    _navigation_second,
    _paragraphs_of_tidy,
    _plain_spacing,
    _read_any,
    _read_ascii,
    _tidy_lines,
    _wire_row,
    content_hash,
    decode_bytes,
)
from transforms.schemas import ARTICLE_SCHEMA

MTIME = date(2020, 6, 15)
DATED = "2017/04/10/story.txt"

# --- decoding ---------------------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_dropped():
    assert _decode_by_bom(b"\xef\xbb\xbfcaf\xc3\xa9") == Decoded("café", "utf-8-sig")


def test_bad_bytes_after_a_utf8_byte_order_mark_are_replaced_and_noted_with_their_offset():
    assert _decode_by_bom(b"\xef\xbb\xbfa\xffb") == Decoded(
        "a\ufffdb",
        "utf-8-sig",
        [
            "UTF-8 byte-order mark but not valid UTF-8 at byte 4; undecodable bytes replaced with U+FFFD"
        ],
    )


def test_a_utf16_byte_order_mark_before_a_cut_character_rejects_the_file():
    with pytest.raises(RejectedInput) as rejected:
        _decode_by_bom(b"\xff\xfeA\x00B")

    assert str(rejected.value) == (
        "UTF-16 byte-order mark but undecodable text at byte 4 (truncated data):"
        " re-save it as UTF-8"
    )


def test_bytes_without_a_byte_order_mark_are_left_to_the_next_step():
    assert _decode_by_bom(b"plain text") is None


def test_utf16_without_a_byte_order_mark_is_known_by_its_nul_bytes():
    assert _decode_by_nuls("Hi there".encode("utf-16-le")) == Decoded(
        "Hi there", "utf-16", ["no byte-order mark; decoded as UTF-16-LE from its NUL-byte pattern"]
    )


def test_many_nul_bytes_in_no_utf16_pattern_reject_the_file_as_binary():
    with pytest.raises(RejectedInput, match=r"^binary file \(many NUL bytes\)"):
        _decode_by_nuls(b"\x00" * 50 + b"x")


def test_bytes_without_nul_are_left_to_the_next_step():
    assert _decode_by_nuls(b"no nul here") is None


def test_bytes_that_are_not_utf8_decode_as_cp1252_with_a_note():
    assert _decode_as_text(b"caf\xe9") == Decoded(
        "café", "cp1252", ["not valid UTF-8 at byte 3; decoded as cp1252"]
    )


def test_bytes_that_cp1252_leaves_undefined_decode_as_latin1_with_a_note():
    assert _decode_as_text(b"\x81") == Decoded(
        "\x81", "latin-1", ["not valid UTF-8 at byte 0; decoded as latin-1"]
    )


def test_a_magic_number_names_the_kind_of_binary_file():
    with pytest.raises(RejectedInput) as rejected:
        decode_bytes(b"%PDF-1.4 ...")

    assert (
        str(rejected.value)
        == "binary file (PDF document), not an article: move it out of the input"
    )


# --- the ASCII fast path: only decoding and tidying differ ------------------------------


@pytest.mark.parametrize(
    ("data", "path", "input_format"),
    [
        ("café\n\nBody.".encode(), DATED, "auto"),  # not ASCII
        (b"Head\x01line\n\nBody.", DATED, "auto"),  # a control code
        (b"GIF89a and more", DATED, "auto"),  # an ASCII magic number
        (b"", DATED, "auto"),  # empty: decode_bytes says so
        (b"Head\n\nBody.", DATED, "jsonl"),  # JSON Lines asked for
        (b'  {"title": "x"}', DATED, "auto"),  # looks like JSON
        (b"Head\n\nBody.", "2017/04/10/feed.JSON", "auto"),  # named like JSON
    ],
)
def test_the_fast_path_leaves_other_files_to_the_general_path(data, path, input_format):
    assert _read_ascii(data, path, MTIME, input_format, None, False) is None


def test_the_fast_path_reads_crlf_text_as_the_general_path_does():
    data = b"Head line\r\n\r\nTOKYO, April 10 Kyodo - Boats  sailed.\r\n"

    fast = _read_ascii(data, DATED, MTIME, "auto", None, False)

    assert fast == _read_any(data, DATED, MTIME, "auto", None)
    assert (fast.source_format, fast.encoding, fast.articles[0]["body"]) == (
        "plain",
        "utf-8",
        "TOKYO, April 10 Kyodo - Boats sailed.",
    )


def test_whitespace_only_ascii_is_rejected_on_the_fast_path_too():
    with pytest.raises(RejectedInput, match="only whitespace"):
        _read_ascii(b" \n\t\n", DATED, MTIME, "auto", None, False)


@pytest.mark.parametrize(
    ("data", "plain"),
    [
        (b"Head\n\nBody one.\nBody two.", True),
        (b"Head\n\nBody  two spaces.", False),
        (b"Head \n\nBody.", False),
        (b"Head\n\n Body.", False),
        (b"Head\n\n\tBody.", False),
        (b"Head\r\n\r\nBody.", False),
    ],
)
def test_plain_spacing_is_spacing_that_needs_no_tidying(data, plain):
    assert _plain_spacing([data]) == [plain]


# --- format detection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ('{"title": "x"}', "a.txt", True),
        ('  \n{"title": "x"}', "a.txt", True),
        ('\u3000{"title": "x"}', "a.txt", True),
        ("Head\n\nBody.", "feed.JSONL", True),
        ("Head\n\nBody.", "feed.ndjson", True),
        ("Head {x}\n\nBody.", "a.txt", False),
    ],
)
def test_json_lines_is_known_by_the_name_or_the_first_visible_brace(text, path, expected):
    assert _looks_json(text, path) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kyodo News\n\nBack to Main\nHeadline", True),
        ("Kyodo News\n  back to top  \nHeadline", True),
        ("Kyodo News\nBack  to Main\nHeadline", False),  # the raw line, not a tidied one
        ("Back to Main\nKyodo News", False),
        ("Kyodo News", False),
    ],
)
def test_a_navigation_line_must_be_the_second_non_blank_line(text, expected):
    assert _navigation_second(text) is expected


# --- tidying ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\n  a\t\tb  \n\x0bc \n\n", "a b\nc"),
        ("a\u3000\u3000b \u2028 c", "a b c"),
        ("one\n\n\n  two", "one\n\n\ntwo"),
        (" \n\t\n", ""),
    ],
)
def test_tidy_text_has_single_spaces_stripped_lines_and_no_blank_ends(text, expected):
    assert _tidy_lines(text) == expected


def test_paragraphs_of_tidy_text_join_their_lines_with_spaces():
    assert _paragraphs_of_tidy("\n\nP1 line\nmore\n\n\nP2") == ["P1 line more", "P2"]
    assert _paragraphs_of_tidy("\n") == []


# --- datelines ---------------------------------------------------------------------------


def test_an_opening_dateline_with_a_date_dates_the_story_over_a_trailing_one():
    assert _datelines(["TOKYO, April 10 Kyodo - Boats sailed.", "(April 11)"], True) == (
        ["TOKYO, April 10 Kyodo - Boats sailed."],
        "TOKYO, April 10 Kyodo",
        "TOKYO",
        len("TOKYO, April 10 Kyodo - "),
        (4, 10),
    )


def test_a_trailing_dateline_is_cut_from_the_body_and_dates_the_story():
    assert _datelines(["Boats sailed. (April 11)"], True) == (
        ["Boats sailed."],
        "April 11",
        None,
        None,
        (4, 11),
    )


def test_an_opening_without_a_date_keeps_its_place_while_a_trailing_dateline_dates_it():
    assert _datelines(["NEW YORK (Reuters) - Shares rose. (April 10)"], True) == (
        ["NEW YORK (Reuters) - Shares rose."],
        "April 10",
        "NEW YORK",
        len("NEW YORK (Reuters) - "),
        (4, 10),
    )


def test_an_opening_without_a_date_is_the_dateline_when_nothing_else_dates_the_story():
    assert _datelines(["NEW YORK (Reuters) - Shares rose."], True) == (
        ["NEW YORK (Reuters) - Shares rose."],
        "NEW YORK (Reuters)",
        "NEW YORK",
        len("NEW YORK (Reuters) - "),
        None,
    )


def test_an_agency_tail_is_the_dateline_of_wire_text_only():
    paragraphs = ["Boats sailed (AP)"]

    assert _datelines(paragraphs, True) == (paragraphs, "AP", None, None, None)
    assert _datelines(paragraphs, False) == (paragraphs, None, None, None, None)


def test_no_paragraphs_have_no_dateline():
    assert _datelines([], True) == ([], None, None, None, None)


# --- one article ------------------------------------------------------------------------


def test_an_article_row_carries_its_stable_id_text_offsets_and_content_hash():
    datelines = (
        ["TOKYO, April 10 - Boats sailed.", "More."],
        "TOKYO, April 10",
        "TOKYO",
        17,
        (4, 10),
    )

    row = _article(
        "a.txt", 3, "plain", None, "Boats", datelines, (date(2017, 4, 10), "dateline+path", None)
    )

    body = "TOKYO, April 10 - Boats sailed.\n\nMore."
    assert row == (
        hashlib.sha256(b"a.txt#3").hexdigest()[:16],
        None,
        "Boats",
        body,
        f"Boats\n\n{body}",
        "TOKYO, April 10",
        "TOKYO",
        None,
        len("Boats") + 2 + 17,
        None,  # dateline_latitude, dateline_longitude, focus_country_code, focus_place: later
        None,
        None,
        None,
        date(2017, 4, 10),
        "dateline+path",
        "a.txt",
        "plain",
        content_hash("Boats", body),
    )


def test_a_headline_only_article_has_the_headline_as_its_text():
    row = _article(
        "a.txt", 0, "plain", None, "Boats", ([], None, None, None, None), (MTIME, "path", None)
    )

    assert row[3:5] == ("", "Boats")


def test_wire_text_reads_as_plain_with_its_opening_dateline():
    text = "Ferry resumes\n\nTOKYO, April 10 Kyodo - The ferry sailed.\n"

    row, source_format, notes = _wire_row(text, text.strip(), "auto", DATED, MTIME, None)

    assert source_format == "plain"
    assert row[1:15] == (
        None,
        "Ferry resumes",
        "TOKYO, April 10 Kyodo - The ferry sailed.",
        "Ferry resumes\n\nTOKYO, April 10 Kyodo - The ferry sailed.",
        "TOKYO, April 10 Kyodo",
        "TOKYO",
        None,
        len("Ferry resumes") + 2 + len("TOKYO, April 10 Kyodo - "),
        None,  # dateline_latitude, dateline_longitude, focus_country_code, focus_place: later
        None,
        None,
        None,
        date(2017, 4, 10),
        "dateline+path",
    )
    assert notes == []


def test_wire_text_with_a_navigation_line_reads_as_kyodo_and_keeps_its_source_spacing():
    text = "Kyodo  News\nBack to Main\nFerry resumes\n\nThe ferry sailed.\n(April 10)\n"

    row, source_format, notes = _wire_row(text, _tidy_lines(text), "auto", DATED, MTIME, None)

    assert (source_format, row[1], row[2], row[3], row[5]) == (
        "kyodo",
        "Kyodo  News",
        "Ferry resumes",
        "The ferry sailed.",
        "April 10",
    )
    assert notes == []


def test_kyodo_text_that_ends_after_its_navigation_line_has_no_headline():
    text = "Kyodo News\nBack to Main\n"

    with pytest.raises(RejectedInput, match="^no headline"):
        _wire_row(text, _tidy_lines(text), "kyodo", DATED, MTIME, None)


def test_a_headline_alone_is_read_with_two_notes():
    _, _, notes = _wire_row("Ferry resumes\n", "Ferry resumes", "plain", DATED, MTIME, None)

    assert notes == ["no dateline found; date taken from the path", "headline only; no body text"]


# --- JSON Lines -------------------------------------------------------------------------


def test_a_json_line_holding_an_object_gives_the_object():
    assert _json_record('{"title": "x"}') == ({"title": "x"}, None)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[1, 2]", "not a JSON object; line skipped"),
        ("1" * 5000, "JSON beyond reading limits (ValueError); line skipped, fix and re-run"),
    ],
)
def test_a_json_line_without_an_object_says_why(line, expected):
    assert _json_record(line) == (None, expected)


def test_a_json_line_that_does_not_parse_names_the_parser_message():
    record, problem = _json_record("{bad")

    assert record is None
    assert problem.startswith("not valid JSON (Expecting property name enclosed in double quotes)")
    assert problem.endswith("; line skipped, fix and re-run")


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"date": "2017-04-10T08:00Z"}, (date(2017, 4, 10), [])),
        ({"published": " 2017-04-10 "}, (date(2017, 4, 10), [])),
        ({"date": "April 10"}, (None, ["date 'April 10' is not ISO 8601; inferred instead"])),
        ({"date": "   "}, (None, [])),
        ({}, (None, [])),
    ],
)
def test_a_records_date_is_taken_when_it_is_iso_8601(record, expected):
    assert _json_date(record) == expected


def test_a_json_line_without_a_headline_is_skipped_with_a_note():
    assert _json_line_row('{"body": "text"}', 2, "feed.jsonl", MTIME, None) == (
        None,
        ["no 'title' or 'headline' field; line skipped"],
    )


def test_a_json_line_with_an_iso_date_is_dated_by_its_field():
    line = '{"title": " Big  news ", "body": "TOKYO, April 10 - It sailed.", "date": "2017-04-12"}'

    row, notes = _json_line_row(line, 4, "feed.jsonl", MTIME, None)

    named = dict(zip(ARTICLE_SCHEMA, row, strict=True))
    columns = ("article_id", "headline", "dateline", "published_date", "date_basis")
    assert tuple(named[column] for column in (*columns, "source_format")) == (
        hashlib.sha256(b"feed.jsonl#4").hexdigest()[:16],
        "Big news",
        "TOKYO, April 10",
        date(2017, 4, 12),
        "field",
        "jsonl",
    )
    assert notes == []


def test_read_results_list_their_articles_by_column():
    result = _read_any(b"Head\n\nBody.", DATED, MTIME, "auto", None)

    assert isinstance(result, ReadResult)
    assert result.articles[0]["headline"] == "Head"
