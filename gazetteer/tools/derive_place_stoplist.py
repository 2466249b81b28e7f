"""Print place names that a newswire corpus uses mostly as common words or personal names.

Run by hand when the place candidates change; its output, reviewed, becomes
gazetteer/data/place_stoplist_derived.txt. Only place names are written out, never corpus text:

    PYTHONPATH=. .venv/bin/python gazetteer/tools/derive_place_stoplist.py \
        ../shared/corpora/reuters21578 > gazetteer/data/place_stoplist_derived.txt
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from gazetteer.build import filter_places, place_candidates, place_stoplist

BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
TOKEN = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*|[.!?\"]")
SENTENCE_END = frozenset({".", "!", "?", '"'})
# Honorifics and offices that precede a surname in wire copy.
PERSON_TITLES = frozenset(
    {
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "President",
        "Minister",
        "Secretary",
        "Chairman",
        "Governor",
        "Senator",
        "Sen",
        "Rep",
        "Gov",
        "Judge",
        "Chancellor",
        "Premier",
        "General",
        "Gen",
        "Ambassador",
        "spokesman",
        "spokeswoman",
        "Prince",
        "King",
        "Sheikh",
        "Vice",
    }
)
# Rule thresholds, chosen by reading the resulting list; see the module docstring.
MIN_LOWER = 3
LOWER_TO_CAPITAL = 1.0
MIN_TITLED = 2
TITLED_SHARE = 0.2


def corpus_counts(corpus_dir: Path) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Return counts of lowercase tokens, mid-sentence capitalised tokens and title-led tokens."""
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    titled: Counter[str] = Counter()
    for path in sorted(corpus_dir.glob("*.sgm")):
        for body in BODY.findall(path.read_text(encoding="latin-1")):
            previous = "."
            for token in TOKEN.findall(body):
                if token[0].islower():
                    lower[token] += 1
                elif token[0].isupper() and previous not in SENTENCE_END:
                    capital[token] += 1
                    if previous in PERSON_TITLES:
                        titled[token] += 1
                previous = token
    return lower, capital, titled


def derived_stoplist(corpus_dir: Path) -> list[tuple[str, str]]:
    """Return (place name, reason) for single-word places the corpus shows are not places."""
    lower, capital, titled = corpus_counts(corpus_dir)
    candidates = place_candidates(all_codes())
    places = filter_places(candidates, place_stoplist(with_derived=False))
    names = sorted(set(places.get_column("surface")))
    stop = []
    for name in names:
        if " " in name or not name.isalpha():
            continue
        lower_count = lower[name.lower()]
        capital_count = capital[name]
        if lower_count >= MIN_LOWER and lower_count >= LOWER_TO_CAPITAL * capital_count:
            stop.append((name, f"lowercase {lower_count} vs capitalised {capital_count}"))
        elif titled[name] >= MIN_TITLED and titled[name] >= TITLED_SHARE * capital_count:
            stop.append((name, f"after a title {titled[name]} of capitalised {capital_count}"))
    return stop


def all_codes() -> set[str]:
    """Return every current ISO 3166-1 alpha-2 code."""
    import pycountry

    return {country.alpha_2 for country in pycountry.countries}


def main() -> None:
    """Write the derived stoplist to stdout."""
    corpus_dir = Path(sys.argv[1])
    print("# Place names dropped because a newswire corpus uses them as common words or names.")
    print("# Derived by gazetteer/tools/derive_place_stoplist.py over the Reuters-21578 corpus")
    print("# (1987 Reuters newswire, article bodies only), then reviewed by the wirehouse team.")
    print(f"# Rule 1: seen lowercase >= {MIN_LOWER} times and at least as often as capitalised")
    print("#         mid-sentence (e.g. a city named like a common English word).")
    print(f"# Rule 2: seen after a personal title (Mr, President, Minister...) >= {MIN_TITLED}")
    print(f"#         times and in >= {TITLED_SHARE:.0%} of its capitalised uses (a surname).")
    print("# Only the resulting place names are recorded here, never corpus text.")
    for name, reason in derived_stoplist(corpus_dir):
        print(f"{name}  # {reason}")


if __name__ == "__main__":
    main()
