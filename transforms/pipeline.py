"""All transforms of one batch, composed: articles in; articles and sentences with their tone,
mentions and entities out."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from gazetteer import Gazetteer
from transforms.countries_by_date import mention_countries_by_date
from transforms.datelines import dateline_countries, drop_dateline_mentions
from transforms.engine import ENGINE
from transforms.entities import find_entities
from transforms.focus import article_focus
from transforms.mentions import find_mentions
from transforms.sentences import split_sentences
from transforms.tone import score_articles, score_sentences


def prepare_lookups(gazetteer: Gazetteer) -> None:
    """Build the lookups every batch reads from the gazetteer (the mention matchers, the
    dateline lookups, the entity rules) now rather than in the first batch: a run calls this on
    a background thread while Prefect starts."""
    from transforms.datelines import _lookups
    from transforms.entities.rules import _rules
    from transforms.mentions import _matchers

    _matchers(gazetteer.mention_surface_forms, gazetteer.blockers)
    _lookups(gazetteer.surface_forms, gazetteer.dateline_regions, gazetteer.dateline_places)
    _rules(gazetteer)


class Transformed(NamedTuple):
    """The lazy results of transforming one batch of articles."""

    articles: pl.LazyFrame  # SCORED_ARTICLE_SCHEMA
    sentences: pl.LazyFrame  # SCORED_SENTENCE_SCHEMA
    mentions: pl.LazyFrame
    entities: pl.LazyFrame  # per article: the name and country it gives each entity


def transform_articles(
    articles: pl.LazyFrame, gazetteer: Gazetteer, *, include_dateline_mentions: bool = False
) -> Transformed:
    """Sentences, mentions and entity evidence (EVIDENCE_SCHEMA) of a batch of articles, the
    articles and sentences with their tone."""
    articles, sentences, mentions, entities = mentions_and_entities(
        articles, gazetteer, include_dateline_mentions=include_dateline_mentions
    )
    # Mentions and evidence share the entity passes: collected together, they run once; the
    # focus then reads the finished mentions instead of planning those passes a second time.
    # The sentences' scores are materialised with them: they feed both the articles and the
    # sentences, and collect_all would score them once for each. The focus reads the scored
    # sentences too, so the sentences' plan runs once, collected with the others.
    scored, mentions, entities = (
        frame.lazy()
        for frame in pl.collect_all(
            [score_sentences(sentences, gazetteer.tone_lexicon), mentions, entities], engine=ENGINE
        )
    )
    articles = article_focus(score_articles(articles, scored), scored, mentions)
    return Transformed(articles, scored, mentions, entities)


def mentions_and_entities(
    articles: pl.LazyFrame, gazetteer: Gazetteer, *, include_dateline_mentions: bool = False
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """The stages before tone and focus: the articles with their dateline countries
    (materialised), and the sentences, mentions and entity evidence (lazy: the sentences'
    ids are put back while the caller collects the other two)."""
    # The passes after the dateline stage join, group and sort by article dozens of times: by
    # a number standing for each article id, not the id itself; the ids are put back on what
    # they return.
    given = articles.collect(engine=ENGINE)
    numbers = _article_numbers(given)
    dated = dateline_countries(
        given.lazy(),
        gazetteer.surface_forms,
        gazetteer.dateline_regions,
        gazetteer.dateline_places,
        gazetteer.successions,
        entities=gazetteer.entities,
        points=gazetteer.dateline_points,
    )
    # The sentences read only the text: split in parts and collected with the dateline plan,
    # which reads the rest, they keep every core busy. Both are materialised once: every later
    # stage, the entity passes included, reads them.
    text = _numbered(given.select("article_id", "text"), numbers).lazy()
    named, *parts = pl.collect_all([dated, *_sentence_parts(text, numbers.height)], engine=ENGINE)
    sentences = pl.concat(parts)
    articles = _numbered(named, numbers).lazy()
    mentions = find_mentions(sentences.lazy(), gazetteer.mention_surface_forms, gazetteer.blockers)
    mentions, entities = find_entities(sentences.lazy(), mentions, gazetteer, articles)
    # After the entity passes, which read today's countries (a title's `Russian` is RU there);
    # what a mention counts for is the country on its article's date (Moscow in 1987 is SU).
    mentions = mention_countries_by_date(mentions, articles, gazetteer.successions)
    if not include_dateline_mentions:
        mentions = drop_dateline_mentions(mentions, articles)
    # The mentions come by article and start from the entity passes (merge_mentions), and the
    # two passes after them keep their order: no sort again. The numbers follow the ids' order,
    # so that order is the ids' too.
    return (
        named.lazy(),
        _named_back(sentences.lazy(), numbers),
        _named_back(mentions, numbers),
        _named_back(entities, numbers),
    )


# The fewest articles worth a part of their own in _sentence_parts: below it, another plan costs
# more than the core it gains.
_LEAST_PER_PART = 2_000


def _sentence_parts(
    articles: pl.LazyFrame, count: int, parts: int | None = None
) -> list[pl.LazyFrame]:
    """split_sentences of articles numbered 0 to count - 1 (_numbered) as plans for parts by
    number (by default one more than polars has threads, each of at least _LEAST_PER_PART
    articles), to be collected together. The split runs on one core however large the batch
    (its string steps read one column in one pass), so parts keep every core busy; the part
    beyond one per thread lets the cores share the dateline plan collected with them evenly.
    Each part comes out sorted by article and holds lower numbers than the next, so the parts
    stacked are sorted as the whole is."""
    if parts is None:
        parts = max(1, min(pl.thread_pool_size() + 1, count // _LEAST_PER_PART))
    part = pl.col("article_id").cast(pl.Int64) * parts // max(count, 1)
    return [split_sentences(articles.filter(part == index)) for index in range(parts)]


def _article_numbers(articles: pl.DataFrame) -> pl.DataFrame:
    """Each article id (article_id) and its number (_article, UInt32), numbered in the order
    of the ids: sorting by the number sorts as by the id."""
    return articles.select(pl.col("article_id").unique().sort()).with_row_index("_article")


def _numbered(frame: pl.DataFrame, numbers: pl.DataFrame) -> pl.DataFrame:
    """frame with its article ids replaced by their numbers (_article_numbers)."""
    return (
        frame.join(numbers, on="article_id", maintain_order="left")
        .drop("article_id")
        .rename({"_article": "article_id"})
        .select(frame.columns)
    )


def _named_back(frame: pl.LazyFrame, numbers: pl.DataFrame) -> pl.LazyFrame:
    """frame with its article numbers replaced by the ids they stand for (_article_numbers)."""
    columns = frame.collect_schema().names()
    return (
        frame.rename({"article_id": "_article"})
        .join(numbers.lazy(), on="_article", maintain_order="left")
        .select(columns)
    )
