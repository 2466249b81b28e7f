"""The people pass: person spans from titles, appositives and given names."""

from __future__ import annotations

import polars as pl

from gazetteer import Gazetteer
from transforms.entities.patterns import (
    _KEY,
    _NAME,
    _NAME_TAIL,
    _NAME_WORD,
    _PARTICLE,
    _ROLE_MODIFIERS,
    _ROLE_WORDS,
    _alternation,
    _has,
    _only,
    _strip_leading,
    _trim_name,
    _without,
    _words,
    regex_spans,
)
from transforms.entities.rules import _Rules, _rules

_COLUMNS = ["start_char", "end_char", "name", "qualifier", "priority", "fixed_code", "is_office"]


def person_candidates(sentences: pl.LazyFrame, gazetteer: Gazetteer) -> pl.LazyFrame:
    """Person spans from titles, appositives and given names: name, qualifier (the country word
    before a title), its qualifier_code, is_office (a title of office with no country word:
    a national agency's copy gives it the agency's country), and priority (0 titled,
    1 appositive, 2 given name)."""
    rules = _rules(gazetteer)
    # A name that is itself a gazetteer surface (`North Korea`, `New York`) is not a person.
    return (
        pl.concat(
            [
                frame.select(*_KEY, *_COLUMNS)
                for frame in (
                    _titled(sentences, rules, gazetteer.name_stopwords),
                    _state_legislators(sentences, rules, gazetteer.name_stopwords),
                    _appositives(sentences, rules),
                    _given_name_runs(sentences, rules),
                    _initialled_names(sentences, rules),
                )
            ]
        )
        .join(rules.surfaces.lazy(), on="name", how="anti")
        .with_columns(pl.lit("person").alias("entity_type"))
        .join(rules.qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
        .with_columns(pl.coalesce("qualifier_code", "fixed_code").alias("qualifier_code"))
        .drop("fixed_code")
    )


def state_mentions(sentences: pl.LazyFrame, gazetteer: Gazetteer) -> pl.LazyFrame:
    """The US state before a state legislator's title (`Georgia` in `Georgia state Sen. X`) as
    a mention of the state (MENTION_SCHEMA): the place, never the country of the same name."""
    rules = _rules(gazetteer)
    state_end = pl.col("start_char") - pl.col("between").str.len_chars().cast(pl.Int64)
    return (
        _legislator_matches(sentences, rules, gazetteer.name_stopwords)
        .filter(pl.col("state").is_not_null())
        .with_columns(
            (state_end - pl.col("state").str.len_chars().cast(pl.Int64)).alias("start_char"),
            state_end.alias("end_char"),
        )
        .join(rules.us_states.lazy(), left_on="state", right_on="surface")
        .select(
            *_KEY,
            "start_char",
            "end_char",
            pl.col("state").alias("surface"),
            "entity_id",
            pl.lit("place").alias("entity_type"),
            pl.lit("place").alias("mention_kind"),
            pl.lit("US").alias("country_code"),
        )
    )


# Titles of US state legislators and state officials, after the word `state` (AP style).
_STATE_TITLES = (
    r"Sen\.|Rep\.|Del\.|Senator|Representative|Assemblyman|Assemblywoman|Delegate"
    r"|Attorney General|Treasurer|Comptroller|Auditor|Superintendent|senator|representative"
    r"|lawmaker|legislator|attorney general|treasurer"
)


def _legislator_matches(
    sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]
) -> pl.LazyFrame:
    """Names after `state Sen.` and the like, with the US state named before it (or null) and
    the text between the state and the name (column between)."""
    matches = regex_spans(
        sentences,
        rf"(?:(?P<state>{rules.us_state})(?P<between> +state +(?:{_STATE_TITLES}) +)|"
        rf"\bstate +(?:{_STATE_TITLES}) +)(?P<name>{_NAME})\b",
        prefilter=_has(rf"state +(?:{_STATE_TITLES}) +\p{{Lu}}"),
    )
    return _trim_name(matches, stopwords, leading=False)


def _state_legislators(
    sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]
) -> pl.LazyFrame:
    """State legislators (`Georgia state Sen. Raymond L. Pruitt`): US people when a US state
    is named before the title, of no stated country otherwise."""
    return _legislator_matches(sentences, rules, stopwords).with_columns(
        pl.lit(None, dtype=pl.String).alias("qualifier"),
        pl.lit(0).alias("priority"),
        pl.when(pl.col("state").is_not_null()).then(pl.lit("US")).alias("fixed_code"),
        pl.lit(False).alias("is_office"),
    )


def _titled(sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]) -> pl.LazyFrame:
    """Names after a title (`Chinese President Xi Jinping`), with the country word before it."""
    qualifier, heads, modifiers = rules.qualifier, rules.heads, rules.modifiers
    title = (
        rf"(?:(?:former|then|acting) +)?(?:(?:{modifiers}) +){{0,3}}"
        rf"(?P<head>{heads})(?: +to +(?:the +)?(?:{qualifier}))? +"
    )
    titled = regex_spans(
        sentences,
        rf"(?P<title>(?:(?:former|then) +)?(?:(?P<state>state +)|(?P<qualifier>{qualifier})"
        rf"(?:['’]s)? +)?{title})(?P<name>{_NAME})\b",
        prefilter=_has(rf"(?:{heads}) +(?:to +|{_PARTICLE}-|\p{{Lu}})"),
        search=rf"{title}{_NAME}\b".replace("(?P<head>", "(?:"),
    )
    # A title of office with no country word: not a courtesy title, not a state office, and
    # not the title of an organisation's officer (`U.N. Secretary General`, `Sony Chairman`).
    is_office = (
        pl.col("qualifier").is_null()
        & pl.col("state").is_null()
        & ~pl.col("head").is_in(rules.non_office.implode())
        & ~_capitalised_before(pl.col("start_char") - pl.col("title").str.len_chars(), rules.stop)
    )
    text = sentences.select(*_KEY, pl.col("start_char").alias("sentence_start"), "sentence")
    titled = titled.join(text, on=_KEY)
    # `state Sen. X` is left to _state_legislators, which reads the US state before it.
    state_title = pl.col("state").is_not_null() & pl.col("head").str.contains(
        rf"^(?:{_STATE_TITLES})$"
    )
    return (_trim_name(titled.filter(~state_title), stopwords, leading=False)).with_columns(
        pl.lit(0).alias("priority"),
        pl.lit(None, dtype=pl.String).alias("fixed_code"),
        is_office.alias("is_office"),
    )


def _capitalised_before(start: pl.Expr, stopwords: pl.Series) -> pl.Expr:
    """Whether the word before offset start in its sentence is capitalised, and not a stop
    word opening the sentence (`The`): a name the title belongs to (`U.N.` in `U.N.
    Secretary General`, `Sony` in `Sony Chairman`, `Conservative` in `Conservative leader`)."""
    before = pl.col("sentence").str.slice(0, start - pl.col("sentence_start"))
    word = before.str.extract(r"(\S+)\s+$")
    opens = before.str.contains(r"^\s*\S+\s+$")
    # A comma or a quote ends a phrase: `In Tokyo, Finance Minister X` is a bare title.
    return word.str.contains(r"^\p{Lu}.*[^,;:!?\"'”)]$").fill_null(False) & ~(
        opens & word.str.strip_chars_end(".,").is_in(stopwords.implode())
    )


def _appositives(sentences: pl.LazyFrame, rules: _Rules) -> pl.LazyFrame:
    """Names followed by a role (`Federica Mogherini, high representative`), unless a word of
    the name is a stop word or a country name or demonym."""
    role = rf", +(?:(?:a|an|the) +)?(?:(?:{_ROLE_MODIFIERS}) +){{0,3}}(?:{_ROLE_WORDS})\b"
    appositive = regex_spans(
        sentences,
        rf"(?P<name>{_NAME_WORD}{_NAME_TAIL}{{1,3}})(?P<tail>{role})",
        prefilter=_has(role),
    )
    words = _words(pl.col("name"))
    return appositive.filter(
        ~words.list.eval(pl.element().is_in(rules.stop.implode())).list.any()
        & ~words.list.eval(pl.element().is_in(rules.qualifier_words.implode())).list.any()
    ).with_columns(pl.lit(None, dtype=pl.String).alias("qualifier"), pl.lit(1).alias("priority"),
                   *_untitled())  # fmt: skip


def _given_name_runs(sentences: pl.LazyFrame, rules: _Rules) -> pl.LazyFrame:
    """Runs of two to four name words that start with a given name and hold no word of a
    company or place (`Bank`, `Street`)."""
    # No prefilter: the pattern runs as fast over all sentences as over those with a given name
    # (an Aho-Corasick pass over twenty thousand names, built again for every batch).
    runs = regex_spans(sentences, rf"(?:{_PARTICLE}-)?{_NAME_WORD}{_NAME_TAIL}{{1,4}}\b")
    words = _words(pl.col("name"))
    # The given name is tested before the name is cut at its first stop word: the cut keeps
    # the first word whole or leaves nothing, so the test reads the same word, and the cut
    # then reads the eighth of the runs that start with a given name.
    given_first = _only(_strip_leading(runs, rules.run_stop), words.list.first(), rules.given)
    return (
        _trim_name(given_first, rules.run_stop, leading=False)
        .filter(
            (words.list.len() >= 2)
            & ~words.list.eval(pl.element().is_in(rules.not_person.implode())).list.any()
        )
        .with_columns(
            pl.lit(None, dtype=pl.String).alias("qualifier"), pl.lit(2).alias("priority"),
            *_untitled(),
        )
    )  # fmt: skip


def _initialled_names(sentences: pl.LazyFrame, rules: _Rules) -> pl.LazyFrame:
    """Initials and a surname (`S. Waugh`, `J.R. Smith`, as sports results and scorecards
    write players), unless the surname is a country word, stop word or word of a company or
    place (`N. Korea`) or the initials a country (`U.S. Open`); the initials follow no letter or
    dot."""
    runs = regex_spans(
        sentences,
        rf"(?:^|[^\p{{L}}\p{{N}}.'’-])(?P<name>(?:\p{{Lu}}\. ?){{1,2}}{_NAME_WORD})\b",
        prefilter=_has(r"\b\p{Lu}\. ?\p{Lu}\p{Ll}"),
    )
    surname = pl.col("name").str.extract(r"(\S+)$").str.replace(r"^\p{Lu}\.", "")
    initials = pl.col("name").str.extract(r"^((?:\p{Lu}\. ?)+)").str.strip_chars(" ")
    kept = runs.filter(
        ~surname.is_in(rules.country_words.implode())
        & ~surname.is_in(rules.stop.implode())
        & ~surname.is_in(rules.not_person.implode())
    )
    return _without(_without(kept, initials, rules.surfaces), surname, rules.surfaces).with_columns(
        pl.lit(None, dtype=pl.String).alias("qualifier"), pl.lit(2).alias("priority"),
        *_untitled(),
    )  # fmt: skip


def _untitled() -> list[pl.Expr]:
    """The columns of a span found without a title: no fixed country, no office."""
    return [pl.lit(None, dtype=pl.String).alias("fixed_code"), pl.lit(False).alias("is_office")]


def article_agencies(articles: pl.LazyFrame, agencies: pl.DataFrame) -> pl.LazyFrame:
    """One row per article credited to a news agency: article_id, agency and agency_country
    (null for an international agency). The credit is the source line (`Kyodo News`), else
    the dateline (`TOKYO, April 10 Kyodo`, `(AP)`), else a bracketed credit near the start
    (`(Xinhua)`), else a closing `-- Xinhua` or `(AP)`."""
    if agencies.is_empty():
        return articles.select("article_id", *_NO_AGENCY).filter(pl.lit(False))
    surface = _alternation(tuple(agencies.get_column("surface")))
    columns = articles.collect_schema().names()
    text = pl.col("text")
    credits = [
        *([pl.col("source").str.extract(rf"^\s*({surface})(?:\s|$|[,.:-])")]
          if "source" in columns else []),
        *([pl.col("dateline").str.extract(rf"(?:^|[\s(])({surface})\)?\s*$")]
          if "dateline" in columns else []),
        text.str.slice(0, 400).str.extract(rf"\(({surface})\)"),
        text.str.slice(-80).str.extract(rf"(?:--|—|–|\s-|\()\s*({surface})\)?\.?\s*$"),
    ]  # fmt: skip
    credit = pl.coalesce(credits)
    return (
        articles.select("article_id", credit.alias("surface"))
        .join(agencies.lazy(), on="surface")
        .select("article_id", "agency", pl.col("country_code").alias("agency_country"))
    )


_NO_AGENCY = [
    pl.lit(None, dtype=pl.String).alias("agency"),
    pl.lit(None, dtype=pl.String).alias("agency_country"),
]
