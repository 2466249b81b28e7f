"""Convert Reuters-21578 SGML into raw plain-text article files the wirehouse pipeline reads.

The corpus is research-use-only text: it is read from ``../shared/corpora/reuters21578`` (or
``--corpus``) and the converted files are written outside the repository or under the
git-ignored ``data/`` folder. Nothing from the corpus belongs in the repository.

Output, one file per story with a body::

    OUT/YYYY/MM/DD/reut-<NEWID>.txt   title (ALL CAPS, as sent), blank line, dateline + body
    OUT/labels.csv                    newid, path, date, places, topics (';'-joined codes)

Usage::

    .venv/bin/python benchmarks/reuters_convert.py --out data/bench/reuters/articles [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path("../shared/corpora/reuters21578")

_BLOCK = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'\bNEWID="(\d+)"')
_DATE = re.compile(r"<DATE>\s*(\d{1,2}-[A-Z]{3}-\d{4})")
_LIST = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("PLACES", "TOPICS")}
_D = re.compile(r"<D>(.*?)</D>", re.S)
_TEXT = re.compile(r"<TEXT\b([^>]*)>(.*?)</TEXT>", re.S)
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_DATELINE = re.compile(r"<DATELINE>(.*?)</DATELINE>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_NUMERIC = re.compile(r"&#(\d+);")
_SIGNOFF = re.compile(r"\s*\bReuter(s)?\s*\Z", re.I)


class CorpusMissing(SystemExit):
    """Raised (as a clean exit) when the corpus folder is absent."""


def resolve_corpus(corpus_dir: Path | str) -> Path:
    """The corpus folder, relative paths taken from the repository root."""
    path = Path(corpus_dir)
    if not path.is_absolute():
        path = (REPO_ROOT / path).resolve()
    return path


def require_corpus(corpus_dir: Path | str) -> Path:
    """Return the corpus folder or exit with a clear message when it is absent."""
    path = resolve_corpus(corpus_dir)
    if not sorted(path.glob("reut2-*.sgm")):
        raise CorpusMissing(
            f"Reuters-21578 not found at {path} (no reut2-*.sgm files). It is research-use-only "
            "text kept outside the repository; pass --corpus DIR pointing at the folder holding "
            "reut2-000.sgm ... reut2-021.sgm."
        )
    return path


def unescape(text: str) -> str:
    """Undo the SGML escapes: &lt; &gt; &amp; and numeric entities (control characters dropped)."""

    def numeric(match: re.Match[str]) -> str:
        code = int(match.group(1))
        char = chr(code)
        return char if (code >= 32 and code != 127) or char in "\n\t" else ""

    text = _NUMERIC.sub(numeric, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    # any raw control characters left (there should be none) are dropped too
    return "".join(c for c in text if c >= " " or c in "\n\t")


def _codes(block: str, name: str) -> list[str]:
    found = _LIST[name].search(block)
    return [d.strip().lower() for d in _D.findall(found.group(1))] if found else []


def parse_stories(text: str) -> Iterator[dict[str, object]]:
    """Every <REUTERS> block of one SGML file's text, as a story dict."""
    for block in _BLOCK.finditer(text):
        attrs, inner = block.group(1), block.group(2)
        newid_m = _NEWID.search(attrs)
        if not newid_m:
            continue
        date_m = _DATE.search(inner)
        day = datetime.strptime(date_m.group(1).title(), "%d-%b-%Y").date() if date_m else None
        text_m = _TEXT.search(inner)
        text_attrs, text_inner = (text_m.group(1), text_m.group(2)) if text_m else ("", "")
        title_m = _TITLE.search(text_inner)
        dateline_m = _DATELINE.search(text_inner)
        body_m = _BODY.search(text_inner)
        type_m = re.search(r'TYPE="(\w+)"', text_attrs)
        yield {
            "newid": int(newid_m.group(1)),
            "date": day,
            "type": type_m.group(1) if type_m else "NORM",
            "title": " ".join(unescape(title_m.group(1)).split()) if title_m else "",
            "dateline": " ".join(unescape(dateline_m.group(1)).split()) if dateline_m else "",
            "body": unescape(body_m.group(1)) if body_m else "",
            "places": _codes(inner, "PLACES"),
            "topics": _codes(inner, "TOPICS"),
        }


def iter_stories(corpus_dir: Path | str = DEFAULT_CORPUS) -> Iterator[dict[str, object]]:
    """All stories of the corpus in file order: newid, date, title, dateline, body, places, topics."""
    corpus = require_corpus(corpus_dir)
    for sgm in sorted(corpus.glob("reut2-*.sgm")):
        yield from parse_stories(sgm.read_text(encoding="latin-1"))


def body_paragraphs(body: str) -> list[str]:
    """The body's paragraphs, each keeping its hard-wrapped lines; the Reuter sign-off removed.

    A paragraph starts at an indented line (or after a blank line); continuation lines start
    at column 0.
    """
    body = _SIGNOFF.sub("", body.rstrip())
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in body.split("\n"):
        stripped = line.strip()
        if not stripped:
            if current:
                paragraphs.append(current)
                current = []
            continue
        if line[:1].isspace() and current:
            paragraphs.append(current)
            current = []
        current.append(stripped)
    if current:
        paragraphs.append(current)
    return ["\n".join(p) for p in paragraphs]


def article_text(story: dict[str, object]) -> str:
    """The raw file text: title, blank line, dateline joined to the body's first line."""
    paragraphs = body_paragraphs(str(story["body"]))
    dateline = str(story["dateline"]).strip()
    if dateline:
        if paragraphs:
            paragraphs[0] = f"{dateline} {paragraphs[0]}"
        else:
            paragraphs = [dateline]
    return str(story["title"]) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def relative_path(story: dict[str, object]) -> str:
    """OUT-relative path: YYYY/MM/DD/reut-<NEWID>.txt (undated stories go under undated/)."""
    day = story["date"]
    folder = day.strftime("%Y/%m/%d") if day else "undated"
    return f"{folder}/reut-{story['newid']}.txt"


def convert(
    corpus_dir: Path | str,
    out_dir: Path | str,
    limit: int | None = None,
    *,
    include_briefs: bool = False,
) -> int:
    """Write up to ``limit`` stories as article files plus OUT/labels.csv; return files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    made: set[Path] = set()
    written = 0
    with (out / "labels.csv").open("w", newline="", encoding="utf-8") as handle:
        labels = csv.writer(handle)
        labels.writerow(["newid", "path", "date", "places", "topics"])
        for story in iter_stories(corpus_dir):
            if limit is not None and written >= limit:
                break
            has_body = bool(str(story["body"]).strip())
            if not has_body and not (include_briefs and story["title"]):
                continue
            rel = relative_path(story)
            target = out / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            text = article_text(story) if has_body else f"{story['title']}\n"
            target.write_text(text, encoding="utf-8")
            labels.writerow(
                [
                    story["newid"],
                    rel,
                    story["date"].isoformat() if story["date"] else "",
                    ";".join(story["places"]),
                    ";".join(story["topics"]),
                ]
            )
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder with reut2-*.sgm (default: %(default)s, from the repo root)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("data/bench/reuters/articles"),
        help="output folder, outside the repo or git-ignored (default: %(default)s)",
    )
    parser.add_argument("--limit", type=int, default=None, help="stop after N stories")
    parser.add_argument(
        "--include-briefs", action="store_true", help="also write title-only stories (no BODY)"
    )
    args = parser.parse_args(argv)
    try:
        require_corpus(args.corpus)
    except CorpusMissing as missing:
        print(missing, file=sys.stderr)
        return 2
    started = time.perf_counter()
    out = args.out if args.out.is_absolute() else REPO_ROOT / args.out
    count = convert(args.corpus, out, args.limit, include_briefs=args.include_briefs)
    print(
        f"wrote {count} articles and labels.csv to {out} in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
