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
    _has,
    _trim_name,
    _words,
    regex_spans,
)
from transforms.entities.rules import _Rules, _rules


def person_candidates(sentences: pl.LazyFrame, gazetteer: Gazetteer) -> pl.LazyFrame:
    """Person spans from titles, appositives and given names: name, qualifier (the country word
    before a title), its qualifier_code, and priority (0 titled, 1 appositive, 2 given name)."""
    rules = _rules(gazetteer)
    # A name that is itself a gazetteer surface (`North Korea`, `New York`) is not a person.
    return (
        pl.concat(
            [
                frame.select(*_KEY, "start_char", "end_char", "name", "qualifier", "priority")
                for frame in (
                    _titled(sentences, rules, gazetteer.name_stopwords),
                    _appositives(sentences, rules),
                    _given_name_runs(sentences, rules),
                )
            ]
        )
        .join(rules.surfaces.lazy(), on="name", how="anti")
        .with_columns(pl.lit("person").alias("entity_type"))
        .join(rules.qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
    )


def _titled(sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]) -> pl.LazyFrame:
    """Names after a title (`Chinese President Xi Jinping`), with the country word before it."""
    qualifier, heads, modifiers = rules.qualifier, rules.heads, rules.modifiers
    titled = regex_spans(
        sentences,
        rf"(?:(?:former|then) +)?(?:(?P<qualifier>{qualifier})(?:['’]s)? +)?"
        rf"(?:(?:former|then|acting) +)?(?:(?:{modifiers}) +){{0,3}}(?:{heads})"
        rf"(?: +to +(?:the +)?(?:{qualifier}))? +(?P<name>{_NAME})\b",
        prefilter=_has(rf"(?:{heads}) +(?:to +|{_PARTICLE}-|\p{{Lu}})"),
    )
    return _trim_name(titled, stopwords, leading=False).with_columns(pl.lit(0).alias("priority"))


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
    ).with_columns(pl.lit(None, dtype=pl.String).alias("qualifier"), pl.lit(1).alias("priority"))


def _given_name_runs(sentences: pl.LazyFrame, rules: _Rules) -> pl.LazyFrame:
    """Runs of two to four name words that start with a given name and hold no word of a
    company or place (`Bank`, `Street`)."""
    # A kept run starts with a given name followed by another word, so by `<given name> `.
    runs = regex_spans(
        sentences,
        rf"(?P<name>(?:{_PARTICLE}-)?{_NAME_WORD}{_NAME_TAIL}{{1,4}})\b",
        prefilter=_has(rules.given_prefixes),
    )
    words = _words(pl.col("name"))
    return (
        _trim_name(runs, rules.run_stop, leading=True)
        .filter(
            words.list.first().is_in(rules.given.implode())
            & (words.list.len() >= 2)
            & ~words.list.eval(pl.element().is_in(rules.not_person.implode())).list.any()
        )
        .with_columns(pl.lit(None, dtype=pl.String).alias("qualifier"), pl.lit(2).alias("priority"))
    )
