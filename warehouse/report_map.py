"""The report's maps: mentions per country on a world map, and one country's mentioned places.

Shapes are Natural Earth's 1:110m countries, shipped in warehouse/data (its README gives the
source, licence and how the file is derived); nothing is fetched. Longitude and latitude are
drawn as x and y (an equirectangular projection), which keeps a place's point and its country's
polygon in the same coordinates as the warehouse stores them.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from matplotlib.path import Path as MplPath

SHAPES_FILE = Path(__file__).parent / "data" / "world_countries_110m.geojson"
NO_MENTIONS = "#d9d9d9"  # the fill of a country nobody mentioned: neutral, not the palest count
# Counts spread wider than this (largest over smallest) are coloured on a log scale, so that a
# country mentioned 5 times does not look like one mentioned once beside one mentioned 500.
LOG_SCALE_RATIO = 20
MAX_LABELS = 15  # places named on the places map, the most mentioned first
MAX_AREA, MAX_AREA_PER_MENTION, MIN_AREA = 400.0, 60.0, 25.0  # marker areas, in points squared


@dataclass(frozen=True)
class CountryShape:
    """One country of the shapes file: its code, name, outline and the box of its largest part."""

    country_code: str
    name: str
    path: MplPath  # every ring; a hole wound against its exterior, so a nonzero fill skips it
    main_bounds: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max


def _ring_area(ring: list[list[float]]) -> float:
    return abs(
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2
    )


@functools.cache
def country_shapes() -> dict[str, CountryShape]:
    """Every country of warehouse/data/world_countries_110m.geojson, by ISO alpha-2 code."""
    from matplotlib.path import Path as MplPath

    shapes = {}
    for feature in json.loads(SHAPES_FILE.read_text(encoding="utf-8"))["features"]:
        code = feature["properties"]["country_code"]
        vertices: list[list[float]] = []
        codes: list[int] = []
        polygons = feature["geometry"]["coordinates"]
        for polygon in polygons:
            for ring in polygon:
                vertices.extend(ring)
                codes.extend(
                    [MplPath.MOVETO, *[MplPath.LINETO] * (len(ring) - 2), MplPath.CLOSEPOLY]
                )
        largest = max(polygons, key=lambda polygon: _ring_area(polygon[0]))[0]
        lons, lats = [x for x, _ in largest], [y for _, y in largest]
        shapes[code] = CountryShape(
            country_code=code,
            name=feature["properties"]["name"],
            path=MplPath(vertices, codes),
            main_bounds=(min(lons), min(lats), max(lons), max(lats)),
        )
    return shapes


def count_norm(counts: list[int]):
    """The colour scale of the world map: linear from 0, or logarithmic when counts are skewed."""
    from matplotlib.colors import LogNorm, Normalize

    top = max(counts) if counts else 1
    least = min((c for c in counts if c > 0), default=1)
    if top / least > LOG_SCALE_RATIO:
        return LogNorm(vmin=least, vmax=top)
    return Normalize(vmin=0, vmax=max(top, 1))


@functools.cache
def count_cmap():
    """A sequential colour map whose palest colour still stands apart from NO_MENTIONS grey."""
    import matplotlib
    import numpy as np
    from matplotlib.colors import ListedColormap

    return ListedColormap(matplotlib.colormaps["YlOrRd"](np.linspace(0.15, 1.0, 256)))


def fill_colours(counts: dict[str, int], codes: list[str]) -> list[tuple[float, ...]]:
    """The RGBA fill of each of codes: its count's colour, or NO_MENTIONS grey without one."""
    from matplotlib.colors import to_rgba

    norm, cmap = count_norm(list(counts.values())), count_cmap()
    grey = to_rgba(NO_MENTIONS)
    return [
        tuple(float(v) for v in cmap(norm(counts[code]))) if counts.get(code, 0) > 0 else grey
        for code in codes
    ]


def draw_countries(ax, facecolors: list, codes: list[str], *, edgecolor: str, linewidth: float):
    """Add every shape of codes to ax as one collection (drawn in a single pass) and return it."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch

    shapes = country_shapes()
    collection = PatchCollection(
        [PathPatch(shapes[code].path) for code in codes],
        facecolors=facecolors,
        edgecolors=edgecolor,
        linewidths=linewidth,
    )
    collection.set_gid("countries")
    # The axes clip the shapes: laying the figure out need not measure 175 outlines (it would
    # take most of the chart's time).
    collection.set_in_layout(False)
    ax.add_collection(collection)
    return collection


def world_map(fig, country_mentions: pl.DataFrame) -> None:
    """Draw mentions per country on fig: shapes filled by count, dots for countries without one."""
    from matplotlib import ticker
    from matplotlib.cm import ScalarMappable

    shapes = country_shapes()
    codes = sorted(shapes)
    counts = dict(
        zip(
            country_mentions["country_code"].to_list(),
            country_mentions["mention_count"].to_list(),
            strict=True,
        )
    )
    norm, cmap = count_norm(list(counts.values())), count_cmap()
    ax = fig.add_subplot()
    draw_countries(ax, fill_colours(counts, codes), codes, edgecolor="white", linewidth=0.4)
    # Countries too small for 1:110m shapes (Singapore, Malta) and former countries (SU) are a
    # dot at the country's point, coloured like a shape, so no mention drops off the map.
    dots = country_mentions.filter(
        ~pl.col("country_code").is_in(codes) & pl.col("latitude").is_not_null()
    )
    if not dots.is_empty():
        ax.scatter(
            dots["longitude"].to_list(),
            dots["latitude"].to_list(),
            c=[cmap(norm(n)) for n in dots["mention_count"].to_list()],
            s=36,
            edgecolors="#333333",
            linewidths=0.6,
            zorder=3,
        )
    unplaced = country_mentions.filter(
        ~pl.col("country_code").is_in(codes) & pl.col("latitude").is_null()
    )
    if not unplaced.is_empty():
        ax.text(
            0.01,
            0.02,
            f"not on the map: {unplaced['mention_count'].sum()} mentions of"
            f" {', '.join(unplaced['country_code'].to_list())}",
            transform=ax.transAxes,
            fontsize=9,
            color="#555555",
        )
    ax.set_xlim(-180, 180)
    # Antarctica would take a sixth of the map: shown only when it is mentioned.
    ax.set_ylim(-90 if counts.get("AQ") else -58, 84)
    ax.set_aspect("equal")
    ax.set_axis_off()
    bar = fig.colorbar(
        ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, pad=0.01, label="mentions"
    )
    bar.ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))


def _points(places: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct point of places, most mentioned first: its mentions and a label.

    A subdivision sits at its largest city's point (Miyagi at Sendai), so two places can share
    one; they share a marker and a label ("Sendai (2), Miyagi (1)") rather than hide each other.
    """
    return (
        places.sort(["mention_count", "place_name"], descending=[True, False])
        .with_columns(pl.format("{} ({})", "place_name", "mention_count").alias("named"))
        .group_by("latitude", "longitude", maintain_order=True)
        .agg(
            pl.col("mention_count").sum().alias("mention_count"),
            pl.col("named").str.join(", ").alias("label"),
        )
        .sort("mention_count", descending=True, maintain_order=True)
    )


def _label(ax, points: pl.DataFrame) -> None:
    """Name the most mentioned points, each where it overlaps no label already placed (or not at
    all: its marker stays, and the most mentioned places keep their names)."""
    renderer = ax.figure.canvas.get_renderer()
    placed = []
    offsets = ((6, 4, "left", "bottom"), (6, -4, "left", "top"), (-6, 4, "right", "bottom"))
    offsets += ((-6, -4, "right", "top"),)
    for label, lon, lat in points.select("label", "longitude", "latitude").head(MAX_LABELS).rows():
        for dx, dy, ha, va in offsets:
            text = ax.annotate(
                label,
                (lon, lat),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=9,
                color="#222222",
                zorder=4,
            )
            box = text.get_window_extent(renderer).expanded(1.04, 1.3)  # a little air between
            if not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            text.remove()


def marker_areas(counts: list[int]) -> list[float]:
    """Marker areas proportional to mentions: the most mentioned place MAX_AREA at most, a
    mention never more than MAX_AREA_PER_MENTION (a lone mention is not a big disc), and no
    marker smaller than MIN_AREA."""
    per_mention = min(MAX_AREA / max(counts, default=1), MAX_AREA_PER_MENTION)
    return [max(per_mention * n, MIN_AREA) for n in counts]


def places_map(fig, places: pl.DataFrame, country_code: str, title_name: str) -> None:
    """Draw one country's mentioned places on fig: a point per place, its area by mentions."""
    shapes = country_shapes()
    codes = sorted(shapes)
    points = _points(places)
    lons, lats = points["longitude"].to_list(), points["latitude"].to_list()
    counts = points["mention_count"].to_list()
    # Frame the country's largest part (not France's Guiana nor Alaska) and every place shown.
    boxes = [(min(lons), min(lats), max(lons), max(lats))]
    if country_code in shapes:
        boxes.append(shapes[country_code].main_bounds)
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad_x, pad_y = max((east - west) * 0.12, 2.0), max((north - south) * 0.12, 2.0)
    west, east = west - pad_x, east + pad_x
    south, north = max(south - pad_y, -90.0), min(north + pad_y, 90.0)
    # A degree of longitude shrinks with latitude: stretch y so the country keeps its shape.
    stretch = 1 / max(math.cos(math.radians((south + north) / 2)), 0.2)
    # The figure takes the frame's proportions, so a tall country is not a strip in white space.
    height = 6.4
    fig.set_size_inches(
        min(10.0, max(5.0, height * (east - west) / ((north - south) * stretch))), height
    )
    ax = fig.add_subplot()
    ax.set_facecolor("#eef4f8")  # the sea
    fills = ["#f6efd9" if code == country_code else "#e3e3e3" for code in codes]
    draw_countries(ax, fills, codes, edgecolor="#9a9a9a", linewidth=0.6)
    markers = ax.scatter(
        lons,
        lats,
        s=marker_areas(counts),
        color="#c0392b",
        alpha=0.75,
        edgecolors="white",
        linewidths=0.8,
        zorder=3,
    )
    # A key to the sizes: the fewest and the most mentions shown.
    keys = sorted({min(counts), max(counts)})
    handles = [
        ax.scatter([], [], s=area, color=markers.get_facecolor()[0], edgecolors="white")
        for area in marker_areas(keys)  # the same scale: the largest key is the largest count
    ]
    ax.legend(
        handles,
        [f"{n} mention{'s' if n != 1 else ''}" for n in keys],
        loc="best",
        fontsize=8,
        framealpha=0.9,
        borderpad=0.8,
        labelspacing=1.2,
    )
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(stretch)
    ax.tick_params(labelsize=8, colors="#777777")
    ax.set_title(f"Places mentioned in {title_name}", loc="left", fontsize=13)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # Lay the axes out on a raster canvas, so that labels are measured where they will be.
    FigureCanvasAgg(fig).draw()
    _label(ax, points)
