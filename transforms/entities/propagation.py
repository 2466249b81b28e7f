"""The propagation pass: an organisation found once is found everywhere in its article, by its
name and by its short forms.

A company is named in full once (`Pirelli SpA`, `Magna International Inc`) and then by a short
form (`Pirelli`, `Magna`); a club is found in a results line (`Surrey 22 points`) and named in
the report around it (`Surrey captain Alec Stewart`). Short forms, per article:
- the name without its legal suffix (`Douglas & Lomason Co` -> `Douglas & Lomason`);
- its first word, when every other word is a generic company word (`Magna International`
  -> `Magna`, not `Johnson Controls` -> `Johnson`).
A short form that is a country word, a stop word, a common word (COMMON_FIRST_WORDS) or shorter
than three letters is not used.
"""

from __future__ import annotations

import polars as pl

from transforms.engine import ENGINE
from transforms.entities.patterns import _COMPANY_SUFFIX, own_article_pairs
from transforms.mentions import is_whole_word
from transforms.offsets import (
    exclusive_cum_sum,
    from_group_start,
    starts_group,
    with_char_offset,
)

# Words that say what kind of company a name is, not which: a first word followed only by
# these is the company's short name.
GENERIC_COMPANY_WORDS = (
    "International|Industries|Industrial|Holdings|Holding|Group|Corporation|Company|Companies"
    "|Enterprises|Motor|Motors|Electric|Electronics|Systems|Communications|Financial|Bancorp"
    "|Bancshares|Banks|Technologies|Technology|Pharmaceuticals|Pharmaceutical|Consolidated"
    "|Resources|Petroleum|Oil|Steel|Chemical|Chemicals|Airlines|Airways|Entertainment|Energy"
    "|Worldwide|Global|Partners|Trading|Mining|Investments|Securities|Brands|Foods"
)
# Words too common to stand for a company on their own: never a short form (`General` of
# `General Motors`, `News` of `News Corp Ltd`).
COMMON_FIRST_WORDS = frozenset([
    "General", "National", "International", "United", "American", "First", "Standard", "Federal",
    "Central", "Royal", "Western", "Eastern", "Northern", "Southern", "Pacific", "Atlantic",
    "Global", "New", "Great", "Public", "Continental", "Universal", "Union", "Allied",
    "Associated", "Consolidated", "Commercial", "Industrial", "Financial", "Mutual", "Security",
    "News", "Home", "Air", "Trust", "Capital", "Power", "Energy", "Bank", "Investors", "Data",
    "Digital",
])  # fmt: skip
_SPAN_SCHEMA = {
    "article_id": pl.String, "sentence_no": pl.Int32, "start_char": pl.Int64,
    "end_char": pl.Int64, "name": pl.String, "entity_id": pl.String, "entity_name": pl.String,
    "qualifier_code": pl.String, "priority": pl.Int32, "entity_type": pl.String,
}  # fmt: skip
_FORM_COLUMNS = ["article_id", "form", "entity_id", "entity_name", "qualifier_code"]


def organization_forms(organizations: pl.LazyFrame, not_forms: pl.Series) -> pl.LazyFrame:
    """One row per form (name or short form) of each organisation found in an article, with
    the organisation it names; a short form wins over the same words found as a name of
    their own, and a form two organisations of one article share otherwise is dropped."""
    name = pl.col("name")
    no_suffix = name.str.replace(rf" +{_COMPANY_SUFFIX}(?: +{_COMPANY_SUFFIX})?$", "")
    first, rest = no_suffix.str.extract(r"^(\S+) "), no_suffix.str.replace(r"^\S+ ", "")
    first_word = pl.when(rest.str.contains(rf"^(?:(?:{GENERIC_COMPANY_WORDS}) *)+$")).then(first)
    base = organizations.select(
        "article_id", "start_char", "name", "entity_id", "entity_name", "qualifier_code"
    )
    per_form = ["article_id", "form"]
    return (
        # The three forms of each row as a list, exploded: the organisations are read once (a
        # concat of three readers ran the overlaps pass under them three times).
        base.with_columns(pl.concat_list(name, no_suffix, first_word).alias("form"))
        .explode("form")
        .filter(
            pl.col("form").is_not_null()
            & (pl.col("form").str.len_chars() >= 3)
            & ~pl.col("form").is_in(not_forms.implode())
            & ~pl.col("form").is_in(sorted(COMMON_FIRST_WORDS))
        )
        # The first row of each form and organisation, in a stated order (a country before
        # none, then the first written: `Kay Jewelers Inc.` or `Kay Jewelers Inc`, whichever
        # the article has first), so the result does not depend on the order of the rows given.
        # Sorted, each group's first row is the one whose group differs from the row before's.
        .sort("article_id", "form", "entity_id", "qualifier_code", "start_char", nulls_last=True)
        .filter(starts_group("article_id", "form", "entity_id"))
        # A form that is one organisation's short form and another's whole name (`Velmara`
        # found by a cue, `Velmara SpA` by its suffix) is the longer name's; two longer names
        # sharing a short form make it ambiguous, and it is dropped.
        .with_columns((pl.col("form") != pl.col("name")).alias("_is_short"))
        .pipe(_counted, per_form)
        .filter(
            pl.when(pl.col("_shorts") > 0)
            .then(pl.col("_is_short") & (pl.col("_shorts") == 1))
            .otherwise(pl.col("_names") == 1)
        )
        .select(_FORM_COLUMNS)
    )


def _counted(forms: pl.LazyFrame, per_form: list[str]) -> pl.LazyFrame:
    """forms (sorted by per_form) with _names, the rows of their form in their article, and
    _shorts, those where the form is a short form (_is_short). The groups are runs of rows,
    numbered: a window over that number costs a fraction of a group-by of the strings joined
    back, or of a window over them."""
    return (
        forms.with_columns(starts_group(*per_form).cum_sum().alias("_run"))
        .with_columns(
            pl.len().over("_run").alias("_names"),
            pl.col("_is_short").sum().over("_run").alias("_shorts"),
        )
        .drop("_run")
    )


# An article with more forms than this is searched with an Aho-Corasick pass instead of
# form by form (own_article_pairs).
_MOST_PAIRED_FORMS = 32


def propagated_spans(sentences: pl.LazyFrame, forms: pl.LazyFrame) -> pl.LazyFrame:
    """Organisation candidates for every whole-word occurrence of a form in its own article
    (priority 5, below every other candidate); occurrences of different forms may overlap
    (`Magna` inside `Magna International`), and the overlaps pass keeps the longest."""
    pairs, crowded = own_article_pairs(
        sentences.select("article_id", "sentence_no", "start_char", "sentence").with_row_index(
            "_sentence_row"
        ),
        forms.rename({"form": "name"}),
        "name",
        _MOST_PAIRED_FORMS,
    )
    return pl.concat([_occurrences(pairs), _occurrences_by_automaton(sentences, crowded)])


def _occurrences(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """propagated_spans of pairs (own_article_pairs: each sentence with a form of its own
    article that it holds), found by splitting the sentence at the form."""
    sentence, name = pl.col("sentence"), pl.col("name")
    byte_length = name.str.len_bytes().cast(pl.Int64)
    # The sentence split at each occurrence: one split tells how many there are and where
    # the first is (the bytes of the piece before it), where counting them and then finding
    # the first read the sentence twice. (Pieces do not overlap: a form overlapping itself,
    # `Abc Abc` in `Abc Abc Abc`, is found once, where the overlaps pass would keep only the
    # first of the two anyway.)
    pairs = pairs.with_columns(sentence.str.split(name, literal=True).alias("_piece"))
    pieces = pl.col("_piece").list.len()
    # Nearly always one occurrence: its offset is the length of the piece before it.
    once = (
        pairs.filter(pieces == 2)
        .with_columns(pl.col("_piece").list.first().str.len_bytes().cast(pl.Int64).alias("_byte"))
        .drop("_piece")
    )
    # Else each occurrence's offset is the length of the pieces and occurrences before it.
    piece = pl.col("_piece")
    new_pair = starts_group("_pair")
    piece_bytes = piece.str.len_bytes().cast(pl.Int64)
    repeated = (
        pairs.filter(pieces > 2)
        .with_row_index("_pair")
        .explode("_piece")
        .with_columns(
            (
                from_group_start(exclusive_cum_sum(piece_bytes + byte_length), new_pair)
                + piece_bytes
            ).alias("_byte"),
            # The piece after the last occurrence has none after it.
            pl.col("_pair").eq_missing(pl.col("_pair").shift(-1)).alias("_has_next"),
        )
        .filter(pl.col("_has_next"))
        .drop("_pair", "_piece", "_has_next")
    )
    return _spans(pl.concat([once, repeated]))


def _occurrences_by_automaton(sentences: pl.LazyFrame, forms: pl.LazyFrame) -> pl.LazyFrame:
    """propagated_spans, with one Aho-Corasick pass of all the forms given (column name) over
    the sentences of their articles, then each article's own forms kept."""
    words = forms.select("name").unique().collect(engine=ENGINE).get_column("name")
    if words.len() == 0:
        # Typed as the sentences' keys are (transforms/pipeline.py numbers the articles).
        key_type = sentences.collect_schema()["article_id"]
        return pl.LazyFrame(schema={**_SPAN_SCHEMA, "article_id": key_type})
    # Overlapping, so another article's longer form never hides one of this article's.
    # find_many and extract_many walk the same matches in the same order, so their lists
    # pair up.
    patterns = words.to_list()
    sentence = pl.col("sentence")
    matches = (
        sentences.join(forms.select("article_id").unique(), on="article_id", how="semi")
        .select("article_id", "sentence_no", "start_char", "sentence")
        .with_row_index("_sentence_row")
        .with_columns(
            sentence.str.find_many(patterns, overlapping=True)
            .cast(pl.List(pl.Int64))
            .alias("_byte"),
            sentence.str.extract_many(patterns, overlapping=True).alias("name"),
        )
        .explode("_byte", "name")
        .filter(pl.col("_byte").is_not_null())
        .join(forms, on=["article_id", "name"], maintain_order="left")
    )
    return _spans(matches)


def _spans(occurrences: pl.LazyFrame) -> pl.LazyFrame:
    """Occurrences (byte offset _byte of a form `name` in the sentence of row _sentence_row)
    that are whole words, as spans with character offsets. A sentence's occurrences on
    consecutive rows are converted in one pass over it; they come so, all but the few of a
    form found twice in a sentence."""
    sentence, name = pl.col("sentence"), pl.col("name")
    byte_end = pl.col("_byte") + name.str.len_bytes().cast(pl.Int64)
    local_end = pl.col("local_start") + name.str.len_chars().cast(pl.Int64)
    return (
        # A column, then the filter: as a filter predicate, polars computed the bytes either
        # side again for each of the tests reading them.
        occurrences.with_columns(is_whole_word(sentence, pl.col("_byte"), byte_end).alias("_whole"))
        .filter(pl.col("_whole"))
        .drop("_whole")
        .pipe(with_char_offset, sentence, pl.col("_byte"), pl.col("_sentence_row"), "local_start")
        .with_columns(
            (pl.col("start_char") + pl.col("local_start")).alias("start_char"),
            (pl.col("start_char") + local_end).alias("end_char"),
            pl.lit(5).alias("priority"),
            pl.lit("organization").alias("entity_type"),
        )
        .select(list(_SPAN_SCHEMA))
    )


def with_form_identity(organizations: pl.LazyFrame, forms: pl.LazyFrame) -> pl.LazyFrame:
    """organizations whose name is a form of an organisation of their article given that
    organisation's id, name and country: `Velmara` in `Velmara shares rose`, a cue of its own,
    is still the `Velmara SpA` of its article."""
    named = forms.select(
        "article_id",
        pl.col("form").alias("name"),
        pl.col("entity_id").alias("_form_id"),
        pl.col("entity_name").alias("_form_name"),
        pl.col("qualifier_code").alias("_form_code"),
    )
    return (
        organizations.join(named, on=["article_id", "name"], how="left")
        .with_columns(
            pl.coalesce("_form_id", "entity_id").alias("entity_id"),
            pl.coalesce("_form_name", "entity_name").alias("entity_name"),
            # The form's country, else the organisation's own (a place inside its name gives
            # one after the forms were made: `Bank of New York` -> US).
            pl.coalesce("_form_code", "qualifier_code").alias("qualifier_code"),
        )
        .drop("_form_id", "_form_name", "_form_code")
    )
