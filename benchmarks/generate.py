"""Write N synthetic raw wire articles by recombining real Reuters titles, datelines and paragraphs.

Nothing it writes belongs in the repository: point --out at a git-ignored folder (data/) or
outside the repo. The source corpus is read from ../shared/corpora/reuters21578.

Each article: a Reuters title, blank line, "CITY, Mon DD - " dateline joined to the first of
3-7 paragraphs drawn from the whole corpus, hard-wrapped as the wire had them. A seeded RNG
makes the output repeatable; the article number is mixed into the choice so no two articles
are the same (checked by hashing). Files go into a date-partitioned tree
OUT/YYYY/MM/DD/syn-<n>.txt over 1987, so the pipeline dates them from the path.

Usage::

    .venv/bin/python benchmarks/generate.py --out data/bench/synthetic --count 1000000
    .venv/bin/python benchmarks/generate.py --out data/bench/synthetic --count 100 --start 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.reuters_convert import DEFAULT_CORPUS, body_paragraphs, iter_stories  # noqa: E402

_DATELINE_CITY = re.compile(r"^\s*([A-Z][A-Z .'-]+?)\s*,")
_MONTHS = (
    "Jan",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
)


def load_parts(corpus: Path) -> tuple[list[str], list[str], list[str]]:
    """(titles, dateline cities, paragraphs) of the corpus, each list deduplicated."""
    titles: set[str] = set()
    cities: set[str] = set()
    paragraphs: set[str] = set()
    for story in iter_stories(corpus):
        if not str(story["body"]).strip():
            continue
        titles.add(str(story["title"]).strip())
        city = _DATELINE_CITY.match(str(story["dateline"]))
        if city:
            cities.add(city.group(1).strip())
        paragraphs.update(p for p in body_paragraphs(str(story["body"])) if len(p) > 40)
    return sorted(titles - {""}), sorted(cities), sorted(paragraphs)


def generate(corpus: Path, out: Path, count: int, start: int = 0, seed: int = 1987) -> int:
    """Write articles numbered start..start+count-1; returns bytes written."""
    titles, cities, paragraphs = load_parts(corpus)
    seen: set[bytes] = set()
    written_bytes = 0
    made: set[Path] = set()
    first_day = date(1987, 1, 1)
    for number in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + number)
        day = first_day + timedelta(days=rng.randrange(365))
        chosen = rng.sample(paragraphs, rng.randint(3, 7))
        dateline = f"{rng.choice(cities)}, {_MONTHS[day.month - 1]} {day.day} - "
        text = f"{rng.choice(titles)}\n\n{dateline}" + "\n\n".join(chosen) + "\n"
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        if digest in seen:  # vanishingly rare; a new draw keeps articles distinct
            chosen = rng.sample(paragraphs, 8)
            text = f"{rng.choice(titles)}\n\n{dateline}" + "\n\n".join(chosen) + "\n"
            digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        seen.add(digest)
        folder = out / f"{day:%Y/%m/%d}"
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        data = text.encode("utf-8")
        (folder / f"syn-{number:07d}.txt").write_bytes(data)
        written_bytes += len(data)
    return written_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--start", type=int, default=0, help="number of the first article")
    parser.add_argument("--seed", type=int, default=1987)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    size = generate(args.corpus, args.out, args.count, args.start, args.seed)
    seconds = time.perf_counter() - started
    print(f"generate: {args.count} articles, {size / 1e6:.1f} MB in {seconds:.1f}s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
