"""What the entity passes derive from a gazetteer: word lists and regex alternations, built once."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl
import pycountry

from gazetteer import Gazetteer, load_acronym_stoplist
from transforms.entities.patterns import _alternation
from transforms.memo import by_identity

# Words that make a capitalised run a company, place or event rather than a person.
_NOT_PERSON_WORDS = frozenset(
    [
        "Bank",
        "Group",
        "Corp",
        "Corporation",
        "Co",
        "Company",
        "Inc",
        "Ltd",
        "Plc",
        "Holdings",
        "Industries",
        "Airlines",
        "Airways",
        "Motor",
        "Motors",
        "Electric",
        "Electronics",
        "Securities",
        "Capital",
        "Partners",
        "Fund",
        "Trust",
        "Foundation",
        "Institute",
        "University",
        "College",
        "School",
        "Hospital",
        "Center",
        "Centre",
        "Street",
        "Avenue",
        "Road",
        "Square",
        "Park",
        "Hotel",
        "Airport",
        "Stadium",
        "Award",
        "Prize",
        "Festival",
        "Association",
        "Council",
        "Committee",
        "Party",
        "Church",
        "River",
        "Lake",
        "Island",
        "Islands",
        "Mountain",
        "Bridge",
        "Tower",
        "County",
        "City",
        "State",
        "States",
        "Times",
        "Post",
        "News",
        "Journal",
        "Agency",
        "Ministry",
        "Department",
        "Office",
        "Exchange",
        "Market",
        "Index",
        "Reserve",
        "Board",
        "Union",
        "Forces",
        "Army",
        "Navy",
    ]
)


class _Rules(NamedTuple):
    """What the entity passes derive from a gazetteer, derived once rather than per batch."""

    qualifiers: pl.DataFrame  # surface -> qualifier_code, country names and demonyms
    qualifier: str  # regex alternation of the qualifiers
    country_words: pl.Series  # names, capitals and demonyms: never a surname alone
    country_word: str  # regex alternation of country_words
    qualifier_words: pl.Series  # names and demonyms: never inside an appositive name
    heads: str  # regex alternation of title_heads
    title_heads: frozenset[str]  # titles and roles (`President`, `Foreign Minister`)
    modifiers: str
    stop: pl.Series
    given: pl.Series
    run_stop: frozenset[str]  # what ends or leads a name run
    not_person: pl.Series
    bodies: str
    body_names: pl.Series  # the government bodies, as names
    family_first: pl.Series
    surfaces: pl.DataFrame  # every gazetteer surface, as `name`
    not_org_forms: pl.Series  # country words and stop words: never an organisation's short form
    not_acronyms: pl.Series  # surfaces, currency codes, common abbreviations: not organisations
    non_office: pl.Series  # courtesy titles and ranks (`Mr.`, `Gen.`): no agency country
    us_states: pl.DataFrame  # surface -> entity_id of each US state (`Georgia` -> place:US-GA)
    us_state: str  # regex alternation of the US states' names


def _rules(gazetteer: Gazetteer) -> _Rules:
    """The rules of gazetteer, built on first use and then reused."""
    return by_identity("entity rules", (gazetteer,), lambda: _build_rules(gazetteer))


def _build_rules(gazetteer: Gazetteer) -> _Rules:
    forms = gazetteer.surface_forms
    qualifiers = forms.filter(pl.col("mention_kind").is_in(["name", "demonym"])).select(
        "surface", pl.col("country_code").alias("qualifier_code")
    )
    given = sorted(gazetteer.given_names)
    us_states = _us_states()
    return _Rules(
        qualifiers=qualifiers,
        qualifier=_alternation(tuple(qualifiers.get_column("surface"))),
        country_words=pl.Series(
            sorted(
                forms.filter(pl.col("mention_kind").is_in(["name", "capital", "demonym"]))
                .get_column("surface")
                .unique()
            ),
            dtype=pl.String,
        ),
        country_word=_alternation(
            tuple(
                forms.filter(pl.col("mention_kind").is_in(["name", "capital", "demonym"]))
                .get_column("surface")
                .unique()
            )
        ),
        qualifier_words=pl.Series(sorted(qualifiers.get_column("surface")), dtype=pl.String),
        heads=_alternation(gazetteer.title_heads),
        title_heads=frozenset(gazetteer.title_heads),
        # Reuters and AP lowercase a title's modifiers after a country word (`British
        # opposition leader`); the capitalised forms stay for title-case copy. Not `state`:
        # `Georgia state Sen.` is a US state's senator (people.py, _state_legislators).
        modifiers=_alternation(
            tuple(
                {*gazetteer.title_modifiers}
                | {m.lower() for m in gazetteer.title_modifiers if m != "State"}
            )
        ),
        stop=pl.Series(sorted(gazetteer.name_stopwords), dtype=pl.String),
        given=pl.Series(given, dtype=pl.String),
        run_stop=frozenset(
            gazetteer.name_stopwords | set(gazetteer.title_modifiers) | _title_words(gazetteer)
        ),
        not_person=pl.Series(sorted(_NOT_PERSON_WORDS), dtype=pl.String),
        bodies=_alternation(gazetteer.government_bodies),
        body_names=pl.Series(sorted(gazetteer.government_bodies), dtype=pl.String),
        family_first=pl.Series(sorted(gazetteer.family_name_first), dtype=pl.String),
        surfaces=forms.select(pl.col("surface").alias("name")).unique(),
        not_acronyms=pl.Series(
            sorted(
                set(forms.get_column("surface"))
                | set(forms.get_column("surface").str.to_uppercase())
                | load_acronym_stoplist()
            ),
            dtype=pl.String,
        ),
        not_org_forms=pl.Series(
            sorted(
                set(
                    forms.filter(
                        pl.col("mention_kind").is_in(["name", "capital", "demonym"])
                    ).get_column("surface")
                )
                | gazetteer.name_stopwords
            ),
            dtype=pl.String,
        ),
        non_office=pl.Series(sorted(gazetteer.title_non_office), dtype=pl.String),
        us_states=us_states,
        us_state=_alternation(tuple(us_states.get_column("surface"))),
    )


def _us_states() -> pl.DataFrame:
    """The 50 US states and DC by name, with their place ids (ISO 3166-2 via pycountry): the
    gazetteer gives `Georgia` and `Washington` to the country and the capital."""
    states = [
        {"surface": state.name, "entity_id": f"place:{state.code}"}
        for state in pycountry.subdivisions.get(country_code="US")
        if state.type in ("State", "District")
    ]
    return pl.DataFrame(states, schema={"surface": pl.String, "entity_id": pl.String}).sort(
        "surface"
    )


def _title_words(gazetteer: Gazetteer) -> set[str]:
    """Single capitalised words of titles (`President`, `Mr.` without its dot excluded)."""
    return {w for t in gazetteer.title_heads for w in t.split(" ") if w[:1].isupper()}
