"""Raw file bytes to article records: decoding, format detection and the three readers."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from transforms.dates import (
    OPENING_DATELINE,
    TRAILING_DATELINE,
    TRAILING_PAREN,
    date_from_path,
    parse_month_day,
    resolve_year,
)
from transforms.schemas import ARTICLE_SCHEMA

ArticleRow = tuple[object, ...]  # one article, its values in ARTICLE_SCHEMA's column order

_ARTICLE_COLUMNS = tuple(ARTICLE_SCHEMA)
_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
_ONLY_WHITESPACE = "only whitespace; nothing to load: remove it or re-fetch it"

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "zip archive"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"BZh", "bzip2 archive"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office document"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_NAV_LINE = re.compile(r"(?i)^back to (main|top|index)$")
# What str.lstrip strips (\s is str.isspace), then the brace a JSON object opens with.
_OPENS_WITH_BRACE = re.compile(r"\s*\{")
# C0 and C1 control codes (tab, newline and carriage return excepted) and stray
# byte-order marks: no article means them, and latin-1 turns binary into C1 codes.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
# Every kind of whitespace but the newline, so a run of ideographic or em spaces
# collapses too (the dateline patterns backtrack quadratically over long runs).
_SPACES = re.compile(r"[^\S\n]+")
# The whitespace _SPACES matches other than the plain space (str.isspace, listed out:
# a plain character class scans several times faster than [^\S\n]).
_ODD_SPACE = re.compile(
    "[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
# The same two classes restricted to ASCII, as bytes for bytes.translate.
_ASCII_CONTROL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_ASCII_ODD_SPACE = b"\t\x0b\x0c\r\x1c\x1d\x1e\x1f"
_ASCII_TO_SPACE = str.maketrans(dict.fromkeys(_ASCII_ODD_SPACE.decode("ascii"), " "))
# The magic numbers that ASCII without control codes can start with.
_ASCII_MAGIC = tuple(
    magic
    for magic in _MAGIC_PREFIXES
    if magic.isascii() and len(magic.translate(None, _ASCII_CONTROL)) == len(magic)
)
# Runs of blank lines in tidied text.
_BLANK_LINES = re.compile(r"\n\n+")
# In tidied text (non-blank lines are never empty): the third non-blank line.
_THIRD_LINE = re.compile(r"[^\n]+\n+[^\n]+\n+([^\n]+)")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BINARY_SHARE = 10  # a text with more than 1 in 10 control characters is not an article


class RejectedInput(Exception):
    """A file that cannot become an article; the message says what is wrong and what to do."""


@dataclass
class Decoded:
    """Text decoded from a file, with the encoding used and any note worth recording."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ReadResult:
    """The articles one file produced, the format it was read as, and notes for its ledger row."""

    rows: list[ArticleRow]
    source_format: str
    encoding: str
    notes: list[str]

    @property
    def articles(self) -> list[dict[str, object]]:
        """The articles as records keyed by column name."""
        return [dict(zip(_ARTICLE_COLUMNS, row, strict=True)) for row in self.rows]


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NULs sit in every other byte, as in UTF-16 Latin text."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    if odd * 10 >= pairs * 7 and even * 20 <= pairs:
        return "utf-16-le"
    if even * 10 >= pairs * 7 and odd * 20 <= pairs:
        return "utf-16-be"
    return None


def _reject_if_binary(decoded: Decoded) -> Decoded:
    """The decoded text, unless control codes show it was binary data all along."""
    sample = decoded.text[:8192]
    if sample.isascii():  # no U+FFFD either
        controls = _ascii_count(sample, _ASCII_CONTROL)
    else:
        controls = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    if controls > max(8, len(sample) // _BINARY_SHARE):
        raise RejectedInput(
            f"binary file ({controls} of its first {len(sample)} characters are control codes"
            f" when read as {decoded.encoding}), not an article: move it out of the input"
        )
    return decoded


def decode_bytes(data: bytes) -> Decoded:
    """Decode raw bytes: BOMs first, then UTF-8, then cp1252, then latin-1, never failing silently."""
    if not data:
        raise RejectedInput("empty file (0 bytes); nothing to load: remove it or re-fetch it")
    if data.startswith(_MAGIC_PREFIXES):
        kind = next(kind for magic, kind in _MAGIC if data.startswith(magic))
        raise RejectedInput(f"binary file ({kind}), not an article: move it out of the input")
    decoded = _decode_by_bom(data) or _decode_by_nuls(data) or _decode_as_text(data)
    return _reject_if_binary(decoded)


def _decode_by_bom(data: bytes) -> Decoded | None:
    """The text a byte-order mark says how to decode; None without one."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            note = (
                f"UTF-8 byte-order mark but not valid UTF-8 at byte {exc.start + 3};"
                " undecodable bytes replaced with U+FFFD"
            )
            return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig", [note])
    for boms, codec in ((_UTF32_BOMS, "utf-32"), ((b"\xff\xfe", b"\xfe\xff"), "utf-16")):
        if data.startswith(boms):
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError as exc:
                raise RejectedInput(
                    f"{codec.upper()} byte-order mark but undecodable text at byte {exc.start}"
                    f" ({exc.reason}): re-save it as UTF-8"
                ) from exc
    return None


def _decode_by_nuls(data: bytes) -> Decoded | None:
    """UTF-16 text its NUL bytes give away; None when its start holds few NULs or none."""
    sample = data[:8192]
    if b"\x00" not in sample:
        return None
    sniffed = _utf16_without_bom(sample)
    if sniffed is not None:
        try:
            text = data.decode(sniffed)
        except UnicodeDecodeError:
            pass  # NULs in a pattern that is not UTF-16 after all: judged as binary below
        else:
            note = f"no byte-order mark; decoded as {sniffed.upper()} from its NUL-byte pattern"
            return Decoded(text, "utf-16", [note])
    if sample.count(b"\x00") > max(8, len(sample) // 10):
        raise RejectedInput(
            "binary file (many NUL bytes), not an article: move it out of the input"
        )
    return None


def _decode_as_text(data: bytes) -> Decoded:
    """The text of bytes without a byte-order mark: UTF-8, else cp1252, else latin-1."""
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
    try:
        return Decoded(
            data.decode("cp1252"), "cp1252", [f"not valid UTF-8 at {where}; decoded as cp1252"]
        )
    except UnicodeDecodeError:
        return Decoded(
            data.decode("latin-1"), "latin-1", [f"not valid UTF-8 at {where}; decoded as latin-1"]
        )


def clean_text(text: str) -> str:
    """Normalise line endings and drop control characters that no article means."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii() and not _ascii_count(text, _ASCII_CONTROL):
        return text
    return _CONTROL.sub("", text)


def _ascii_count(text: str, chars: bytes) -> int:
    """How many characters of ASCII text are among chars (a C loop, unlike a regex scan)."""
    raw = text.encode("ascii")
    return len(raw) - len(raw.translate(None, chars))


def detect_format(text: str, path: str) -> str:
    """Guess 'jsonl', 'kyodo' or 'plain' from the file's name and first lines."""
    if _looks_json(text, path):
        return "jsonl"
    return "kyodo" if _navigation_second(text) else "plain"


def _looks_json(text: str, path: str) -> bool:
    """Whether the file's name or its first visible character says JSON Lines."""
    first = text[:1]
    return (
        first == "{"
        or (first.isspace() and _OPENS_WITH_BRACE.match(text) is not None)
        or path.lower().endswith(_JSON_SUFFIXES)
    )


def _navigation_second(text: str) -> bool:
    """Whether the second non-blank line is a navigation line ('Back to Main'), as in Kyodo."""
    lines = _leading_lines(text, 2)
    return len(lines) >= 2 and _NAV_LINE.match(lines[1]) is not None


def _leading_lines(text: str, count: int) -> list[str]:
    """The first count non-blank lines of text, stripped, without splitting all of it."""
    found: list[str] = []
    start, size = 0, len(text)
    while len(found) < count and start <= size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        line = text[start:end].strip()
        if line:
            found.append(line)
        start = end + 1
    return found


def _tidy_lines(text: str) -> str:
    """Text with whitespace runs collapsed, every line stripped, and blank lines at its ends gone."""
    # Every other whitespace to plain spaces first (skipped when a cheap scan finds none,
    # as in most wire text), then string replacements, not regex substitutions: each is one
    # fast scan, and halving the runs of spaces takes a pass per doubling of the longest run.
    if text.isascii():
        if _ascii_count(text, _ASCII_ODD_SPACE):
            text = text.translate(_ASCII_TO_SPACE)
    elif _ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text)
    while "  " in text:
        text = text.replace("  ", " ")
    # No runs of spaces left: every space next to a line break goes.
    return text.replace(" \n", "\n").replace("\n ", "\n").strip(" \n")


def _paragraphs_of_tidy(tidy: str) -> list[str]:
    """Paragraphs of text tidied by _tidy_lines (possibly opening with newlines)."""
    tidy = tidy.lstrip("\n")
    if not tidy:
        return []
    return [paragraph.replace("\n", " ") for paragraph in _BLANK_LINES.split(tidy)]


def paragraphs_of(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines into paragraphs; blank lines separate paragraphs."""
    return _paragraphs_of_tidy(_tidy_lines("\n".join(lines)))


def split_dateline(paragraphs: list[str]) -> tuple[list[str], str | None, str | None]:
    """Remove a trailing '(April 10)' dateline from the last paragraph; also report '(AP)'-style tails."""
    if not paragraphs:
        return paragraphs, None, None
    last = paragraphs[-1]
    if not last.rstrip().endswith(")"):
        # Both patterns end in ')' and whitespace: skip two searches over the paragraph.
        return paragraphs, None, None
    match = TRAILING_DATELINE.search(last)
    if match:
        rest = last[: match.start()].rstrip()
        kept = paragraphs[:-1] + ([rest] if rest else [])
        return kept, match.group(1), None
    odd = TRAILING_PAREN.search(last)
    return paragraphs, None, (odd.group(1) if odd else None)


Datelines = tuple[list[str], str | None, str | None, int | None, tuple[int, int] | None]


def _datelines(paragraphs: list[str], odd_tails: bool) -> Datelines:
    """(paragraphs without a trailing dateline, the dateline, the place and length of a
    'TOKYO, April 10 Kyodo - ' opening the first paragraph, the (month, day) the dateline gives).

    The dateline is an opening dateline with a date, else a trailing '(April 10)', else
    (with odd_tails) an '(AP)'-style tail, else an opening dateline without a date.
    """
    trailing = odd_tail = None
    # split_dateline's own first test, made here: most last paragraphs fail it.
    if paragraphs and paragraphs[-1].rstrip().endswith(")"):
        paragraphs, trailing, odd_tail = split_dateline(paragraphs)
    opening = place = length = None
    match = OPENING_DATELINE.match(paragraphs[0]) if paragraphs else None
    if match is not None:
        day, agency = match.group("date", "agency")
        if day or agency:
            length = match.end()
            opening = paragraphs[0][:length].rstrip().rstrip("-–—").rstrip()
            place = match.group("place")
            # Places, regions and agencies hold no digits: the month and day that
            # parse_month_day finds in the whole opening are those of its date group.
            opening_day = parse_month_day(day) if day else None
            if opening_day is not None:
                return paragraphs, opening, place, length, opening_day
    dateline = trailing or (odd_tail if odd_tails else None)
    if dateline:
        return paragraphs, dateline, place, length, parse_month_day(dateline)
    return paragraphs, opening, place, length, None


def article_id_for(source_path: str, index: int) -> str:
    """Stable id: the same path and position keep their id when the content changes."""
    return hashlib.sha256(f"{source_path}#{index}".encode()).hexdigest()[:16]


def content_hash(headline: str, body: str) -> str:
    """Hash of the whitespace- and case-normalised text, to find the same story under two paths."""
    normal = " ".join(f"{headline}\n{body}".split()).casefold()
    return hashlib.sha256(normal.encode()).hexdigest()


def _tidy_content_hash(headline: str, paragraphs: list[str]) -> str:
    """content_hash(headline, body) for a tidied headline and paragraphs (single inner spaces).

    Their whitespace is already normalised, so joining with spaces gives the same string
    without splitting the article into words.
    """
    normal = " ".join([headline, *paragraphs] if headline else paragraphs).casefold()
    return hashlib.sha256(normal.encode()).hexdigest()


def infer_date(
    dateline: str | None,
    explicit: date | None,
    source_path: str,
    mtime_date: date,
    reference_date: date | None,
) -> tuple[date, str, str | None]:
    """(published_date, date_basis, note) from the best evidence available."""
    if explicit is not None:
        return explicit, "field", None
    month_day = parse_month_day(dateline) if dateline else None
    return _date_from(dateline, month_day, source_path, mtime_date, reference_date)


def _date_from(
    dateline: str | None,
    month_day: tuple[int, int] | None,
    source_path: str,
    mtime_date: date,
    reference_date: date | None,
) -> tuple[date, str, str | None]:
    """infer_date's answer, given parse_month_day(dateline) for a dateline."""
    if reference_date is not None:
        reference, ref_name = reference_date, "reference"
    else:
        path_date = date_from_path(source_path)
        if path_date is not None:
            reference, ref_name = path_date, "path"
        else:
            reference, ref_name = mtime_date, "mtime"
    if dateline:
        if month_day:
            resolved = resolve_year(*month_day, reference)
            if resolved is not None:
                return resolved, _DATELINE_BASIS[ref_name], _YEAR_NOTE.get(ref_name)
        note = f"dateline '({dateline})' is not a date; date taken from the {ref_name}"
        return reference, ref_name, note
    return reference, ref_name, _NO_DATELINE[ref_name]


_DATELINE_BASIS = {name: f"dateline+{name}" for name in ("reference", "path", "mtime")}
# A dateline gives no year: one from the path or --reference-date is a stated fact, one from
# the file's modification time a guess that copying the file changes, so it is said.
_YEAR_NOTE = {
    "mtime": "dateline has no year; year taken from the file's modification time:"
    " put the date in the path or give --reference-date if that is wrong"
}
_NO_DATELINE = {
    name: f"no dateline found; date taken from the {name}"
    for name in ("reference", "path", "mtime")
}


def _article(
    source_path: str,
    index: int,
    source_format: str,
    source: str | None,
    headline: str,
    datelines: Datelines,
    dated: tuple[date, str, str | None],
) -> ArticleRow:
    """One article as a row in ARTICLE_SCHEMA's column order, given the path and position
    it comes from, its body and datelines as _datelines gives them, and _date_from's date."""
    paragraphs, dateline, place, opening_length, _ = datelines
    body = "\n\n".join(paragraphs)
    return (
        article_id_for(source_path, index),
        source,
        headline,
        body,
        f"{headline}\n\n{body}" if body else headline,
        dateline,
        place,
        None,  # dateline_country_code: filled by transforms.datelines with the gazetteer
        None if opening_length is None else len(headline) + 2 + opening_length,
        None,  # dateline_latitude, dateline_longitude: filled by transforms.datelines
        None,
        None,  # focus_country_code, focus_place: filled by transforms.focus
        None,
        dated[0],
        dated[1],
        source_path,
        source_format,
        _tidy_content_hash(headline, paragraphs),
    )


def read_wire_text(
    text: str,
    *,
    source_path: str,
    source_format: str,
    mtime_date: date,
    reference_date: date | None,
) -> tuple[dict[str, object], list[str]]:
    """One article from the Kyodo shape (source, nav line, headline, body) or plain text."""
    tidy = _tidy_lines(text)
    if not tidy:
        raise RejectedInput(_ONLY_WHITESPACE)
    row, _, notes = _wire_row(text, tidy, source_format, source_path, mtime_date, reference_date)
    return dict(zip(_ARTICLE_COLUMNS, row, strict=True)), notes


def _wire_row(
    text: str,
    tidy: str,
    source_format: str,
    source_path: str,
    mtime_date: date,
    reference_date: date | None,
) -> tuple[ArticleRow, str, list[str]]:
    """read_wire_text's article as a row, the format it was read as and its notes, for text
    and its non-empty tidy text (format 'auto': Kyodo or plain, as the text shows)."""
    source = None
    headline, _, rest = tidy.partition("\n")
    rest = rest.lstrip("\n")
    # A navigation line, stripped, has single spaces: when the tidy second line does not
    # start like one, the raw one is not one (and most files end their check here).
    if source_format == "plain" or (
        source_format == "auto"
        and not (rest[:8].lower() == "back to " and _navigation_second(text))
    ):
        source_format = "plain"
    else:
        # Kyodo: the source and navigation lines are the first two non-blank lines, the
        # headline is the next, and the body starts after it. The source keeps its inner
        # spacing as written.
        source_format = "kyodo"
        third = _THIRD_LINE.match(tidy)
        if third is None:
            raise RejectedInput("no headline: the file ends after the source and navigation lines")
        source, headline, rest = _leading_lines(text, 1)[0], third.group(1), tidy[third.end() :]
    datelines = _datelines(_paragraphs_of_tidy(rest), True)
    body, dateline, _, _, month_day = datelines
    dated = _date_from(dateline, month_day, source_path, mtime_date, reference_date)
    notes = [dated[2]] if dated[2] else []
    if not body:
        notes.append("headline only; no body text")
    row = _article(source_path, 0, source_format, source, headline, datelines, dated)
    return row, source_format, notes


def _json_text(value: str) -> str:
    """A JSON string cleaned like file text; lone surrogates ('\\ud800') become U+FFFD."""
    return clean_text(_SURROGATE.sub("\ufffd", value))


def _json_line(value: str) -> str:
    """A JSON string cleaned and tidied to one line."""
    return _tidy_lines(_json_text(value).replace("\n", " "))


def read_jsonl(
    text: str,
    *,
    source_path: str,
    mtime_date: date,
    reference_date: date | None,
) -> tuple[list[dict[str, object]], list[str]]:
    """One article per JSON line with title/headline, body/text, optional ISO date and source."""
    articles, notes = _jsonl_rows(
        text, source_path=source_path, mtime_date=mtime_date, reference_date=reference_date
    )
    return [dict(zip(_ARTICLE_COLUMNS, row, strict=True)) for row in articles], notes


def _jsonl_rows(
    text: str,
    *,
    source_path: str,
    mtime_date: date,
    reference_date: date | None,
) -> tuple[list[ArticleRow], list[str]]:
    """read_jsonl's articles as rows."""
    articles: list[ArticleRow] = []
    notes: list[str] = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        row, line_notes = _json_line_row(line, line_no, source_path, mtime_date, reference_date)
        notes += [f"line {line_no}: {note}" for note in line_notes]
        if row is not None:
            articles.append(row)
    if not articles:
        raise RejectedInput(
            "no article in this JSON Lines file: " + ("; ".join(notes[:3]) or "no lines")
        )
    return articles, notes


def _json_line_row(
    line: str, line_no: int, source_path: str, mtime_date: date, reference_date: date | None
) -> tuple[ArticleRow | None, list[str]]:
    """The article one JSON line holds (None when it holds none), with notes about the line."""
    record, problem = _json_record(line)
    if record is None:
        return None, [problem]
    headline = record.get("title") or record.get("headline")
    body = record.get("body") or record.get("text") or ""
    if isinstance(headline, str):
        headline = _json_line(headline)
    if not isinstance(headline, str) or not headline:
        return None, ["no 'title' or 'headline' field; line skipped"]
    if not isinstance(body, str):
        return None, ["'body' is not a string; line skipped"]
    explicit, notes = _json_date(record)
    datelines = _datelines(paragraphs_of(_json_text(body).split("\n")), False)
    _, dateline, _, _, month_day = datelines
    if explicit is not None:
        dated = explicit, "field", None
    else:
        dated = _date_from(dateline, month_day, source_path, mtime_date, reference_date)
        notes += [dated[2]] if dated[2] else []
    source = record.get("source")
    source = (_json_line(source) or None) if isinstance(source, str) else None
    return _article(source_path, line_no, "jsonl", source, headline, datelines, dated), notes


def _json_record(line: str) -> tuple[dict[str, object], None] | tuple[None, str]:
    """(the JSON object a line holds, None), or (None, why it holds none)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg}); line skipped, fix and re-run"
    except (ValueError, RecursionError) as exc:
        # Python's own limits: integers over 4300 digits, nesting deeper than the stack.
        return None, (
            f"JSON beyond reading limits ({type(exc).__name__}); line skipped, fix and re-run"
        )
    if not isinstance(record, dict):
        return None, "not a JSON object; line skipped"
    return record, None


def _json_date(record: dict[str, object]) -> tuple[date | None, list[str]]:
    """(the ISO date a record gives, notes): a date that is not ISO 8601 is noted and ignored."""
    raw = record.get("date") or record.get("published") or record.get("published_date")
    if not isinstance(raw, str) or not raw.strip():
        return None, []
    try:
        return date.fromisoformat(raw.strip()[:10]), []
    except ValueError:
        return None, [f"date {raw!r} is not ISO 8601; inferred instead"]


def _any_json_object(text: str) -> bool:
    """Whether any line of the text parses as a JSON object."""
    for line in text.split("\n"):
        try:
            if isinstance(json.loads(line), dict):
                return True
        except (ValueError, RecursionError):
            continue
    return False


def read_document(
    data: bytes,
    *,
    source_path: str,
    mtime_date: date,
    input_format: str = "auto",
    reference_date: date | None = None,
) -> ReadResult:
    """Every article one file holds; raises RejectedInput with a reason when there is none."""
    return _read_ascii(
        data, source_path, mtime_date, input_format, reference_date, plain_spacing=False
    ) or _read_any(data, source_path, mtime_date, input_format, reference_date)


def read_documents(
    files: list[tuple[bytes, str, date]],
    *,
    input_format: str = "auto",
    reference_date: date | None = None,
) -> Iterator[ReadResult | Exception]:
    """read_document for each (bytes, source path, mtime date), its exception in place of a result.

    One vectorised scan of the whole batch first finds the files whose spacing needs no
    tidying, which spares five scans of each of them in Python. Results come one at a
    time, so each can be dropped before the next is made (the garbage collector then has
    fewer long-lived objects to walk).
    """
    plain = _plain_spacing([data for data, _, _ in files])
    for (data, source_path, mtime_date), plain_spacing in zip(files, plain, strict=True):
        try:
            yield _read_ascii(
                data, source_path, mtime_date, input_format, reference_date, plain_spacing
            ) or _read_any(data, source_path, mtime_date, input_format, reference_date)
        except Exception as exc:  # noqa: BLE001 - handed to the caller, who decides
            yield exc


def _plain_spacing(datas: list[bytes]) -> list[bool]:
    """Whether each file lacks tabs, carriage returns, two spaces in a row and a space before
    or after a line break."""
    if not datas:
        return []
    raw = pl.Series(datas, dtype=pl.Binary())
    untidy = (
        raw.bin.contains(b"  ")
        | raw.bin.contains(b" \n")
        | raw.bin.contains(b"\n ")
        | raw.bin.contains(b"\t")
        | raw.bin.contains(b"\r")
    )
    return (~untidy).to_list()


def _read_ascii(
    data: bytes,
    source_path: str,
    mtime_date: date,
    input_format: str,
    reference_date: date | None,
    plain_spacing: bool,
) -> ReadResult | None:
    """_read_any's result for wire text in ASCII without control codes; None for other files.

    It differs from _read_any only in decoding and tidying: such bytes decode as UTF-8 with
    no note, and clean_text changes only their line endings. plain_spacing says they hold no
    tab, carriage return, two spaces in a row or space beside a newline.
    """
    if (
        input_format == "jsonl"
        or not data
        or not data.isascii()
        or len(data.translate(None, _ASCII_CONTROL)) != len(data)
        or data.startswith(_ASCII_MAGIC)
    ):
        return None
    if not plain_spacing and b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = data.decode("ascii")
    if input_format == "auto" and _looks_json(text, source_path):
        return None
    # Its only whitespace is space, tab and newline: with plain spacing, tidying has nothing
    # to do but strip the ends.
    tidy = text.strip(" \n") if plain_spacing else _tidy_lines(text)
    if not tidy:
        raise RejectedInput(_ONLY_WHITESPACE)
    row, fmt, notes = _wire_row(text, tidy, input_format, source_path, mtime_date, reference_date)
    return ReadResult([row], fmt, "utf-8", notes)


def _read_any(
    data: bytes,
    source_path: str,
    mtime_date: date,
    input_format: str,
    reference_date: date | None,
) -> ReadResult:
    """read_document for any bytes: decode, clean, detect the format, read."""
    decoded = decode_bytes(data)
    text = clean_text(decoded.text)
    if not text or text.isspace():
        raise RejectedInput(_ONLY_WHITESPACE)
    fmt = input_format
    if fmt == "jsonl" or (fmt == "auto" and _looks_json(text, source_path)):
        try:
            rows, notes = _jsonl_rows(
                text, source_path=source_path, mtime_date=mtime_date, reference_date=reference_date
            )
        except RejectedInput:
            # Only the leading '{' said JSON: a text headline may open with a brace.
            named_json = source_path.lower().endswith(_JSON_SUFFIXES)
            if fmt != "auto" or named_json or _any_json_object(text):
                raise
            fmt = "plain"
        else:
            return ReadResult(rows, "jsonl", decoded.encoding, decoded.notes + notes)
    tidy = _tidy_lines(text)
    row, fmt, notes = _wire_row(text, tidy, fmt, source_path, mtime_date, reference_date)
    return ReadResult([row], fmt, decoded.encoding, decoded.notes + notes)


def articles_frame(articles: list[dict[str, object]]) -> pl.DataFrame:
    """Article records as a frame with the warehouse's article columns."""
    return pl.DataFrame(articles, schema=ARTICLE_SCHEMA)


def article_rows_frame(rows: list[ArticleRow]) -> pl.DataFrame:
    """Article rows as a frame with the warehouse's article columns, built column by column."""
    columns = zip(*rows, strict=True) if rows else [()] * len(ARTICLE_SCHEMA)
    return pl.DataFrame(
        [
            pl.Series(name, values, dtype=dtype)
            for (name, dtype), values in zip(ARTICLE_SCHEMA.items(), columns, strict=True)
        ]
    )
