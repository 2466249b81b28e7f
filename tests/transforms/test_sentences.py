"""Sentence splitting: paragraph breaks, wire abbreviations, initials, truncation, offsets."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.sentences import split_sentences


def sentences_of(text: str) -> list[str]:
    frame = pl.DataFrame({"article_id": ["a"], "text": [text]})
    return split_sentences(frame.lazy()).collect().get_column("sentence").to_list()


def split_frame(text: str) -> pl.DataFrame:
    return split_sentences(pl.DataFrame({"article_id": ["a"], "text": [text]}).lazy()).collect()


@pytest.mark.parametrize(
    "paragraph",
    [
        "He met U.S. Secretary of State Rex Tillerson on Monday.",
        "Mr. Abe and Dr. Sato spoke in Tokyo.",
        "Gen. Joseph F. Dunford arrived at 9 a.m. local time on Sunday.",
        "Sen. John McCain and Gov. Jerry Brown attended.",
        "The talks in N. Korea lasted until Jan. 5 this year.",
        "Fumio K. Kishida said it would happen by Sept. 3 at the latest.",
        "China is now the No. 2 economy, said Sorano Inc. President Ken Ito.",
        "Toyota Motor Corp. President Akio Toyoda and the U.K. envoy met on St. Patrick's Day.",
    ],
)
def test_wire_abbreviations_and_initials_do_not_end_a_sentence(paragraph: str) -> None:
    assert sentences_of(f"Headline\n\n{paragraph}") == ["Headline", paragraph]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("It rained. Then it stopped.", ["It rained.", "Then it stopped."]),
        ("Was it over? No! It went on.", ["Was it over?", "No!", "It went on."]),
        (
            '"We agreed." The minister left.',
            ['"We agreed."', "The minister left."],
        ),
        (
            "The deal was signed in the U.S. The yen fell.",
            ["The deal was signed in the U.S.", "The yen fell."],
        ),
        ("Shares rose 2.5 percent. Bonds fell.", ["Shares rose 2.5 percent.", "Bonds fell."]),
    ],
)
def test_closing_punctuation_before_a_capital_ends_a_sentence(
    paragraph: str, expected: list[str]
) -> None:
    assert sentences_of(f"H\n\n{paragraph}") == ["H", *expected]


def test_paragraph_break_always_ends_a_sentence_even_without_punctuation() -> None:
    frame = split_frame("Head\n\nThe capture stopped in the middle of\n\nNext paragraph here.")
    assert frame.get_column("sentence").to_list() == [
        "Head",
        "The capture stopped in the middle of",
        "Next paragraph here.",
    ]
    assert frame.get_column("paragraph_no").to_list() == [0, 1, 2]
    assert frame.get_column("is_truncated").to_list() == [False, True, False]


def test_headline_without_punctuation_is_not_truncated() -> None:
    frame = split_frame("Japan, U.S. to urge China\n\nThey met.")
    assert frame.get_column("is_truncated").to_list() == [False, False]


def test_sentence_numbers_run_through_the_article_in_order() -> None:
    frame = split_frame("H\n\nA one. B two.\n\nC three.")
    assert frame.get_column("sentence_no").to_list() == [0, 1, 2, 3]
    assert frame.get_column("paragraph_no").to_list() == [0, 1, 1, 2]


def test_offsets_are_python_character_offsets_with_non_ascii_text() -> None:
    text = "Zürich talks\n\nJosé Núñez arrived. “It is done,” he said. Café closed."
    frame = split_frame(text)
    for start, end, sentence in frame.select("start_char", "end_char", "sentence").iter_rows():
        assert text[start:end] == sentence
    assert frame.get_column("sentence").to_list()[1] == "José Núñez arrived."


def test_two_articles_are_split_independently() -> None:
    frame = split_sentences(
        pl.DataFrame({"article_id": ["a", "b"], "text": ["H1\n\nOne. Two.", "H2\n\nThree."]}).lazy()
    ).collect()
    assert frame.group_by("article_id").len().sort("article_id").rows() == [("a", 3), ("b", 2)]


_words = st.sampled_from(
    ["Japan", "U.S.", "Mr.", "said", "the", "N.", "Korea", "talks", "é", "Zürich", "K.", "2.5",
     "No.", "a.m.", '"Yes."', "it", "Inc.", "(AP)", "--", "'"]
)  # fmt: skip
_sentence = st.tuples(
    st.lists(_words, min_size=1, max_size=12).map(" ".join),
    st.sampled_from(["", ".", "?", "!", '."', ".)"]),
).map("".join)
_paragraph = st.lists(_sentence, min_size=1, max_size=4).map(" ".join)
_article = st.lists(_paragraph, min_size=1, max_size=5).map("\n\n".join)
# The reader removes control characters before splitting (transforms/reading.clean_text),
# so the splitter's domain is text without them, apart from newlines and tabs.
_clean_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t "),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_article | _clean_text, min_size=1, max_size=4))
def test_every_sentence_span_reproduces_its_text_in_order_without_overlap(
    texts: list[str],
) -> None:
    _assert_spans_reproduce_the_text(texts)


# Long paragraphs mixing one- to four-byte characters: offsets deep into a paragraph are
# where character and byte offsets drift furthest apart.
_long_words = st.sampled_from(
    ["Japan", "said", "the", "Zürich", "東京", "🙂", "e\u0301", "Mr.", "U.S.", "naïve", "“Yes.”",
     "It", "ended.", "Why?", "Now!", "𝔸", "—", "a"]
)  # fmt: skip
_long_paragraph = st.lists(_long_words, min_size=200, max_size=1200).map(" ".join)


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(
        st.lists(_long_paragraph, min_size=1, max_size=3).map("\n\n".join),
        min_size=1,
        max_size=3,
    )
)
def test_sentence_offsets_deep_into_long_mixed_script_paragraphs_match_python_slicing(
    texts: list[str],
) -> None:
    _assert_spans_reproduce_the_text(texts)


def _assert_spans_reproduce_the_text(texts: list[str]) -> None:
    """Each text's sentences, in order, are text[start_char:end_char], stripped and apart, and
    leave out nothing but whitespace."""
    frame = split_sentences(
        pl.DataFrame({"article_id": [str(i) for i in range(len(texts))], "text": texts}).lazy()
    ).collect()
    for article_id, text in enumerate(texts):
        rows = frame.filter(pl.col("article_id") == str(article_id)).sort("sentence_no")
        previous_end = 0
        for start, end, sentence in rows.select("start_char", "end_char", "sentence").iter_rows():
            assert 0 <= start < end <= len(text)
            assert text[start:end] == sentence
            assert sentence == sentence.strip()
            assert start >= previous_end
            previous_end = end
        covered = "".join(rows.get_column("sentence").to_list())
        assert "".join(covered.split()) == "".join(text.split())


def test_a_long_run_without_a_sentence_end_is_cut_every_200_words_and_keeps_its_offsets() -> None:
    # 1,000 words (over 8 KB) with no closing punctuation, after a short sentence of its own,
    # two spaces inside and a line break: five runs of 200 words, each a sentence.
    words = [f"Word{i:04d}" for i in range(1000)]
    words[10] = "two  spaces"
    run = " ".join(words[:500]) + "\n" + " ".join(words[500:])
    text = "Headline\n\nA first sentence. " + run + " and the end"
    frame = split_frame(text)
    sentences = frame.get_column("sentence").to_list()
    assert sentences[:2] == ["Headline", "A first sentence."]
    cut = sentences[2:]
    # Item 10 holds two words, so the first run ends one item early (Word0198), and the
    # last run is the last item and the three words after it.
    assert [len(s.split()) for s in cut] == [200, 200, 200, 200, 200, 4]
    assert cut[0].startswith("Word0000 ") and cut[0].endswith("Word0198")
    assert cut[1].startswith("Word0199 ")
    assert cut[-1] == "Word0999 and the end"
    for row in frame.iter_rows(named=True):
        assert text[row["start_char"] : row["end_char"]] == row["sentence"]


def test_a_long_piece_ending_in_an_abbreviation_still_continues_as_before() -> None:
    # Under 8 KB nothing changes: a run of words with `Mr.` inside stays one sentence.
    text = "Headline\n\n" + " ".join(["word"] * 300) + " Mr. Smith spoke"
    assert sentences_of(text)[1].endswith("Mr. Smith spoke")
    assert len(sentences_of(text)) == 2


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_the_pipeline_splits_in_parts_as_in_one_pass(parts: int) -> None:
    # transforms/pipeline.py splits a batch's articles in parts by article number, collected
    # together: the same rows in the same order as one pass, however the parts fall.
    from transforms.pipeline import _sentence_parts

    texts = [
        "Headline\n\nMr. Abe spoke. He left.",
        "Short",
        "",
        "Head\n\nOne. Two! Three?\n\nFour",
        "A U.S. envoy met Gen. Dunford. Talks ended.",
    ]
    numbered = pl.DataFrame(
        # Given out of order, as a batch's files are.
        {"article_id": [3, 0, 4, 1, 2], "text": texts},
        schema={"article_id": pl.UInt32, "text": pl.String},
    )
    whole = split_sentences(numbered.lazy()).collect()
    assert whole.height >= 8
    plans = _sentence_parts(numbered.lazy(), numbered.height, parts)
    assert len(plans) == parts
    assert pl.concat(pl.collect_all(plans)).equals(whole)
