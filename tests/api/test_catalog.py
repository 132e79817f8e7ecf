"""Organizers set up venues and events; customers read event pages and seat maps."""
import datetime as dt

import pytest

from chalicelib.domain.clock import to_rfc3339
from support import uid


def fields_of(response):
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "VALIDATION_ERROR"
    return body["details"]["fields"]


def test_a_venue_is_created_and_read_back_with_its_capacity(world, http):
    org = world.organizer()
    venue = world.venue(org)
    assert venue["capacity"] == 30 and venue["sections"] == ["A", "B"]
    assert venue["timezone"] == "UTC" and venue["location"] == {"lat": 41.15, "lng": -8.61}
    assert http.request("GET", f"/organizer/venues/{venue['venue_id']}", token=org).json() == venue
    listed = http.request("GET", "/organizer/venues", token=org).json()
    assert [v["venue_id"] for v in listed["venues"]] == [venue["venue_id"]]
    assert listed["next_cursor"] is None


def test_another_tenant_sees_404_exactly_like_a_missing_resource(world, http):
    org, venue, event = world.on_sale(publish=False)
    other = world.organizer()
    for path in (f"/organizer/venues/{venue['venue_id']}", f"/organizer/events/{event['event_id']}"):
        theirs = http.request("GET", path, token=other)
        missing = http.request("GET", path.rsplit("/", 1)[0] + "/nope", token=other)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "NOT_FOUND"
    publish = http.request("POST", f"/organizer/events/{event['event_id']}/publish", token=other)
    assert publish.status_code == 404
    assert http.request("GET", "/organizer/events", token=other).json()["events"] == []
    response = http.request("POST", "/organizer/events", {
        "venue_id": venue["venue_id"], "name": "x", "description": "", "category": "c",
        "starts_at": "2099-01-01T00:00:00Z",
        "price_tiers": [{"name": "a", "price": {"amount": 1, "currency": "EUR"}, "sections": ["A", "B"]}]},
        token=other)
    assert response.status_code == 404 and response.json()["error"]["details"] == {"resource": "venue"}


def test_organizer_listings_paginate_with_a_signed_cursor(world, http):
    org = world.organizer()
    ids = {world.venue(org)["venue_id"] for _ in range(3)}
    first = http.request("GET", "/organizer/venues?limit=2", token=org).json()
    assert len(first["venues"]) == 2 and first["next_cursor"]
    second = http.request("GET", f"/organizer/venues?limit=2&cursor={first['next_cursor']}", token=org).json()
    assert {v["venue_id"] for v in first["venues"] + second["venues"]} == ids
    tampered = first["next_cursor"][:-2] + ("AA" if not first["next_cursor"].endswith("AA") else "BB")
    bad = http.request("GET", f"/organizer/venues?cursor={tampered}", token=org)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_CURSOR"
    foreign = http.request("GET", f"/organizer/venues?cursor={first['next_cursor']}",
                           token=world.organizer())
    assert foreign.status_code == 400 and foreign.json()["error"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize("change, field", [
    ({"sections": [{"name": "A", "rows": [{"name": "1", "seats": 201}]}]}, "sections[0].rows[0].seats"),
    ({"sections": [{"name": "A B", "rows": [{"name": "1", "seats": 2}]}]}, "sections[0].name"),
    ({"sections": [{"name": "A", "rows": [{"name": "1", "seats": 200}] * 1}] * 2}, "sections"),
    ({"sections": [{"name": "A", "rows": [{"name": str(r), "seats": 200} for r in range(26)]}]}, "sections[0]"),
    ({"name": "x" * 201}, "name"), ({"location": {"lat": 91, "lng": 0}}, "location.lat"),
    ({"country": "Portugal"}, "country"), ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"name": 5}, "name"), ({"sections": []}, "sections"),
    ({"sections": [{"name": "\u0410", "rows": [{"name": "1", "seats": 2}]}]}, "sections[0].name"),
])
def test_bad_venues_are_refused_naming_the_field(world, http, change, field):
    payload = {"name": "V", "address": "a", "city": "c", "country": "PT",
               "location": {"lat": 1, "lng": 2},
               "sections": [{"name": "A", "rows": [{"name": "1", "seats": 2}]}], **change}
    assert field in fields_of(http.request("POST", "/organizer/venues", payload, token=world.organizer()))


def test_a_venue_over_100000_seats_is_refused(world, http):
    sections = [{"name": f"S{i}", "rows": [{"name": str(r), "seats": 200} for r in range(25)]}
                for i in range(21)]
    fields = fields_of(http.request("POST", "/organizer/venues", {
        "name": "V", "address": "a", "city": "c", "country": "PT", "location": {"lat": 1, "lng": 2},
        "sections": sections}, token=world.organizer()))
    assert "100000" in fields["sections"]


def event_payload(venue, clock, **change):
    payload = {"venue_id": venue["venue_id"], "name": "Show", "description": "d",
               "category": "rock", "starts_at": to_rfc3339(clock.now() + dt.timedelta(days=3)),
               "price_tiers": [{"name": "Main", "price": {"amount": 1000, "currency": "EUR"},
                                "sections": ["A", "B"]}]}
    payload.update(change)
    return payload


@pytest.mark.parametrize("change, field", [
    ({"price_tiers": [{"name": "a", "price": {"amount": 1, "currency": "EUR"}, "sections": ["A"]}]}, "price_tiers"),
    ({"price_tiers": [{"name": "a", "price": {"amount": 1, "currency": "EUR"}, "sections": ["A", "B"]},
                      {"name": "b", "price": {"amount": 1, "currency": "EUR"}, "sections": ["B"]}]}, "price_tiers"),
    ({"price_tiers": [{"name": "a", "price": {"amount": 1, "currency": "EUR"}, "sections": ["A"]},
                      {"name": "b", "price": {"amount": 1, "currency": "USD"}, "sections": ["B"]}]}, "price_tiers"),
    ({"price_tiers": [{"name": "a", "price": {"amount": -1, "currency": "EUR"}, "sections": ["A", "B"]}]}, "price_tiers[0].price.amount"),
    ({"price_tiers": [{"name": "a", "price": {"amount": 1.5, "currency": "EUR"}, "sections": ["A", "B"]}]}, "price_tiers[0].price.amount"),
    ({"price_tiers": [{"name": "a", "price": {"amount": 1, "currency": "XYZ"}, "sections": ["A", "B"]}]}, "price_tiers[0].price.currency"),
    ({"starts_at": "2020-01-01T00:00:00Z"}, "starts_at"), ({"starts_at": "tomorrow"}, "starts_at"),
    ({"starts_at": "9999-12-31T23:59:59-01:00"}, "starts_at"),
    ({"category": "Rock Music"}, "category"), ({"max_tickets_per_order": 51}, "max_tickets_per_order"),
    ({"name": ["x"]}, "name"), ({"description": "x" * 5001}, "description"),
])
def test_bad_events_are_refused_naming_the_field(world, http, clock, change, field):
    org = world.organizer()
    venue = world.venue(org)
    response = http.request("POST", "/organizer/events", event_payload(venue, clock, **change), token=org)
    assert field in fields_of(response)


def test_a_draft_is_invisible_until_published_and_publishing_twice_is_a_no_op(world, http):
    org, venue, event = world.on_sale(publish=False)
    assert event["status"] == "draft"
    eid = event["event_id"]
    assert http.request("GET", f"/events/{eid}").status_code == 404
    assert http.request("GET", f"/organizer/events/{eid}", token=org).json()["status"] == "draft"
    first = http.request("POST", f"/organizer/events/{eid}/publish", token=org)
    second = http.request("POST", f"/organizer/events/{eid}/publish", token=org)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["status"] == "published"
    assert http.request("GET", f"/events/{eid}").status_code == 200


def test_the_event_page_has_event_venue_tiers_and_summary_with_caching(world, http):
    org, venue, event = world.on_sale()
    response = http.request("GET", f"/events/{event['event_id']}")
    page = response.json()
    assert page["event"] == event and page["venue"] == venue
    assert [t["sections"] for t in page["price_tiers"]] == [["A"], ["B"]]
    summary = page["availability_summary"]
    assert (summary["total"], summary["available"], summary["held"], summary["sold"]) == (30, 30, 0, 0)
    assert summary["sections"][0] == {"section": "A", "total": 20, "available": 20,
                                      "min_price": {"amount": 5000, "currency": "EUR"}}
    assert response.headers["cache-control"] == "public, max-age=30"
    again = http.request("GET", f"/events/{event['event_id']}",
                         headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_the_summary_follows_holds_once_events_are_delivered(world, http, stack):
    org, venue, event = world.on_sale()
    assert world.hold(world.customer(), event["event_id"], ["A-1-1", "B-1-1"]).status_code == 201
    stack.deliver()
    summary = http.request("GET", f"/events/{event['event_id']}").json()["availability_summary"]
    assert (summary["available"], summary["held"]) == (28, 2)


def test_the_seat_map_filters_and_changes_its_etag_when_a_hold_expires(world, http, clock):
    org, venue, event = world.on_sale()
    eid = event["event_id"]
    seats = http.request("GET", f"/events/{eid}/seats").json()
    assert len(seats["seats"]) == 30 and seats["seat_map_url"] is None
    assert seats["seats"][0] == {"seat_id": "A-1-1", "section": "A", "row": "1", "number": 1,
                                 "tier_id": "tier_1", "price": {"amount": 5000, "currency": "EUR"},
                                 "status": "available"}
    assert len(http.request("GET", f"/events/{eid}/seats?section=B").json()["seats"]) == 10
    world.hold(world.customer(), eid, ["B-1-3"], hold_duration_seconds=30)
    held = http.request("GET", f"/events/{eid}/seats?section=B&status=held")
    assert [s["seat_id"] for s in held.json()["seats"]] == ["B-1-3"]
    assert held.headers["cache-control"] == "no-cache"
    etag = held.headers["etag"]
    assert http.request("GET", f"/events/{eid}/seats?section=B&status=held",
                        headers={"If-None-Match": etag}).status_code == 304
    clock.advance(30)
    after = http.request("GET", f"/events/{eid}/seats?section=B&status=held",
                         headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.json()["seats"] == []
    unknown = http.request("GET", f"/events/{eid}/seats?section=Z")
    assert "section" in fields_of(unknown)


BIG_VENUE = [{"name": f"S{i}", "rows": [{"name": str(r), "seats": 200} for r in range(25)]}
             for i in range(20)]  # 100,000 seats


def test_a_100000_seat_venue_publishes_in_constant_requests_and_needs_a_section(world, http, meter):
    org = world.organizer()
    venue = world.venue(org, sections=BIG_VENUE)
    assert venue["capacity"] == 100_000
    event = world.event(org, venue, publish=False)
    with meter.counting() as counts:
        response = http.request("POST", f"/organizer/events/{event['event_id']}/publish", token=org)
    assert response.status_code == 200
    assert sum(counts.values()) <= 6, counts
    missing = http.request("GET", f"/events/{event['event_id']}/seats")
    assert "section" in fields_of(missing)
    assert len(http.request("GET", f"/events/{event['event_id']}/seats?section=S3").json()["seats"]) == 5000


def test_request_budgets_for_the_event_page_and_a_1000_seat_section(world, http, meter):
    org = world.organizer()
    venue = world.venue(org, sections=[{"name": "Main", "rows": [{"name": str(r), "seats": 100}
                                                                 for r in range(10)]}])
    event = world.event(org, venue)
    eid = event["event_id"]
    http.request("GET", f"/events/{eid}/seats?section=Main")  # warms the layout cache
    with meter.counting() as page_counts:
        assert http.request("GET", f"/events/{eid}").status_code == 200
    with meter.counting() as seat_counts:
        assert len(http.request("GET", f"/events/{eid}/seats?section=Main").json()["seats"]) == 1000
    assert sum(page_counts.values()) <= 2, page_counts
    assert sum(seat_counts.values()) <= 3, seat_counts
    assert "Scan" not in page_counts and "Scan" not in seat_counts


def test_a_retried_create_with_the_same_idempotency_key_creates_one_venue(world, http):
    org = world.organizer()
    payload = {"name": "Once Hall", "address": "a", "city": "c", "country": "PT",
               "location": {"lat": 1, "lng": 2},
               "sections": [{"name": "A", "rows": [{"name": "1", "seats": 2}]}]}
    key = {"Idempotency-Key": uid("key")}
    first = http.request("POST", "/organizer/venues", payload, token=org, headers=key)
    again = http.request("POST", "/organizer/venues", payload, token=org, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert len(http.request("GET", "/organizer/venues", token=org).json()["venues"]) == 1
    changed = http.request("POST", "/organizer/venues", {**payload, "name": "Other"}, token=org, headers=key)
    assert changed.status_code == 422


def test_coordinates_are_kept_to_seven_decimals(world, http):
    venue = world.venue(world.organizer(), location={"lat": 1e-320, "lng": 12.123456789})
    assert venue["location"] == {"lat": 0.0, "lng": 12.1234568}


def test_a_weak_validator_matches_as_rfc_9110_says(world, http):
    org, venue, event = world.on_sale()
    for path in (f"/events/{event['event_id']}", f"/events/{event['event_id']}/seats?section=A"):
        etag = http.request("GET", path).headers["etag"]
        for header in (f"W/{etag}", f'"nope", W/{etag}', etag):
            assert http.request("GET", path, headers={"If-None-Match": header}).status_code == 304
        assert http.request("GET", path, headers={"If-None-Match": 'W/"nope"'}).status_code == 200
