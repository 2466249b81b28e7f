"""The sports pass: in sports copy, teams named in results, standings and fixtures are clubs.

Sports wire copy names clubs after their towns and counties (`Surrey 22 points`, `Wigan 2
Hartlepool 1`, `Barcelona beat Porto`), and a club is not a place mention: counted as a place,
every results table would add mentions of the towns of its clubs. A national team is the one
exception: `England beat Moldova` stays two country mentions (docs/annotation-guidelines.md,
metonymy).
"""

from __future__ import annotations

import calendar

import polars as pl

from transforms.entities.organisations import CUED_PRIORITY
from transforms.entities.patterns import (
    _KEY,
    _alternation,
    _named_organization,
    _strip_leading,
    regex_spans,
)

# Words that make an article sports copy when its headline holds one, or when its text holds
# three: the names of sports and the words only sports reporting uses.
SPORTS_WORDS = (
    "soccer|football|cricket|rugby|baseball|basketball|tennis|golf|hockey|athletics|cycling"
    "|boxing|squash|volleyball|handball|motor racing|formula one|grand prix|olympics"
    "|striker|midfielder|goalkeeper|defender|batsman|bowler|wicket|wickets|innings|pitcher"
    "|quarterback|touchdown|home run|penalty shootout|first division|premier league"
)
_IS_HEADLINE = pl.col("sentence_no") == 0  # an article's first sentence is its headline
_INDIVIDUAL_SPORTS = (
    "tennis|golf|boxing|athletics|cycling|squash|motor racing|formula one|grand prix|skiing"
    "|swimming|marathon|badminton|judo|wrestling|chess|snooker|darts"
)
_HEADLINE_SPORTS = rf"(?i)\b(?:{SPORTS_WORDS})\b"
# A team: one to four capitalised words (`Red Star`, `NEW YORK`, `St Johnstone`), optionally
# followed by a short parenthesised tag that tells clubs apart (`Rad ( B )`).
_TEAM_WORD = r"\p{Lu}[\p{L}'’.&-]*"
_TEAM = rf"{_TEAM_WORD}(?: +(?:de +|del +)?{_TEAM_WORD}){{0,3}}"
_TAG = r"(?: +\( ?[\p{Lu}\p{Ll}.]{1,4} ?\))?"
# A score: a number that is not the start of a date (`1996-08-31`), a decimal or a thousand
# (`3,200 yen`).
_SCORE = r"\d{1,3}(?:-\d{1,3})?(?:$|[ ;]|, |\.$|\. )"
# A team is propagated all over its article like a company found by a cue (PROPAGATED_FROM).
TEAM_PRIORITY = CUED_PRIORITY
_CALENDAR = [*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name]
# Words that open a results line without naming a team.
_NOT_TEAM = ["Halftime", "Half-time", "Attendance", "Result", "Results", "Round", "Group",
             "Division", "Points", "Score", "Scores", "Total", "Totals", "Week"]  # fmt: skip
_VERSUS = r"v|vs\.?|beat|drew with|drew|lost to|defeated|edged|routed|thrashed"


def team_articles(sentences: pl.LazyFrame) -> pl.LazyFrame:
    """The article_id of each article of sports copy about teams: a sports word in its headline
    (its first sentence, sentence_no 0) or three in its text, and no sport of individuals in
    its headline (where a name before `beat` or a score is a player, not a team)."""
    text = pl.col("sentence")
    # Only sentences holding a sports word can count: one Aho-Corasick pass finds them. The
    # others are read as empty strings (str.contains reads the text under a null too).
    has_word = text.str.contains_any(SPORTS_WORDS.split("|"), ascii_case_insensitive=True)
    words = pl.when(has_word).then(text).otherwise(pl.lit("")).str.count_matches(_HEADLINE_SPORTS)
    individual = (
        pl.when(_IS_HEADLINE)
        .then(text)
        .otherwise(pl.lit(""))
        .str.contains(rf"(?i)\b(?:{_INDIVIDUAL_SPORTS})\b")
    )
    # One pass and one group-by: the four team patterns read the result, and a plan that
    # joins the sentences with subsets of themselves was run again for each of them.
    return (
        sentences.filter(has_word | _IS_HEADLINE)
        .select("article_id", _IS_HEADLINE.alias("_is_headline"), words.alias("_words"),
                individual.alias("_individual"))
        .group_by("article_id")
        .agg(
            (pl.col("_words").filter(pl.col("_is_headline")).sum() > 0).alias("_headline"),
            (pl.col("_words").sum() >= 3).alias("_text"),
            pl.col("_individual").any().alias("_individual"),
        )
        .filter((pl.col("_headline") | pl.col("_text")) & ~pl.col("_individual"))
        .select("article_id")
    )  # fmt: skip


def team_candidates(
    sentences: pl.LazyFrame,
    country_words: pl.Series,
    surfaces: pl.DataFrame,
    stopwords: frozenset[str],
) -> pl.LazyFrame:
    """Organisation candidates for the teams of sports copy: a name that opens a results or
    standings line or an item of one (`Hajduk 2 Proleter ( Z ) 0`, `Surrey 22 points, Kent
    4`), the name after a score, and a name before or after `beat`, `v`, `drew with`... A
    country name is a national team and stays a country.
    The club takes the country of the place it is named after, when it is one."""
    teams = sentences.join(team_articles(sentences), on="article_id", how="semi")
    found = pl.concat(
        [
            regex_spans(teams, rf"(?:^|[,;] +)(?P<name>{_TEAM})(?P<tail>{_TAG} +{_SCORE})"),
            regex_spans(teams, rf"\b\d{{1,3}} +(?P<name>{_TEAM})(?P<tail>{_TAG} +{_SCORE})"),
            regex_spans(teams, rf"(?P<name>{_TEAM})(?P<tail>{_TAG} +(?:{_VERSUS}) +\p{{Lu}})"),
            regex_spans(teams, rf"\b(?:{_VERSUS}) +(?P<name>{_TEAM})\b"),
        ],
        how="diagonal",
    ).select(*_KEY, "start_char", "end_char", "name")
    # Not a team: a country (a national team), a date (`May 12`), a word such as `Halftime`.
    not_team = pl.Series(
        [*country_words, *stopwords, *_CALENDAR, *_NOT_TEAM], dtype=pl.String
    ).str.to_uppercase()
    return (
        _strip_leading(found, frozenset(["The", "THE"]))
        .filter(
            ~pl.col("name").str.to_uppercase().is_in(not_team.implode())
            # A run with a country in it is its national team (`Korea Republic 2 Japan 1`,
            # `England XI`, `Later England beat Moldova`).
            & ~pl.col("name").str.contains(
                rf"(?:^| )(?:{_alternation(tuple(country_words))})(?: |$)"
            )
            & (pl.col("name").str.len_chars() >= 3)
        )
        .unique([*_KEY, "start_char", "end_char"], maintain_order=True)
        .join(
            surfaces.lazy().select(
                pl.col("surface").alias("name"), pl.col("country_code").alias("qualifier_code")
            ),
            on="name",
            how="left",
        )
        .with_columns(
            *_named_organization(TEAM_PRIORITY),
            pl.lit(None, dtype=pl.String).alias("qualifier"),
            pl.lit("organization").alias("entity_type"),
        )
    )
