"""Geohash cells, great-circle distance, and the cells that cover a search circle."""
from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088
BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
PRECISIONS = (1, 2, 3, 4, 5)  # ~5000 km down to ~5 km cells; each event is indexed at all
MAX_CELLS = 9
_MARGIN_DEG = 1e-6  # float slack, so a point on the circle's edge is never left out


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _grid(precision: int) -> tuple[int, int]:
    """(columns, rows) of the geohash grid: longitude takes the odd bit."""
    bits = 5 * precision
    return 2 ** ((bits + 1) // 2), 2 ** (bits // 2)


def _index(value: float, low: float, span: float, count: int) -> int:
    return min(count - 1, max(0, math.floor((value - low) / span * count)))


def _code(column: int, row: int, precision: int) -> str:
    lng_bits, lat_bits = (5 * precision + 1) // 2, (5 * precision) // 2
    value = 0
    for i in range(5 * precision):
        if i % 2 == 0:
            lng_bits -= 1
            value = value << 1 | (column >> lng_bits) & 1
        else:
            lat_bits -= 1
            value = value << 1 | (row >> lat_bits) & 1
    return "".join(BASE32[value >> 5 * (precision - 1 - i) & 31] for i in range(precision))


def geohash(lat: float, lng: float, precision: int) -> str:
    columns, rows = _grid(precision)
    return _code(_index(lng, -180, 360, columns), _index(lat, -90, 180, rows), precision)


def bounding_box(lat: float, lng: float, radius_km: float):
    """(lat_min, lat_max, [(lng_min, lng_max), ...]) holding every point within the radius;
    the longitude range splits at the antimeridian and is whole when a pole is inside."""
    angle = radius_km / EARTH_RADIUS_KM
    lat_min = max(-90.0, lat - math.degrees(angle) - _MARGIN_DEG)
    lat_max = min(90.0, lat + math.degrees(angle) + _MARGIN_DEG)
    if lat_max >= 90.0 or lat_min <= -90.0 or angle >= math.pi / 2:
        return lat_min, lat_max, [(-180.0, 180.0)]
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    if ratio >= 1:
        return lat_min, lat_max, [(-180.0, 180.0)]
    delta = math.degrees(math.asin(ratio)) + _MARGIN_DEG
    low, high = lng - delta, lng + delta
    if low < -180:
        return lat_min, lat_max, [(low + 360, 180.0), (-180.0, high)]
    if high > 180:
        return lat_min, lat_max, [(low, 180.0), (-180.0, high - 360)]
    return lat_min, lat_max, [(low, high)]


def _spans(lat: float, lng: float, radius_km: float, precision: int):
    """The grid rows and the set of grid columns the circle's bounding box touches."""
    lat_min, lat_max, lng_ranges = bounding_box(lat, lng, radius_km)
    columns, rows = _grid(precision)
    row_span = range(_index(lat_min, -90, 180, rows), _index(lat_max, -90, 180, rows) + 1)
    column_set = set()
    for low, high in lng_ranges:
        column_set.update(range(_index(low, -180, 360, columns),
                                _index(high, -180, 360, columns) + 1))
    return row_span, column_set


def covering_cells(lat: float, lng: float, radius_km: float) -> tuple[int, list[str]]:
    """The finest indexed precision whose cells covering the circle number at most
    MAX_CELLS (else the coarsest), and those cells."""
    for precision in reversed(PRECISIONS):
        row_span, column_set = _spans(lat, lng, radius_km, precision)
        if len(row_span) * len(column_set) <= MAX_CELLS or precision == PRECISIONS[0]:
            return precision, sorted(_code(c, r, precision) for c in column_set
                                     for r in row_span)
    raise AssertionError("unreachable")
