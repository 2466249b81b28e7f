"""Readers and date inference: raw bytes of one file to article records."""

from __future__ import annotations

import json
from datetime import date

import pytest

from transforms.dates import date_from_path, parse_month_day, resolve_year
from transforms.reading import (
    RejectedInput,
    clean_text,
    decode_bytes,
    detect_format,
    read_document,
)

PATH = "2017/04/10/fishing-boats.txt"
MTIME = date(2020, 6, 15)

KYODO = (
    "Kyodo News\n"
    "Back to Main\n"
    "Fishing boats return to Hachinohe port\n"
    "\n"
    "Dozens of fishing boats returned to the port of\n"
    "Hachinohe on Monday after a week of storms.\n"
    "\n"
    "The fishermen said the catch was   smaller than usual.\n"
    "(April 10)\n"
)


def read(text: str | bytes, path: str = PATH, **kwargs: object):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_document(data, source_path=path, mtime_date=MTIME, **kwargs)


def wire(dateline: str, *, tail: str = "") -> str:
    """A minimal Kyodo article closing with the given dateline text."""
    return (
        "Kyodo News\nBack to Main\nA headline\n\n"
        f"One short paragraph of body text.{tail}\n({dateline})\n"
    )


# --- the Kyodo shape -------------------------------------------------------


def test_kyodo_file_gives_source_headline_and_joined_body():
    result = read(KYODO)

    assert result.source_format == "kyodo"
    assert len(result.articles) == 1
    article = result.articles[0]
    assert article["source"] == "Kyodo News"
    assert article["headline"] == "Fishing boats return to Hachinohe port"
    assert article["body"] == (
        "Dozens of fishing boats returned to the port of Hachinohe on Monday after a week of"
        " storms.\n\nThe fishermen said the catch was smaller than usual."
    )


def test_kyodo_dateline_is_taken_out_of_the_body_and_kept_as_dateline():
    article = read(KYODO).articles[0]

    assert "(April 10)" not in article["body"]
    assert article["dateline"] == "April 10"
    assert article["published_date"] == date(2017, 4, 10)
    assert article["date_basis"] == "dateline+path"


def test_dateline_on_the_last_body_line_is_removed_from_that_line():
    text = "Kyodo News\nBack to Main\nHeadline\n\nThe ministry said so. (Dec. 5)\n"
    article = read(text, "2017/12/06/x.txt").articles[0]

    assert article["body"] == "The ministry said so."
    assert article["dateline"] == "Dec. 5"
    assert article["published_date"] == date(2017, 12, 5)


def test_article_text_is_headline_blank_line_body():
    article = read(KYODO).articles[0]

    assert article["text"] == article["headline"] + "\n\n" + article["body"]
    assert article["text"].startswith("Fishing boats return to Hachinohe port\n\nDozens of")


def test_kyodo_file_with_only_source_and_navigation_is_rejected_for_no_headline():
    with pytest.raises(RejectedInput, match="headline"):
        read("Kyodo News\nBack to Main\n\n")


# --- the plain shape and format forcing -----------------------------------


def test_plain_text_takes_first_non_blank_line_as_headline_and_has_no_source():
    text = "\n\n  Rice prices climb in Niigata  \n\nFarmers blamed the\nlate frost.\n"
    result = read(text, "2017/04/10/rice.txt")

    assert result.source_format == "plain"
    article = result.articles[0]
    assert article["source"] is None
    assert article["headline"] == "Rice prices climb in Niigata"
    assert article["body"] == "Farmers blamed the late frost."


def test_kyodo_layout_is_detected_from_the_navigation_line():
    assert detect_format(KYODO, "a/b.txt") == "kyodo"
    assert detect_format("Headline\n\nBody text.\n", "a/b.txt") == "plain"
    assert detect_format('{"title": "x"}\n', "a/b.txt") == "jsonl"
    assert detect_format("Headline\n\nBody.\n", "a/b.ndjson") == "jsonl"


def test_forcing_plain_on_a_kyodo_file_makes_the_source_line_the_headline():
    result = read(KYODO, input_format="plain")

    assert result.source_format == "plain"
    article = result.articles[0]
    assert article["headline"] == "Kyodo News"
    assert article["source"] is None
    # No blank line separates the navigation line from the headline: one paragraph.
    assert article["body"].startswith("Back to Main Fishing boats return to Hachinohe port\n\n")


# --- JSON Lines ------------------------------------------------------------


def test_jsonl_reads_title_body_and_headline_text_keys_with_iso_dates():
    lines = [
        {"title": "Port reopens", "body": "The port reopened.", "date": "2017-04-09"},
        {
            "headline": "Rail line delayed",
            "text": "Trains ran late.",
            "date": "2017-04-08T06:00:00Z",
        },
    ]
    data = "\n".join(json.dumps(line) for line in lines) + "\n"
    result = read(data, "2017/04/10/feed.jsonl")

    assert result.source_format == "jsonl"
    got = [
        (a["headline"], a["body"], a["published_date"], a["date_basis"]) for a in result.articles
    ]
    assert got == [
        ("Port reopens", "The port reopened.", date(2017, 4, 9), "field"),
        ("Rail line delayed", "Trains ran late.", date(2017, 4, 8), "field"),
    ]
    assert result.articles[0]["article_id"] != result.articles[1]["article_id"]


def test_jsonl_invalid_line_is_noted_by_number_and_the_others_still_read():
    data = (
        json.dumps({"title": "First", "body": "One."})
        + "\n{not json at all\n"
        + json.dumps({"title": "Third", "body": "Three."})
        + "\n"
    )
    result = read(data, "2017/04/10/feed.jsonl")

    assert [a["headline"] for a in result.articles] == ["First", "Third"]
    assert any(note.startswith("line 2:") and "JSON" in note for note in result.notes)


def test_jsonl_without_any_usable_line_is_rejected():
    with pytest.raises(RejectedInput, match="no article"):
        read('{"body": "no headline here"}\n', "2017/04/10/feed.jsonl")


# --- dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("2017/04/10/story.txt", date(2017, 4, 10)),
        ("wire/2017-04-10-story.txt", date(2017, 4, 10)),
        ("wire/20170410_story.txt", date(2017, 4, 10)),
        ("2016/01/01/2017/04/10/story.txt", date(2017, 4, 10)),
        ("wire/story.txt", None),
        ("2017/13/40/story.txt", None),
    ],
)
def test_date_from_path_reads_the_common_folder_and_name_forms(path, expected):
    assert date_from_path(path) == expected


@pytest.mark.parametrize(
    ("dateline", "path", "expected"),
    [
        ("April 10", "2017/04/10/x.txt", date(2017, 4, 10)),
        ("April 10", "2017-04-10-x.txt", date(2017, 4, 10)),
        ("April 10", "20170410-x.txt", date(2017, 4, 10)),
        # The year rolls back when the story is dated just before New Year.
        ("Dec. 31", "2018/01/02/x.txt", date(2017, 12, 31)),
        # One day after the reference is allowed (time zones, late filing).
        ("April 11", "2017/04/10/x.txt", date(2017, 4, 11)),
        # Two days after is not: it must be last year's.
        ("April 12", "2017/04/10/x.txt", date(2016, 4, 12)),
        ("Sept. 3", "2017/09/05/x.txt", date(2017, 9, 3)),
        ("Sep. 3", "2017/09/05/x.txt", date(2017, 9, 3)),
        ("Sept 3", "2017/09/05/x.txt", date(2017, 9, 3)),
        ("Apr. 9", "2017/04/10/x.txt", date(2017, 4, 9)),
    ],
)
def test_yearless_dateline_gets_the_year_from_the_path(dateline, path, expected):
    article = read(wire(dateline), path).articles[0]

    assert article["published_date"] == expected
    assert article["date_basis"] == "dateline+path"
    assert article["dateline"] == dateline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("April 10", (4, 10)),
        ("Apr. 10", (4, 10)),
        ("Sept. 3", (9, 3)),
        ("Sep. 3", (9, 3)),
        ("Sept 3", (9, 3)),
        ("dec 31", (12, 31)),
        ("April 32", None),
        ("AP", None),
        ("\u017fept. 3", (9, 3)),  # long s: the regex matches it, so must the month table
        ("Apr\u0131l 10", None),  # dotless i: matched by the regex, no month once casefolded
    ],
)
def test_month_spellings_of_wire_datelines(text, expected):
    assert parse_month_day(text) == expected


def test_feb_29_looks_back_to_the_last_leap_year():
    assert resolve_year(2, 29, date(2019, 3, 1)) == date(2016, 2, 29)
    article = read(wire("Feb. 29"), "x.txt", reference_date=date(2019, 3, 1)).articles[0]
    assert article["published_date"] == date(2016, 2, 29)
    assert article["date_basis"] == "dateline+reference"


def test_reference_date_wins_over_the_path():
    article = read(wire("April 10"), "2019/01/01/x.txt", reference_date=date(2017, 5, 1))
    assert article.articles[0]["published_date"] == date(2017, 4, 10)
    assert article.articles[0]["date_basis"] == "dateline+reference"


def test_without_a_path_date_the_dateline_year_comes_from_the_mtime():
    # MTIME is 2020-06-15: April 10 before it in the same year.
    article = read(wire("April 10"), "inbox/story.txt").articles[0]

    assert article["published_date"] == date(2020, 4, 10)
    assert article["date_basis"] == "dateline+mtime"


def test_without_path_date_or_dateline_the_mtime_is_the_date_and_a_note_says_so():
    result = read("Headline\n\nBody without any dateline.\n", "inbox/story.txt")

    assert result.articles[0]["published_date"] == MTIME
    assert result.articles[0]["date_basis"] == "mtime"
    assert any("no dateline" in note and "mtime" in note for note in result.notes)


def test_ap_tail_is_not_a_date_so_the_path_date_is_used_with_a_note():
    result = read(wire("AP"), "2017/04/10/x.txt")
    article = result.articles[0]

    assert article["published_date"] == date(2017, 4, 10)
    assert article["date_basis"] == "path"
    assert any("(AP)" in note and "not a date" in note for note in result.notes)


# --- decoding --------------------------------------------------------------


def test_utf8_bom_is_stripped_and_recorded_as_utf8_sig():
    result = read(b"\xef\xbb\xbf" + KYODO.encode("utf-8"))

    assert result.encoding == "utf-8-sig"
    assert result.source_format == "kyodo"
    assert result.articles[0]["source"] == "Kyodo News"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_bom_is_decoded(codec):
    body = KYODO.replace("Hachinohe port", "Hachinohe port \u2014 caf\u00e9")
    data = body.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    result = read(data)

    assert result.encoding == "utf-16"
    assert (
        result.articles[0]["headline"] == "Fishing boats return to Hachinohe port \u2014 caf\u00e9"
    )


def test_cp1252_bytes_are_decoded_as_cp1252_with_a_note():
    decoded = decode_bytes(b"\x93quoted\x94 \xa3 caf\xe9")

    assert decoded.text == "\u201cquoted\u201d \u00a3 caf\u00e9"
    assert decoded.encoding == "cp1252"
    assert decoded.notes == ["not valid UTF-8 at byte 0; decoded as cp1252"]


def test_cp1252_file_note_reaches_the_read_result():
    data = b"Headline with caf\xe9\n\nBody text.\n"
    result = read(data)

    assert result.encoding == "cp1252"
    assert result.articles[0]["headline"] == "Headline with caf\u00e9"
    assert any("cp1252" in note and "byte 17" in note for note in result.notes)


def test_crlf_and_lone_cr_become_newlines():
    assert clean_text("a\r\nb\rc\n") == "a\nb\nc\n"
    crlf = read(KYODO.replace("\n", "\r\n")).articles[0]
    cr = read(KYODO.replace("\n", "\r")).articles[0]
    lf = read(KYODO).articles[0]
    assert crlf["text"] == lf["text"] == cr["text"]
    assert "\r" not in crlf["text"]


def test_nul_bytes_inside_text_are_removed():
    data = KYODO.replace("Dozens", "Doz\x00ens").encode("utf-8")
    article = read(data).articles[0]

    assert "\x00" not in article["text"]
    assert article["body"].startswith("Dozens of fishing boats")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"%PDF-1.4\n", "PDF"),
    ],
)
def test_empty_and_binary_bytes_are_rejected_with_a_reason(data, words):
    with pytest.raises(RejectedInput, match=words):
        decode_bytes(data)


def test_whitespace_only_file_is_rejected():
    with pytest.raises(RejectedInput, match="whitespace"):
        read(" \n\t\r\n  \n")
