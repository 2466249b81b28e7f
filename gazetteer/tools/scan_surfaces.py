"""Print the most frequent gazetteer hits in text files, to eyeball false positives.

A development aid, not the product matcher: whole-word, leftmost-longest, '-' and "'" as
word boundaries. Usage:

    PYTHONPATH=. .venv/bin/python gazetteer/tools/scan_surfaces.py [--kind place] FILE...

Reuters .sgm files are read as latin-1 and only their <BODY> text is scanned.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

from gazetteer import load_gazetteer

BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
WORD_START = re.compile(r"(?<![A-Za-z0-9À-ÿ.])[A-Za-zÀ-ÿ]")
WORD_CHAR = re.compile(r"[A-Za-z0-9À-ÿ]")


def first_word(surface: str) -> str:
    """Return the text of a surface up to its first space, hyphen or apostrophe."""
    return re.split(r"[ \-']", surface, maxsplit=1)[0]


def scan(text: str, by_first: dict[str, list[str]]) -> list[str]:
    """Return the surfaces found in text, leftmost-longest and whole-word."""
    found = []
    position = 0
    while match := WORD_START.search(text, position):
        start = match.start()
        end_of_word = re.match(r"[A-Za-zÀ-ÿ.]+", text[start:])
        head = first_word(end_of_word.group(0) if end_of_word else "")
        hit = None
        for candidate in by_first.get(head, []) + by_first.get(head.rstrip("."), []):
            end = start + len(candidate)
            if text.startswith(candidate, start) and (
                end >= len(text) or not WORD_CHAR.match(text[end]) or candidate.endswith(".")
            ):
                hit = candidate if hit is None or len(candidate) > len(hit) else hit
        if hit:
            found.append(hit)
            position = start + len(hit)
        else:
            position = start + 1
    return found


def main() -> None:
    """Scan the given files and print surface hit counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--kind", help="only report this mention_kind")
    parser.add_argument("--top", type=int, default=80)
    args = parser.parse_args()

    surfaces = load_gazetteer().surface_forms
    lookup = {row["surface"]: row for row in surfaces.iter_rows(named=True)}
    by_first: dict[str, list[str]] = defaultdict(list)
    for surface in lookup:
        by_first[first_word(surface)].append(surface)

    counts: Counter[str] = Counter()
    for path in args.files:
        text = path.read_text(encoding="latin-1" if path.suffix == ".sgm" else "utf-8")
        bodies = BODY.findall(text) if path.suffix == ".sgm" else [text]
        for body in bodies:
            counts.update(scan(body, by_first))
    for surface, count in counts.most_common():
        row = lookup[surface]
        if args.kind and row["mention_kind"] != args.kind:
            continue
        print(
            f"{count:6d}  {surface!r:28} {row['mention_kind']:8} {row['entity_id']:16} {row['country_code']}"
        )
        args.top -= 1
        if args.top == 0:
            break


if __name__ == "__main__":
    main()
