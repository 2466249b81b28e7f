"""Print place names that a newswire corpus uses mostly as common words, names or companies.

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

import polars as pl
import pycountry

from gazetteer.build import TIER_CITY, filter_places, place_candidates, place_stoplist

BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
TOKEN = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*|[.!?\",;:()]")
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
# Words that put a place in a locative role ("in Chicago", "near Basra").
LOCATIVES = frozenset(
    {
        "in",
        "at",
        "near",
        "from",
        "outside",
        "around",
        "to",
        "into",
        "via",
        "across",
        "visit",
        "visited",
    }
)
# Rule thresholds, chosen by reading the resulting list; see the module docstring.
MIN_LOWER = 3
LOWER_TO_CAPITAL = 1.0
MIN_TITLED = 2
TITLED_SHARE = 0.2
MIN_CAPITALISED = 5
LOCATIVE_SHARE = 0.1
LARGE_CITY_POPULATION = 500_000


def corpus_counts(
    corpus_dir: Path, region_names: frozenset[str]
) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    """Return counts of lowercase, mid-sentence capitalised, title-led and locative tokens."""
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    titled: Counter[str] = Counter()
    located: Counter[str] = Counter()
    for path in sorted(corpus_dir.glob("*.sgm")):
        for body in BODY.findall(path.read_text(encoding="latin-1")):
            tokens = [".", *TOKEN.findall(body), ".", "."]
            for index in range(1, len(tokens) - 2):
                previous, token = tokens[index - 1], tokens[index]
                if token[0].islower():
                    lower[token] += 1
                elif token[0].isupper() and previous not in SENTENCE_END:
                    capital[token] += 1
                    if previous in PERSON_TITLES:
                        titled[token] += 1
                    # "Galveston, Texas" marks a place as surely as "in Galveston".
                    followed_by_region = (
                        tokens[index + 1] == "," and tokens[index + 2] in region_names
                    )
                    if previous in LOCATIVES or followed_by_region:
                        located[token] += 1
    return lower, capital, titled, located


def derived_stoplist(corpus_dir: Path) -> list[tuple[str, str]]:
    """Return (place name, reason) for single-word places the corpus shows are not places."""
    candidates = place_candidates(all_codes())
    places = filter_places(candidates, place_stoplist(with_derived=False))
    subdivisions = set(places.filter(pl.col("tier") != TIER_CITY).get_column("surface"))
    region_names = frozenset(subdivisions | {c.name for c in pycountry.countries} | {"U.S."})
    lower, capital, titled, located = corpus_counts(corpus_dir, region_names)
    # Only cities: a subdivision ("Ohio") is rarely anything else, even when seldom after "in".
    largest_city = (
        places.filter(pl.col("tier") == TIER_CITY)
        .group_by("surface")
        .agg(pl.col("population").max())
    )
    small_cities = (
        set(largest_city.filter(pl.col("population") < LARGE_CITY_POPULATION).get_column("surface"))
        - subdivisions
    )
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
        elif (
            name in small_cities
            and capital_count >= MIN_CAPITALISED
            and located[name] < LOCATIVE_SHARE * capital_count
        ):
            stop.append((name, f"after in/at/near {located[name]} of capitalised {capital_count}"))
    return stop


def all_codes() -> set[str]:
    """Return every current ISO 3166-1 alpha-2 code."""
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
    print(
        f"# Rule 3: a city of under {LARGE_CITY_POPULATION:,} people that is not also a subdivision,"
    )
    print(
        f"#         capitalised mid-sentence >= {MIN_CAPITALISED} times but after in/at/near/from..."
    )
    print("#         or before ', <state or country>'")
    print(f"#         in < {LOCATIVE_SHARE:.0%} of them (a company, surname or name fragment).")
    print("# Only the resulting place names are recorded here, never corpus text.")
    for name, reason in derived_stoplist(corpus_dir):
        print(f"{name}  # {reason}")


if __name__ == "__main__":
    main()
