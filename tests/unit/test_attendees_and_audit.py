"""Attendees, an organizer's refund and the audit trail, on the fakes."""
import csv
import dataclasses
import datetime as dt
import io

import pytest

from chalicelib.api import views
from chalicelib.domain import errors
from chalicelib.domain.clock import to_rfc3339
from chalicelib.services.commands import EventChanges, NewWebhook


def bought(world, org=None, seats=(("A-1-1", "A-1-2"), ("A-2-1",), ("B-1-1",))):
    org = org or world.organizer()
    show = world.event(org, world.venue(org))
    bookings = []
    for n, wanted in enumerate(seats):
        customer = world.customer(email=f"fan{n}@example.com")
        bookings.append(world.book(customer, world.hold(customer, show.event_id, list(wanted)).hold_id).booking)
    return org, show, bookings


def every_attendee(world, org, event_id, limit):
    found, cursor = [], None
    while True:
        page = world.attendees.attendees(org, event_id, cursor, limit)
        found += page.items
        cursor = page.next_cursor
        if cursor is None:
            return found


def test_attendees_list_each_booking_once_with_the_email_it_was_made_with(world):
    org, show, bookings = bought(world)
    listed = every_attendee(world, org, show.event_id, limit=2)
    assert sorted(b.booking_id for b in listed) == sorted(b.booking_id for b in bookings)
    view = views.attendee(next(b for b in listed if b.booking_id == bookings[0].booking_id))
    assert view["email"] == "fan0@example.com" and view["status"] == "confirmed"
    assert [t["seat_id"] for t in view["tickets"]] == ["A-1-1", "A-1-2"]


def test_attendees_and_refunds_of_another_tenant_are_not_found(world):
    org, show, bookings = bought(world)
    other = world.organizer()
    with pytest.raises(errors.NotFound):
        world.attendees.attendees(other, show.event_id, None, 10)
    with pytest.raises(errors.NotFound) as missing:
        world.attendees.refund(other, bookings[0].booking_id)
    assert missing.value.details == {"resource": "booking"}
    cursor = world.attendees.attendees(org, show.event_id, None, 1).next_cursor
    another = world.event(org, world.venue(org))
    with pytest.raises(errors.InvalidCursor):  # a cursor is bound to its event
        world.attendees.attendees(org, another.event_id, cursor, 1)


def test_the_csv_has_one_row_per_ticket_and_defuses_formulas(world):
    org, show, bookings = bought(world)
    world.bookings.cancel(world.customer(bookings[2].user_id), bookings[2].booking_id)
    listed = every_attendee(world, org, show.event_id, limit=10)
    rows = list(csv.DictReader(io.StringIO(views.attendees_csv(listed, with_header=True))))
    assert len(rows) == 4 and {r["seat_id"] for r in rows} == {"A-1-1", "A-1-2", "A-2-1", "B-1-1"}
    assert {r["ticket_status"] for r in rows if r["booking_status"] == "cancelled"} == {"void"}
    poisoned = dataclasses.replace(listed[0], customer_email='=HYPERLINK("x")')
    row = next(csv.reader(io.StringIO(views.attendees_csv([poisoned], with_header=False))))
    assert row[3] == "'=HYPERLINK(\"x\")"
    assert views.attendees_csv(listed, with_header=False).count("\r\n") == 4


def test_an_organizer_refund_is_the_customers_cancel_once_and_audited_once(world):
    org, show, bookings = bought(world)
    target = bookings[0]
    first = world.attendees.refund(org, target.booking_id, "req-r1")
    again = world.attendees.refund(org, target.booking_id, "req-r2")
    assert first.booking.status == again.booking.status == "cancelled"
    assert first.booking.refund.reason == "organizer"
    assert world.payments.refund_count(target.booking_id) == 1
    refunds = [e for e in world.audit_log.all() if e.action == "booking.refund"]
    assert [(e.resource, e.request_id) for e in refunds] == [(f"booking/{target.booking_id}", "req-r1")]


def test_an_organizer_refund_closes_when_the_event_starts_even_after_a_reschedule(world):
    org, show, bookings = bought(world)
    soon = world.clock.now() + dt.timedelta(hours=1)
    world.lifecycle.change(org, show.event_id, EventChanges({"starts_at": to_rfc3339(soon)}))
    world.clock.set(soon)
    with pytest.raises(errors.CancellationClosed):
        world.attendees.refund(org, bookings[0].booking_id)
    with pytest.raises(errors.CancellationClosed):  # the customer's own cancel too
        world.bookings.cancel(world.customer(bookings[1].user_id), bookings[1].booking_id)


def test_every_organizer_write_appends_one_entry_with_actor_action_resource_and_request(world):
    org = world.organizer()
    venue = world.catalog.create_venue(org, world_venue_command(), "r-venue")
    event = world.event(org, venue, publish=False)
    world.catalog.publish(org, event.event_id, "r-publish")
    world.catalog.publish(org, event.event_id, "r-publish-again")  # a no-op: no entry
    world.lifecycle.change(org, event.event_id, EventChanges({"name": "New"}), "r-patch")
    customer = world.customer()
    receipt = world.book(customer, world.hold(customer, event.event_id, ["A-1-1"]).hold_id)
    code = receipt.codes[receipt.booking.tickets[0].ticket_id]
    world.checkins.check_in(org, event.event_id, code, "r-door")
    hook = world.webhooks.register(org, NewWebhook("https://h.example.com/", ("EventCancelled",)), "r-hook")
    world.webhooks.delete(org, hook.webhook_id, "r-unhook")
    world.lifecycle.cancel(org, event.event_id, "r-cancel")
    world.lifecycle.cancel(org, event.event_id, "r-cancel-again")  # the state, no entry
    entries = world.audit.entries(org, None, 100).items
    assert [(e.action, e.request_id) for e in entries if e.request_id and e.request_id.startswith("r-")] \
        == [("event.cancel", "r-cancel"), ("webhook.delete", "r-unhook"),
            ("webhook.create", "r-hook"), ("ticket.check_in", "r-door"),
            ("event.update", "r-patch"), ("event.publish", "r-publish"),
            ("venue.create", "r-venue")]
    assert {e.actor for e in entries} == {org.sub}
    assert entries[0].resource == f"event/{event.event_id}"


def world_venue_command():
    from chalicelib.domain.catalog import Location, Row, Section
    from chalicelib.services.commands import NewVenue
    return NewVenue("Hall", "1 St", "Porto", "PT", Location(41.1, -8.6), "UTC",
                    (Section("A", (Row("1", 10),)),))


def test_the_audit_trail_is_newest_first_in_pages_and_per_tenant(world):
    org, other = world.organizer(), world.organizer()
    made = []
    for n in range(5):
        made.append(world.catalog.create_venue(org, world_venue_command(), f"r{n}").venue_id)
        world.clock.advance(3600 * 7)  # across days
    world.catalog.create_venue(other, world_venue_command(), "theirs")
    seen, cursor = [], None
    while True:
        page = world.audit.entries(org, cursor, 2)
        seen += [e.resource for e in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"venue/{v}" for v in reversed(made)]
    with pytest.raises(errors.InvalidCursor):
        world.audit.entries(other, world.audit.entries(org, None, 1).next_cursor, 1)
