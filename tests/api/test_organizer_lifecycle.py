"""The organizer's side over HTTP: change and reschedule an event, cancel it and watch the
refunds, see the attendees (JSON and CSV), refund one booking, read the audit trail; every
route scoped to the tenant."""
import csv
import datetime as dt
import io

from chalicelib.api import models
from chalicelib.domain.cancellations import SETTLE_SECONDS
from chalicelib.domain.clock import to_rfc3339
from support import uid


def bought(world, http, seats=(["A-1-1", "A-1-2"], ["A-2-1"], ["B-1-1"]), **event):
    org, venue, show = world.on_sale(**event)
    bookings = []
    for wanted in seats:
        sub = uid("cust")
        token = world.issuer.issue(sub, f"{sub}@example.com", ["customer"], None)[0]
        hold = world.hold(token, show["event_id"], wanted).json()
        booking = world.book(token, hold["hold_id"])
        assert booking.status_code == 201, booking.content
        bookings.append((token, booking.json()))
    return org, show, bookings


def patch(http, org, event_id, body, **headers):
    return http.request("PATCH", f"/organizer/events/{event_id}", body, token=org, headers=headers)


def found(http, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return [e["event_id"] for e in http.request("GET", f"/events?{query}").json()["events"]]


def test_a_published_event_changes_what_it_may_and_names_what_it_may_not(world, http):
    org, _, event = world.on_sale()
    changed = patch(http, org, event["event_id"], {"name": "New name", "performer": None})
    assert changed.status_code == 200, changed.content
    models.Event.model_validate(changed.json())
    assert (changed.json()["name"], changed.json()["performer"]) == ("New name", None)
    refused = patch(http, org, event["event_id"], {"category": "jazz", "price_tiers": [
        {"name": "All", "price": {"amount": 100, "currency": "EUR"}, "sections": ["A", "B"]}]})
    assert refused.status_code == 400
    assert set(refused.json()["error"]["details"]["fields"]) == {"category", "price_tiers"}
    nulled = patch(http, org, event["event_id"], {"name": None, "max_tickets_per_order": 0})
    assert set(nulled.json()["error"]["details"]["fields"]) == {"name", "max_tickets_per_order"}
    assert patch(http, org, event["event_id"], {"colour": "red"}).status_code == 400
    assert patch(http, world.organizer(), event["event_id"], {"name": "x"}).status_code == 404


def test_a_reschedule_moves_the_event_in_search_and_emits_event_rescheduled(world, http, stack, clock):
    org, word = world.organizer(), uid("w").replace("-", "")
    event = world.event(org, world.venue(org), days=3, description=f"{word} evening")
    soon = (clock.now() + dt.timedelta(days=4)).date().isoformat()
    assert found(http, q=word, date_to=soon) == [event["event_id"]]
    new_start = to_rfc3339(clock.now() + dt.timedelta(days=60))
    assert patch(http, org, event["event_id"], {"starts_at": new_start}).status_code == 200
    assert found(http, q=word, date_to=soon) == []
    assert found(http, q=word) == [event["event_id"]]
    stack.deliver()
    moved = [e["detail"] for e in stack.bus.published if e["detail_type"] == "EventRescheduled"
             and e["detail"]["ids"]["event"] == event["event_id"]]
    assert [(d["starts_at"], d["previous_starts_at"]) for d in moved] == [(new_start, event["starts_at"])]


def test_cancelling_stops_sales_at_once_and_refunds_every_booking(world, http, stack, clock):
    org, show, bookings = bought(world, http)
    event_id = show["event_id"]
    cancelled = http.request("POST", f"/organizer/events/{event_id}/cancel", token=org,
                             headers={"X-Request-Id": "req-cancel-1"})
    assert cancelled.status_code == 202, cancelled.content
    models.EventCancellation.model_validate(cancelled.json())
    assert cancelled.json()["event"]["status"] == "cancelled"
    late = world.hold(world.customer(), event_id, ["A-3-1"])
    assert (late.status_code, late.json()["error"]["code"]) == (409, "EVENT_CANCELLED")
    clock.advance(SETTLE_SECONDS)
    stack.sweep()
    progress = http.request("GET", f"/organizer/events/{event_id}/cancellation", token=org).json()
    assert progress == {"bookings_total": 3, "refunded": 3, "failed": 0, "status": "done"}
    again = http.request("POST", f"/organizer/events/{event_id}/cancel", token=org)
    assert again.status_code == 202 and again.json()["refunds"] == progress
    for token, booking in bookings:
        mine = http.request("GET", f"/bookings/{booking['booking_id']}", token=token).json()
        assert mine["booking"]["status"] == "cancelled"
        assert {t["status"] for t in mine["tickets"]} == {"void"}
    stack.deliver()
    kinds = [e["detail_type"] for e in stack.bus.published if e["detail"]["ids"].get("event") == event_id]
    assert kinds.count("BookingCancelled") == 3 and kinds.count("EventCancelled") == 1


def test_another_tenant_gets_404_on_every_organizer_route_of_an_event_or_booking(world, http):
    org, show, bookings = bought(world, http, seats=(["A-1-1"],))
    other = world.organizer()
    booking_id = bookings[0][1]["booking_id"]
    for method, path, body in (
            ("PATCH", f"/organizer/events/{show['event_id']}", {"name": "x"}),
            ("POST", f"/organizer/events/{show['event_id']}/cancel", None),
            ("GET", f"/organizer/events/{show['event_id']}/cancellation", None),
            ("GET", f"/organizer/events/{show['event_id']}/attendees", None),
            ("POST", f"/organizer/bookings/{booking_id}/refund", None)):
        theirs = http.request(method, path, body, token=other)
        assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "NOT_FOUND", path
    assert http.request("GET", f"/organizer/events/{show['event_id']}", token=org).json()["status"] == "published"
    customer = bookings[0][0]
    assert http.request("GET", f"/organizer/events/{show['event_id']}/attendees",
                        token=customer).status_code == 403
    progress = http.request("GET", f"/organizer/events/{show['event_id']}/cancellation", token=org)
    assert progress.json()["error"]["details"]["resource"] == "cancellation"


def test_attendees_come_as_json_pages_and_as_csv_pages_linked_to_the_next(world, http):
    org, show, bookings = bought(world, http)
    path = f"/organizer/events/{show['event_id']}/attendees"
    listed, cursor = [], None
    while True:
        page = http.request("GET", path + "?limit=2" + (f"&cursor={cursor}" if cursor else ""), token=org)
        models.AttendeeList.model_validate(page.json())
        listed += page.json()["attendees"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert sorted(a["booking_id"] for a in listed) == sorted(b["booking_id"] for _, b in bookings)
    assert all(a["email"] == f"{a['user_id']}@example.com" for a in listed)
    text, url, pages = "", path + "?limit=2", 0
    while url:
        page = http.request("GET", url, token=org, headers={"Accept": "text/csv"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/csv")
        text += page.content.decode()
        pages += 1
        link = page.headers.get("link")
        url = path.rsplit("/", 1)[0] + "/" + link.split(">")[0].lstrip("<") if link else None
    rows = list(csv.DictReader(io.StringIO(text)))
    assert pages == 2 and len(rows) == 4
    assert sorted(r["seat_id"] for r in rows) == ["A-1-1", "A-1-2", "A-2-1", "B-1-1"]


def test_an_organizer_refunds_one_booking_like_the_customers_cancel(world, http, stack):
    org, show, bookings = bought(world, http, seats=(["A-1-1"], ["A-1-2"]))
    token, booking = bookings[0]
    path = f"/organizer/bookings/{booking['booking_id']}/refund"
    first = http.request("POST", path, token=org, headers={"Idempotency-Key": "refund-1"})
    assert first.status_code == 200, first.content
    models.Cancellation.model_validate(first.json())
    assert first.json()["booking"]["status"] == "cancelled"
    replay = http.request("POST", path, token=org, headers={"Idempotency-Key": "refund-1"})
    assert replay.headers.get("idempotent-replayed") == "true"
    again = http.request("POST", path, token=org)
    assert again.status_code == 200 and again.json()["booking"]["status"] == "cancelled"
    assert stack.container.payments.refund_count(booking["booking_id"]) == 1
    seat = http.request("GET", f"/events/{show['event_id']}/seats?section=A").json()["seats"]
    assert next(s for s in seat if s["seat_id"] == "A-1-1")["status"] == "available"


def test_the_audit_trail_lists_each_write_with_its_request_id_newest_first(world, http):
    org = world.organizer()
    venue = http.request("POST", "/organizer/venues", {
        "name": "Hall", "address": "1 St", "city": "Porto", "country": "PT",
        "location": {"lat": 41.1, "lng": -8.6},
        "sections": [{"name": "A", "rows": [{"name": "1", "seats": 5}]}]},
        token=org, headers={"X-Request-Id": "req-venue"}).json()
    event = world.event(org, venue, publish=False)
    http.request("POST", f"/organizer/events/{event['event_id']}/publish", token=org,
                 headers={"X-Request-Id": "req-publish"})
    patch(http, org, event["event_id"], {"name": "Renamed"}, **{"X-Request-Id": "req-patch"})
    entries, cursor = [], None
    while True:
        page = http.request("GET", "/organizer/audit?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                            token=org).json()
        models.AuditList.model_validate(page)
        entries += page["entries"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [(e["action"], e["request_id"]) for e in entries if e["action"] != "event.create"] == [
        ("event.update", "req-patch"), ("event.publish", "req-publish"), ("venue.create", "req-venue")]
    assert {e["resource"] for e in entries} >= {f"event/{event['event_id']}", f"venue/{venue['venue_id']}"}
    assert http.request("GET", "/organizer/audit", token=world.organizer()).json()["entries"] == []
    for method in ("DELETE", "PATCH", "PUT", "POST"):
        assert http.request(method, "/organizer/audit", token=org).status_code == 404
