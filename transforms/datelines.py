"""Opening datelines: the country of the dateline city, and keeping the dateline out of mentions."""

from __future__ import annotations

import polars as pl

from transforms.countries_by_date import former_country
from transforms.engine import ENGINE
from transforms.memo import by_identity

# A dateline names a city: prefer capitals and places over country names and demonyms
# when the same letters, case aside, mean several things.
_KIND_RANK = {"capital": 0, "place": 1, "name": 2, "demonym": 3}
_MONTH_START = r"(?i)^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d"


def _folded(column: pl.Expr) -> pl.Expr:
    """Lowercase, accents removed, so 'SÃO PAULO' meets 'Sao Paulo'."""
    return (
        column.str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase()
        .str.strip_chars()
    )


def dateline_countries(
    articles: pl.LazyFrame,
    surface_forms: pl.DataFrame,
    regions: pl.DataFrame,
    places: pl.DataFrame,
    successions: pl.DataFrame | None = None,
    *,
    entities: pl.DataFrame | None = None,
    points: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Articles with dateline_country_code, decided in this order.

    1. A region qualifier after the city ("SAN MATEO, Calif.", "LONDON, Ontario",
       "CAMBRIDGE, England") gives the country: wire style adds one exactly when
       the city alone would mislead.
    2. The city as a capital, place or country of the mention gazetteer.
    3. Any GeoNames city name or alternate name, or a curated dateline spelling,
       with no stoplist: the dateline slot holds a place by construction.

    With successions (gazetteer.successions), the country is then the one it was on the
    article's published_date (transforms/countries_by_date.py): MOSCOW in 1987 is SU.

    With entities (entity_id, latitude, longitude) and points (gazetteer.dateline_points), the
    article also gets dateline_latitude and dateline_longitude: the point of the entity the
    city named in step 2, as its mentions carry it (TOKYO: Japan's, its capital's point), else
    of the most populous GeoNames city of that name in the dateline's country (LONDON,
    Ontario: London in Canada); null when neither is known.
    """
    by_region, by_place = _lookups(surface_forms, regions, places)
    region = pl.col("dateline").str.extract(r"^[^,]+,\s+([^,]+?)\s*(?:,|$)")
    dated = (
        articles.drop("dateline_country_code", strict=False)
        .with_columns(
            _folded(pl.col("dateline_place")).alias("place_key"),
            pl.when(pl.col("dateline_place").is_not_null() & ~region.str.contains(_MONTH_START))
            .then(_folded(region))
            .alias("region_key"),
        )
        .join(
            by_region.lazy(),
            left_on="region_key",
            right_on="key",
            how="left",
            maintain_order="left",
        )
        .join(
            by_place.lazy(),
            left_on="place_key",
            right_on="key",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.coalesce("region_country", "place_country").alias("dateline_country_code"),
            # The place's entity, for successions limited to regions (LEIPZIG is DD in 1987),
            # only where the place itself gave the country.
            pl.when(pl.col("region_country").is_null())
            .then(pl.col("place_entity_id"))
            .alias("dateline_entity_id"),
        )
        .drop("region_key", "region_country", "place_country", "place_entity_id")
    )
    if entities is not None and points is not None:
        dated = _dateline_points(dated, entities, points)
    dated = dated.drop("place_key")
    if successions is not None and "published_date" in articles.collect_schema().names():
        dated = former_country(
            dated,
            successions,
            date="published_date",
            code="dateline_country_code",
            entity_id="dateline_entity_id",
        )
    return dated.drop("dateline_entity_id")


def _dateline_points(
    dated: pl.LazyFrame, entities: pl.DataFrame, points: pl.DataFrame
) -> pl.LazyFrame:
    """dated (with place_key, dateline_entity_id and today's dateline_country_code) with
    dateline_latitude and dateline_longitude: the entity's point, else the named city's."""
    entity_points = entities.lazy().select(
        pl.col("entity_id").alias("dateline_entity_id"),
        pl.col("latitude").alias("entity_latitude"),
        pl.col("longitude").alias("entity_longitude"),
    )
    city_points = points.lazy().select(
        "place_key",
        pl.col("country_code").alias("dateline_country_code"),
        pl.col("latitude").alias("city_latitude"),
        pl.col("longitude").alias("city_longitude"),
    )
    # Latitude and longitude come from one source together, never one from each.
    from_entity = pl.col("entity_latitude").is_not_null()
    return (
        dated.drop("dateline_latitude", "dateline_longitude", strict=False)
        .join(entity_points, on="dateline_entity_id", how="left", maintain_order="left")
        .join(
            city_points,
            on=["place_key", "dateline_country_code"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.when(from_entity)
            .then(pl.col("entity_latitude"))
            .otherwise(pl.col("city_latitude"))
            .alias("dateline_latitude"),
            pl.when(from_entity)
            .then(pl.col("entity_longitude"))
            .otherwise(pl.col("city_longitude"))
            .alias("dateline_longitude"),
        )
        .drop("entity_latitude", "entity_longitude", "city_latitude", "city_longitude")
    )


def _lookups(
    surface_forms: pl.DataFrame, regions: pl.DataFrame, places: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(region key -> country, place key -> country): surface forms first, then GeoNames;
    built once per process, not per batch."""
    return by_identity(
        "dateline lookups",
        (surface_forms, regions, places),
        lambda: _build_lookups(surface_forms, regions, places),
    )


def _build_lookups(
    surface_forms: pl.DataFrame, regions: pl.DataFrame, places: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    by_surface = (
        surface_forms.lazy()
        .select(
            _folded(pl.col("surface")).alias("key"),
            pl.col("country_code").alias("surface_country"),
            pl.col("entity_id").alias("place_entity_id"),
            pl.col("mention_kind").replace_strict(_KIND_RANK, default=9).alias("rank"),
        )
        .sort("key", "rank")
        .unique("key", keep="first")
        .drop("rank")
    )
    by_region = pl.concat(
        [
            regions.lazy().select(
                pl.col("region_key").alias("key"),
                pl.col("country_code").alias("region_country"),
            ),
            by_surface.filter(pl.col("surface_country").is_not_null()).select(
                "key", pl.col("surface_country").alias("region_country")
            ),
        ]
    ).unique("key", keep="first", maintain_order=True)
    # A place key's country: the surface form's, else GeoNames' (place keys are unique).
    by_place = by_surface.join(
        places.lazy().select(
            pl.col("place_key").alias("key"), pl.col("country_code").alias("geonames")
        ),
        on="key",
        how="full",
        coalesce=True,
    ).select(
        "key",
        pl.coalesce("surface_country", "geonames").alias("place_country"),
        # GeoNames-only names have no entity: where the surface form lost, so did its entity.
        pl.when(pl.col("surface_country").is_not_null()).then("place_entity_id"),
    )
    by_region, by_place = pl.collect_all([by_region, by_place], engine=ENGINE)
    return by_region, by_place


def drop_dateline_mentions(mentions: pl.LazyFrame, articles: pl.LazyFrame) -> pl.LazyFrame:
    """Mentions outside each article's opening dateline span (it starts the body, after the headline)."""
    return (
        mentions.join(
            articles.select(
                "article_id",
                (pl.col("headline").str.len_chars().cast(pl.Int64) + 2).alias("dateline_start"),
                "dateline_end_char",
            ),
            on="article_id",
            how="left",
            maintain_order="left",
        )
        .filter(
            pl.col("dateline_end_char").is_null()
            | (pl.col("end_char") <= pl.col("dateline_start"))
            | (pl.col("start_char") >= pl.col("dateline_end_char"))
        )
        .drop("dateline_start", "dateline_end_char")
    )
