"""The evidence pass: what each article says of each entity it mentions."""

from __future__ import annotations

import polars as pl

from transforms.entities.places import CONTEXT_PLACES
from transforms.offsets import starts_group
from transforms.schemas import EVIDENCE_SCHEMA

_COLUMNS = ["entity_id", "name", "country_code", "article_id", "start_char"]


def entity_evidence(
    people: pl.LazyFrame,
    organizations: pl.LazyFrame,
    curated: pl.LazyFrame,
    mentions: pl.LazyFrame,
    organization_names: pl.DataFrame,
) -> pl.LazyFrame:
    """One row per article per person, organisation or context place (EVIDENCE_SCHEMA): the
    name and country the article gives it, and its number of mentions there."""
    # warehouse/db.py turns all articles' evidence into the entities table.
    rows = pl.concat(
        [
            people.select(
                "entity_id", pl.col("full_name").alias("name"), "country_code", "article_id",
                "start_char",
            ),
            organizations.select(
                "entity_id", pl.col("entity_name").alias("name"),
                pl.col("qualifier_code").alias("country_code"), "article_id", "start_char",
            ),
            curated.join(
                organization_names.lazy().select("entity_id", "name").unique("entity_id"),
                on="entity_id",
            ).select(_COLUMNS),
            # The two context places, whose name is fixed.
            mentions.filter(pl.col("entity_id").is_in(list(CONTEXT_PLACES))).select(
                "entity_id", pl.col("entity_id").replace(CONTEXT_PLACES).alias("name"),
                "country_code", "article_id", "start_char",
            ),
        ]
    )  # fmt: skip
    # Sorted, each group is a run of rows: its first row is where the key changes, and its
    # count the distance to the next first row. Sorting costs less than hashing the rows into
    # groups and sorting the groups after, and the runs need no hashing at all.
    key = ["article_id", "entity_id", "name", "country_code"]
    row = pl.col("_row")
    return (
        rows.sort(key, nulls_last=True)
        .with_row_index("_row")
        .with_columns(pl.len().alias("_rows"))
        .filter(starts_group(*key))
        .with_columns(
            (row.shift(-1).fill_null(pl.col("_rows")) - row).cast(pl.Int32).alias("mention_count")
        )
        .with_columns(
            pl.when(pl.col("entity_id").str.starts_with("person:"))
            .then(pl.lit("person"))
            .when(pl.col("entity_id").str.starts_with("place:"))
            .then(pl.lit("place"))
            .otherwise(pl.lit("organization"))
            .alias("entity_type")
        )
        .select(list(EVIDENCE_SCHEMA))
        # The article key keeps the type it came with (transforms/pipeline.py numbers the articles).
        .cast({name: dtype for name, dtype in EVIDENCE_SCHEMA.items() if name != "article_id"})
    )
