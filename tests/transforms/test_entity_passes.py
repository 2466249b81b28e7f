"""Each pass of find_entities on its own, on tiny inline frames (transforms/entities/)."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from gazetteer import Gazetteer
from transforms.entities import mixed_case
from transforms.entities.evidence import entity_evidence
from transforms.entities.merge import entity_mentions, merge_mentions, uncovered
from transforms.entities.organisations import organization_candidates
from transforms.entities.overlaps import candidate_spans
from transforms.entities.people import person_candidates
from transforms.entities.places import context_places
from transforms.entities.propagation import organization_forms, propagated_spans
from transforms.entities.resolution import (
    people_of_articles,
    person_mentions,
    short_form_words,
    short_forms,
)
from transforms.schemas import EVIDENCE_SCHEMA, MENTION_SCHEMA

SPAN = {"article_id": pl.String, "sentence_no": pl.Int32, "start_char": pl.Int64,
        "end_char": pl.Int64}  # fmt: skip


def sentences(*rows: tuple[str, int, int, str]) -> pl.LazyFrame:
    """(article_id, sentence_no, start_char, sentence) rows."""
    return pl.LazyFrame(
        rows,
        schema={"article_id": pl.String, "sentence_no": pl.Int32, "start_char": pl.Int64,
                "sentence": pl.String},
        orient="row",
    )  # fmt: skip


def frame(rows: list[tuple], schema: dict[str, pl.DataType | type[pl.DataType]]) -> pl.LazyFrame:
    return pl.LazyFrame(rows, schema=schema, orient="row")


def mentions(*rows: tuple) -> pl.LazyFrame:
    """Rows in MENTION_SCHEMA order."""
    return frame(list(rows), dict(MENTION_SCHEMA))


def rows(lazy: pl.LazyFrame, *columns: str) -> set[tuple]:
    return set(lazy.select(columns).collect().rows())


# mixed_case


def test_mixed_case_drops_sentences_in_capitals_and_keeps_those_without_letters() -> None:
    given = sentences(
        ("a", 0, 0, "JAPAN RAISES RATES"),
        ("a", 1, 19, "Japan raised rates."),
        ("a", 2, 39, "1987"),
    )
    assert rows(mixed_case(given), "sentence_no") == {(1,), (2,)}


# people


def test_person_candidates_come_from_titles_appositives_and_given_names(
    gazetteer: Gazetteer,
) -> None:
    given = sentences(
        ("a", 0, 0, "Chinese President Xi Jinping met them."),
        ("a", 1, 100, "Federica Mogherini, high representative of the union, spoke."),
        ("a", 2, 200, "The award went to Wasim Akram on Monday."),
    )
    found = rows(
        person_candidates(given, gazetteer),
        "sentence_no", "start_char", "end_char", "name", "priority", "qualifier_code",
    )  # fmt: skip
    assert found == {
        (0, 18, 28, "Xi Jinping", 0, "CN"),  # titled; the demonym gives the country
        (1, 100, 118, "Federica Mogherini", 1, None),  # appositive
        (1, 100, 118, "Federica Mogherini", 2, None),  # and a given name
        (2, 218, 229, "Wasim Akram", 2, None),
    }


def test_a_capitalised_run_with_a_place_word_is_no_person_candidate(gazetteer: Gazetteer) -> None:
    given = sentences(("a", 0, 0, "They met at Michael Jordan Stadium and left."))
    assert rows(person_candidates(given, gazetteer), "name") == set()


# organisations


def test_a_government_body_takes_the_country_that_qualifies_it_in_its_article(
    gazetteer: Gazetteer,
) -> None:
    given = sentences(
        ("a", 0, 0, "The Foreign Ministry said so."),  # qualified later in a
        ("a", 1, 50, "The Japanese Foreign Ministry protested."),
        ("a", 2, 100, "The Foreign Ministry later agreed."),
        ("b", 0, 0, "The Foreign Ministry declined."),  # never qualified in b: no body
    )
    found = rows(
        organization_candidates(given, gazetteer),
        "article_id", "start_char", "end_char", "qualifier_code", "entity_id", "entity_name",
        "priority",
    )  # fmt: skip
    body = ("JP", "org:jp-foreign-ministry", "Japan Foreign Ministry", 3)
    assert found == {("a", 4, 20, *body), ("a", 63, 79, *body), ("a", 104, 120, *body)}


def test_a_company_ends_in_a_suffix_and_takes_the_country_word_before_it(
    gazetteer: Gazetteer,
) -> None:
    given = sentences(("c", 0, 0, "Japanese automaker Toyota Motor Corp. rose."))
    found = rows(
        organization_candidates(given, gazetteer),
        "start_char", "end_char", "name", "qualifier_code", "entity_id", "priority",
    )  # fmt: skip
    assert found == {(19, 37, "Toyota Motor Corp.", "JP", "org:toyota-motor-corp", 1)}


# overlaps

CANDIDATE = {**SPAN, "name": pl.String, "priority": pl.Int32, "entity_type": pl.String}


def test_candidates_under_a_curated_organisation_are_dropped() -> None:
    people = frame([("a", 0, 0, 8, "Ban Kimoon", 2, "person")], CANDIDATE)
    orgs = frame([], CANDIDATE)
    curated = mentions(("a", 0, 4, 20, "United Nations", "org:un", "organization",
                        "organization", None))  # fmt: skip
    assert rows(candidate_spans(people, orgs, curated), "name") == set()


def test_of_overlapping_candidates_the_longest_then_the_lowest_priority_wins() -> None:
    people = frame(
        [
            ("a", 0, 0, 13, "Fumio Kishida", 2, "person"),
            ("a", 0, 0, 13, "Fumio Kishida", 0, "person"),  # same span, titled: wins
            ("a", 0, 6, 13, "Kishida", 0, "person"),  # starts inside: dropped
            ("a", 0, 20, 31, "Conrad Black", 1, "person"),
        ],
        CANDIDATE,
    )
    # A company and an appositive on the same span and priority: the organisation wins.
    orgs = frame([("a", 0, 20, 31, "Conrad Black", 1, "organization")], CANDIDATE)
    kept = candidate_spans(people, orgs, mentions())
    assert rows(kept, "start_char", "end_char", "priority", "entity_type") == {
        (0, 13, 0, "person"),
        (20, 31, 1, "organization"),
    }


# resolution

PEOPLE = {**SPAN, "name": pl.String, "qualifier_code": pl.String}
NAMED = {"article_id": pl.String, "name": pl.String, "first_start": pl.Int64,
         "person_country": pl.String, "is_single": pl.Boolean}  # fmt: skip
SHORT = {"article_id": pl.String, "short": pl.String, "full_name": pl.String,
         "person_country": pl.String}  # fmt: skip


def test_people_of_an_article_keep_their_first_start_and_first_country() -> None:
    people = frame(
        [
            ("a", 0, 10, 23, "Fumio Kishida", None),
            ("a", 1, 50, 63, "Fumio Kishida", "JP"),  # the first country given, though later
            ("a", 1, 30, 36, "Salman", None),
            ("b", 0, 5, 18, "Fumio Kishida", None),  # another article, another row
        ],
        PEOPLE,
    )
    assert rows(
        people_of_articles(people), "article_id", "name", "first_start", "person_country",
        "is_single",
    ) == {
        ("a", "Fumio Kishida", 10, "JP", False),
        ("a", "Salman", 30, None, True),
        ("b", "Fumio Kishida", 5, None, False),
    }  # fmt: skip


def test_short_forms_are_the_surname_or_a_family_name_that_comes_first() -> None:
    named = frame(
        [
            ("a", "Xi Jinping", 0, "CN", False),
            ("a", "Bashar al-Assad", 20, "SY", False),
            ("a", "Denzel Washington", 40, "US", False),  # a capital: never a short form
            ("a", "Malcolm X", 60, "US", False),  # one letter: never a short form
        ],
        NAMED,
    )
    found = short_forms(named, pl.Series(["Xi", "Kim"]), pl.Series(["Washington", "China"]))
    assert rows(found, "article_id", "short", "full_name", "person_country") == {
        ("a", "Xi", "Xi Jinping", "CN"),
        ("a", "Jinping", "Xi Jinping", "CN"),
        ("a", "al-Assad", "Bashar al-Assad", "SY"),
        ("a", "Assad", "Bashar al-Assad", "SY"),
    }


def test_a_short_form_means_a_full_name_before_a_titled_word_then_the_earlier_name() -> None:
    named = frame(
        [
            ("a", "Trump", 0, None, True),  # `President Trump`, before the full name
            ("a", "Donald Trump", 10, "US", False),
            ("a", "Kim Jong Un", 20, "KP", False),
            ("a", "Kim Yo Jong", 30, "KP", False),
        ],
        NAMED,
    )
    found = short_forms(named, pl.Series(["Kim"]), pl.Series(["China"]))
    assert rows(found.filter(pl.col("short").is_in(["Trump", "Kim"])), "short", "full_name") == {
        ("Trump", "Donald Trump"),
        ("Kim", "Kim Jong Un"),
    }


def test_short_form_words_are_read_only_in_sentences_holding_a_short_form() -> None:
    given = sentences(("a", 0, 0, "Kishida met Biden."), ("a", 1, 20, "Nothing Here Today."))
    shorts = frame([("a", "Kishida", "Fumio Kishida", "JP")], SHORT)
    assert rows(short_form_words(given, shorts), "sentence_no", "start_char", "end_char",
                "short") == {(0, 0, 7, "Kishida"), (0, 12, 17, "Biden")}  # fmt: skip
    assert rows(short_form_words(given, frame([], SHORT)), "short") == set()
    # Another article's short form in a sentence: that sentence is not read.
    other = sentences(("b", 0, 0, "Kishida met Biden."))
    assert rows(short_form_words(pl.concat([given, other]), shorts), "article_id") == {("a",)}


def test_every_sentence_is_read_for_an_article_with_more_short_forms_than_are_paired() -> None:
    given = sentences(("a", 0, 0, "Kishida met Biden."), ("a", 1, 20, "Nothing Here Today."))
    others = [f"Surname{letter}" for letter in "ABCDEFGH"]
    many = frame([("a", short, short, None) for short in ["Kishida", *others]], SHORT)
    few = many.filter(pl.col("short") != "SurnameH")
    # 9 short forms: both sentences; 8: only the one holding a short form.
    assert rows(short_form_words(given, many), "sentence_no", "short") == {
        (0, "Kishida"), (0, "Biden"), (1, "Nothing"), (1, "Here"), (1, "Today"),
    }  # fmt: skip
    assert rows(short_form_words(given, few), "sentence_no", "short") == {
        (0, "Kishida"), (0, "Biden"),
    }  # fmt: skip


# propagation

FORMS = {"article_id": pl.String, "form": pl.String, "entity_id": pl.String,
         "entity_name": pl.String, "qualifier_code": pl.String}  # fmt: skip


ORGS = {"article_id": pl.String, "start_char": pl.Int64, "name": pl.String,
        "entity_id": pl.String, "entity_name": pl.String, "qualifier_code": pl.String}  # fmt: skip


def test_organisation_forms_do_not_depend_on_the_order_of_the_rows_given() -> None:
    # Two spellings of one company, a short form that is another
    # organisation's whole name (the short form's), and one two companies share (dropped).
    rows_given = [
        ("a", 50, "Kay Jewelers Inc", "org:kay-jewelers-inc", "Kay Jewelers Inc", None),
        ("a", 10, "Kay Jewelers Inc.", "org:kay-jewelers-inc", "Kay Jewelers Inc.", None),
        ("a", 70, "Velmara SpA", "org:velmara-spa", "Velmara SpA", "IT"),
        ("a", 90, "Velmara", "org:velmara", "Velmara", None),
        ("a", 120, "Orbis Holdings", "org:orbis-holdings", "Orbis Holdings", None),
        ("a", 140, "Orbis Group", "org:orbis-group", "Orbis Group", None),
    ]
    expected = {
        # Each spelling is a form of its own; the short form both give, the first written's.
        ("Kay Jewelers Inc", "org:kay-jewelers-inc", "Kay Jewelers Inc"),
        ("Kay Jewelers Inc.", "org:kay-jewelers-inc", "Kay Jewelers Inc."),
        ("Kay Jewelers", "org:kay-jewelers-inc", "Kay Jewelers Inc."),
        ("Velmara SpA", "org:velmara-spa", "Velmara SpA"),
        ("Velmara", "org:velmara-spa", "Velmara SpA"),
        ("Orbis Holdings", "org:orbis-holdings", "Orbis Holdings"),
        ("Orbis Group", "org:orbis-group", "Orbis Group"),
    }
    not_forms = pl.Series(["Japan"], dtype=pl.String)
    for order in (rows_given, rows_given[::-1], rows_given[1::2] + rows_given[::2]):
        forms = organization_forms(frame(order, ORGS), not_forms)
        assert rows(forms, "form", "entity_id", "entity_name") == expected


def test_every_whole_word_occurrence_of_a_form_in_its_own_article_is_a_span() -> None:
    given = sentences(
        ("a", 1, 100, "Élan rose; Élan Élan fell, Magnavox too."),
        ("a", 2, 200, "Bob Bob Bob"),
        ("b", 0, 0, "Élan fell."),
    )
    forms = frame(
        [
            ("a", "Élan", "org:elan", "Élan SA", None),
            ("a", "Magna", "org:magna", "Magna Inc", None),
            ("a", "Bob Bob", "org:bob-bob", "Bob Bob Ltd", None),
            ("b", "Zed", "org:zed", "Zed AG", None),
        ],
        FORMS,
    )
    # Three times Élan (its first letter two bytes long), no Magna inside Magnavox, Bob Bob
    # once in `Bob Bob Bob` (a form's occurrences do not overlap each other; the overlaps pass
    # would keep only the first of two anyway), and nothing in article b, which has no form
    # Élan.
    assert rows(
        propagated_spans(given, forms), "article_id", "sentence_no", "start_char", "end_char",
        "name", "entity_id",
    ) == {
        ("a", 1, 100, 104, "Élan", "org:elan"),
        ("a", 1, 111, 115, "Élan", "org:elan"),
        ("a", 1, 116, 120, "Élan", "org:elan"),
        ("a", 2, 200, 207, "Bob Bob", "org:bob-bob"),
    }  # fmt: skip
    assert rows(propagated_spans(given, frame([], FORMS)), "name") == set()


def test_an_article_with_many_forms_gets_the_same_spans_from_the_automaton() -> None:
    # Past 32 forms an article is searched with one Aho-Corasick pass, not form by form:
    # the same occurrences, whole words only, with character offsets after a two-byte letter.
    given = sentences(
        ("a", 1, 100, "Élan rose; Élan Élan fell, Magnavox too, Filler 7 up."),
        ("b", 0, 0, "Élan fell."),
    )
    own = [
        ("a", "Élan", "org:elan", "Élan SA", None),
        ("a", "Magna", "org:magna", "Magna Inc", None),
    ]
    fillers = [("a", f"Filler {n}", f"org:filler-{n}", f"Filler {n} Ltd", None) for n in range(33)]
    expected = {
        ("a", 1, 100, 104, "Élan", "org:elan"),
        ("a", 1, 111, 115, "Élan", "org:elan"),
        ("a", 1, 116, 120, "Élan", "org:elan"),
        ("a", 1, 141, 149, "Filler 7", "org:filler-7"),
    }
    columns = ("article_id", "sentence_no", "start_char", "end_char", "name", "entity_id")
    assert rows(propagated_spans(given, frame(own + fillers, FORMS)), *columns) == expected
    # The same spans with few forms, searched form by form.
    assert rows(propagated_spans(given, frame(own + fillers[7:8], FORMS)), *columns) == expected


def test_person_mentions_are_full_names_and_short_forms_outside_organisations() -> None:
    people = frame(
        [("a", 0, 0, 13, "Fumio Kishida", "JP"), ("a", 1, 40, 46, "Salman", None)], PEOPLE
    )
    named = frame([("a", "Fumio Kishida", 0, "JP", False), ("a", "Salman", 40, None, True)], NAMED)
    shorts = frame(
        [("a", "Kishida", "Fumio Kishida", "JP"), ("a", "Salman", "Salman", None)], SHORT
    )
    words = frame(
        [
            ("a", 0, 0, 5, "Fumio"),  # no short form
            ("a", 0, 6, 13, "Kishida"),  # inside the full name: dropped
            ("a", 1, 20, 27, "Kishida"),
            ("a", 1, 40, 46, "Salman"),  # a titled single word: its own person
            ("a", 2, 60, 67, "Kishida"),  # inside an organisation: dropped
        ],
        {**SPAN, "short": pl.String},
    )
    organizations = frame([("a", 55, 80)], {k: SPAN[k] for k in ("article_id", "start_char",
                                                                 "end_char")})  # fmt: skip
    found = person_mentions(people, named, shorts, words, organizations)
    assert rows(
        found, "start_char", "end_char", "surface", "full_name", "entity_id", "country_code"
    ) == {
        (0, 13, "Fumio Kishida", "Fumio Kishida", "person:fumio-kishida", "JP"),
        (20, 27, "Kishida", "Fumio Kishida", "person:fumio-kishida", "JP"),
        (40, 46, "Salman", "Salman", "person:salman", None),
    }
    assert rows(found, "entity_type", "mention_kind") == {("person", "person")}


# mentions


def test_entity_mentions_carry_their_surface_text_in_the_mention_schema() -> None:
    # A person's surface is the text written (here a short form); an organisation's, its name.
    people = frame(
        [("a", 0, 125, 132, "Kishida", "person:fumio-kishida", "person", "person", "JP")],
        {**SPAN, "surface": pl.String, "entity_id": pl.String, "entity_type": pl.String,
         "mention_kind": pl.String, "country_code": pl.String},
    )  # fmt: skip
    orgs = frame(
        [("a", 0, 100, 118, "Toyota Motor Corp.", "org:toyota-motor-corp", "organization", None)],
        {**SPAN, "name": pl.String, "entity_id": pl.String, "entity_type": pl.String,
         "qualifier_code": pl.String},
    )  # fmt: skip
    found = entity_mentions(people, orgs).collect()
    assert found.schema == MENTION_SCHEMA
    assert set(found.select("surface", "entity_id", "mention_kind", "country_code").rows()) == {
        ("Kishida", "person:fumio-kishida", "person", "JP"),
        ("Toyota Motor Corp.", "org:toyota-motor-corp", "organization", None),
    }


def test_gazetteer_mentions_inside_an_added_mention_are_dropped_with_curated_orgs() -> None:
    found = mentions(
        ("a", 0, 0, 5, "Japan", "country:JP", "country", "name", "JP"),  # in `Japan Tobacco Inc.`
        ("a", 0, 30, 34, "OPEC", "org:opec", "organization", "organization", None),
        ("a", 0, 40, 45, "China", "country:CN", "country", "name", "CN"),
    )
    added = mentions(("a", 0, 0, 18, "Japan Tobacco Inc.", "org:japan-tobacco-inc",
                      "organization", "organization", None))  # fmt: skip
    assert rows(uncovered(found, added), "surface") == {("China",)}


def test_merged_mentions_are_in_article_then_start_order() -> None:
    first = mentions(
        ("b", 0, 0, 5, "China", "country:CN", "country", "name", "CN"),
        ("a", 0, 30, 35, "Japan", "country:JP", "country", "name", "JP"),
    )
    second = mentions(("a", 0, 10, 14, "OPEC", "org:opec", "organization", "organization",
                       None))  # fmt: skip
    merged = merge_mentions(first, second).collect()
    assert merged.schema == MENTION_SCHEMA
    assert merged.select("article_id", "start_char").rows() == [("a", 10), ("a", 30), ("b", 0)]


# places


def test_georgia_next_to_a_us_place_and_washington_state_are_us_states() -> None:
    given = sentences(
        ("a", 0, 0, "They flew from Atlanta, Georgia."),
        ("a", 1, 40, "Georgia and Russia talked."),
        ("a", 2, 70, "Washington state voted; Washington said no."),
    )
    found = mentions(
        ("a", 0, 15, 22, "Atlanta", "place:4180439", "place", "place", "US"),
        ("a", 0, 24, 31, "Georgia", "country:GE", "country", "name", "GE"),
        ("a", 1, 40, 47, "Georgia", "country:GE", "country", "name", "GE"),
        ("a", 2, 70, 80, "Washington", "country:US", "country", "capital", "US"),
        ("a", 2, 94, 104, "Washington", "country:US", "country", "capital", "US"),
    )
    placed = context_places(found, given).collect()
    assert placed.schema == MENTION_SCHEMA
    assert placed.select("start_char", "entity_id", "entity_type", "mention_kind",
                         "country_code").sort("start_char").rows() == [
        (15, "place:4180439", "place", "place", "US"),
        (24, "place:US-GA", "place", "place", "US"),
        (40, "country:GE", "country", "name", "GE"),  # no US place in its sentence
        (70, "place:US-WA", "place", "place", "US"),
        (94, "country:US", "country", "capital", "US"),  # the capital
    ]  # fmt: skip


# evidence


def test_evidence_counts_each_articles_mentions_of_each_entity_under_its_name() -> None:
    people = frame(
        [("a", 0, 0, 13, "person:fumio-kishida", "Fumio Kishida", "JP"),
         ("a", 1, 20, 27, "person:fumio-kishida", "Fumio Kishida", "JP")],
        {**SPAN, "entity_id": pl.String, "full_name": pl.String, "country_code": pl.String},
    )  # fmt: skip
    orgs = frame(
        [("a", 0, 30, 46, "org:jp-foreign-ministry", "Japan Foreign Ministry", "JP")],
        {**SPAN, "entity_id": pl.String, "entity_name": pl.String, "qualifier_code": pl.String},
    )  # fmt: skip
    curated = mentions(("a", 2, 50, 54, "U.N.", "org:united-nations", "organization",
                        "organization", None))  # fmt: skip
    all_mentions = mentions(
        ("b", 0, 24, 31, "Georgia", "place:US-GA", "place", "place", "US"),
        ("b", 0, 40, 45, "China", "country:CN", "country", "name", "CN"),  # no evidence
    )
    names = pl.DataFrame(
        {"entity_id": ["org:united-nations", "org:united-nations"],
         "name": ["United Nations", "United Nations"]}
    )  # fmt: skip
    evidence = entity_evidence(people, orgs, curated, all_mentions, names).collect()
    expected = pl.DataFrame(
        [
            ("a", "org:jp-foreign-ministry", "organization", "Japan Foreign Ministry", "JP", 1),
            ("a", "org:united-nations", "organization", "United Nations", None, 1),
            ("a", "person:fumio-kishida", "person", "Fumio Kishida", "JP", 2),
            ("b", "place:US-GA", "place", "Georgia", "US", 1),
        ],
        schema=EVIDENCE_SCHEMA,
        orient="row",
    )
    assert_frame_equal(evidence, expected)
