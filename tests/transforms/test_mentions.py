"""Mention finding: whole words, longest match, compounds, kinds, offsets."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import Gazetteer
from transforms.mentions import find_mentions, is_whole_word
from transforms.sentences import split_sentences


def mentions_in(text: str, gazetteer: Gazetteer) -> pl.DataFrame:
    articles = pl.DataFrame({"article_id": ["a"], "text": [f"Headline\n\n{text}"]})
    return find_mentions(
        split_sentences(articles.lazy()), gazetteer.surface_forms, gazetteer.blockers
    ).collect()


def found(text: str, gazetteer: Gazetteer) -> list[tuple[str, str, str]]:
    return mentions_in(text, gazetteer).select("surface", "mention_kind", "country_code").rows()


def test_south_korea_is_one_mention_not_two(gazetteer: Gazetteer) -> None:
    assert found("Officials in South Korea said so.", gazetteer) == [("South Korea", "name", "KR")]


def test_north_korean_is_a_demonym_of_north_korea(gazetteer: Gazetteer) -> None:
    assert found("North Korean troops moved.", gazetteer) == [("North Korean", "demonym", "KP")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the Japan-U.S. alliance", [("Japan", "JP"), ("U.S.", "US")]),
        ("strained U.S.-Russia ties", [("U.S.", "US"), ("Russia", "RU")]),
        ("Japan-South Korea ties", [("Japan", "JP"), ("South Korea", "KR")]),
        ("a Japan-EU trade deal", [("Japan", "JP")]),
    ],
)
def test_both_halves_of_a_compound_count(
    text: str, expected: list[tuple[str, str]], gazetteer: Gazetteer
) -> None:
    assert [(s, c) for s, _, c in found(text, gazetteer)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Japanization of the economy was discussed.",  # a word that starts with a name
        "The Omanis and the Sudanese-born singer.",  # Oman inside Omanis is not a match
        "Panjapan is not a country.",
        "They met in Chinatown.",
    ],
)
def test_names_inside_longer_words_are_not_mentions(text: str, gazetteer: Gazetteer) -> None:
    surfaces = [s for s, _, _ in found(text, gazetteer)]
    assert "Japan" not in surfaces and "Oman" not in surfaces and "China" not in surfaces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Two names with nothing between them: each has a letter on one side.
        ("Talks on ChinaJapan ties.", []),
        ("Oman Japan", [("Oman", 0), ("Japan", 5)]),
        # Control characters are no word characters, the matcher's own mark (U+001E) included.
        ("Oman\x1eJapan\x1fChina", [("Oman", 0), ("Japan", 5), ("China", 11)]),
        # A letter outside ASCII is a word character on either side; a curly apostrophe is not.
        ("ÉJapan talks.", []),
        ("Omanö Japan", [("Japan", 6)]),
        ("Japan’s Oman", [("Japan", 0), ("Oman", 8)]),
    ],
)
def test_names_next_to_each_other_are_whole_words_only_with_a_boundary_between(
    text: str, expected: list[tuple[str, int]], gazetteer: Gazetteer
) -> None:
    got = mentions_in(text, gazetteer).select("surface", "start_char").rows()
    start = len("Headline\n\n")
    assert got == [(surface, start + offset) for surface, offset in expected]


@pytest.mark.parametrize(
    "text",
    ["Exports to Latin America rose.", "Bank of America shares fell.", "Snow hit New England."],
)
def test_phrases_that_contain_a_country_but_name_none_are_not_mentions(
    text: str, gazetteer: Gazetteer
) -> None:
    assert found(text, gazetteer) == []


def test_matching_is_case_sensitive(gazetteer: Gazetteer) -> None:
    assert found("He told us about china and japan.", gazetteer) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Japanese officials said.", ("Japanese", "demonym", "JP")),
        ("Washington launched strikes.", ("Washington", "capital", "US")),
        ("Pyongyang fired a missile.", ("Pyongyang", "capital", "KP")),
        ("They met in Viareggio.", ("Viareggio", "place", "IT")),
        ("The summit in Florida ended.", ("Florida", "place", "US")),
        ("Talks on N. Korea ended.", ("N. Korea", "name", "KP")),
        ("Britain agreed.", ("Britain", "name", "GB")),
    ],
)
def test_each_surface_carries_its_kind_and_country(
    text: str, expected: tuple[str, str, str], gazetteer: Gazetteer
) -> None:
    assert found(text, gazetteer) == [expected]


def test_offsets_point_into_the_article_text_with_non_ascii_before(gazetteer: Gazetteer) -> None:
    body = "José said Zürich and Japan agreed. “Café” owners in Syria disagreed."
    text = f"Headline\n\n{body}"
    mentions = mentions_in(body, gazetteer)
    assert mentions.get_column("surface").to_list() == ["Zürich", "Japan", "Syria"]
    for start, end, surface in mentions.select("start_char", "end_char", "surface").iter_rows():
        assert text[start:end] == surface
    assert mentions.get_column("sentence_no").to_list() == [1, 1, 2]


_pieces = st.sampled_from(
    ["Japan", "U.S.", "South Korea", "Korea", "North Korean", "Japan-U.S.", "é", "Zürich",
     "said", "the", "Syrian", "-", "'s", ",", ".", "Washington", "Florida", "Omani", "x"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(words=st.lists(_pieces, max_size=30), seps=st.lists(st.sampled_from([" ", "", "\n\n"])))
def test_every_mention_reproduces_its_surface_inside_its_sentence(
    words: list[str], seps: list[str], gazetteer: Gazetteer
) -> None:
    body = "".join(w + (seps[i] if i < len(seps) else " ") for i, w in enumerate(words))
    articles = pl.DataFrame({"article_id": ["a"], "text": [f"H\n\n{body}"]})
    sentences = split_sentences(articles.lazy()).collect()
    # Countries, capitals and demonyms plus two places: the property holds for any
    # gazetteer, and a small one keeps each example fast.
    surfaces = gazetteer.surface_forms.filter(
        (pl.col("mention_kind") != "place") | pl.col("surface").is_in(["Zürich", "Florida"])
    )
    mentions = find_mentions(sentences.lazy(), surfaces).collect()
    text = articles.item(0, "text")
    spans = dict(
        zip(
            sentences["sentence_no"],
            zip(sentences["start_char"], sentences["end_char"], strict=True),
            strict=True,
        )
    )
    previous_end = 0
    for sentence_no, start, end, surface in mentions.select(
        "sentence_no", "start_char", "end_char", "surface"
    ).iter_rows():
        assert text[start:end] == surface
        s_start, s_end = spans[sentence_no]
        assert s_start <= start < end <= s_end
        assert start >= previous_end  # mentions never overlap
        previous_end = end
        assert not (start > 0 and text[start - 1].isalnum())
        assert not (end < len(text) and text[end].isalnum())


def test_opening_dateline_city_is_not_a_mention_but_the_headline_before_it_is(
    gazetteer: Gazetteer,
) -> None:
    from transforms.pipeline import transform_articles
    from transforms.reading import articles_frame, read_document

    raw = b"JAPAN AND Japan talks\n\nTOKYO, April 10 Kyodo - Tokyo and Seoul agreed.\n"
    result = read_document(raw, source_path="2017/04/10/x.txt", mtime_date=date(2017, 4, 10))
    transformed = transform_articles(articles_frame(result.articles).lazy(), gazetteer)
    mentions = transformed.mentions.collect()
    articles = transformed.articles.collect()
    # The headline's "Japan" (offset 10) stays; the dateline's "TOKYO" is no mention;
    # the body's "Tokyo" and "Seoul" are.
    assert mentions.sort("start_char").select("start_char", "surface").rows() == [
        (10, "Japan"),
        (47, "Tokyo"),
        (57, "Seoul"),
    ]
    assert articles.select("dateline_place", "dateline_country_code").rows() == [("TOKYO", "JP")]


def test_a_name_followed_by_a_combining_mark_is_another_word(gazetteer: Gazetteer) -> None:
    assert found("Japa\u0301n and Japan\u0301 are not Japan.", gazetteer) == [
        ("Japan", "name", "JP")
    ]


# A small gazetteer of its own, so a plain Python search can say which mentions there are.
_ORACLE_FORMS = pl.DataFrame(
    [
        ("Japan", "country:JP", "country", "name", "JP"),
        ("Korea", "country:KR", "country", "name", "KR"),
        ("South Korea", "country:KR", "country", "name", "KR"),
        ("Zürich", "place:CH-ZH", "place", "place", "CH"),
        ("東京", "country:JP", "country", "capital", "JP"),
    ],
    schema=["surface", "entity_id", "entity_type", "mention_kind", "country_code"],
    orient="row",
)
_ORACLE_SURFACES = sorted(_ORACLE_FORMS["surface"], key=lambda s: (-len(s.encode()), s))
_long_sentence_words = st.sampled_from(
    ["Japan", "Korea", "South", "South Korea", "Zürich", "東京", "Japanese", "Koreas", "said",
     "é", "🙂", "e\u0301", "\u0301", "-", "'s", "naïve", "the", "𝔸"]
)  # fmt: skip


def _is_word_char(char: str) -> bool:
    return char == "_" or unicodedata.category(char)[0] in "LMN"


def _expected_mentions(text: str) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping, whole-word occurrences of the oracle's surfaces, by
    Python's own regex and string indexing."""
    found = []
    for match in re.finditer("|".join(map(re.escape, _ORACLE_SURFACES)), text):
        start, end = match.span()
        if (start == 0 or not _is_word_char(text[start - 1])) and (
            end == len(text) or not _is_word_char(text[end])
        ):
            found.append((start, end, match.group()))
    return found


@settings(max_examples=40, deadline=None)
@given(
    paragraphs=st.lists(
        st.lists(_long_sentence_words, min_size=100, max_size=1500),
        min_size=1,
        max_size=3,
    ),
    joiner=st.sampled_from([" ", "", "-"]),
)
def test_mention_offsets_in_long_mixed_script_sentences_match_python_search(
    paragraphs: list[list[str]], joiner: str
) -> None:
    # Without closing punctuation each paragraph is one long sentence, so mention offsets lie
    # deep inside their sentence, where byte and character offsets differ most.
    text = "head line\n\n" + "\n\n".join(joiner.join(words) for words in paragraphs)
    articles = pl.DataFrame({"article_id": ["a"], "text": [text]})
    sentences = split_sentences(articles.lazy()).collect()
    mentions = find_mentions(sentences.lazy(), _ORACLE_FORMS).collect()
    expected = [
        (start + found_start, start + found_end, surface)
        for start, sentence in sentences.select("start_char", "sentence").iter_rows()
        for found_start, found_end, surface in _expected_mentions(sentence)
    ]
    assert mentions.select("start_char", "end_char", "surface").rows() == expected
    assert all(text[start:end] == surface for start, end, surface in expected)


# is_whole_word

_WHOLE_WORD_CHARS = st.sampled_from(
    ["a", "Z", "0", "_", " ", "-", "é", "\u0301", "東", "٣", "🙂", "—"]
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_WHOLE_WORD_CHARS, max_size=12), st.data())
def test_is_whole_word_agrees_with_the_unicode_categories_either_side(
    text: str, data: st.DataObject
) -> None:
    # Whole when the character before and the one after are no letter, mark, number or `_`.
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))

    def wordy(char: str) -> bool:
        return char == "_" or unicodedata.category(char)[0] in "LMN"

    expected = not (start > 0 and wordy(text[start - 1])) and not (
        end < len(text) and wordy(text[end])
    )
    frame = pl.DataFrame(
        {"t": [text], "s": [len(text[:start].encode())], "e": [len(text[:end].encode())]}
    )
    got = frame.select(is_whole_word(pl.col("t"), pl.col("s"), pl.col("e"))).item()
    assert got == expected
