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
# The magic numbers that ASCII without control codes can start with.
_ASCII_MAGIC = tuple(
    magic
    for magic in _MAGIC_PREFIXES
    if magic.isascii() and len(magic.translate(None, _ASCII_CONTROL)) == len(magic)
)
# After _SPACES: the single space either side of a line break, and runs of blank lines.
_LINE_EDGE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n\n+")
# In tidied text (non-blank lines are never empty): a navigation line as the second
# non-blank line, and the third non-blank line.
_NAV_SECOND = re.compile(r"[^\n]+\n+(?i:back to (?:main|top|index))(?:\n|$)")
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
        for magic, kind in _MAGIC:
            if data.startswith(magic):
                raise RejectedInput(
                    f"binary file ({kind}), not an article: move it out of the input"
                )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _reject_if_binary(Decoded(data[3:].decode("utf-8"), "utf-8-sig"))
        except UnicodeDecodeError as exc:
            note = (
                f"UTF-8 byte-order mark but not valid UTF-8 at byte {exc.start + 3};"
                " undecodable bytes replaced with U+FFFD"
            )
            text = data[3:].decode("utf-8", errors="replace")
            return _reject_if_binary(Decoded(text, "utf-8-sig", [note]))
    for boms, codec in ((_UTF32_BOMS, "utf-32"), ((b"\xff\xfe", b"\xfe\xff"), "utf-16")):
        if data.startswith(boms):
            try:
                return _reject_if_binary(Decoded(data.decode(codec), codec))
            except UnicodeDecodeError as exc:
                raise RejectedInput(
                    f"{codec.upper()} byte-order mark but undecodable text at byte {exc.start}"
                    f" ({exc.reason}): re-save it as UTF-8"
                ) from exc
    sample = data[:8192]
    sniffed = _utf16_without_bom(sample) if b"\x00" in sample else None
    if sniffed is not None:
        try:
            text = data.decode(sniffed)
        except UnicodeDecodeError:
            pass  # NULs in a pattern that is not UTF-16 after all: judged as binary below
        else:
            note = f"no byte-order mark; decoded as {sniffed.upper()} from its NUL-byte pattern"
            return _reject_if_binary(Decoded(text, "utf-16", [note]))
    if sample.count(b"\x00") > max(8, len(sample) // 10):
        raise RejectedInput(
            "binary file (many NUL bytes), not an article: move it out of the input"
        )
    try:
        return _reject_if_binary(Decoded(data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
    try:
        decoded = Decoded(
            data.decode("cp1252"), "cp1252", [f"not valid UTF-8 at {where}; decoded as cp1252"]
        )
    except UnicodeDecodeError:
        decoded = Decoded(
            data.decode("latin-1"), "latin-1", [f"not valid UTF-8 at {where}; decoded as latin-1"]
        )
    return _reject_if_binary(decoded)


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
    lower = path.lower()
    stripped = text.lstrip()
    if lower.endswith(_JSON_SUFFIXES) or stripped.startswith("{"):
        return "jsonl"
    lines = _leading_lines(text, 2)
    if len(lines) >= 2 and _NAV_LINE.match(lines[1]):
        return "kyodo"
    return "plain"


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
    # Whole-text passes instead of one substitution per line, each skipped when a cheap
    # scan shows it has nothing to do (most wire text has single spaces only).
    odd = _ascii_count(text, _ASCII_ODD_SPACE) if text.isascii() else _ODD_SPACE.search(text)
    if odd or "  " in text:
        text = _SPACES.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _LINE_EDGE.sub("\n", text)
    return text.strip(" \n")


def _tidy_ascii(text: str) -> str:
    """_tidy_lines(text) for ASCII text without control codes (its only odd space is the tab)."""
    # String replacements, not regex substitutions: each is one fast scan, and halving the
    # runs of spaces takes a pass per doubling of the longest run.
    text = text.replace("\t", " ")
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


def opening_dateline(paragraphs: list[str]) -> tuple[str | None, str | None, int | None]:
    """(dateline text, place, length) of a 'TOKYO, April 10 Kyodo - ' opening the first body paragraph."""
    if not paragraphs:
        return None, None, None
    match = OPENING_DATELINE.match(paragraphs[0])
    if match is None or not (match.group("date") or match.group("agency")):
        return None, None, None
    text = paragraphs[0][: match.end()].rstrip().rstrip("-–—").rstrip()
    return text, match.group("place"), match.end()


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
    *,
    source_path: str,
    index: int,
    source: str | None,
    headline: str,
    paragraphs: list[str],
    dateline: str | None,
    dateline_place: str | None,
    dateline_length: int | None,
    published: date,
    basis: str,
    source_format: str,
) -> ArticleRow:
    body = "\n\n".join(paragraphs)
    return (
        article_id_for(source_path, index),
        source,
        headline,
        body,
        f"{headline}\n\n{body}" if body else headline,
        dateline,
        dateline_place,
        None,  # dateline_country_code: filled by transforms.datelines with the gazetteer
        None if dateline_length is None else len(headline) + 2 + dateline_length,
        published,
        basis,
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
    row, notes = _text_row(
        text,
        source_path=source_path,
        source_format=source_format,
        mtime_date=mtime_date,
        reference_date=reference_date,
    )
    return dict(zip(_ARTICLE_COLUMNS, row, strict=True)), notes


def _text_row(
    text: str,
    *,
    source_path: str,
    source_format: str,
    mtime_date: date,
    reference_date: date | None,
) -> tuple[ArticleRow, list[str]]:
    """read_wire_text's article as a row in _ARTICLE_COLUMNS order, with its notes."""
    tidy = _tidy_lines(text)
    if not tidy:
        raise RejectedInput(_ONLY_WHITESPACE)
    return _wire_row(
        text,
        tidy,
        source_path=source_path,
        source_format=source_format,
        mtime_date=mtime_date,
        reference_date=reference_date,
    )


def _wire_row(
    text: str,
    tidy: str,
    *,
    source_path: str,
    source_format: str,
    mtime_date: date,
    reference_date: date | None,
) -> tuple[ArticleRow, list[str]]:
    """read_wire_text's article as a row, for text and its non-empty _tidy_lines(text)."""
    source: str | None = None
    if source_format == "kyodo":
        # The source line keeps its inner spacing as written.
        source = _leading_lines(text, 1)[0]
        # The source and navigation lines are the first two non-blank lines; the
        # headline is the next, and the body starts after it.
        third = _THIRD_LINE.match(tidy)
        if third is None:
            raise RejectedInput("no headline: the file ends after the source and navigation lines")
        headline = third.group(1)
        paragraphs = _paragraphs_of_tidy(tidy[third.end() :])
    else:
        headline, _, rest = tidy.partition("\n")
        paragraphs = _paragraphs_of_tidy(rest)
    paragraphs, dateline, odd_tail = split_dateline(paragraphs)
    opening, place, opening_length = opening_dateline(paragraphs)
    if opening and parse_month_day(opening):
        dateline = opening  # the opening dateline dates the story when it carries a date
    elif dateline is None:
        dateline = odd_tail or opening
    published, basis, note = infer_date(dateline, None, source_path, mtime_date, reference_date)
    notes = [note] if note else []
    if not paragraphs:
        notes.append("headline only; no body text")
    article = _article(
        source_path=source_path,
        index=0,
        source=source,
        headline=headline,
        paragraphs=paragraphs,
        dateline=dateline,
        dateline_place=place,
        dateline_length=opening_length,
        published=published,
        basis=basis,
        source_format=source_format,
    )
    return article, notes


def _json_text(value: str) -> str:
    """A JSON string cleaned like file text; lone surrogates ('\\ud800') become U+FFFD."""
    return clean_text(_SURROGATE.sub("\ufffd", value))


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
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            notes.append(
                f"line {line_no}: not valid JSON ({exc.msg}); line skipped, fix and re-run"
            )
            continue
        except (ValueError, RecursionError) as exc:
            # Python's own limits: integers over 4300 digits, nesting deeper than the stack.
            notes.append(
                f"line {line_no}: JSON beyond reading limits ({type(exc).__name__});"
                " line skipped, fix and re-run"
            )
            continue
        if not isinstance(record, dict):
            notes.append(f"line {line_no}: not a JSON object; line skipped")
            continue
        headline = record.get("title") or record.get("headline")
        body = record.get("body") or record.get("text") or ""
        if isinstance(headline, str):
            headline = _SPACES.sub(" ", _json_text(headline).replace("\n", " ")).strip()
        if not isinstance(headline, str) or not headline:
            notes.append(f"line {line_no}: no 'title' or 'headline' field; line skipped")
            continue
        if not isinstance(body, str):
            notes.append(f"line {line_no}: 'body' is not a string; line skipped")
            continue
        explicit: date | None = None
        raw_date = record.get("date") or record.get("published") or record.get("published_date")
        if isinstance(raw_date, str) and raw_date.strip():
            try:
                explicit = date.fromisoformat(raw_date.strip()[:10])
            except ValueError:
                notes.append(f"line {line_no}: date {raw_date!r} is not ISO 8601; inferred instead")
        paragraphs = paragraphs_of(_json_text(body).split("\n"))
        paragraphs, dateline, _ = split_dateline(paragraphs)
        opening, place, opening_length = opening_dateline(paragraphs)
        if opening and (dateline is None or parse_month_day(opening)):
            dateline = opening
        published, basis, note = infer_date(
            dateline, explicit, source_path, mtime_date, reference_date
        )
        if note and explicit is None:
            notes.append(f"line {line_no}: {note}")
        source = record.get("source")
        if isinstance(source, str):
            source = _SPACES.sub(" ", _json_text(source).replace("\n", " ")).strip() or None
        articles.append(
            _article(
                source_path=source_path,
                index=line_no,
                source=source if isinstance(source, str) else None,
                headline=headline,
                paragraphs=paragraphs,
                dateline=dateline,
                dateline_place=place,
                dateline_length=opening_length,
                published=published,
                basis=basis,
                source_format="jsonl",
            )
        )
    if not articles:
        raise RejectedInput(
            "no article in this JSON Lines file: " + ("; ".join(notes[:3]) or "no lines")
        )
    return articles, notes


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
    tidying, which spares three scans of each of them in Python. Results come one at a
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
    """Whether each file lacks two spaces in a row and a space before or after a line break."""
    if not datas:
        return []
    raw = pl.Series(datas, dtype=pl.Binary())
    untidy = raw.bin.contains(b"  ") | raw.bin.contains(b" \n") | raw.bin.contains(b"\n ")
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

    Such bytes decode as UTF-8 with no note and clean_text leaves them alone but for line
    endings; whitespace is then only space, tab and newline, so _tidy_lines(text) is empty
    exactly when text.strip() is, and text.lstrip() starts where the tidy text does.
    plain_spacing says the bytes hold no two spaces in a row and no space beside a newline.
    """
    if (
        input_format == "jsonl"
        or not data.isascii()
        or not data
        or len(data.translate(None, _ASCII_CONTROL)) != len(data)
        or data.startswith(_ASCII_MAGIC)
    ):
        return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        plain_spacing = False  # a line break where a carriage return was may meet a space
    text = data.decode("ascii")
    # With plain spacing and no tab, _tidy_lines has nothing to do but strip the ends.
    tidy = text.strip(" \n") if plain_spacing and "\t" not in text else _tidy_ascii(text)
    if not tidy:
        raise RejectedInput(_ONLY_WHITESPACE)
    fmt = input_format
    if fmt == "auto" and (tidy[0] == "{" or source_path.lower().endswith(_JSON_SUFFIXES)):
        return None
    if fmt in ("auto", "plain"):
        plain = _plain_row(tidy, source_path, mtime_date, reference_date)
        if plain is not None:
            row, note = plain
            return ReadResult([row], "plain", "utf-8", [note] if note else [])
    if fmt == "auto":
        # A navigation line, stripped, has single spaces: when the tidy second line is
        # not one, the raw one is not either.
        fmt = "plain" if _NAV_SECOND.match(tidy) is None else detect_format(text, source_path)
    row, notes = _wire_row(
        text,
        tidy,
        source_path=source_path,
        source_format=fmt,
        mtime_date=mtime_date,
        reference_date=reference_date,
    )
    return ReadResult([row], fmt, "utf-8", notes)


def _plain_row(
    tidy: str, source_path: str, mtime_date: date, reference_date: date | None
) -> tuple[ArticleRow, str | None] | None:
    """(article, note) as _wire_row reads the commonest tidy ASCII text as plain; None for others.

    The commonest text: a headline, then a body whose first line is not a navigation line
    ('Back to Main', which would make it Kyodo) and whose last paragraph does not end in ')'.
    There split_dateline keeps every paragraph and finds no dateline, so the opening
    dateline, if any, is the dateline, and there is no headline-only note. Written out in
    one function, as it runs once for nearly every file.
    """
    headline, _, rest = tidy.partition("\n")
    rest = rest.lstrip("\n")
    if not rest or rest[:8].lower() == "back to ":
        return None
    paragraphs = [p.replace("\n", " ") for p in _BLANK_LINES.split(rest)]
    if paragraphs[-1].endswith(")"):
        return None
    opening = place = end_char = month_day = None
    first = paragraphs[0]
    match = OPENING_DATELINE.match(first)
    if match is not None:
        day = match.group("date")
        if day or match.group("agency"):
            end = match.end()
            opening = first[:end].rstrip().rstrip("-–—").rstrip()
            place = match.group("place")
            end_char = len(headline) + 2 + end
            # Places, regions and agencies hold no digits: the month and day that
            # parse_month_day finds in the opening are those of its date group.
            month_day = parse_month_day(day) if day else None
    published, basis, note = _date_from(opening, month_day, source_path, mtime_date, reference_date)
    body = "\n\n".join(paragraphs)
    normal = f"{headline} {' '.join(paragraphs)}".casefold()
    row = (
        hashlib.sha256(f"{source_path}#0".encode()).hexdigest()[:16],
        None,
        headline,
        body,
        f"{headline}\n\n{body}",
        opening,
        place,
        None,
        end_char,
        published,
        basis,
        source_path,
        "plain",
        hashlib.sha256(normal.encode()).hexdigest(),
    )
    return row, note


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
    if not text.strip():
        raise RejectedInput(_ONLY_WHITESPACE)
    fmt = detect_format(text, source_path) if input_format == "auto" else input_format
    named_json = source_path.lower().endswith(_JSON_SUFFIXES)
    if fmt == "jsonl":
        try:
            rows, notes = _jsonl_rows(
                text, source_path=source_path, mtime_date=mtime_date, reference_date=reference_date
            )
        except RejectedInput:
            # Only the leading '{' said JSON: a text headline may open with a brace.
            if input_format != "auto" or named_json or _any_json_object(text):
                raise
            fmt = "plain"
    if fmt != "jsonl":
        row, notes = _text_row(
            text,
            source_path=source_path,
            source_format=fmt,
            mtime_date=mtime_date,
            reference_date=reference_date,
        )
        rows = [row]
    return ReadResult(rows, fmt, decoded.encoding, decoded.notes + notes)


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
