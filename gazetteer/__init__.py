"""Countries, places and the surface strings that name them in English news copy."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
import pycountry

from gazetteer import cache
from gazetteer.build import (
    NEWS_AGENCY_SCHEMA,
    SUCCESSION_SCHEMA,
    build_successions,
    build_tables,
    news_agencies,
    read_data_rows,
    read_word_list,
)
from gazetteer.datelines import dateline_places, dateline_regions
from gazetteer.lexicon import TONE_LEXICON_SCHEMA, load_tone_lexicon
from gazetteer.points import DATELINE_POINT_SCHEMA, dateline_points, entity_points

__all__ = [
    "Gazetteer",
    "build_gazetteer",
    "load_acronym_stoplist",
    "load_gazetteer",
    "load_non_country_phrases",
    "load_organizations",
    "slug",
]

ORGANIZATION_SCHEMA: dict[str, pl.DataType] = {
    "surface": pl.String(),
    "entity_id": pl.String(),
    "entity_type": pl.String(),
    "mention_kind": pl.String(),
    "country_code": pl.String(),
    "name": pl.String(),
}


@dataclass(frozen=True)
class Gazetteer:
    """The gazetteer tables: countries, entities and their surface forms, plus the word lists
    that recognise people and organisations and the sentiment lexicon (empty by default)."""

    countries: pl.DataFrame
    entities: pl.DataFrame
    surface_forms: pl.DataFrame
    blockers: frozenset[str] = frozenset()
    given_names: frozenset[str] = frozenset()
    family_name_first: frozenset[str] = frozenset()
    title_heads: tuple[str, ...] = ()
    title_modifiers: tuple[str, ...] = ()
    # Heads that hold no office a news agency's country could be inferred from: courtesy
    # titles (`Mr.`, `Dr.`) and military ranks (`Gen.`).
    title_non_office: tuple[str, ...] = ()
    name_stopwords: frozenset[str] = frozenset()
    government_bodies: tuple[str, ...] = ()
    organizations: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=ORGANIZATION_SCHEMA)
    )
    # Dateline lookups (gazetteer/datelines.py): region qualifiers and every city spelling.
    dateline_regions: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"region_key": pl.String, "country_code": pl.String}
        )
    )
    dateline_places: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"place_key": pl.String, "country_code": pl.String}
        )
    )
    # Where each dateline city lies: place_key and country_code as in dateline_places, with
    # the latitude and longitude of the most populous city of that name in that country.
    dateline_points: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=DATELINE_POINT_SCHEMA)
    )
    # Which successor countries and places count as a former country on which days
    # (data/successions.csv; transforms/countries_by_date.py applies it).
    successions: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=SUCCESSION_SCHEMA)
    )
    # One row per wire spelling of a news agency: agency, surface, country_code (null for an
    # international agency such as Reuters or AP).
    news_agencies: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=NEWS_AGENCY_SCHEMA)
    )
    # The sentiment lexicon tone is scored with (gazetteer/lexicon.py: VADER's, from its package).
    tone_lexicon: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=TONE_LEXICON_SCHEMA)
    )

    @functools.cached_property
    def agency_organizations(self) -> pl.DataFrame:
        """The news agencies as organisations to find in running text (ORGANIZATION_SCHEMA):
        their spellings of four or more letters, or three capitals (`AFP`), that are no given
        name and not in AMBIGUOUS_AGENCY_SURFACES (`AP`, `PA`, `MAP`, `Petra` and `Bloomberg`
        name other things too).
        No country: an agency's name is a credit, not what a story is about."""
        surface = pl.col("surface")
        agencies = self.news_agencies.filter(
            (
                (surface.str.len_chars() >= 4)
                | (surface.str.len_chars() == 3) & surface.str.contains(r"^\p{Lu}+$")
            )
            & ~surface.is_in(sorted(self.given_names | AMBIGUOUS_AGENCY_SURFACES))
        )
        return agencies.select(
            "surface",
            pl.concat_str(pl.lit("org:"), slug(pl.col("agency"))).alias("entity_id"),
            pl.lit("organization").alias("entity_type"),
            pl.lit("organization").alias("mention_kind"),
            pl.lit(None, dtype=pl.String).alias("country_code"),
            pl.col("agency").alias("name"),
        ).cast(ORGANIZATION_SCHEMA)

    @functools.cached_property
    def all_organizations(self) -> pl.DataFrame:
        """The curated organisations, then the news agencies (ORGANIZATION_SCHEMA)."""
        return pl.concat([self.organizations, self.agency_organizations]).unique(
            "surface", keep="first", maintain_order=True
        )

    @functools.cached_property
    def mention_surface_forms(self) -> pl.DataFrame:
        """The surface forms mentions are matched against, one row per surface (built once, not
        per batch): news agencies first (`Xinhua` is also a Chinese village), then countries
        and places, then curated organisations."""
        columns = self.surface_forms.columns
        return pl.concat(
            [
                self.agency_organizations.select(columns),
                self.surface_forms,
                self.organizations.select(columns),
            ]
        ).unique("surface", keep="first", maintain_order=True)


def slug(expr: pl.Expr) -> pl.Expr:
    """Lowercase ASCII words joined by '-', as entity ids use them: `Bashar al-Assad` ->
    `bashar-al-assad`, `Agence France-Presse` -> `agence-france-presse`."""
    # Accents come off by decomposing (NFKD) and dropping the combining marks, which change
    # nothing in ASCII text: only the other names are decomposed, the ASCII ones read as empty
    # strings there. The entity passes slug every candidate's name, a hundred thousand names
    # in a large batch; this halves the cost.
    wide = expr.str.len_bytes() != expr.str.len_chars()
    folded = (
        pl.when(wide)
        .then(expr)
        .otherwise(pl.lit(""))
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
    )
    return (
        pl.when(wide)
        .then(folded)
        .otherwise(expr)
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", "-")
        .str.strip_chars("-")
    )


# Agency spellings that more often name something else: a person (`Bloomberg`), a market
# index (`Dow Jones`), a region (`Anatolia`, `Anadolu`), a city (`Petra`), a word or another
# acronym (`MAP`, `SPA`, `APP`).
AMBIGUOUS_AGENCY_SURFACES = frozenset(
    ["Bloomberg", "Dow Jones", "Anatolia", "Anadolu", "Petra", "MAP", "TAP", "UNI", "SPA", "APP",
     "NAN", "RIA", "APS", "STT", "NTB", "BSS"]
)  # fmt: skip


def _once_per_process(load: Callable[[], Gazetteer]) -> Callable[[], Gazetteer]:
    """load, called once however many threads ask at the same time (a run loads the gazetteer
    on a warm-up thread while its flow starts); __wrapped__ is load itself, uncached."""
    cached = functools.cache(load)
    lock = threading.Lock()

    @functools.wraps(load)
    def once() -> Gazetteer:
        with lock:
            return cached()

    return once


@_once_per_process
def load_gazetteer() -> Gazetteer:
    """Return the gazetteer from the on-disk cache if its sources are unchanged, else built and
    cached (gazetteer/cache.py)."""
    return cache.load_or_build(Gazetteer, build_gazetteer)


def build_gazetteer() -> Gazetteer:
    """Return the gazetteer built from package data and gazetteer/data (no network)."""
    countries, entities, surface_forms = build_tables()
    # Every country and place entity with its point (gazetteer/points.py); null where none is known.
    entities = entities.join(
        entity_points(countries), on="entity_id", how="left", maintain_order="left"
    )
    titles = [(row["word"], row["role"]) for _, row in read_data_rows("person_titles.csv")]
    return Gazetteer(
        countries=countries,
        entities=entities,
        surface_forms=surface_forms,
        blockers=load_non_country_phrases(),
        given_names=read_word_list("given_names.txt") | read_word_list("given_names_curated.txt"),
        family_name_first=read_word_list("family_name_first.txt"),
        title_heads=tuple(word for word, role in titles if role in ("head", "honorific", "rank")),
        title_non_office=tuple(word for word, role in titles if role in ("honorific", "rank")),
        title_modifiers=tuple(word for word, role in titles if role == "modifier"),
        name_stopwords=read_word_list("name_stopwords.txt"),
        government_bodies=tuple(sorted(read_word_list("government_bodies.txt"))),
        organizations=load_organizations(),
        dateline_regions=dateline_regions(),
        dateline_places=dateline_places(),
        dateline_points=dateline_points(),
        successions=build_successions(countries, entities),
        news_agencies=news_agencies(set(countries.get_column("country_code"))),
        tone_lexicon=load_tone_lexicon(),
    )


@functools.cache
def load_non_country_phrases() -> frozenset[str]:
    """Return phrases a matcher should consume without a mention ("Latin America")."""
    return read_word_list("non_country_phrases.txt")


@functools.cache
def load_acronym_stoplist() -> frozenset[str]:
    """Return words in capitals that are not organisations: gazetteer/data/acronym_stoplist.txt
    and the ISO 4217 currency codes (from pycountry)."""
    return read_word_list("acronym_stoplist.txt") | {c.alpha_3 for c in pycountry.currencies}


def load_organizations() -> pl.DataFrame:
    """One row per surface form of a curated organisation (ORGANIZATION_SCHEMA)."""
    rows = [
        {
            "surface": row["surface"],
            "entity_id": f"org:{row['org_id']}",
            "entity_type": "organization",
            "mention_kind": "organization",
            "country_code": row["country_code"] or None,
            "name": row["name"],
        }
        for _, row in read_data_rows("organizations.csv")
    ]
    return pl.DataFrame(rows, schema=ORGANIZATION_SCHEMA)
