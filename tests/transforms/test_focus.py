"""The focus of an article: the country the story is about, scored from its stated evidence."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.focus import article_focus, country_scores

# One mention as the test writes it: (paragraph_no, country_code, mention_kind), or with an
# entity_id as a fourth item for places.
Mention = tuple


def frames(
    mentions: list[Mention], dateline: str | None = None
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """One article `a` with one sentence per paragraph 0-9 and the given mentions, each its
    paragraph's first words (mentions later in the list start later)."""
    articles = pl.DataFrame(
        {"article_id": ["a"], "dateline_country_code": [dateline]},
        schema={"article_id": pl.String, "dateline_country_code": pl.String},
    )
    sentences = pl.DataFrame(
        {"article_id": ["a"] * 10, "sentence_no": range(10), "paragraph_no": range(10)},
        schema={"article_id": pl.String, "sentence_no": pl.Int32, "paragraph_no": pl.Int32},
    )
    rows = [
        {
            "article_id": "a",
            "sentence_no": mention[0],
            "start_char": 100 * mention[0] + position,
            "entity_id": mention[3] if len(mention) > 3 else f"country:{mention[1]}",
            "mention_kind": mention[2],
            "country_code": mention[1],
        }
        for position, mention in enumerate(mentions)
    ]
    schema = {
        "article_id": pl.String,
        "sentence_no": pl.Int32,
        "start_char": pl.Int64,
        "entity_id": pl.String,
        "mention_kind": pl.String,
        "country_code": pl.String,
    }
    return articles.lazy(), sentences.lazy(), pl.DataFrame(rows, schema=schema).lazy()


def focus_of(mentions: list[Mention], dateline: str | None = None) -> tuple[str | None, ...]:
    result = article_focus(*frames(mentions, dateline)).collect()
    return tuple(result.select("focus_country_code", "focus_place").row(0))


def test_the_dateline_decides_against_the_headline_and_every_mention_of_another_country():
    # Filed from Tokyo, the text never names Japan: China has the headline, every country
    # mention and every person (3 + 1 + 0.5 < 5), but not the lead.
    mentions = [(0, "CN", "name"), (2, "CN", "name"), (3, "CN", "demonym"),
                (4, "CN", "person", "person:xi-jinping")]  # fmt: skip
    assert focus_of(mentions, dateline="JP") == ("JP", None)


def test_the_dateline_decides_a_story_that_names_no_country():
    assert focus_of([], dateline="IT") == ("IT", None)


def test_a_story_filed_from_one_country_with_headline_and_lead_about_another_is_about_it():
    # TOKYO dateline; headline and lead about North Korea; Japan mentioned later, as often.
    mentions = [(0, "KP", "name"), (1, "KP", "name"), (2, "JP", "name"), (3, "JP", "demonym")]
    assert focus_of(mentions, dateline="JP") == ("KP", None)


def test_the_dateline_country_in_the_lead_keeps_the_focus_despite_the_headline():
    mentions = [(0, "KP", "name"), (1, "KP", "name"), (1, "JP", "name")]
    assert focus_of(mentions, dateline="JP") == ("JP", None)


def test_without_a_dateline_the_headline_outranks_the_lead():
    mentions = [(0, "US", "name"), (1, "CN", "name"), (2, "CN", "name")]
    assert focus_of(mentions) == ("US", None)


def test_without_dateline_headline_or_lead_the_most_mentioned_country_wins():
    mentions = [(2, "FR", "name"), (3, "DE", "name"), (4, "DE", "capital"), (5, "FR", "demonym"),
                (6, "DE", "place", "place:2950159")]  # fmt: skip
    assert focus_of(mentions) == ("DE", None)


def test_people_and_organisations_count_for_their_country_only_as_a_tie_breaker():
    # One mention each of FR and DE; two French officials tip it.
    mentions = [(2, "DE", "name"), (3, "FR", "name"), (4, "FR", "person", "person:x"),
                (5, "FR", "person", "person:y")]  # fmt: skip
    assert focus_of(mentions) == ("FR", None)
    # ... but never outweigh the country mentions themselves.
    mentions = [(2, "DE", "name"), (3, "DE", "name"), (4, "FR", "person", "person:x")]
    assert focus_of(mentions) == ("DE", None)


def test_equal_evidence_goes_to_the_country_named_first():
    assert focus_of([(2, "SE", "name"), (3, "NO", "name")]) == ("SE", None)


def test_an_article_with_no_evidence_has_no_focus():
    assert focus_of([(2, None, "organization", "org:united-nations")]) == (None, None)


VIAREGGIO, LUCCA = "place:3164419", "place:3174530"


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        ([VIAREGGIO, VIAREGGIO, LUCCA], VIAREGGIO),  # two of three of Italy's place mentions
        ([VIAREGGIO, VIAREGGIO, LUCCA, LUCCA], None),  # no place has more than half
        ([VIAREGGIO], None),  # one mention dominates nothing
        ([VIAREGGIO, VIAREGGIO, LUCCA, LUCCA, LUCCA], LUCCA),
    ],
)
def test_the_focus_place_is_the_focus_countrys_place_with_most_of_its_mentions(places, expected):
    mentions = [(0, "IT", "name")] + [(2, "IT", "place", place) for place in places]
    assert focus_of(mentions) == ("IT", expected)


def test_places_of_another_country_and_capitals_are_never_the_focus_place():
    mentions = [(0, "IT", "name"), (1, "IT", "capital"), (2, "IT", "capital"),
                (3, "FR", "place", "place:2988507"), (4, "FR", "place", "place:2988507")]  # fmt: skip
    assert focus_of(mentions) == ("IT", None)


def test_scores_follow_the_documented_points():
    # JP: dateline 5 + lead 2.5 + 1 of 2 mentions (0.5); KP: headline 3 + 0.5 + its only
    # person (0.5).
    mentions = [(0, "KP", "name"), (1, "JP", "name"), (2, "KP", "person", "person:kim")]
    scores = country_scores(*frames(mentions, dateline="JP")).collect()
    assert dict(scores.select("country_code", "focus_score").iter_rows()) == {
        "JP": 8.0,
        "KP": 4.0,
    }


def test_every_article_keeps_its_row_and_columns():
    articles, sentences, mentions = frames([(0, "IT", "name")])
    other = pl.DataFrame(
        {"article_id": ["b"], "dateline_country_code": [None]},
        schema={"article_id": pl.String, "dateline_country_code": pl.String},
    )
    two = pl.concat([articles.collect(), other])
    result = article_focus(two.lazy(), sentences, mentions).collect()
    assert result.columns == ["article_id", "dateline_country_code", "focus_country_code",
                              "focus_place"]  # fmt: skip
    assert result.rows() == [("a", None, "IT", None), ("b", None, None, None)]
