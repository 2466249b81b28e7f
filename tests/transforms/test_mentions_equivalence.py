"""The fast paths of the mention and entity passes give what the plain passes give."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from gazetteer import Gazetteer
from transforms.entities import patterns
from transforms.entities.patterns import _ascii_pattern, _has, _is_plain, regex_spans
from transforms.mentions import find_mentions

SENTENCES = [
    "Chinese President Xi Jinping met U.S. Secretary of State Rex Tillerson in Beijing.",
    "Federica Mogherini, high representative of the European Union, said so.",
    "Shares of Unimedia Inc, chairman Conrad Black said, rose at Toyota Motor Corp.",
    "Japanese Ambassador to South Korea Yasumasa Nagamine returned to Seoul.",
    "Later Mr. O’Neill and Ms. Zoë Ångström spoke with Prime Minister Kishida.",
    "São Paulo and Tōkyō: nothing titled here, only Émile and Ørsted.",
    "Michael Jordan visited Jordan; Kim Jong Un did not.",
    "",
]


def _sentences() -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "article_id": [f"a{i}" for i in range(len(SENTENCES))],
            "sentence_no": list(range(len(SENTENCES))),
            "start_char": [0] * len(SENTENCES),
            "sentence": SENTENCES,
        },
        schema_overrides={"sentence_no": pl.Int32, "start_char": pl.Int64},
    )


def _sorted(frame: pl.LazyFrame) -> pl.DataFrame:
    collected = frame.collect()
    return collected.sort(collected.columns, nulls_last=True)


@pytest.mark.parametrize(
    "pattern",
    [
        rf"(?P<name>{patterns._NAME_WORD}{patterns._NAME_TAIL}{{1,4}})\b",
        rf"(?P<name>{patterns._COMPANY_WORD}(?: +(?:&|and|{patterns._COMPANY_WORD})){{0,4}}"
        rf" +{patterns._COMPANY_SUFFIX})",
        r"(?P<name>[^\p{L}\p{N}]+)",
    ],
)
def test_ascii_form_of_a_pattern_matches_the_same_ascii_text(pattern: str) -> None:
    text = pl.Series([s for s in SENTENCES if s.isascii()])
    assert text.str.extract_all(_ascii_pattern(pattern)).equals(text.str.extract_all(pattern))


def test_ascii_form_keeps_unicode_classes_out_of_character_classes() -> None:
    assert _ascii_pattern(r"[^\p{L}\p{N}]\p{Lu}\b") == r"[^A-Za-z0-9][A-Z](?-u:\b)"


def test_regex_spans_are_the_same_with_a_necessary_prefilter() -> None:
    pattern = rf"(?:Prime Minister|President|Mr\.) +(?P<name>{patterns._NAME})\b"
    plain = regex_spans(_sentences(), pattern)
    filtered = regex_spans(_sentences(), pattern, prefilter=_has(r"(?:Minister|President|Mr\.) "))
    assert_frame_equal(_sorted(filtered), _sorted(plain))
    assert plain.collect().height == 3


def test_non_ascii_sentences_keep_their_unicode_matches() -> None:
    spans = regex_spans(_sentences(), rf"(?P<name>{patterns._NAME_WORD})\b").collect()
    names = set(spans.get_column("name"))
    assert {"O’Neill", "Zoë", "Ångström", "Émile", "Ørsted"} <= names
    for row in spans.iter_rows(named=True):
        assert SENTENCES[row["sentence_no"]][row["start_char"] : row["end_char"]] == row["name"]


@pytest.mark.parametrize(
    ("text", "is_plain"),
    [
        ("Plain ASCII, Inc.", True),
        ("“Curly quotes” and a dash — still plain", True),
        ("Zoë", False),  # a letter
        ("No. ½", False),  # a number
        ("a\u200db", False),  # a joiner: a word character to \\b
        ("", True),
    ],
)
def test_plain_text_has_no_letter_digit_or_word_character_outside_ascii(
    text: str, is_plain: bool
) -> None:
    plain = pl.select(_is_plain(pl.lit(text))).item()
    assert plain is is_plain


def test_spans_are_the_same_without_ascii_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every sentence read by the Unicode patterns, the plain ones included.
    pattern = rf"(?P<name>{patterns._NAME_WORD}{patterns._NAME_TAIL}{{0,2}})(?P<tail>,)?"
    fast = _sorted(regex_spans(_sentences(), pattern))
    patterns._chunk_groups.cache_clear()
    monkeypatch.setattr(patterns, "_is_plain", lambda text: text.is_null())
    slow = _sorted(regex_spans(_sentences(), pattern))
    patterns._chunk_groups.cache_clear()
    assert_frame_equal(fast, slow)
    assert fast.height > 20


def test_mentions_are_the_same_when_the_matcher_comes_from_the_cache(gazetteer: Gazetteer) -> None:
    forms = gazetteer.mention_surface_forms
    first = _sorted(find_mentions(_sentences(), forms, gazetteer.blockers))
    again = _sorted(find_mentions(_sentences(), forms, gazetteer.blockers))
    rebuilt = _sorted(find_mentions(_sentences(), forms.clone(), gazetteer.blockers))
    assert_frame_equal(again, first)
    assert_frame_equal(rebuilt, first)
    assert first.height > 5


def test_company_beats_an_appositive_with_the_same_span_every_run(gazetteer: Gazetteer) -> None:
    from transforms.pipeline import transform_articles

    text = "Headline\n\nShares of privately owned Unimedia Inc, chairman Conrad Black said, rose."
    articles = pl.DataFrame(
        {"article_id": ["x"], "headline": ["Headline"], "text": [text], "dateline": [None],
         "dateline_place": [None], "dateline_end_char": [None]},
        schema_overrides={"dateline": pl.String, "dateline_place": pl.String,
                          "dateline_end_char": pl.Int64},
    )  # fmt: skip
    for _ in range(5):
        mentions = transform_articles(articles.lazy(), gazetteer).mentions.collect()
        unimedia = mentions.filter(pl.col("surface").str.starts_with("Unimedia"))
        assert unimedia.select("surface", "entity_id").rows() == [
            ("Unimedia Inc", "org:unimedia-inc")
        ]


def test_the_unicode_form_is_compiled_only_for_a_batch_with_a_row_that_needs_it() -> None:
    # `(` is no regex: an error shows that it was compiled.
    def extract(text: pl.Expr, pattern: str) -> pl.Expr:
        return text.str.extract(pattern, 1)

    rows = pl.DataFrame({"text": [None, None, "Zoë said"]}, schema={"text": pl.String})
    none_needs_it = rows.head(2).select(patterns._unless_all_null(pl.col("text"), extract, "("))
    assert none_needs_it.to_series().to_list() == [None, None]
    with pytest.raises(pl.exceptions.ComputeError):
        rows.select(patterns._unless_all_null(pl.col("text"), extract, "("))


# Text of every kind of character the letter-case stand-ins tell apart (upper- and lower-case
# letters, a title-case letter, letters of no case, a modifier letter, a combining mark, a digit
# and a number outside ASCII, a connector, a joiner) and of some they leave alone (quotes, a
# dash, a no-break space), with the particles and apostrophes the name patterns read.
_PIECES = [
    "A", "b", "Z", "z", "_", "#", "É", "é", "Å", "ø", "ß", "ǅ", "中", "ʰ", "\u0301", "٣", "½",
    "‿", "\u200d", "’", "'", "-", ".", ",", " ", "  ", "\u00a0", "—", "al-", "van ", "Mc", "Kim",
    "Ørsted", "Zoë", "Ångström", "O’Neill", ", chairman", "shares of ",
]  # fmt: skip
_LETTER_CASE_PATTERNS = [
    rf"(?:{patterns._PARTICLE}-)?{patterns._NAME_WORD}\b",
    rf"(?:{patterns._PARTICLE}-)?{patterns._NAME_WORD}{patterns._NAME_TAIL}{{1,4}}\b",
    rf"(?P<name>{patterns._NAME_WORD}{patterns._NAME_TAIL}{{0,2}})(?P<tail>, +chairman)",
    rf"\b(?:shares of) +(?P<name>{patterns._COMPANY_WORD}(?: +{patterns._COMPANY_WORD}){{0,2}})",
]


@pytest.mark.parametrize("pattern", _LETTER_CASE_PATTERNS)
def test_patterns_that_read_only_letter_case_qualify(pattern: str) -> None:
    assert patterns._reads_only_letter_case(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\p{L}+",  # a letter of no case is one
        r"\p{N}",
        r"\w+\b",
        r"\d",
        r"(?i)\p{Lu}\p{Ll}+",  # case folding reads other letters
        r"[^A-Za-z]\p{Lu}",  # a class naming ASCII letters
        r"Côte d’Ivoire|\p{Lu}\p{Ll}+",  # a letter outside ASCII
        r"Zurich|\p{Lu}\p{Ll}+",  # a stand-in
    ],
)
def test_patterns_that_read_more_than_letter_case_do_not(pattern: str) -> None:
    assert not patterns._reads_only_letter_case(pattern)


def _spans_of(texts: list[str], pattern: str) -> pl.DataFrame:
    sentences = pl.LazyFrame(
        {
            "article_id": [f"a{i}" for i in range(len(texts))],
            "sentence_no": list(range(len(texts))),
            "start_char": [0] * len(texts),
            "sentence": texts,
        },
        schema_overrides={"sentence_no": pl.Int32, "start_char": pl.Int64},
    )
    return _sorted(regex_spans(sentences, pattern))


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join), min_size=1,
                      max_size=6))  # fmt: skip
def test_text_outside_ascii_read_by_stand_ins_gives_what_the_unicode_form_gives(
    texts: list[str],
) -> None:
    for pattern in _LETTER_CASE_PATTERNS:
        fast = _spans_of(texts, pattern)
        with pytest.MonkeyPatch.context() as patch:
            # The reference: text that is not plain read by the Unicode form itself.
            patch.setattr(patterns, "_reads_only_letter_case", lambda _pattern: False)
            patterns._chunk_groups.cache_clear()
            patterns._chunk_match.cache_clear()
            slow = _spans_of(texts, pattern)
        patterns._chunk_groups.cache_clear()
        patterns._chunk_match.cache_clear()
        assert_frame_equal(fast, slow)
        for row in fast.iter_rows(named=True):
            assert texts[row["sentence_no"]][row["start_char"] : row["end_char"]] == row["name"]


def test_stand_ins_keep_every_character_offset() -> None:
    text = "Zoë Ångström ǅ中ʰ\u0301٣½‿\u200d’ — Ørsted"
    frame = pl.DataFrame({"text": [text], "_plain": [False]})
    stood_in = frame.select(patterns._letter_case_text(pl.col("text"))).item()
    # Z o z(ë) Z(Å)ngstrz(ö)m, then _ for ǅ 中 ʰ U+0301 ٣, # for ½, _ for ‿ and the joiner.
    assert stood_in == "Zoz Zngstrzm _____#__’ — Zrsted"
    assert len(stood_in) == len(text)
