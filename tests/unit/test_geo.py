"""Geohash cells, distances, and the covering of a search circle (pure, no AWS)."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import geo
from chalicelib.domain.search import index_words, parse_search, start_stamp
from chalicelib.domain import errors


@pytest.mark.parametrize("lat, lng, precision, expected", [
    (42.6, -5.6, 5, "ezs42"), (57.64911, 10.40744, 5, "u4pru"), (-90, -180, 3, "000"),
    (90, 180, 3, "zzz"), (0, 0, 1, "s"), (-0.0001, -0.0001, 2, "7z"),
])
def test_geohash_matches_the_reference_values(lat, lng, precision, expected):
    assert geo.geohash(lat, lng, precision) == expected


def test_haversine_gives_known_distances():
    assert geo.haversine_km(41.15, -8.61, 41.15, -8.61) == 0
    assert geo.haversine_km(51.5007, -0.1246, 40.6892, -74.0445) == pytest.approx(5574.8, abs=1)
    assert geo.haversine_km(0, 179.9, 0, -179.9) == pytest.approx(22.24, abs=0.01)
    assert geo.haversine_km(90, 0, -90, 0) == pytest.approx(math.pi * geo.EARTH_RADIUS_KM)


def test_a_default_radius_in_a_city_needs_few_cells():
    precision, cells = geo.covering_cells(41.15, -8.61, 50)
    assert precision == 3 and len(cells) <= 4
    assert geo.covering_cells(41.15, -8.61, 1)[0] == 5


def test_a_circle_around_a_pole_takes_every_longitude():
    precision, cells = geo.covering_cells(89.5, 10, 500)
    assert precision == 1 and {c[0] for c in cells} >= {"b", "c", "f", "g", "u", "v", "y", "z"}


def test_a_circle_across_the_antimeridian_covers_both_sides():
    precision, cells = geo.covering_cells(-30, 180, 25)
    assert geo.geohash(-30, 179.9, precision) in cells
    assert geo.geohash(-30, -179.9, precision) in cells


latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)


@settings(max_examples=500, deadline=None)
@given(lat=latitudes, lng=longitudes, radius=st.floats(0.01, 500), bearing=st.floats(0, 360),
       fraction=st.floats(0, 1))
def test_every_point_inside_the_circle_lies_in_a_covering_cell(lat, lng, radius, bearing, fraction):
    distance = radius * fraction
    angle, theta, p1 = distance / geo.EARTH_RADIUS_KM, math.radians(bearing), math.radians(lat)
    p2 = math.asin(math.sin(p1) * math.cos(angle) + math.cos(p1) * math.sin(angle) * math.cos(theta))
    l2 = math.radians(lng) + math.atan2(math.sin(theta) * math.sin(angle) * math.cos(p1),
                                        math.cos(angle) - math.sin(p1) * math.sin(p2))
    point = (math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180)
    if geo.haversine_km(lat, lng, *point) > radius:
        return  # float rounding put it just outside; nothing to cover
    precision, cells = geo.covering_cells(lat, lng, radius)
    assert geo.geohash(*point, precision) in cells
    assert len(cells) <= 16


# --- words and query parsing ---------------------------------------------------------------
def test_words_ignore_case_accents_and_punctuation():
    assert index_words("Café-Concert", "STRAUSS & Söhne", None) == ["cafe", "concert", "sohne",
                                                                   "strauss"]
    assert index_words("x" * 65 + " ok") == ["ok"]


def test_a_query_is_canonical_whatever_the_word_order_or_case():
    one = parse_search({"q": "Jazz  night", "category": "music", "limit": "5"})
    two = parse_search({"q": "NIGHT jazz", "category": "music"})
    assert one.canonical() == two.canonical() and one.terms == ("jazz", "night")


def test_bare_dates_become_whole_utc_days_and_fractions_round_inwards():
    query = parse_search({"date_from": "2026-12-01T10:00:00.25Z", "date_to": "2026-12-31"})
    assert (query.date_from, query.date_to) == ("2026-12-01T10:00:01Z", "2026-12-31T23:59:59Z")
    assert query.end() == "2026-12-31T23:59:59Z#~"


def test_radius_defaults_to_50_km():
    assert parse_search({"location": "41.15,-8.61"}).radius_km == 50


def test_every_bad_field_is_named_at_once():
    with pytest.raises(errors.ValidationFailed) as raised:
        parse_search({"radius_km": "9", "limit": "0", "date_from": "x", "q": "?"})
    assert set(raised.value.details["fields"]) == {"radius_km", "limit", "date_from", "q"}


def test_a_start_bound_rounds_up_to_the_next_whole_second():
    from datetime import datetime, timezone
    assert start_stamp(datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc)) == "2026-01-01T00:00:01Z"
