"""All transforms of one batch, composed: articles in; articles, sentences, mentions, entities out."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from gazetteer import Gazetteer
from transforms.datelines import dateline_countries, drop_dateline_mentions
from transforms.engine import ENGINE
from transforms.entities import find_entities
from transforms.mentions import find_mentions
from transforms.sentences import split_sentences


class Transformed(NamedTuple):
    """The lazy results of transforming one batch of articles."""

    articles: pl.LazyFrame
    sentences: pl.LazyFrame
    mentions: pl.LazyFrame
    entities: pl.LazyFrame  # per article: the name and country it gives each entity


def transform_articles(
    articles: pl.LazyFrame, gazetteer: Gazetteer, *, include_dateline_mentions: bool = False
) -> Transformed:
    """Sentences, mentions and entity evidence (EVIDENCE_SCHEMA) of a batch of articles."""
    articles = dateline_countries(
        articles, gazetteer.surface_forms, gazetteer.dateline_regions, gazetteer.dateline_places
    )
    # Materialised once, articles before sentences (collected together, the dateline plan would
    # run twice): every later stage, the entity passes included, reads both.
    articles = articles.collect(engine=ENGINE).lazy()
    sentences = split_sentences(articles).collect(engine=ENGINE).lazy()
    mentions = find_mentions(sentences, gazetteer.mention_surface_forms, gazetteer.blockers)
    mentions, entities = find_entities(sentences, mentions, gazetteer, articles)
    if not include_dateline_mentions:
        mentions = drop_dateline_mentions(mentions, articles).sort("article_id", "start_char")
    return Transformed(articles, sentences, mentions, entities)
