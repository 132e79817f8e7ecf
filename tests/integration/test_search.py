"""GET /events: filters, order, pages and cursors over the real stack, checked against a
brute-force filter of a generated catalog. The catalog is shared by the whole session, so
every query here is pinned to this test's own category, words or remote place.

A few tests publish through the API; the rest write events and their index rows straight
to the table (what publishing writes, minus moto's slow transactions)."""
import datetime as dt
import math
import uuid
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.adapters.catalog_store import event_item
from chalicelib.adapters.search_index import MAX_QUERIES_PER_PAGE, search_rows
from chalicelib.adapters.dynamo_models import CatalogItem
from chalicelib.domain.catalog import Event, EventStatus, Location, PriceTier, Venue
from chalicelib.domain.clock import to_rfc3339
from chalicelib.domain.geo import EARTH_RADIUS_KM, haversine_km
from chalicelib.domain.money import Money
from chalicelib.services.ids import new_id

KM_PER_DEG = math.pi * EARTH_RADIUS_KM / 180


def tag() -> str:
    return "t" + uuid.uuid4().hex[:10]


def moved(point, north_km, east_km):
    lat, lng = point
    return (lat + north_km / KM_PER_DEG,
            lng + east_km / (KM_PER_DEG * math.cos(math.radians(lat))))


def find(http, **params):
    return http.request("GET", "/events?" + urlencode(params))


def ids(response):
    assert response.status_code == 200, response.content
    return [e["event_id"] for e in response.json()["events"]]


def every_page(http, params, max_pages=300):
    """All pages of a query: ids in order, and the number of pages."""
    found, cursor, pages = [], None, 0
    while pages < max_pages:
        response = find(http, **params, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["events"]) <= int(params.get("limit", 20))
        found += [e["event_id"] for e in body["events"]]
        pages, cursor = pages + 1, body["next_cursor"]
        if cursor is None:
            return found, pages
    raise AssertionError(f"no last page after {max_pages} pages")


def fields_of(response):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    return error["details"]["fields"]


class Seeder:
    """Published events written straight to the catalog table by batch writes."""

    def __init__(self, stack):
        self.stack = stack

    def in_days(self, days: float) -> str:
        return to_rfc3339(self.stack.container.clock.now() + dt.timedelta(days=days))

    def event(self, spot=(41.15, -8.61), days=10.0, starts_at=None, category="concert",
              name="Test Show", description="A show.", performer=None) -> str:
        return self.events([dict(spot=spot, starts_at=starts_at or self.in_days(days),
                                 category=category, name=name, description=description,
                                 performer=performer)])[0].event_id

    def events(self, specs: list[dict]) -> list[Event]:
        made = [self._event(**spec) for spec in specs]
        rows = {}
        for event in made:
            for row in [event_item(event), *search_rows(event)]:
                rows[(row.pk, row.sk)] = row
        with CatalogItem.batch_write() as batch:
            for row in rows.values():
                batch.save(row)
        return made

    @staticmethod
    def _event(spot, starts_at, **fields) -> Event:
        venue = Venue(new_id("ven"), "tenant_seeded", "Hall", "1 Quay", "Nowhere", "NZ", "UTC",
                      Location(spot[0], spot[1]), 10, ("A",), starts_at)
        return Event(event_id=new_id("evt"), tenant_id="tenant_seeded",
                     venue_id=venue.venue_id, starts_at=starts_at, status=EventStatus.PUBLISHED,
                     thumbnail_url=None, max_tickets_per_order=8,
                     price_tiers=(PriceTier("tier_1", "Main", Money(1500, "NZD"), ("A",)),),
                     venue=venue, section_sizes={"A": 10}, created_at=starts_at,
                     published_at=starts_at, **fields)


@pytest.fixture
def seeder(stack):
    return Seeder(stack)


# --- through the API: publish, summary, cancel ---------------------------------------------
def test_published_events_of_a_category_come_in_start_order_as_summaries(world, http):
    org, category = world.organizer(), tag()
    venue = world.venue(org, name="Coliseu", city="Lisboa")
    later = world.event(org, venue, days=20, category=category, name="Later")
    sooner = world.event(org, venue, days=5, category=category, name="Sooner",
                         thumbnail_url="https://img.example/x.png")
    world.event(org, venue, days=7, category=category, publish=False)
    response = find(http, category=category)
    assert ids(response) == [sooner["event_id"], later["event_id"]]
    assert response.json()["events"][0] == {
        "event_id": sooner["event_id"], "name": "Sooner", "category": category,
        "starts_at": sooner["starts_at"],
        "venue": {"venue_id": venue["venue_id"], "name": "Coliseu", "city": "Lisboa"},
        "price_range": {"min": {"amount": 2000, "currency": "EUR"},
                        "max": {"amount": 5000, "currency": "EUR"}},
        "availability": "available", "thumbnail_url": "https://img.example/x.png",
        "distance_km": None}
    assert response.json()["next_cursor"] is None


def test_a_cursor_keeps_working_while_new_events_are_published(world, http):
    org, category = world.organizer(), tag()
    venue = world.venue(org)
    made = [world.event(org, venue, category=category, days=d)["event_id"] for d in (2, 4, 6)]
    first = find(http, category=category, limit=2).json()
    assert [e["event_id"] for e in first["events"]] == made[:2]
    added_after = world.event(org, venue, category=category, days=5)["event_id"]
    world.event(org, venue, category=category, days=1)  # behind the cursor: not this walk's
    rest = find(http, category=category, limit=2, cursor=first["next_cursor"]).json()
    assert [e["event_id"] for e in rest["events"]] == [added_after, made[2]]


def test_a_cancelled_event_leaves_search_but_keeps_its_page(world, http, stack):
    org, category, word = world.organizer(), tag(), tag()
    venue = world.venue(org, location={"lat": -61.0, "lng": 60.0})
    kept = world.event(org, venue, category=category, days=3)["event_id"]
    gone = world.event(org, venue, category=category, days=2, name=f"Gone {word}")["event_id"]
    assert ids(find(http, category=category)) == [gone, kept]
    assert ids(find(http, q=word)) == [gone]
    for _ in range(2):  # cancelling again answers the same
        cancelled = http.request("POST", f"/organizer/events/{gone}/cancel", token=org)
        assert cancelled.status_code == 202 and cancelled.json()["event"]["status"] == "cancelled"
    for params in ({"category": category}, {"location": "-61,60", "radius_km": "1"}):
        assert ids(find(http, **params)) == [kept]
    assert ids(find(http, q=word)) == []
    assert http.request("GET", f"/events/{gone}").json()["event"]["status"] == "cancelled"


def test_an_event_cancelled_after_its_rows_were_written_is_still_left_out(http, stack, seeder):
    category = tag()
    event_id = seeder.event(category=category)
    store = stack.container.catalog_store
    cancelled = store.event(event_id).cancelled()
    event_item(cancelled).save()  # as if a crash left every row behind
    assert ids(find(http, category=category)) == []


# --- filters -------------------------------------------------------------------------------
def test_events_starting_at_the_same_moment_are_ordered_by_id(http, seeder):
    category, starts = tag(), seeder.in_days(30)
    made = [seeder.event(category=category, starts_at=starts) for _ in range(4)]
    assert every_page(http, {"category": category, "limit": 3})[0] == sorted(made)


def test_a_location_search_keeps_only_events_inside_the_radius_with_their_distance(http, seeder):
    category, centre = tag(), (-52.0, 171.0)  # Southern Ocean: no other test goes there
    events = {km: seeder.event(spot=moved(centre, km * 0.6, km * 0.8), category=category,
                               days=10 + km / 100) for km in (0, 10, 40, 60, 300)}
    where = f"{centre[0]},{centre[1]}"
    default = find(http, location=where).json()["events"]
    assert [e["event_id"] for e in default] == [events[0], events[10], events[40]]
    assert [round(e["distance_km"]) for e in default] == [0, 10, 40]
    assert ids(find(http, location=where, radius_km="20")) == [events[0], events[10]]
    assert ids(find(http, location=where, radius_km="500", category=category)) == list(events.values())


def test_a_search_across_the_antimeridian_finds_events_on_both_sides(http, seeder):
    category = tag()
    made = [seeder.event(spot=(-30.0, lng), category=category, days=d)
            for lng, d in ((179.9, 3), (-179.9, 4))]
    assert ids(find(http, location="-30,180", radius_km="25", category=category)) == made


def test_q_matches_every_word_in_name_performer_or_description_ignoring_case_and_accents(http, seeder):
    word, other = tag(), tag()
    by_name = seeder.event(days=3, name=f"Grand {word} Night")
    by_performer = seeder.event(days=4, performer=f"The {word.upper()}s {word}")
    by_description = seeder.event(days=5, description=f"Café-{word}, {other}!")
    seeder.event(days=6, description=f"{word}x is not the word")
    assert ids(find(http, q=word.upper())) == [by_name, by_performer, by_description]
    assert ids(find(http, q=f"CAFE {word}")) == [by_description]
    assert ids(find(http, q=f"{other} café")) == [by_description]
    assert ids(find(http, q=f"{word} {tag()}")) == []


def test_dates_are_inclusive_and_a_bare_date_covers_its_whole_utc_day(http, seeder, clock):
    category = tag()
    day = (clock.now() + dt.timedelta(days=40)).date()
    times = [f"{day}T00:00:00Z", f"{day}T23:59:59Z", f"{day + dt.timedelta(days=1)}T00:00:00Z"]
    made = [seeder.event(category=category, starts_at=t) for t in times]
    assert ids(find(http, category=category, date_from=str(day), date_to=str(day))) == made[:2]
    assert ids(find(http, category=category, date_from=times[1])) == made[1:]
    assert ids(find(http, category=category, date_to=times[1])) == made[:2]
    assert ids(find(http, category=category, date_from=f"{day}T01:00:00+02:00",
                    date_to=f"{day}T23:59:59.5Z")) == made[:2]


def test_events_that_started_before_now_are_left_out_unless_date_from_says_so(http, seeder, clock):
    category = tag()
    soon = seeder.event(category=category, days=60 / 86400)
    later = seeder.event(category=category, days=1)
    clock.advance(120)
    assert ids(find(http, category=category)) == [later]
    assert ids(find(http, category=category, date_from="2000-01-01")) == [soon, later]


# --- pages and cursors ---------------------------------------------------------------------
def test_pages_cover_every_match_once_within_a_bounded_number_of_requests(http, seeder, meter):
    category = tag()
    made = [seeder.event(category=category, days=d) for d in (2, 3, 35, 70, 71, 150, 400)]
    with meter.counting() as counts:
        found, pages = every_page(http, {"category": category, "limit": 3})
    assert found == made and pages == 3
    assert "Scan" not in counts
    per_page = 1 + MAX_QUERIES_PER_PAGE + 1 + 3  # months, index, events, availability
    assert sum(counts.values()) <= pages * per_page, counts


def test_a_tampered_cursor_or_one_from_another_query_is_refused(http, seeder):
    category = tag()
    for d in (2, 3):
        seeder.event(category=category, days=d)
    cursor = find(http, category=category, limit=1).json()["next_cursor"]
    assert cursor
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for params in ({"category": category, "cursor": tampered},
                   {"category": tag(), "cursor": cursor},
                   {"category": category, "q": "show", "cursor": cursor},
                   {"category": category, "cursor": "x" * 3000}):
        response = find(http, **params)
        assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_CURSOR"
    assert find(http, category=category, limit=5, cursor=cursor).status_code == 200


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("params, field", [
    ({"location": "41.1"}, "location"), ({"location": "abc,def"}, "location"),
    ({"location": "91,0"}, "location"), ({"location": "0,181"}, "location"),
    ({"location": "nan,0"}, "location"), ({"location": "1,2,3"}, "location"),
    ({"location": "0,0", "radius_km": "0"}, "radius_km"),
    ({"location": "0,0", "radius_km": "501"}, "radius_km"),
    ({"location": "0,0", "radius_km": "far"}, "radius_km"),
    ({"radius_km": "10"}, "radius_km"),
    ({"date_from": "2026-13-01"}, "date_from"), ({"date_from": "tomorrow"}, "date_from"),
    ({"date_to": "2026-12-01T20:00:00"}, "date_to"),
    ({"date_from": "2027-01-02", "date_to": "2027-01-01"}, "date_to"),
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"category": "Not A Slug"}, "category"), ({"q": "x" * 201}, "q"), ({"q": "!!!"}, "q"),
    ({"q": "a b c d e f g h i"}, "q"), ({"q": "y" * 65}, "q"),
])
def test_bad_search_parameters_are_refused_naming_the_field(http, params, field):
    assert field in fields_of(find(http, **params))


# --- the brute-force comparison ------------------------------------------------------------
VOCAB_SIZE = 5


@pytest.fixture(scope="module")
def catalog(stack):
    """Sixty events around a remote point, over several months, with shared start
    times, three categories of their own and words of their own."""
    seeder, name, now = Seeder(stack), tag(), stack.container.clock.now()
    centre = (-47.0, -150.0)
    spots = [moved(centre, n, e) for n, e in ((0, 0), (3, 4), (-20, 10), (45, -5), (60, 60),
                                               (-130, 20), (300, -200), (480, 100), (-700, 0))]
    categories = [f"{name}-{c}" for c in "abc"]
    vocab = [f"{name}w{i}" for i in range(VOCAB_SIZE)]
    days = [0.5, 2, 2, 9, 33, 33, 64, 95, 140, 260, 400]
    specs = [{"spot": spots[i % len(spots)], "category": categories[i % 3],
              "starts_at": seeder.in_days(days[i * 3 % len(days)]),
              "name": f"Show {vocab[i % VOCAB_SIZE]}",
              "description": f"With {vocab[i * 7 % VOCAB_SIZE]}." if i % 4 else "Nothing.",
              "performer": f"Band {vocab[i * 3 % VOCAB_SIZE]}" if i % 5 == 0 else None}
             for i in range(60)]
    events = [{"event_id": e.event_id, "starts_at": e.starts_at, "category": e.category,
               "lat": e.venue.location.lat, "lng": e.venue.location.lng,
               "words": {w.strip(".").lower() for w in
                         " ".join(filter(None, (e.name, e.description, e.performer))).split()}}
              for e in seeder.events(specs)]
    return {"events": events, "spots": spots, "categories": categories, "vocab": vocab,
            "now": now}


def expected(catalog, params, now):
    """The brute-force answer: every filter applied to every event of the catalog."""
    low = params.get("date_from") or to_rfc3339(now)
    high = params.get("date_to", "9999")
    low = f"{low}T00:00:00Z" if len(low) == 10 else low
    high = f"{high}T23:59:59Z" if len(high) == 10 else high
    terms = set(params.get("q", "").lower().split())
    chosen = []
    for e in catalog["events"]:
        if not low <= e["starts_at"] <= high or not terms <= e["words"]:
            continue
        if params.get("category") not in (None, e["category"]):
            continue
        if "location" in params:
            lat, lng = map(float, params["location"].split(","))
            if haversine_km(lat, lng, e["lat"], e["lng"]) > float(params.get("radius_km", 50)):
                continue
        chosen.append(e)
    return [e["event_id"] for e in sorted(chosen, key=lambda e: (e["starts_at"], e["event_id"]))]


@st.composite
def queries(draw, catalog):
    """A query pinned to the catalog by its place, a category or a word of its own."""
    params = {"limit": draw(st.sampled_from(["1", "3", "7", "20"]))}
    pin = draw(st.sampled_from("lcq"))
    if pin == "l" or draw(st.booleans()):
        lat, lng = draw(st.sampled_from(catalog["spots"][:6]))
        params["location"] = f"{lat + draw(st.floats(-0.3, 0.3)):.5f},{lng:.5f}"
        radius = draw(st.sampled_from([None, "1", "15", "62.5", "150", "500"]))
        if radius:
            params["radius_km"] = radius
    if pin == "c" or draw(st.booleans()):
        params["category"] = draw(st.sampled_from(catalog["categories"]))
    if pin == "q" or draw(st.booleans()):
        params["q"] = " ".join(draw(st.lists(st.sampled_from(catalog["vocab"]), min_size=1,
                                             max_size=2)))
    start = catalog["now"] + dt.timedelta(days=draw(st.sampled_from([-1, 1, 2, 40, 100])))
    if draw(st.booleans()):
        params["date_from"] = draw(st.sampled_from([str(start.date()), to_rfc3339(start)]))
    if draw(st.booleans()):
        end = start + dt.timedelta(days=draw(st.sampled_from([0, 31, 90, 200])))
        params["date_to"] = draw(st.sampled_from([str(end.date()), to_rfc3339(end)]))
    return params


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_page_together_equals_a_brute_force_filter_of_the_catalog(http, clock, catalog,
                                                                       data):
    params = data.draw(queries(catalog))
    found, _ = every_page(http, params)
    assert found == expected(catalog, params, clock.now()), params
