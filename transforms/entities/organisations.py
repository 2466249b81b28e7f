"""The organisations pass: government bodies qualified by a country, and companies by suffix."""

from __future__ import annotations

import polars as pl

from gazetteer import Gazetteer
from transforms.entities.patterns import (
    _COMPANY_SUFFIX,
    _COMPANY_WORD,
    _KEY,
    _by_plain,
    _has,
    _named_organization,
    _plain_column,
    _reads_only_letter_case,
    _shorten_back,
    _shorten_front,
    _slug,
    _strip_leading,
    _with_flag,
    _without,
    read_back_text,
    regex_spans,
)
from transforms.entities.rules import _Rules, _rules
from transforms.memo import by_identity
from transforms.offsets import exclusive_cum_sum, from_group_start, starts_group

_COLUMNS = [*_KEY, "start_char", "end_char", "name", "qualifier_code", "entity_id",
            "entity_name", "priority"]  # fmt: skip


def organization_candidates(sentences: pl.LazyFrame, gazetteer: Gazetteer) -> pl.LazyFrame:
    """Government bodies (qualified in the article), companies (by suffix and by cue),
    acronyms and named bodies: name, qualifier_code, entity_id, entity_name and priority
    (1 company by suffix, 2 named body, 3 government body, 4 company by cue, 6 acronym)."""
    rules = _rules(gazetteer)
    return pl.concat(
        [
            _government_bodies(sentences, rules, gazetteer.countries).select(_COLUMNS),
            _companies(sentences, rules, gazetteer.name_stopwords).select(_COLUMNS),
            _acronyms(sentences, rules).select(_COLUMNS),
            _named_bodies(sentences, rules, gazetteer.name_stopwords).select(_COLUMNS),
            _cued_companies(sentences, rules, gazetteer.name_stopwords).select(_COLUMNS),
        ]
    ).with_columns(pl.lit("organization").alias("entity_type"))


def _government_bodies(
    sentences: pl.LazyFrame, rules: _Rules, countries: pl.DataFrame
) -> pl.LazyFrame:
    """Government bodies of a country (`Japanese Foreign Ministry`); a bare body takes the
    country that qualifies the same body elsewhere in its article, and with none is dropped."""
    bodies = regex_spans(
        sentences,
        rf"(?:(?P<qualifier>{rules.qualifier})(?:['’]s)? +)?(?P<name>{rules.bodies})\b",
        prefilter=_has(rules.bodies),
        search=rf"(?:{rules.bodies})\b",
    )
    return (
        bodies.join(rules.qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
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
            countries.lazy().select(
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


def _companies(sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]) -> pl.LazyFrame:
    """Capitalised words ending in a company suffix (`Toyota Motor Corp.`); a country word and
    one or two lowercase words before them (`Japanese automaker`) give the country."""
    name = rf"{_COMPANY_WORD}(?: +(?:&|and|{_COMPANY_WORD})){{0,4}} +{_COMPANY_SUFFIX}"
    companies = regex_spans(
        sentences,
        rf"(?:(?P<qualifier>{rules.qualifier})(?:['’]s)? +(?:\p{{Ll}}+ +){{1,2}})?(?P<name>{name})",
        prefilter=_has(rf" {_COMPANY_SUFFIX}"),
        search=name,
    )
    return (
        _split_coordinated(_drop_based(_strip_leading(companies, stopwords)))
        .filter(pl.col("name").str.contains(r" "))
        .join(rules.qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
        .with_columns(
            pl.col("qualifier_code")
            .drop_nulls()
            .first()
            .over("article_id", "name")
            .alias("qualifier_code"),
            *_named_organization(1),
        )
    )


# Words that end (`Kurdistan Democratic Party`, `Federal Reserve`) or open (`Bank of Canada`)
# the name of an organisation.
ORGANIZATION_HEADS = (
    "Party|Department|Ministry|Bank|Reserve|Council|Committee|University|College|Court"
    "|Agency|Exchange|Airlines|Airways|Association|Federation|Organisation|Organization"
    "|Commission|Institute|Authority|Board|Fund|Foundation|Front|Movement|League|Club|Society"
    "|Service|Bureau|Administration|Assembly|Alliance|Union|Congress|Senate|Parliament"
    "|Corporation|Company|Trust|Network|Television|Radio|Broadcasting|Railways|Times|Journal"
    "|Herald|Tribune|Telegraph|Post|Guardian|Gazette|Daily|Monitor|Chronicle|Institution"
)


_NAMED_BODY = 2  # the priority of named bodies
ACRONYM_PRIORITY = 6
# Companies by cue, like clubs, are named in full only where a cue is: the names the
# propagation pass looks for elsewhere in the article come from these priorities (and the
# short forms of companies by suffix, priority 1).
CUED_PRIORITY = 4
PROPAGATED_FROM = (1, CUED_PRIORITY)


def _named_bodies(
    sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]
) -> pl.LazyFrame:
    """Capitalised words ending in an organisation word (`Kurdistan Democratic Party`), or an
    organisation word followed by `of`/`for` and capitalised words (`National Bank of Poland`,
    `Organisation for Security and Cooperation in Europe`). A country name or demonym inside
    gives the organisation's country (`Bank of Japan` -> JP); so does one right before it,
    which stays a mention of its own (`Japanese Communist Party`). A name that is a gazetteer
    surface (`Soviet Union`) stays what the gazetteer says; a government body
    (`Foreign Ministry`) is left to _government_bodies."""
    word = _COMPANY_WORD
    joined = rf"(?: +(?:and|in|of|for|the|&) +| +){word}"
    bodies = regex_spans(
        sentences,
        rf"(?P<name>(?:{word} +){{0,3}}(?:{ORGANIZATION_HEADS})"
        rf"(?: +(?:of|for) +(?:the +)?{word}(?:{joined}){{0,5}})?)\b",
        # A regex alternation of the heads finds them faster than an Aho-Corasick pass.
        prefilter=_has(ORGANIZATION_HEADS),
    )
    # A country word that leads the name (after `The`) is its qualifier, not part of it: read
    # here rather than in the pattern, whose every match would try each country word first.
    leading = rf"^(?:({rules.qualifier})(?:['’]s)? +)"
    bodies = _drop_based(_strip_leading(bodies, stopwords)).with_columns(
        pl.col("name").str.extract(leading).alias("qualifier")
    )
    # A title ends the name (`Bank of England Deputy Governor X` is the bank), and so does a
    # country or capital after `and`/`in` (`Bank of England and France`, `Ministry of Finance
    # in Tokyo`): the name stops before them.
    ending = (
        pl.col("name")
        .str.replace(rf" +(?:(?:{rules.modifiers}) +)*(?:{rules.heads})\b.*$", "")
        .str.replace(rf" +(?:and|in|&) +(?:{rules.country_word})\b.*$", "")
    )
    return (
        _shorten_back(_shorten_front(bodies, pl.col("name").str.replace(leading, "")), ending)
        .filter(pl.col("name").str.contains(" "))
        .join(rules.surfaces.lazy(), on="name", how="anti")
        .filter(~pl.col("name").is_in(rules.body_names.implode()))
        .with_columns(
            pl.col("qualifier").is_not_null().alias("_is_qualified"),
            pl.coalesce("qualifier", pl.col("name").str.extract(rf"\b({rules.qualifier})\b")).alias(
                "qualifier"
            ),
        )
        .join(rules.qualifiers.lazy(), left_on="qualifier", right_on="surface", how="left")
        .with_columns(
            # A country before the name qualifies the id as for government bodies: the Chinese
            # and the Japanese Communist Party are two organisations (one inside the name, as
            # in `Bank of Italy`, needs no qualifying).
            pl.concat_str(
                pl.lit("org:"),
                pl.when(pl.col("_is_qualified")).then(
                    pl.col("qualifier_code").str.to_lowercase() + "-"
                ),
                _slug(pl.col("name")),
                ignore_nulls=True,
            ).alias("entity_id"),
            pl.col("name").alias("entity_name"),
            pl.lit(_NAMED_BODY).alias("priority"),
        )
    )


# What is said only of a company: the cue around a capitalised name that makes it one.
_COMPANY_NOUNS = (
    "company|firm|group|maker|manufacturer|producer|bank|airline|carrier|retailer|insurer"
    "|conglomerate|automaker|carmaker|utility|operator|miner|developer|supplier|chain|giant"
    "|brewer|refiner|shipper|builder|distributor|lender|broker|brokerage|concern"
)
# The cues before a name, and the cues after it. Within each, a cue never starts inside a match
# of another (the names are capitalised words; the cues lowercase words, an apostrophe or a
# comma), so one alternation finds what each of its cues finds on its own, in one pass.
_COMPANY_CUES = (
    # shares of Pirelli, a unit of Pirelli
    r"\b(?:(?:shares|stake) +(?:of|in)|(?:unit|subsidiary|division|affiliate|parent) +of)"
    r" +(?P<name><RUN>)",
    # Pirelli's chief executive, Pirelli, the Italian tyre maker, (an appositive closed by a
    # comma: `Separately, the company said` is none)
    r"(?P<name><RUN>)(?P<tail>['’]s? +(?:chief executive|chairman|board|shares|stock"
    r"|subsidiary|unit|shareholders|stake|takeover|annual report)\b"
    r"|, +(?:the|a|an) +(?:[\p{L}-]+ +){0,3}(?:" + _COMPANY_NOUNS + r"),)",
)


def _cued_companies(
    sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]
) -> pl.LazyFrame:
    """Companies named without a legal suffix, by what is said of them (_COMPANY_CUES):
    `shares of X`, `X's chief executive`, `X shares fell`, `X, the ... company`. A name that
    is a country word or a person's full name is not one."""
    run = rf"{_COMPANY_WORD}(?: +(?:&|{_COMPANY_WORD})){{0,3}}"
    cued = pl.concat(
        [
            # Prefiltered by the cue alone: most sentences have none, and a test that opened
            # with the capitalised name would start a match at every capital letter.
            regex_spans(
                sentences,
                cue.replace("<RUN>", run),
                prefilter=_has(cue.replace("(?P<name><RUN>)", "")),
            )
            for cue in _COMPANY_CUES
        ],
        how="diagonal",
    ).select(*_KEY, "start_char", "end_char", "name")
    words = pl.col("name").str.split(" ")
    named = _with_flag(_strip_leading(cued, stopwords), words.list.first(), rules.given, "_given")
    return (
        named.filter(
            (pl.col("name").str.len_chars() >= 2)
            & ~pl.col("name").is_in(rules.not_org_forms.implode())
            & ~(pl.col("_given") & (words.list.len() >= 2))
        )
        .drop("_given")
        .join(rules.surfaces.lazy(), on="name", how="anti")
        .unique([*_KEY, "start_char", "end_char"], maintain_order=True)
        .with_columns(
            pl.lit(None, dtype=pl.String).alias("qualifier_code"),
            *_named_organization(CUED_PRIORITY),
        )
    )


def _drop_based(spans: pl.LazyFrame) -> pl.LazyFrame:
    """Names without a leading `<place>-based` (`Minneapolis-based First Bank System Inc.`)."""
    return _shorten_front(spans, pl.col("name").str.replace(r"^\S+-based +", ""))


def _split_coordinated(spans: pl.LazyFrame) -> pl.LazyFrame:
    """One span per company of a coordinated name: `Johnson Controls Inc and Lear Corp` is two
    companies, each ending in its suffix; `Douglas & Lomason Co` stays one."""
    # Pieces alternate: company, separator, company...; a piece's offset in the name is the
    # length of the pieces before it (characters, so offsets hold for any script). Only names
    # with `and` or `&` are searched: the rest (nearly all) stay one piece.
    name = pl.col("name")
    may_split = name.str.contains(" and ", literal=True) | name.str.contains(" & ", literal=True)
    pieces = pl.coalesce(
        pl.when(may_split)
        .then(name)
        .str.replace_all(rf"({_COMPANY_SUFFIX})( +(?:and|&) +)", "${1}\n${2}\n"),
        name,
    )
    # An exploded span's pieces are consecutive rows: a running count or total less its value
    # at the span's first piece gives the piece's number or offset, without a window.
    is_first = starts_group("_span")
    piece_no = from_group_start(pl.int_range(pl.len()), is_first)
    length = pl.col("name").str.len_chars().cast(pl.Int64)
    return (
        spans.with_row_index("_span")
        .with_columns(pieces.str.split("\n").alias("name"))
        .explode("name")
        .with_columns(
            (pl.col("start_char") + from_group_start(exclusive_cum_sum(length), is_first)).alias(
                "start_char"
            ),
            # A qualifier before the first company is that company's (`Dutch group X NV and Y`).
            pl.when(piece_no == 0).then(pl.col("qualifier")).alias("qualifier"),
            (piece_no % 2 == 0).alias("_is_company"),
        )
        .filter(pl.col("_is_company"))
        .with_columns((pl.col("start_char") + length).alias("end_char"))
        .drop("_span", "_is_company")
    )


def _acronyms(sentences: pl.LazyFrame, rules: _Rules) -> pl.LazyFrame:
    """Words of two to six capitals standing alone (`OSCE`, `NYMEX`, `AT&T`): not next to
    another word in capitals (`PRESS DIGEST`), not a country or place, not a common
    abbreviation, currency code or Roman numeral (rules.not_acronyms)."""
    # Runs of words in capitals: a run of one word is an acronym, a longer one a heading.
    runs = regex_spans(
        sentences,
        r"(?P<lead>^|[^\p{L}\p{N}&.'’-])(?P<name>\p{Lu}[\p{Lu}&]{1,5}(?: +\p{Lu}[\p{Lu}&]+)*)"
        r"(?P<tail>(?P<slug> +- |: )|[^\p{L}\p{N}&.'’$-]|$)",
        prefilter=_has(r"\p{Lu}[\p{Lu}&]"),
    )
    # A wire slug that opens a headline (`SOCCER - ...`, `MARKETS: ...`) is a label.
    is_slug = (pl.col("lead") == "") & (pl.col("slug").fill_null("") != "")
    kept = runs.filter(
        ~is_slug & ~pl.col("name").str.contains(" ") & ~pl.col("name").str.contains(r"^[IVXLC]+$")
    )
    return _without(kept, pl.col("name"), rules.not_acronyms).with_columns(
        pl.lit(None, dtype=pl.String).alias("qualifier_code"),
        *_named_organization(ACRONYM_PRIORITY),
    )


def with_inner_country(organizations: pl.LazyFrame, mentions: pl.LazyFrame) -> pl.LazyFrame:
    """organizations whose qualifier_code is null given the country of the first country or
    place mention inside their span, for named bodies (`Bank of New York` -> US): a place
    inside an organisation's name is no mention of its own, but says where it is. Not for
    companies, whose names often hold a place they are not in (`San Miguel Corp`)."""
    inner = (
        organizations.filter(pl.col("priority") == _NAMED_BODY)
        .select(*_KEY, "start_char", "end_char")
        .join(
            mentions.filter(
                (pl.col("entity_type") != "organization") & pl.col("country_code").is_not_null()
            ).select(
                *_KEY,
                pl.col("start_char").alias("_inner_start"),
                pl.col("end_char").alias("_inner_end"),
                pl.col("country_code").alias("_inner_code"),
            ),
            on=_KEY,
        )
        .filter(
            (pl.col("_inner_start") >= pl.col("start_char"))
            & (pl.col("_inner_end") <= pl.col("end_char"))
        )
        .sort("_inner_start")
        .group_by(*_KEY, "start_char", "end_char")
        .agg(pl.col("_inner_code").first())
    )
    return (
        organizations.join(inner, on=[*_KEY, "start_char", "end_char"], how="left")
        .with_columns(pl.coalesce("qualifier_code", "_inner_code").alias("qualifier_code"))
        .drop("_inner_code")
    )


# Capitalised words after a place that make it an event, a building, a title or a street
# rather than an organisation (`Beijing Olympics`, `Tokyo Tower`, `London Marathon`).
_NOT_ORGANIZATION_TAIL = (
    "Olympics|Olympic|Games|Marathon|Open|Cup|Festival|Show|Summit|Conference|Agreement|Accord"
    "|Declaration|Treaty|Protocol|Round|Time|Metro|Airport|Station|Street|Square|Road|Avenue"
    "|Bridge|River|Lake|Bay|Island|Islands|Mountains|Hills|Valley|Park|Tower|Palace|Castle"
    "|Cathedral|Hospital|Prison|Area|Region|District|County|Province|State|City|Harbour|Harbor"
    "|Port|Basin|Field|Fields|Coast|Peninsula|Strait|Sea|Ocean|Desert|Plain|Plains|Delta"
    "|Index|Composite|Average|Stock|Stocks|Shares|Time|Standard|Daylight|Police|Bishop"
    "|Prefecture|Governorate|Oblast|Territory|Municipality|Canton|Borough|Township|Parish"
    "|Wall|Gate|Museum|Zoo|Stadium|Arena|Hall|Centre|Center|Church|Temple|Mosque|Motor"
)


def _blocked_words(rules: _Rules, stopwords: frozenset[str]) -> pl.Series:
    """Words after a place that make it no organisation's name: country words, stop words,
    given names, title words and heads, organisation heads and _NOT_ORGANIZATION_TAIL."""

    def build() -> pl.Series:
        literal_words = [
            *_NOT_ORGANIZATION_TAIL.split("|"),
            *ORGANIZATION_HEADS.split("|"),
            *rules.title_heads,
        ]
        return pl.concat(
            [
                rules.not_org_forms,
                rules.given,
                pl.Series(sorted(stopwords | rules.run_stop | set(literal_words)), dtype=pl.String),
            ]
        ).unique()

    return by_identity("blocked words", (rules, stopwords), build)


def place_led_candidates(
    mentions: pl.LazyFrame, sentences: pl.LazyFrame, rules: _Rules, stopwords: frozenset[str]
) -> pl.LazyFrame:
    """Organisation candidates for names that open with a city or region and go on in
    capitalised words (`Norilsk Nickel`, `Santa Fe Pacific Gold`, `Tokyo Electric Power`):
    the place is part of the name, not a mention of its own. Not when a word after it is a
    title, a given name, a country word, a stop word or says it is an event, a building or a
    place (`Moscow Mayor`, `Beijing Olympics`, `Tokyo Tower`)."""
    after = pl.col("sentence").str.slice(pl.col("end_char") - pl.col("sentence_start"))
    # Read only where a tail follows the place: most places have none.
    before = (
        pl.when(pl.col("_tail").is_not_null())
        .then(pl.col("sentence"))
        .str.slice(0, pl.col("start_char") - pl.col("sentence_start"))
    )
    # `in Moscow Kremlin officials`, `in Paris Sarkozy said`: after `in`, `at`... it is a place.
    is_located = before.str.contains(
        r"(?i)\b(?:in|at|from|to|near|into|outside|across|around|throughout|via) +$"
    )
    # With the ASCII form of the pattern, in every sentence (_by_plain, letter_case): where a
    # sentence is not plain, the tail is read back from the text after the place by length.
    tail_pattern = rf"^((?: +{_COMPANY_WORD}){{1,3}})"
    found_tail = _by_plain(
        after,
        lambda text, p: text.str.extract(p),
        tail_pattern,
        letter_case=_reads_only_letter_case(tail_pattern),
    )
    tail = read_back_text(pl.when(~pl.col("_plain")).then(after), 0, found_tail)
    # A place that is also a given name may open a person's name (`Florence Nightingale`).
    places = _without(
        mentions.filter(pl.col("mention_kind").is_in(["place", "capital"])),
        pl.col("surface"),
        rules.given,
    )
    candidates = (
        places.select(*_KEY, "start_char", "end_char", "surface", "country_code")
        .join(
            sentences.select(
                *_KEY,
                pl.col("start_char").alias("sentence_start"),
                "sentence",
                _plain_column(sentences),
            ),
            on=_KEY,
        )
        .with_columns(tail.alias("_tail"))
        .filter(pl.col("_tail").is_not_null() & ~is_located)
        # The one to three words of the tail, each looked up in the blocked words.
        .with_columns(pl.col("_tail").str.extract_all(r"[^ ]+").alias("_words"))
    )
    blocked = _blocked_words(rules, stopwords)
    for n in range(3):
        candidates = _with_flag(
            candidates, pl.col("_words").list.get(n, null_on_oob=True), blocked, f"_blocked{n}"
        )
    return (
        candidates.filter(~pl.any_horizontal(pl.col(f"_blocked{n}") for n in range(3)))
        .with_columns(
            pl.concat_str("surface", "_tail").alias("name"),
            (pl.col("end_char") + pl.col("_tail").str.len_chars().cast(pl.Int64)).alias("end_char"),
            pl.col("country_code").alias("qualifier_code"),
        )
        .with_columns(
            *_named_organization(_NAMED_BODY),
            pl.lit("organization").alias("entity_type"),
        )
        .select(*_COLUMNS, "entity_type")
    )
