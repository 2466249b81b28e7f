"""The stage contracts: every frame that passes from one stage of the pipeline to the next.

discover -> FOUND (+ UNLISTED) -> plan (LEDGER in, PLANNED out) -> read -> LEDGER rows and
ARTICLE rows -> transform -> SCORED_ARTICLE, SCORED_SENTENCE, MENTION, EVIDENCE -> dedupe ->
DEMOTED, COPY -> load.

This module imports nothing from the project, so every layer may import it. The warehouse
stores most of these frames as tables: warehouse/schema.py says which columns of each it
writes, and tests/warehouse/test_schema.py checks them against the migrated DDL.
"""

from __future__ import annotations

import polars as pl

DISCOVERED_SCHEMA = pl.Schema(
    {
        "path": pl.String(),
        "size_bytes": pl.Int64(),
        "modified_at": pl.Datetime("us"),
        "etag": pl.String(),
    }
)
"""One row per article file found under the input: its full path (an object's full URL), size,
mtime, and for an object its ETag (null for a local file)."""

FOUND_SCHEMA = pl.Schema({**DISCOVERED_SCHEMA, "problem": pl.String()})
"""One row per file discovery found; problem is set when it is there but cannot be read as given."""

UNLISTED_SCHEMA = pl.Schema({"folder_path": pl.String(), "reason": pl.String()})
"""One row per folder under the input that the walk could not list, with why."""

KNOWN_SCHEMA = pl.Schema(
    {
        "path": pl.String(),
        "sha256": pl.String(),
        "size_bytes": pl.Int64(),
        "modified_at": pl.Datetime("us"),
        "etag": pl.String(),
        "status": pl.String(),
        "duplicate_of": pl.String(),
        "repeats": pl.List(pl.String()),
    }
)
"""One row per file the warehouse has seen, as the planner needs it; repeats lists every
canonical file whose texts this file holds copies of."""

PLANNED_SCHEMA = pl.Schema({**FOUND_SCHEMA, "is_forced": pl.Boolean()})
"""One row per file to read this run; is_forced marks a copy re-read because its original
changed, which the content-hash shortcut must not skip."""

LEDGER_SCHEMA = pl.Schema(
    {
        "path": pl.String(),
        "sha256": pl.String(),
        "size_bytes": pl.Int64(),
        "modified_at": pl.Datetime("us"),
        "status": pl.String(),
        "reason": pl.String(),
        "encoding": pl.String(),
        "source_format": pl.String(),
        "article_count": pl.Int32(),
        "duplicate_of": pl.String(),
        "etag": pl.String(),
    }
)
"""One row per file read: loaded, duplicate or rejected, and why (the source_files table)."""

REJECT_SCHEMA = pl.Schema({"path": pl.String(), "reason": pl.String()})
"""One row per file a run could not load, with the message that names the file and the fix."""

ARTICLE_SCHEMA = pl.Schema(
    {
        "article_id": pl.String(),
        "source": pl.String(),
        "headline": pl.String(),
        "body": pl.String(),
        "text": pl.String(),
        "dateline": pl.String(),
        "dateline_place": pl.String(),
        "dateline_country_code": pl.String(),
        "dateline_end_char": pl.Int64(),
        "dateline_latitude": pl.Float64(),
        "dateline_longitude": pl.Float64(),
        "focus_country_code": pl.String(),
        "focus_place": pl.String(),
        "published_date": pl.Date(),
        "date_basis": pl.String(),
        "source_path": pl.String(),
        "source_format": pl.String(),
        "content_hash": pl.String(),
    }
)
"""One row per article read from a file (a file may hold several, e.g. JSON Lines)."""

ARTICLE_TONE_COLUMNS = pl.Schema(
    {
        "tone": pl.Float64(),
        "positive": pl.Float64(),
        "negative": pl.Float64(),
        "polarity": pl.Float64(),
        "word_count": pl.Int32(),
    }
)
# An article's tone, from its sentences' (transforms/tone.py): tone, positive and negative are
# their means weighted by word_count, polarity is positive + negative, word_count their sum.

SCORED_ARTICLE_SCHEMA = pl.Schema({**ARTICLE_SCHEMA, **ARTICLE_TONE_COLUMNS})
"""One row per article with its tone, as the transform stage hands it on (the articles table)."""

SENTENCE_SCHEMA = pl.Schema(
    {
        "article_id": pl.String(),
        "sentence_no": pl.Int32(),
        "paragraph_no": pl.Int32(),
        "start_char": pl.Int64(),
        "end_char": pl.Int64(),
        "sentence": pl.String(),
        "is_truncated": pl.Boolean(),
    }
)
"""One row per sentence of an article; offsets are characters into articles.text."""

SENTENCE_TONE_COLUMNS = pl.Schema(
    {
        "tone": pl.Float64(),
        "positive": pl.Float64(),
        "negative": pl.Float64(),
        "word_count": pl.Int32(),
    }
)
# A sentence's VADER scores (transforms/tone.py): tone is VADER's compound, -1 to 1; positive
# and negative VADER's pos and neg shares, 0 to 1; word_count its whitespace-separated words.

SCORED_SENTENCE_SCHEMA = pl.Schema({**SENTENCE_SCHEMA, **SENTENCE_TONE_COLUMNS})
"""One row per sentence of an article, with its tone (the sentence_spans table)."""

MENTION_SCHEMA = pl.Schema(
    {
        "article_id": pl.String(),
        "sentence_no": pl.Int32(),
        "start_char": pl.Int64(),
        "end_char": pl.Int64(),
        "surface": pl.String(),
        "entity_id": pl.String(),
        "entity_type": pl.String(),
        "mention_kind": pl.String(),
        "country_code": pl.String(),
    }
)
"""One row per mention of a country, place, person or organisation in a sentence."""

EVIDENCE_SCHEMA = pl.Schema(
    {
        "article_id": pl.String(),
        "entity_id": pl.String(),
        "entity_type": pl.String(),
        "name": pl.String(),
        "country_code": pl.String(),
        "mention_count": pl.Int32(),
    }
)
"""One row per article per entity it mentions: the name and country it gives, by how many mentions."""

ENTITY_SCHEMA = pl.Schema(
    {
        "entity_id": pl.String(),
        "entity_type": pl.String(),
        "name": pl.String(),
        "country_code": pl.String(),
        "latitude": pl.Float64(),
        "longitude": pl.Float64(),
    }
)
"""One row per entity: its display name and country (settled from all its evidence), and for a
country or place the point a map puts it at (null for people, organisations and places with
no known point)."""

COUNTRY_SCHEMA = pl.Schema(
    {
        "country_code": pl.String(),
        "iso3": pl.String(),
        "name": pl.String(),
        "is_historical": pl.Boolean(),
        "valid_from": pl.Date(),
        "valid_to": pl.Date(),
    }
)
"""One row per country the gazetteer knows, current or historical; a former country's first
and last day (both inclusive) are valid_from and valid_to, null for current countries."""

DEMOTED_SCHEMA = pl.Schema(
    {
        "article_id": pl.String(),
        "source_path": pl.String(),
        "duplicate_of": pl.String(),
    }
)
"""One row per loaded article that a batch's copy of the same text outranks."""

COPY_SCHEMA = pl.Schema(
    {
        "path": pl.String(),
        "content_hash": pl.String(),
        "duplicate_of": pl.String(),
    }
)
"""One row per text a file holds but does not count, with the canonical file that counts it."""
