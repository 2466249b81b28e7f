"""People and organisations: regex and Aho-Corasick passes over sentences, joined per article.

Rules implemented here (docs/annotation-guidelines.md is the spec; deviations are marked *):

People (entity_type/mention_kind 'person', entity_id `person:<slug of the full name>`)
- Title: a title or role from gazetteer/data/person_titles.csv (`President`, `Foreign Minister`,
  `Secretary of State`, `Mr.`, `spokesman`...) followed by capitalised name words is a person;
  the span is the name only. A country name or demonym right before the title
  (`Chinese President`, `U.S. Secretary of State`, `China's Foreign Minister`) is the person's
  country; the country after `Ambassador to` is not (`Japanese Ambassador to South Korea` -> JP).
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
  one its own article gives.
- Words inside a person's name are never country or place mentions.
- * ALL-CAPS sentences yield no people and no regex organisations (only curated
  organisations written in capitals, `OPEC`, are matched there).

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

Ambiguous names
- `Georgia` is the US state (place `place:US-GA`) when its sentence has a US place mention
  (`Atlanta, Georgia`); otherwise the country.
- `Washington` followed by ` state` is the place `place:US-WA` (span `Washington`); inside a
  person's name it is no mention; otherwise the capital.
- `Jordan`, `Chad`: the country unless part of a person's full name (given name + surname).
- `Turkey`, `Niger`/`Nigeria`, `Guinea`, `Korean` (KR), `Middle Eastern` (no mention):
  left to the case-sensitive, longest-first gazetteer matcher.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import NamedTuple

import polars as pl

from gazetteer import Gazetteer
from transforms.engine import ENGINE
from transforms.memo import by_identity
from transforms.mentions import is_all_caps
from transforms.schemas import EVIDENCE_SCHEMA, MENTION_SCHEMA

_KEY = ["article_id", "sentence_no"]
_NAME_WORD = r"(?:\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?|\p{Lu}['’]\p{Lu}\p{Ll}+)(?:-\p{Lu}?\p{Ll}+)*"
_PARTICLE = r"(?:al|el|ad|as|ash|bin|ibn|abu|de|da|di|du|van|von|der|den|le|la|dos|das|del|della)"
_INITIAL = r"\p{Lu}\."
_NAME_TAIL = rf"(?: +(?:{_INITIAL} +)*(?:{_PARTICLE}[- ])?{_NAME_WORD})"
# A name: one word, then up to three more, with initials and particles (`Bashar al-Assad`).
_NAME = rf"(?:{_PARTICLE}-)?{_NAME_WORD}{_NAME_TAIL}{{0,3}}"
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
_ROLE_WORDS = (
    "representative|president|minister|secretary|spokesman|spokeswoman|spokesperson|chairman"
    "|chairwoman|director|ambassador|envoy|leader|governor|commissioner|official|negotiator"
    "|adviser|advisor|economist|analyst|professor|chief|head|executive|officer|lawmaker"
    "|senator|founder|editor|general|premier|chancellor|mayor|coach|captain"
)
_ROLE_MODIFIERS = (
    "high|top|chief|deputy|vice|senior|special|foreign|prime|executive|managing|general|state"
    "|finance|trade|defense|economic|former|then|acting|assistant|opposition|party|senior|new"
)
_COMPANY_WORD = rf"(?:{_NAME_WORD}|\p{{Lu}}[\p{{Lu}}&]+)"
_COMPANY_SUFFIX = r"(?:(?:Inc|Corp|Co|Ltd)\.|(?:Inc|Corp|Ltd|Group|Plc|PLC|AG|Holdings)\b)"


@functools.lru_cache(maxsize=64)
def _alternation(words: frozenset[str] | tuple[str, ...]) -> str:
    """A regex alternation of literal words, longest first so the longest wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _slug(expr: pl.Expr) -> pl.Expr:
    """Lowercase ASCII words joined by '-': `Bashar al-Assad` -> `bashar-al-assad`."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", "-")
        .str.strip_chars("-")
    )


def _ascii_pattern(pattern: str) -> str:
    """pattern for ASCII-only text: Unicode classes and word boundaries as their ASCII halves.

    On an ASCII haystack both match the same, and the ASCII form runs a hundred times faster
    (the Unicode classes make the regex engine give up its DFA on these patterns).
    """
    for unicode, ascii_only in (
        (r"\p{Lu}", "A-Z"),
        (r"\p{Ll}", "a-z"),
        (r"\p{L}", "A-Za-z"),
        (r"\p{N}", "0-9"),
    ):
        # Inside a class the range is spliced in; outside it becomes a class of its own.
        pattern = re.sub(
            rf"(\[[^\]]*?){re.escape(unicode)}", lambda m, r=ascii_only: m.group(1) + r, pattern
        )
        pattern = pattern.replace(unicode, f"[{ascii_only}]")
    return pattern.replace(r"\b", r"(?-u:\b)")


def _is_ascii(text: pl.Expr) -> pl.Expr:
    return text.str.len_bytes() == text.str.len_chars()


def _by_ascii(text: pl.Expr, apply: Callable[[pl.Expr, str], pl.Expr], pattern: str) -> pl.Expr:
    """apply(text, pattern) per row, with pattern's ASCII form on ASCII-only rows."""
    return pl.coalesce(
        apply(pl.when(_is_ascii(text)).then(text), _ascii_pattern(pattern)),
        apply(pl.when(~_is_ascii(text)).then(text), pattern),
    )


def regex_spans(
    sentences: pl.LazyFrame, pattern: str, prefilter: pl.Expr | None = None
) -> pl.LazyFrame:
    """One row per match of pattern in each sentence, with its named groups and the character
    offsets of its `name` group; a `tail` group, if any, is text matched after the name.

    polars' extract_all gives no offsets, so every match is extracted together with the text
    before it (`.*?`): the chunks tile the sentence, and their running length is an offset.
    The groups are then read from the end of each chunk.
    prefilter, true for every sentence with a match, skips the others early.
    """
    chunked = rf"(?s).*?{pattern}"
    names = re.findall(r"\(\?P<(\w+)>", pattern)
    # A chunk ends with its match, which starts at the leftmost place where pattern matches
    # up to the chunk's end: anchored at the end, the regex engine finds the same match (and
    # the same groups) several times faster than by rescanning the chunk from its start.
    groups = _by_ascii(
        pl.col("chunk"), lambda text, p: text.str.extract_groups(p), f"(?s){pattern}$"
    )
    # A chunk's end in its sentence: the running length over all chunks of the batch, less
    # the running length before its sentence's first chunk (cheaper than a list.eval per row).
    length = pl.col("chunk").str.len_chars().cast(pl.Int64)
    running = length.cum_sum()
    is_first = pl.col("_sentence").ne_missing(pl.col("_sentence").shift(1))
    if prefilter is not None:
        sentences = sentences.filter(prefilter)
    return (
        sentences.select(
            *_KEY,
            "start_char",
            _by_ascii(pl.col("sentence"), lambda text, p: text.str.extract_all(p), chunked).alias(
                "chunk"
            ),
        )
        .with_row_index("_sentence")
        .explode("chunk")
        .filter(pl.col("chunk").is_not_null())
        .with_columns(
            (running - pl.when(is_first).then(running - length).forward_fill()).alias("chunk_end")
        )
        # The groups as one column first: polars would run the regex once per field read.
        .with_columns(groups.alias("_groups"))
        .with_columns(*(pl.col("_groups").struct.field(n).alias(n) for n in names))
        .with_columns(
            (
                pl.col("start_char")
                + pl.col("chunk_end")
                - (pl.col("tail").fill_null("").str.len_chars() if "tail" in names else 0)
            ).alias("end_char")
        )
        .with_columns(
            (pl.col("end_char") - pl.col("name").str.len_chars().cast(pl.Int64)).alias("start_char")
        )
        .drop(
            "_sentence", "chunk", "chunk_end", "_groups", *([] if "tail" not in names else ["tail"])
        )
    )


def _trim_name(spans: pl.LazyFrame, stopwords: frozenset[str], *, leading: bool) -> pl.LazyFrame:
    """Names cut before their first stop word (and, with leading, stripped of stop words in
    front), offsets moved to match; names left empty are dropped."""
    stop = _alternation(stopwords)
    name = pl.col("name")
    if leading:
        stripped = name.str.replace(rf"^(?:(?:{stop}) +)+", "")
        spans = spans.with_columns(
            (pl.col("start_char") + name.str.len_chars() - stripped.str.len_chars()).alias(
                "start_char"
            ),
            stripped.alias("name"),
        )
    # Kept: the text before the leftmost stop word. Anchored, with that text as a lazy group,
    # the regex engine runs several times faster than searching for the stop word unanchored.
    cut = name.str.replace(rf"^((?s:.*?))(?:^| +)(?:{stop})(?:[^\p{{L}}\p{{N}}].*)?$", "${1}")
    return (
        spans.with_columns(cut.alias("name"))
        .with_columns(
            (pl.col("start_char") + name.str.len_chars().cast(pl.Int64)).alias("end_char")
        )
        .filter(name.str.len_chars() > 0)
    )


def _has(pattern: str) -> pl.Expr:
    """True for sentences with a match of pattern."""
    return pl.col("sentence").str.contains(pattern)


def _words(expr: pl.Expr) -> pl.Expr:
    return expr.str.split(" ")


class _Rules(NamedTuple):
    """What the entity passes derive from a gazetteer, derived once rather than per batch."""

    qualifiers: pl.DataFrame  # surface -> qualifier_code, country names and demonyms
    qualifier: str  # regex alternation of the qualifiers
    country_words: pl.Series  # names, capitals and demonyms: never a surname alone
    qualifier_words: pl.Series  # names and demonyms: never inside an appositive name
    heads: str
    modifiers: str
    stop: pl.Series
    given: pl.Series
    # `<given name> ` as a regex alternation: a sentence without one has no name run. Literal
    # alternations, here and in bodies, filter twice as fast as str.contains_any.
    given_prefixes: str
    run_stop: frozenset[str]  # what ends or leads a name run
    not_person: pl.Series
    bodies: str
    family_first: pl.Series
    surfaces: pl.DataFrame  # every gazetteer surface, as `name`


def _rules(gazetteer: Gazetteer) -> _Rules:
    return by_identity("entity rules", (gazetteer,), lambda: _build_rules(gazetteer))


def _build_rules(gazetteer: Gazetteer) -> _Rules:
    forms = gazetteer.surface_forms
    qualifiers = forms.filter(pl.col("mention_kind").is_in(["name", "demonym"])).select(
        "surface", pl.col("country_code").alias("qualifier_code")
    )
    given = sorted(gazetteer.given_names)
    rules = _Rules(
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
        qualifier_words=pl.Series(sorted(qualifiers.get_column("surface")), dtype=pl.String),
        heads=_alternation(gazetteer.title_heads),
        modifiers=_alternation(gazetteer.title_modifiers),
        stop=pl.Series(sorted(gazetteer.name_stopwords), dtype=pl.String),
        given=pl.Series(given, dtype=pl.String),
        given_prefixes=_alternation(tuple(f"{name} " for name in given)),
        run_stop=frozenset(
            gazetteer.name_stopwords | set(gazetteer.title_modifiers) | _title_words(gazetteer)
        ),
        not_person=pl.Series(sorted(_NOT_PERSON_WORDS), dtype=pl.String),
        bodies=_alternation(gazetteer.government_bodies),
        family_first=pl.Series(sorted(gazetteer.family_name_first), dtype=pl.String),
        surfaces=forms.select(pl.col("surface").alias("name")).unique(),
    )
    return rules


def person_candidates(
    sentences: pl.LazyFrame, gazetteer: Gazetteer, qualifiers: pl.DataFrame
) -> pl.LazyFrame:
    """Person spans from titles, appositives and given names: name, qualifier, priority."""
    rules = _rules(gazetteer)
    qualifier = _alternation(tuple(qualifiers.get_column("surface")))
    heads, modifiers = rules.heads, rules.modifiers
    country_words = qualifiers.get_column("surface")

    titled = regex_spans(
        sentences,
        rf"(?:(?:former|then) +)?(?:(?P<qualifier>{qualifier})(?:['’]s)? +)?"
        rf"(?:(?:former|then|acting) +)?(?:(?:{modifiers}) +){{0,3}}(?:{heads})"
        rf"(?: +to +(?:the +)?(?:{qualifier}))? +(?P<name>{_NAME})\b",
        prefilter=_has(rf"(?:{heads}) +(?:to +|{_PARTICLE}-|\p{{Lu}})"),
    )
    titled = _trim_name(titled, gazetteer.name_stopwords, leading=False).with_columns(
        pl.lit(0).alias("priority")
    )

    appositive = regex_spans(
        sentences,
        rf"(?P<name>{_NAME_WORD}{_NAME_TAIL}{{1,3}})(?P<tail>, +(?:(?:a|an|the) +)?"
        rf"(?:(?:{_ROLE_MODIFIERS}) +){{0,3}}(?:{_ROLE_WORDS})\b)",
        prefilter=_has(
            rf", +(?:(?:a|an|the) +)?(?:(?:{_ROLE_MODIFIERS}) +){{0,3}}(?:{_ROLE_WORDS})\b"
        ),
    )
    appositive = appositive.filter(
        ~_words(pl.col("name")).list.eval(pl.element().is_in(rules.stop.implode())).list.any()
        & ~_words(pl.col("name")).list.eval(pl.element().is_in(country_words.implode())).list.any()
    ).with_columns(pl.lit(None, dtype=pl.String).alias("qualifier"), pl.lit(1).alias("priority"))

    # A kept run starts with a given name followed by another word, so by `<given name> `.
    runs = regex_spans(
        sentences,
        rf"(?P<name>(?:{_PARTICLE}-)?{_NAME_WORD}{_NAME_TAIL}{{1,4}})\b",
        prefilter=_has(rules.given_prefixes),
    )
    runs = _trim_name(runs, rules.run_stop, leading=True)
    runs = runs.filter(
        _words(pl.col("name")).list.first().is_in(rules.given.implode())
        & (_words(pl.col("name")).list.len() >= 2)
        & ~_words(pl.col("name"))
        .list.eval(pl.element().is_in(rules.not_person.implode()))
        .list.any()
    ).with_columns(pl.lit(None, dtype=pl.String).alias("qualifier"), pl.lit(2).alias("priority"))

    # A name that is itself a gazetteer surface (`North Korea`, `New York`) is not a person.
    surfaces = rules.surfaces.lazy()
    return (
        pl.concat(
            [
                frame.select(*_KEY, "start_char", "end_char", "name", "qualifier", "priority")
                for frame in (titled, appositive, runs)
            ]
        )
        .join(surfaces, on="name", how="anti")
        .with_columns(pl.lit("person").alias("entity_type"))
    )


def _title_words(gazetteer: Gazetteer) -> set[str]:
    """Single capitalised words of titles (`President`, `Mr.` without its dot excluded)."""
    return {w for t in gazetteer.title_heads for w in t.split(" ") if w[:1].isupper()}


def organization_candidates(
    sentences: pl.LazyFrame, gazetteer: Gazetteer, qualifiers: pl.DataFrame
) -> pl.LazyFrame:
    """Government bodies (qualified in the article) and companies (by suffix)."""
    qualifier = _alternation(tuple(qualifiers.get_column("surface")))
    body_names = _rules(gazetteer).bodies
    bodies = regex_spans(
        sentences,
        rf"(?:(?P<qualifier>{qualifier})(?:['’]s)? +)?(?P<name>{body_names})\b",
        prefilter=_has(body_names),
    )
    bodies = (
        bodies.join(qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
        .sort("article_id", "start_char")
        .with_columns(
            pl.col("qualifier_code")
            .forward_fill()
            .backward_fill()
            .over("article_id", "name")
            .alias("qualifier_code")
        )
        .filter(pl.col("qualifier_code").is_not_null())
        .join(
            gazetteer.countries.lazy().select(
                pl.col("country_code").alias("qualifier_code"), pl.col("name").alias("country_name")
            ),
            on="qualifier_code",
            how="left",
        )
        .with_columns(
            pl.concat_str(
                pl.lit("org:"),
                pl.col("qualifier_code").str.to_lowercase(),
                pl.lit("-"),
                _slug(pl.col("name")),
            ).alias("entity_id"),
            pl.concat_str(pl.col("country_name"), pl.lit(" "), pl.col("name")).alias("entity_name"),
            pl.lit(3).alias("priority"),
        )
    )
    companies = regex_spans(
        sentences,
        rf"(?:(?P<qualifier>{qualifier})(?:['’]s)? +(?:\p{{Ll}}+ +){{1,2}})?"
        rf"(?P<name>{_COMPANY_WORD}(?: +(?:&|and|{_COMPANY_WORD})){{0,4}} +{_COMPANY_SUFFIX})",
        prefilter=_has(rf" {_COMPANY_SUFFIX}"),
    )
    companies = (
        _trim_name_leading_only(companies, gazetteer.name_stopwords)
        .filter(pl.col("name").str.contains(r" "))
        .join(qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
        .with_columns(
            pl.col("qualifier_code")
            .drop_nulls()
            .first()
            .over("article_id", "name")
            .alias("qualifier_code"),
            pl.concat_str(pl.lit("org:"), _slug(pl.col("name"))).alias("entity_id"),
            pl.col("name").alias("entity_name"),
            pl.lit(1).alias("priority"),
        )
    )
    columns = [*_KEY, "start_char", "end_char", "name", "qualifier_code", "entity_id",
               "entity_name", "priority"]  # fmt: skip
    return pl.concat([bodies.select(columns), companies.select(columns)]).with_columns(
        pl.lit("organization").alias("entity_type")
    )


def _trim_name_leading_only(spans: pl.LazyFrame, stopwords: frozenset[str]) -> pl.LazyFrame:
    stop = _alternation(stopwords)
    stripped = pl.col("name").str.replace(rf"^(?:(?:{stop}) +)+", "")
    return spans.with_columns(
        (pl.col("start_char") + pl.col("name").str.len_chars() - stripped.str.len_chars()).alias(
            "start_char"
        ),
        stripped.alias("name"),
    )


def _article_lift() -> tuple[pl.Expr, pl.Expr]:
    """(lift, limit) on rows sorted by article_id: limit is above every offset in the frame,
    lift is each row's article number times limit.

    Added to offsets, lift puts each article's values above every earlier article's, so a
    running max (or a reverse running min) over the whole frame never crosses into another
    article: the same as `.over("article_id")`, without a window's group-by and scatter.
    Sized from the data, lifted values stay below articles x (longest article + 2), far inside
    an Int64 (a fixed 2**40 would wrap, silently, past 2**23 articles in one frame).
    """
    limit = pl.col("end_char").max().cast(pl.Int64) + 2
    return pl.col("article_id").rle_id().cast(pl.Int64) * limit, limit


def _drop_overlapping(spans: pl.LazyFrame, stronger: pl.LazyFrame) -> pl.LazyFrame:
    """Spans that overlap none of the stronger spans of their article.

    One sort instead of a pairwise join: a span clashes when a stronger span sorted before it
    ends after its start, or the next stronger span starts before its end.
    """
    columns = spans.collect_schema().names()
    is_strong = pl.col("_is_strong")
    start, end = pl.col("start_char"), pl.col("end_char")
    # Per article, via _article_lift: the furthest end of the stronger spans so far (stored
    # plus one, so that 0 can stand for none yet: -1 after decoding), and the nearest start of
    # the stronger spans still to come (limit - 1 for none).
    lift, limit = _article_lift()
    strong_end = pl.when(is_strong).then(end + 1).otherwise(0)
    strong_start = pl.when(is_strong).then(start).otherwise(limit - 1)
    return (
        pl.concat(
            [
                spans.with_columns(pl.lit(False).alias("_is_strong")),
                stronger.select("article_id", "start_char", "end_char").with_columns(
                    pl.lit(True).alias("_is_strong")
                ),
            ],
            how="diagonal",
        )
        .sort("article_id", "start_char", "_is_strong", descending=[False, False, True])
        .with_columns(
            ((lift + strong_end).cum_max() - lift - 1).alias("_strong_end"),
            ((lift + strong_start).cum_min(reverse=True) - lift).alias("_next_strong_start"),
        )
        .filter(
            ~is_strong & (pl.col("_strong_end") <= start) & (pl.col("_next_strong_start") >= end)
        )
        .select(columns)
    )


def _leftmost_longest(spans: pl.LazyFrame) -> pl.LazyFrame:
    """Non-overlapping spans: at each start the longest (then lowest priority) wins, and a span
    starting inside an earlier one is dropped."""
    # An appositive and a company can tie on span and priority (`Unimedia Inc, chairman`):
    # the organisation wins, every run, rather than whichever row the sort left first.
    tiebreak = ["entity_type"] if "entity_type" in spans.collect_schema().names() else []
    lift, _ = _article_lift()
    return (
        spans.sort(
            "article_id",
            "start_char",
            "end_char",
            "priority",
            *tiebreak,
            descending=[False, False, True, False, *(False for _ in tiebreak)],
        )
        # The furthest end so far in the article (via _article_lift); below zero on an
        # article's first row, where the row before belongs to an earlier article.
        .with_columns(((lift + pl.col("end_char")).cum_max().shift(1) - lift).alias("previous_end"))
        .filter(pl.col("previous_end").is_null() | (pl.col("start_char") >= pl.col("previous_end")))
        .drop("previous_end")
    )


def _context_rules(mentions: pl.LazyFrame, sentences: pl.LazyFrame) -> pl.LazyFrame:
    """Georgia next to a US place is the US state; `Washington state` is the US state."""
    local_end = pl.col("end_char") - pl.col("sentence_start")
    us_place = (
        ((pl.col("entity_type") == "place") & (pl.col("country_code") == "US")).any().over(_KEY)
    )
    # Only a sentence with ` state` in it can hold `Washington state`: the join reads just those
    # (3,300 of Reuters' 145,000 sentences); other mentions get a null sentence, so no match.
    state_sentences = sentences.filter(pl.col("sentence").str.contains(" state", literal=True))
    is_state = pl.col("_is_georgia_state") | pl.col("_is_washington_state")
    return (
        mentions.join(
            state_sentences.select(*_KEY, pl.col("start_char").alias("sentence_start"), "sentence"),
            on=_KEY,
            how="left",
        )
        # Flags as columns, computed once: inside each when() below, polars would evaluate the
        # window three times.
        .with_columns(
            (
                (pl.col("entity_id") == "country:GE") & (pl.col("surface") == "Georgia") & us_place
            ).alias("_is_georgia_state"),
            (
                (pl.col("surface") == "Washington")
                & (pl.col("sentence").str.slice(local_end, 6) == " state").fill_null(False)
            ).alias("_is_washington_state"),
        )
        .with_columns(
            pl.when(pl.col("_is_georgia_state"))
            .then(pl.lit("place:US-GA"))
            .when(pl.col("_is_washington_state"))
            .then(pl.lit("place:US-WA"))
            .otherwise(pl.col("entity_id"))
            .alias("entity_id"),
            pl.when(is_state)
            .then(pl.lit("place"))
            .otherwise(pl.col("mention_kind"))
            .alias("mention_kind"),
            pl.when(is_state)
            .then(pl.lit("US"))
            .otherwise(pl.col("country_code"))
            .alias("country_code"),
        )
        .with_columns(
            pl.when(pl.col("mention_kind") == "place")
            .then(pl.lit("place"))
            .otherwise(pl.col("entity_type"))
            .alias("entity_type")
        )
        .select(list(MENTION_SCHEMA))
    )


def find_entities(
    sentences: pl.LazyFrame, mentions: pl.LazyFrame, gazetteer: Gazetteer
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Mentions with people and organisations added (and the country or place mentions inside
    them removed), and each article's evidence of the people, organisations and context places
    it mentions (EVIDENCE_SCHEMA)."""
    rules = _rules(gazetteer)
    qualifiers, country_words = rules.qualifiers, rules.country_words
    mixed = sentences.select(*_KEY, "start_char", "sentence").filter(
        ~is_all_caps(pl.col("sentence"))
    )
    people = person_candidates(mixed, gazetteer, qualifiers).join(
        qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left"
    )
    orgs = organization_candidates(mixed, gazetteer, qualifiers)
    # The regex passes are the costly part: run them once, together, and reuse the results.
    # The gazetteer mentions too: every later step reads them, and a lazy plan would rerun the
    # Aho-Corasick pass for each reader.
    people, orgs, mentions = (
        frame.lazy()
        for frame in pl.collect_all(
            [
                people.with_columns(
                    pl.lit(None, dtype=pl.String).alias("entity_id"),
                    pl.lit(None, dtype=pl.String).alias("entity_name"),
                ),
                orgs,
                mentions,
            ],
            engine=ENGINE,
        )
    )
    curated_orgs = mentions.filter(pl.col("entity_type") == "organization")
    candidates = _leftmost_longest(
        _drop_overlapping(pl.concat([people, orgs], how="diagonal"), curated_orgs)
    )
    people = candidates.filter(pl.col("entity_type") == "person").drop(
        "entity_id", "entity_name", "entity_type"
    )
    orgs = candidates.filter(pl.col("entity_type") == "organization")

    # People of each article: full names, their country (first one the article gives), and the
    # short form that later mentions use.
    family_first = rules.family_first
    words = _words(pl.col("name"))
    # A person of an article: a full name, or a titled single word (`King Salman`) that is
    # nobody's short form; its country is the first one the article gives it.
    named = (
        people.sort("article_id", "start_char")
        .group_by("article_id", "name", maintain_order=True)
        .agg(
            pl.col("start_char").min().alias("first_start"),
            pl.col("qualifier_code").drop_nulls().first().alias("person_country"),
        )
        .with_columns((words.list.len() == 1).alias("is_single"))
    )
    last = words.list.last()
    short_forms = (
        pl.concat(
            [
                named.with_columns(
                    pl.when(
                        words.list.first().is_in(family_first.implode()) & ~last.str.contains("-")
                    )
                    .then(words.list.first())
                    .otherwise(last)
                    .alias("short")
                ),
                named.with_columns(last.str.replace(rf"^{_PARTICLE}-", "").alias("short")),
            ]
        )
        .filter(
            ~pl.col("short").is_in(country_words.implode()) & (pl.col("short").str.len_chars() >= 2)
        )
        .sort("article_id", "is_single", "first_start")
        .unique(["article_id", "short"], keep="first", maintain_order=True)
        .select("article_id", "short", pl.col("name").alias("full_name"), "person_country")
    )
    # Materialised: the final plans read each of these several times.
    candidates, named, short_forms = (
        frame.lazy() for frame in pl.collect_all([candidates, named, short_forms], engine=ENGINE)
    )
    people = candidates.filter(pl.col("entity_type") == "person").drop(
        "entity_id", "entity_name", "entity_type"
    )
    orgs = candidates.filter(pl.col("entity_type") == "organization")
    # Later mentions by short form: only sentences containing one of the batch's short forms
    # can have one, so the capitalised-word pass reads just those.
    shorts = short_forms.select("short").unique().collect(engine=ENGINE).get_column("short")
    words_found = capitalised_words(
        mixed.filter(pl.col("sentence").str.contains_any(shorts.to_list()))
        if shorts.len()
        else mixed.filter(pl.lit(False))
    )
    full_names = named.filter(~pl.col("is_single")).select(
        "article_id", pl.col("name").alias("full_name"), "person_country"
    )
    person_mentions = pl.concat(
        [
            people.filter(words.list.len() >= 2)
            .select(*_KEY, "start_char", "end_char", pl.col("name").alias("full_name"))
            .join(full_names, on=["article_id", "full_name"]),
            words_found.join(short_forms, on=["article_id", "short"]).drop("short"),
        ]
    ).rename({"person_country": "country_code"})
    person_mentions = _leftmost_longest(
        _drop_overlapping(
            person_mentions.with_columns(pl.lit(0).alias("priority")),
            pl.concat(
                [
                    curated_orgs.select("article_id", "start_char", "end_char"),
                    orgs.select("article_id", "start_char", "end_char"),
                ]
            ),
        )
    ).with_columns(
        pl.concat_str(pl.lit("person:"), _slug(pl.col("full_name"))).alias("entity_id"),
        pl.lit("person").alias("entity_type"),
        pl.lit("person").alias("mention_kind"),
    )
    # Materialised: the mentions plan reads it twice (as new mentions, and as spans that hide
    # the gazetteer mentions under them) and the entities plan once. Each reader projects other
    # columns, so polars shares no subplan and would run the capitalised-word pass three times.
    person_mentions = person_mentions.collect(engine=ENGINE).lazy()

    text = sentences.select(*_KEY, pl.col("start_char").alias("sentence_start"), "sentence")
    surface = pl.col("sentence").str.slice(
        pl.col("start_char") - pl.col("sentence_start"), pl.col("end_char") - pl.col("start_char")
    )
    new_mentions = pl.concat(
        [
            person_mentions.select(*_KEY, "start_char", "end_char", "entity_id", "entity_type",
                                   "mention_kind", "country_code"),
            orgs.select(*_KEY, "start_char", "end_char", "entity_id", "entity_type",
                        pl.lit("organization").alias("mention_kind"),
                        pl.col("qualifier_code").alias("country_code")),
        ]
    ).join(text, on=_KEY).with_columns(surface.alias("surface"))  # fmt: skip
    kept = _drop_overlapping(mentions.filter(pl.col("entity_type") != "organization"), new_mentions)
    all_mentions = (
        pl.concat(
            [
                _context_rules(kept, sentences),
                curated_orgs,
                new_mentions.select(list(MENTION_SCHEMA)),
            ]
        )
        .sort("article_id", "start_char")
        .select(list(MENTION_SCHEMA))
    )

    entity_rows = pl.concat(
        [
            person_mentions.select("entity_id", pl.col("full_name").alias("name"),
                                   "country_code", "article_id", "start_char"),
            orgs.select("entity_id", pl.col("entity_name").alias("name"),
                        pl.col("qualifier_code").alias("country_code"), "article_id", "start_char"),
            curated_orgs.join(gazetteer.organizations.lazy().select("entity_id", "name").unique(
                "entity_id"), on="entity_id").select("entity_id", "name", "country_code",
                                                     "article_id", "start_char"),
        ]
    )  # fmt: skip
    # What each article says of each entity (warehouse/db.py turns all articles' evidence
    # into the entities table), and the two context places, whose name is fixed.
    places = all_mentions.filter(pl.col("entity_id").is_in(["place:US-GA", "place:US-WA"])).select(
        "entity_id",
        pl.col("entity_id")
        .replace({"place:US-GA": "Georgia", "place:US-WA": "Washington"})
        .alias("name"),
        "country_code",
        "article_id",
        "start_char",
    )
    evidence = (
        pl.concat([entity_rows, places])
        .group_by("article_id", "entity_id", "name", "country_code")
        .agg(pl.len().cast(pl.Int32).alias("mention_count"))
        .with_columns(
            pl.when(pl.col("entity_id").str.starts_with("person:"))
            .then(pl.lit("person"))
            .when(pl.col("entity_id").str.starts_with("place:"))
            .then(pl.lit("place"))
            .otherwise(pl.lit("organization"))
            .alias("entity_type")
        )
        .sort("article_id", "entity_id", "name", "country_code", nulls_last=True)
        .select(list(EVIDENCE_SCHEMA))
    )
    return all_mentions, evidence.cast(EVIDENCE_SCHEMA)


def capitalised_words(sentences: pl.LazyFrame) -> pl.LazyFrame:
    """Every capitalised word (`Kishida`, `al-Assad`) with its offsets, as column short."""
    return regex_spans(sentences, rf"(?P<name>(?:{_PARTICLE}-)?{_NAME_WORD})\b").select(
        *_KEY, "start_char", "end_char", pl.col("name").alias("short")
    )
