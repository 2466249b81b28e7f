"""People and organisations: regex and Aho-Corasick passes over sentences, joined per article.

Rules implemented here (docs/annotation-guidelines.md is the spec; deviations are marked *):

People (entity_type/mention_kind 'person', entity_id `person:<slug of the full name>`)
- Title: a title or role from gazetteer/data/person_titles.csv (`President`, `President-elect`,
  `Foreign Minister`, `Secretary of State`, `Mr.`, `Gen.`, `spokesman`, `coach`...) followed by
  capitalised name words is a person;
  the span is the name only. A country name or demonym right before the title
  (`Chinese President`, `U.S. Secretary of State`, `China's Foreign Minister`) is the person's
  country; the country after `Ambassador to` is not (`Japanese Ambassador to South Korea` -> JP).
  Modifiers may be lowercase after the country word (`British opposition leader`).
- Agency: with no country word, a title of office (not a courtesy title `Mr.`, not a rank
  `Gen.`, not preceded by a capitalised word such as `U.N.` or a company) in an article credited
  to a national news agency (gazetteer/data/news_agencies.csv; the source line, the dateline,
  `(Xinhua)` near the start or a closing `-- Xinhua`) gives the agency's country
  (`Prime Minister Shinzo Abe` in Kyodo copy -> JP). International agencies give none.
- State legislator: `state Sen.`, `state Rep.`, `state Senator`... introduce a person; a US
  state named before them (`Georgia state Sen. X`) makes the person US and is itself a mention of
  the state (`place:US-GA`), never of the country Georgia.
- Initials: one or two initials and a surname (`S. Waugh`) are a person, unless the initials are
  a gazetteer surface (`U.S. Open`) or the surname a country word, stop word or company or
  place word (`N. Korea`).
- Appositive: two to four capitalised name words followed by `, [the|a] [high|deputy...] <role>`
  (`Federica Mogherini, high representative`) are a person, unless they start with a function
  word or contain a country name, capital or demonym.
- Full name: a run of two to four capitalised name words whose first word is a given name
  (gazetteer/data/given_names*.txt) is a person (`said Wasim Akram`, `Kim Jong Un`,
  `Michael Jordan`, `Chad Smith`), unless a word of it marks a company or place
  (`Bank`, `Street`, `Corp.`...).
- Name words never include weekdays, function words or headline verbs
  (gazetteer/data/name_stopwords.txt): the name ends before them.
- Surname: later (and, *, earlier) mentions of a full name's short form in the same article are
  the same person with the same country: the last word (`Kishida`, also `Assad` for
  `al-Assad`), or the first word for Chinese and Korean family names (`Xi`, `Kim`). A short
  form that is a country name, capital or demonym stays a country mention (`Washington` alone
  after `Denzel Washington` is the capital).
- A single titled word (`President Trump`) is the person whose short form it is in the same
  article, else a person of its own (`person:trump`).
- The same full name is the same entity across articles; each article's name and country for it
  are its evidence (entity_evidence), and the entities table gives the name and the country
  that most mentions across the warehouse give (warehouse/db.py). A mention's country is the
  one its own article gives. Across the warehouse, the view `entity_resolution`
  (sql/views/02_entity_resolution.sql) resolves a one-word person to the one full-name person
  with that last word, if exactly one, with the country most of their mentions give; the
  report counts by it.
- Words inside a person's name are never country or place mentions.
- * ALL-CAPS sentences yield no people and, of the organisations, only curated ones written
  in capitals (`OPEC`), teams of sports results lines (`NEW YORK 74 59`) and the names an
  organisation found elsewhere in the article is written with.

Organisations (entity_type/mention_kind 'organization', entity_id `org:<slug>`)
- Curated international bodies with their short forms (gazetteer/data/organizations.csv) are
  matched with the countries, longest first; they have no country.
- Government bodies (gazetteer/data/government_bodies.txt) qualified by a country name or
  demonym: span is the body, country from the qualifier, id `org:<cc>-<slug>`
  (`Japanese Foreign Ministry` -> `org:jp-foreign-ministry`). An unqualified body in an article
  where the same body was qualified is that organisation; with no qualifier anywhere it is not
  a mention.
- Companies: capitalised words ending in `Inc.`, `Corp.`, `Co.`, `Ltd.`, `Group`, `Plc`, `AG`,
  `Holdings`; the span includes the suffix and any country word inside it (`Japan Tobacco
  Inc.`). A country word followed by one or two lowercase words before the name
  (`Japanese automaker Toyota Motor Corp.`) gives the company's country.

- Companies by cue, without a suffix (`shares of X`, `X's chief executive`, `X shares fell`,
  `X, the ... company`), priority 3; coordinated companies split (`Siemens AG and BASF Group`).
- Acronyms: a word of two to six capitals standing alone in mixed-case text, not a gazetteer
  surface, currency code or common abbreviation (gazetteer/data/acronym_stoplist.txt), priority 6.
- Named bodies: capitalised words ending in an organisation word (`Democratic Party`), or such a
  word followed by `of`/`for` and capitalised words (`Bank of Japan`); a country word inside or
  right before gives the country (the one before stays its own mention); a title ends the name.
- Place-led names: a city or region followed by capitalised words that are not a title, given
  name, country word or event/building/place word (`Norilsk Nickel`), with the place's country.
- Clubs (sports.py): in sports copy, teams in results lines and around `beat`/`v`; a country is a
  national team and stays a country; none in individual sports.
- Propagation (propagation.py): every organisation name found in an article, and its short forms
  (no suffix; first word before generic company words), is an organisation wherever it appears
  in that article (priority 5).
- A place inside an organisation's span is no place mention; a named body or place-led name
  takes the country of the first country or place inside it when it has none (`Bank of New
  York` -> US); companies do not (`San Miguel Corp`).

Ambiguous names
- `Georgia` is the US state (place `place:US-GA`) when its sentence has a US place mention
  (`Atlanta, Georgia`); otherwise the country.
- `Washington` followed by ` state` is the place `place:US-WA` (span `Washington`); inside a
  person's name it is no mention; otherwise the capital.
- `Jordan`, `Chad`: the country unless part of a person's full name (given name + surname).
- `Turkey`, `Niger`/`Nigeria`, `Guinea`, `Korean` (KR), `Middle Eastern` (no mention):
  left to the case-sensitive, longest-first gazetteer matcher.

The passes, one module each, in the order find_entities runs them: people.py,
organisations.py and sports.py (candidate spans), propagation.py (the same names elsewhere in
the article), overlaps.py (which of overlapping spans is kept), resolution.py (full names and
short forms to people), merge.py (the mentions they add), places.py (names that are a US state
in context), evidence.py (what each article says of each entity). patterns.py holds the regexes
and their matching; rules.py what they take from the gazetteer.
"""

from __future__ import annotations

import polars as pl

from gazetteer import Gazetteer
from transforms.engine import ENGINE
from transforms.entities.evidence import entity_evidence
from transforms.entities.merge import entity_mentions, merge_mentions, uncovered
from transforms.entities.organisations import (
    ACRONYM_PRIORITY,
    PROPAGATED_FROM,
    organization_candidates,
    place_led_candidates,
    with_inner_country,
)
from transforms.entities.overlaps import (
    _drop_overlapping,
    _leftmost_longest,
    uncurated_spans,
    with_more_candidates,
)
from transforms.entities.patterns import _is_plain
from transforms.entities.people import article_agencies, person_candidates, state_mentions
from transforms.entities.places import context_places
from transforms.entities.propagation import (
    organization_forms,
    propagated_spans,
    with_form_identity,
)
from transforms.entities.resolution import (
    people_of_articles,
    person_mentions,
    short_form_words,
    short_forms,
)
from transforms.entities.rules import _rules
from transforms.entities.sports import team_candidates
from transforms.mentions import is_all_caps

# A name imported `as` itself is re-exported: tests read these from transforms.entities.


def find_entities(
    sentences: pl.LazyFrame,
    mentions: pl.LazyFrame,
    gazetteer: Gazetteer,
    articles: pl.LazyFrame | None = None,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Mentions with people and organisations added (and the country or place mentions inside
    them removed), and each article's evidence of the people, organisations and context places
    it mentions (EVIDENCE_SCHEMA). articles (source, dateline, text) name each article's news
    agency; without them no article has one."""
    rules = _rules(gazetteer)
    agencies = (
        article_agencies(articles, gazetteer.news_agencies)
        if articles is not None
        else sentences.select(
            "article_id", pl.lit(None, dtype=pl.String).alias("agency_country")
        ).filter(pl.lit(False))
    )
    # Materialised, with whether each sentence is plain (patterns._is_plain): half the passes
    # read them, each collected apart, and every regex pass reads that flag.
    [mixed] = _materialised(
        mixed_case(sentences).with_columns(_is_plain(pl.col("sentence")).alias("_plain"))
    )
    # The regex passes are the costly part: run them once, together, and reuse the results.
    # The gazetteer mentions too: every later pass reads them, and a lazy plan would rerun the
    # Aho-Corasick pass for each reader.
    # The US states named before state legislators' titles too: their regex pass is the one
    # the people's pass runs, and collected with it, polars runs it once. And each article's
    # news agency, which the people step below reads: here it shares both cores with the
    # passes, there it would run alone.
    person_spans, org_spans, team_spans, found, states, agencies = _materialised(
        person_candidates(mixed, gazetteer),
        organization_candidates(mixed, gazetteer),
        team_candidates(
            sentences, rules.qualifier_words, gazetteer.surface_forms, gazetteer.name_stopwords
        ),
        mentions,
        state_mentions(mixed, gazetteer),
        agencies,
    )
    # Materialised before it is split in two below, and read by the forms after that.
    [org_spans] = _materialised(
        pl.concat(
            [
                org_spans,
                team_spans.select(org_spans.collect_schema().names()),
                place_led_candidates(found, mixed, rules, gazetteer.name_stopwords).select(
                    org_spans.collect_schema().names()
                ),
            ]
        )
    )
    # An acronym is the weakest cue: it yields to any gazetteer mention (`DC` in `Washington DC`).
    is_acronym = pl.col("priority") == ACRONYM_PRIORITY
    org_spans = pl.concat(
        [org_spans.filter(~is_acronym), _drop_overlapping(org_spans.filter(is_acronym), found)]
    )
    curated = found.filter(pl.col("entity_type") == "organization")
    # The candidates clear of the curated organisations: materialised, as the forms read them,
    # and the overlaps pass again with the propagated spans, which only need clearing then.
    [uncurated] = _materialised(uncurated_spans(person_spans, org_spans, curated))
    # An organisation found once is found by its name and short forms all over its article.
    # Materialised: the propagation pass reads the forms twice.
    [forms] = _materialised(
        organization_forms(
            _of_type(_leftmost_longest(uncurated), "organization").filter(
                pl.col("priority").is_in(PROPAGATED_FROM)
            ),
            rules.not_org_forms,
        )
    )
    # Materialised: the overlaps pass reads its spans twice, and polars ran the propagation
    # under them for each.
    [propagated] = _materialised(propagated_spans(sentences, forms))
    # Materialised on their own: collected together with the names and short forms made from
    # them, the spans' plan (the propagation pass under it) ran once for each of the three;
    # polars does not find every subplan that plans collected together share.
    [spans] = _materialised(
        with_more_candidates(
            uncurated, propagated.select(org_spans.collect_schema().names()), curated
        )
    )
    named = people_of_articles(_of_type(spans, "person"), agencies)
    shorts = short_forms(named, rules.family_first, rules.country_words)
    # Materialised: the later passes read each of these several times. The organisations too:
    # the mentions plan reads them twice (as new mentions, and as spans that hide the
    # gazetteer mentions under them) and the evidence plan once; each reader projects other
    # columns, so polars would share no subplan and run their country and identity joins three
    # times. Collected together, as none needs another, the three keep both cores busy.
    named, shorts, orgs = _materialised(
        named,
        shorts,
        with_form_identity(with_inner_country(_of_type(spans, "organization"), found), forms),
    )
    people = _of_type(spans, "person")
    [resolved] = _materialised(
        person_mentions(
            people, named, shorts, short_form_words(mixed, shorts), _offsets(curated, orgs)
        )
    )
    added = entity_mentions(resolved, orgs)
    # Materialised: context_places reads the mentions it is given three times (those it may
    # change, the others, those of US places), and polars ran the overlaps pass under them for
    # each.
    [left] = _materialised(uncovered(found, pl.concat([added, states])))
    places = context_places(left, sentences)
    # Materialised: the evidence reads the mentions too, and collected with them (as the caller
    # does) the mentions' plan ran once for each.
    [all_mentions] = _materialised(merge_mentions(places, states, curated, added))
    evidence = entity_evidence(resolved, orgs, curated, all_mentions, gazetteer.all_organizations)
    return all_mentions, evidence


def mixed_case(sentences: pl.LazyFrame) -> pl.LazyFrame:
    """The sentences the regex passes read: all but ALL-CAPS ones (a headline in capitals)."""
    return sentences.select("article_id", "sentence_no", "start_char", "sentence").filter(
        ~is_all_caps(pl.col("sentence"))
    )


def _of_type(spans: pl.LazyFrame, entity_type: str) -> pl.LazyFrame:
    return spans.filter(pl.col("entity_type") == entity_type)


def _offsets(*spans: pl.LazyFrame) -> pl.LazyFrame:
    """The offsets of all spans given, stacked."""
    return pl.concat([frame.select("article_id", "start_char", "end_char") for frame in spans])


def _materialised(*plans: pl.LazyFrame) -> list[pl.LazyFrame]:
    """plans collected together, as lazy frames again. A subplan they share may run once for
    each (polars finds some shared subplans, not all): plans that read a costly one are
    better collected after it is materialised."""
    return [frame.lazy() for frame in pl.collect_all(list(plans), engine=ENGINE)]
