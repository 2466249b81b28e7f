"""Column names and types of the frames loaded into the warehouse (see sql/migrations/)."""

from __future__ import annotations

import polars as pl

ENTITY_SCHEMA: dict[str, pl.DataType] = {
    "entity_id": pl.String(),
    "entity_type": pl.String(),
    "name": pl.String(),
    "country_code": pl.String(),
}
