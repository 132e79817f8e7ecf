"""Domain events as a data product: every detail the code publishes validates against its JSON
Schema in docs/events/, and every event type has one. A journey makes one of each type."""
import datetime as dt
import json
from pathlib import Path

from jsonschema import Draft202012Validator

from chalicelib.domain.clock import to_rfc3339
from chalicelib.domain.events import TYPES

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "events"


def validator(detail_type: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{detail_type}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_every_event_type_has_a_schema_and_no_schema_is_left_over():
    assert {p.stem for p in SCHEMAS.glob("*.json")} == set(TYPES)


def test_every_published_detail_of_a_whole_journey_matches_its_schema(world, stack, http, clock):
    org, venue, event = world.on_sale()
    alice, bob = world.customer(), world.customer()
    released = world.hold(alice, event["event_id"], ["A-1-1"]).json()["hold_id"]
    assert http.request("DELETE", f"/bookings/hold/{released}", token=alice).status_code == 204
    paid = world.hold(alice, event["event_id"], ["A-1-2", "B-1-1"]).json()["hold_id"]
    booking = world.book(alice, paid).json()["booking_id"]
    assert http.request("POST", f"/bookings/{booking}/cancel", token=alice).status_code == 200
    world.hold(bob, event["event_id"], ["A-2-1"])
    later = to_rfc3339(clock.now() + dt.timedelta(days=12))
    assert http.request("PATCH", f"/organizer/events/{event['event_id']}", {"starts_at": later},
                        token=org).status_code == 200
    clock.advance(seconds=3600)  # bob's hold expires by the clock; the sweep reports it
    stack.sweep()
    assert http.request("POST", f"/organizer/events/{event['event_id']}/cancel",
                        token=org).status_code == 202
    stack.deliver()
    mine = [e for e in stack.bus.published
            if (e["detail"].get("ids") or {}).get("event") == event["event_id"]]
    assert {e["detail_type"] for e in mine} == set(TYPES)
    for envelope in mine:
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}"
                  for e in validator(envelope["detail_type"]).iter_errors(envelope["detail"])]
        assert errors == [], (envelope["detail_type"], errors)
