"""Fuzzing the reader, the sentence splitter and the mention finder with article-like text.

Each property is a plain check_* function, so benchmarks/fuzz.py runs the same checks with
many more examples (python benchmarks/fuzz.py --examples 10000).
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazetteer import load_gazetteer
from transforms.mentions import find_mentions
from transforms.pipeline import transform_articles
from transforms.reading import RejectedInput, articles_frame, read_document
from transforms.sentences import NEVER_FINAL, SENTENCE_STARTERS, SOMETIMES_FINAL, split_sentences

EXAMPLES = 200
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The mention finder builds its 40,000-pattern automaton on every call (about 0.35 s, and
# about 1.2 s for the whole chain with the entity passes), so these examples each carry a
# batch of up to 40 articles and there are fewer of them; benchmarks/fuzz.py runs more.
FUZZ_MENTIONS = settings(FUZZ, max_examples=20)
FUZZ_CHAIN = settings(FUZZ, max_examples=8)

# --- strategies ----------------------------------------------------------------

COUNTRY_WORDS = [
    "Japan", "U.S.", "United States", "South Korea", "North Korea", "N. Korea", "S. Korea",
    "Korea", "China", "Georgia", "Niger", "Nigeria", "Washington", "Pyongyang", "Seoul",
    "Japanese", "North Korean", "Latin America", "Bank of America", "Middle Eastern",
    "Tokyo", "Osaka", "Florida", "Viareggio", "Japan-U.S.", "U.K.", "Britain", "Iran",
    "Iraq", "Côte d'Ivoire", "São Paulo", "Türkiye", "Turkey", "Congo", "Dominica",
    "Dominican Republic", "Guinea", "Papua New Guinea", "Sudan", "South Sudan", "India",
    "Indian", "Indiana", "Jordan", "Chad", "Israel", "Palestinian", "E.U.", "Europe",
]  # fmt: skip
WIRE_WORDS = sorted(NEVER_FINAL | SOMETIMES_FINAL) + [
    "No. 2", "9 a.m.", "Fumio K. Kishida", "Gen. Joseph F. Dunford", "Sorano Inc.",
]  # fmt: skip
ODD_PIECES = [
    "\u0301", "e\u0301", "\U0001f600", "\U0001f1ef\U0001f1f5", "\u05e9\u05dc\u05d5\u05dd",
    "\u0645\u0631\u062d\u0628\u0627", "\u6771\u4eac", "\u5317\u671d\u9bae", "\u200b",
    "\u200c", "\u200d", "\ufeff", "\u2028", "\u2029", "\u3000", "\xa0", "\x85", "\r",
    "\r\n", "\t", "\x00", "\x1e", "\x1f", "\x0b", "\ufffd", "\u202e", "\u00e9",
    "(April 10)", "(Sept. 3)", "(Feb. 29)", "(AP)", "TOKYO, April 10 Kyodo - ",
    "NEW YORK (Reuters) - ", "\u201cquoted\u201d", "'", '"', "(", ")", "[", "]", "-", "--",
    "\u2014", "...", "!", "?", ".", ",", ";", ":", "{", "}",
]  # fmt: skip
PUNCTUATION = [". ", "! ", "? ", ".\u201d ", ".) ", ", ", "; ", " - ", " "]

words = st.one_of(
    st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=8),
    st.sampled_from(sorted(SENTENCE_STARTERS)),
    st.sampled_from(COUNTRY_WORDS),
    st.sampled_from(WIRE_WORDS),
    st.sampled_from(ODD_PIECES),
    st.text(max_size=3),  # anything at all, surrogates excepted (str cannot hold them in files)
)
sentence = st.builds(
    lambda ws, end: " ".join(ws) + end,
    st.lists(words, min_size=1, max_size=12),
    st.sampled_from(PUNCTUATION),
)
paragraph = st.builds("".join, st.lists(sentence, min_size=1, max_size=5))
headline = st.builds(" ".join, st.lists(words, min_size=1, max_size=8))
# Free text: paragraphs joined by every kind of line break, blank lines and none.
free_text = st.builds(
    lambda parts, seps: "".join(p + s for p, s in zip(parts, seps, strict=False)),
    st.lists(st.one_of(paragraph, headline, st.text(max_size=20)), min_size=1, max_size=6),
    st.lists(st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\r", "\n\n\n", " ", "", "\n \n"]),
             min_size=6, max_size=6),
)  # fmt: skip


@st.composite
def article_file(draw) -> tuple[bytes, str, str]:
    """(bytes, path, input_format) of one article-shaped file in one of the three formats."""
    head = draw(headline)
    body = draw(st.lists(paragraph, max_size=4))
    dateline = draw(st.sampled_from(["", "(April 10)", "(Dec. 31)", "(Feb. 29)", "(AP)"]))
    shape = draw(st.sampled_from(["kyodo", "plain", "jsonl"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if shape == "jsonl":
        lines = [
            json.dumps(
                {
                    draw(st.sampled_from(["title", "headline"])): head,
                    draw(st.sampled_from(["body", "text"])): "\n\n".join(body) + dateline,
                    "date": draw(st.sampled_from(["2017-04-10", "not a date", "", "2017-02-30"])),
                    "source": draw(st.sampled_from(["Kyodo", "", "\x00"])),
                },
                ensure_ascii=draw(st.booleans()),
            )
            for _ in range(draw(st.integers(1, 3)))
        ]
        text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n{broken"]))
        path = draw(st.sampled_from(["2017/04/10/feed.jsonl", "feed.ndjson", "x.txt"]))
    else:
        wrapped = [newline.join(p[i : i + 60] for i in range(0, len(p), 60)) or p for p in body]
        parts = ([] if shape == "plain" else ["Kyodo News", "Back to Main"]) + [head]
        text = newline.join(parts) + newline * 2 + (newline * 2).join(wrapped)
        text += newline + dateline + newline
        path = draw(st.sampled_from(["2017/04/10/x.txt", "2019/03/01/x.txt", "inbox/x.txt"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le"]))
    data = text.encode(encoding, errors="surrogatepass")
    fmt = draw(st.sampled_from(["auto", "auto", "auto", "kyodo", "plain", "jsonl"]))
    return data, path, fmt


# Unicode White_Space, what the splitter strips; Python's isspace adds the four
# information separators U+001C-U+001F, which the reader removes as control codes.
def is_white_space(ch: str) -> bool:
    return ch.isspace() and ch not in "\x1c\x1d\x1e\x1f"


def strip_white_space(text: str) -> str:
    start, end = 0, len(text)
    while start < end and is_white_space(text[start]):
        start += 1
    while end > start and is_white_space(text[end - 1]):
        end -= 1
    return text[start:end]


def articles_of(texts: list[str]) -> pl.DataFrame:
    """A frame of articles with the given texts, the columns the transforms need."""
    return pl.DataFrame(
        {"article_id": [f"a{i:04d}" for i in range(len(texts))], "text": texts},
        schema={"article_id": pl.String(), "text": pl.String()},
    )


# --- (a) the reader ----------------------------------------------------------------


def check_read(data: bytes, path: str, input_format: str) -> list[dict[str, object]]:
    """Read a file: only RejectedInput may escape; every article is consistent. Returns them."""
    try:
        result = read_document(
            data,
            source_path=path,
            mtime_date=date(2020, 6, 15),
            input_format=input_format,
            reference_date=None,
        )
    except RejectedInput as exc:
        assert str(exc), "a rejection must say why"
        return []
    assert result.articles, "a read that is not rejected gives at least one article"
    ids = [a["article_id"] for a in result.articles]
    assert len(ids) == len(set(ids))
    for article in result.articles:
        head, body, text = article["headline"], article["body"], article["text"]
        assert head and head == head.strip() and "\n" not in head
        assert text == (f"{head}\n\n{body}" if body else head)
        if body:
            assert all(p and p == p.strip() and "\n" not in p for p in body.split("\n\n"))
        assert "\r" not in text and "\x00" not in text
        text.encode("utf-8")  # no lone surrogates: DuckDB and hashing need valid UTF-8
        assert isinstance(article["published_date"], date)
        if article["dateline_end_char"] is not None:
            assert 0 < article["dateline_end_char"] <= len(text)
    articles_frame(result.articles)  # the records fit the warehouse schema
    return result.articles


def check_read_gives_sentences(data: bytes, path: str, input_format: str) -> None:
    """Every article the reader produces has at least one sentence (the load checks it)."""
    articles = check_read(data, path, input_format)
    if not articles:
        return
    frame = articles_frame(articles).select("article_id", "text")
    with_sentences = split_sentences(frame.lazy()).collect().get_column("article_id").unique()
    assert set(with_sentences) == set(frame.get_column("article_id"))


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["x.txt", "x.jsonl", "2017/04/10/x.txt"]),
       st.sampled_from(["auto", "kyodo", "plain", "jsonl"]))  # fmt: skip
def test_reader_on_random_bytes_rejects_or_reads_consistent_articles(data, path, fmt):
    check_read(data, path, fmt)


@FUZZ
@given(article_file())
def test_reader_on_article_shaped_files_gives_articles_with_sentences(file):
    check_read_gives_sentences(*file)


# --- (b) the sentence splitter ---------------------------------------------------


def check_sentences(texts: list[str]) -> None:
    """Spans reproduce their sentence, stay inside the text, run in order without overlap."""
    frame = articles_of(texts)
    sentences = split_sentences(frame.lazy()).collect()
    by_id = dict(frame.iter_rows())
    for article_id, group in sentences.group_by("article_id", maintain_order=True):
        text = by_id[article_id[0]]
        rows = group.sort("sentence_no").to_dicts()
        assert [r["sentence_no"] for r in rows] == list(range(len(rows)))
        previous_end = 0
        for row in rows:
            start, end = row["start_char"], row["end_char"]
            assert previous_end <= start < end <= len(text), (row, len(text))
            assert text[start:end] == row["sentence"]
            assert row["sentence"] == strip_white_space(row["sentence"]) != ""
            assert "\n\n" not in row["sentence"]
            previous_end = end
    covered = {
        i for s, e in sentences.select("start_char", "end_char").iter_rows() for i in range(s, e)
    }
    # Nothing but whitespace is left out of the sentences (one article, so offsets align).
    if len(texts) == 1:
        assert all(is_white_space(ch) or i in covered for i, ch in enumerate(texts[0]))


@FUZZ
@given(st.lists(st.one_of(free_text, st.text(max_size=200)), min_size=1, max_size=8))
def test_sentence_spans_are_inside_their_text_in_order_and_equal_their_surface(texts):
    check_sentences(texts)


@FUZZ
@given(free_text)
def test_sentences_cover_every_non_space_character(text):
    check_sentences([text])


# --- (c) the mention finder, with the real gazetteer and the full chain -------------


def assert_mentions_fit(
    articles: pl.DataFrame, sentences: pl.DataFrame, mentions: pl.DataFrame
) -> None:
    """Mentions equal their surface, lie inside their sentence and never overlap."""
    text_of = dict(articles.select("article_id", "text").iter_rows())
    span_of = {
        (a, n): (s, e)
        for a, n, s, e in sentences.select(
            "article_id", "sentence_no", "start_char", "end_char"
        ).iter_rows()
    }
    assert set(sentences.get_column("article_id")) == set(text_of)
    for article_id, group in mentions.group_by("article_id", maintain_order=True):
        text = text_of[article_id[0]]
        previous_end = -1
        for row in group.sort("start_char").to_dicts():
            start, end = row["start_char"], row["end_char"]
            assert text[start:end] == row["surface"], row
            s_start, s_end = span_of[(row["article_id"], row["sentence_no"])]
            assert s_start <= start < end <= s_end, row
            assert start >= previous_end, f"overlapping mentions at {row}"
            previous_end = end


def check_find_mentions(texts: list[str]) -> None:
    """The mention finder alone, with the real gazetteer, on free text of any shape."""
    gazetteer = load_gazetteer()
    articles = articles_of(texts)
    sentences = split_sentences(articles.lazy()).collect()
    mentions = find_mentions(sentences.lazy(), gazetteer.surface_forms, gazetteer.blockers)
    assert_mentions_fit(articles.filter(pl.col("text").str.strip_chars() != ""), sentences,
                        mentions.collect())  # fmt: skip


def check_chain(files: list[tuple[bytes, str, str]]) -> None:
    """Read, then the whole transform chain: the same mention properties on real records."""
    records: list[dict[str, object]] = []
    for number, (data, path, fmt) in enumerate(files):
        records.extend(check_read(data, f"{number}/{path}", fmt))
    if not records:
        return
    articles = articles_frame(records)
    result = transform_articles(articles.lazy(), load_gazetteer())
    _, sentences, mentions, _ = pl.collect_all(list(result))
    assert_mentions_fit(articles, sentences, mentions)


@FUZZ_MENTIONS
@given(st.lists(free_text, min_size=1, max_size=40))
def test_mentions_equal_their_surface_lie_in_their_sentence_and_never_overlap(texts):
    check_find_mentions(texts)


@FUZZ_CHAIN
@given(st.lists(article_file(), min_size=1, max_size=40))
def test_full_chain_mentions_equal_their_surface_and_never_overlap(files):
    check_chain(files)


# The targets benchmarks/fuzz.py runs: name -> (strategies, check).
TARGETS = {
    "reader-random-bytes": (
        (
            st.binary(max_size=3000),
            st.sampled_from(["x.txt", "x.jsonl", "2017/04/10/x.txt"]),
            st.sampled_from(["auto", "kyodo", "plain", "jsonl"]),
        ),
        check_read,
    ),
    "reader-article-files": ((article_file(),), lambda file: check_read_gives_sentences(*file)),
    "sentences": (
        (st.lists(st.one_of(free_text, st.text(max_size=200)), min_size=1, max_size=8),),
        check_sentences,
    ),
    "sentences-coverage": ((free_text.map(lambda text: [text]),), check_sentences),
    "mentions": ((st.lists(free_text, min_size=1, max_size=40),), check_find_mentions),
    "chain": ((st.lists(article_file(), min_size=1, max_size=40),), check_chain),
}
