"""Changing an event, on the fakes: what a draft and a published event may change, a
reschedule that holds and search follow, a lower ticket limit, and a change that raced."""
import dataclasses
import datetime as dt

import pytest

from chalicelib.domain import errors
from chalicelib.domain.catalog import Row, Section
from chalicelib.domain.clock import epoch, to_rfc3339
from chalicelib.domain.money import Money
from chalicelib.domain.search import parse_search
from chalicelib.services.commands import EventChanges, NewTier
from chalicelib.services.ports import SaleChanged


def change(world, org, event, **fields):
    return world.lifecycle.change(org, event.event_id, EventChanges(fields), "req-patch")


def in_hours(world, hours):
    return to_rfc3339(world.clock.now() + dt.timedelta(hours=hours))


def test_a_draft_may_change_any_field_of_its_creation_body_even_its_venue(world):
    org = world.organizer()
    first, second = world.venue(org), world.venue(org, sections=(Section("Z", (Row("1", 5),)),))
    draft = world.event(org, first, publish=False)
    changed = change(world, org, draft, name="Renamed", category="jazz", venue_id=second.venue_id,
                     price_tiers=(NewTier("Only", Money(900, "EUR"), ("Z",)),),
                     starts_at=in_hours(world, 48), performer=None)
    assert (changed.name, changed.category, changed.venue_id) == ("Renamed", "jazz", second.venue_id)
    assert changed.section_sizes == {"Z": 5} and changed.price_tiers[0].price.amount == 900
    assert changed.version == draft.version + 1 and changed.status == "draft"


def test_a_draft_moved_to_another_venue_must_price_every_section_there(world):
    org = world.organizer()
    draft = world.event(org, world.venue(org), publish=False)
    other = world.venue(org, sections=(Section("Z", (Row("1", 5),)),))
    with pytest.raises(errors.ValidationFailed) as refused:
        change(world, org, draft, venue_id=other.venue_id)
    assert "price_tiers" in refused.value.details["fields"]


def test_a_published_event_refuses_changes_to_what_buyers_paid_for_naming_each_field(world):
    org, venue, event = world.on_sale()
    with pytest.raises(errors.ValidationFailed) as refused:
        change(world, org, event, category="jazz", venue_id=venue.venue_id, name="ok")
    assert set(refused.value.details["fields"]) == {"category", "venue_id"}
    assert world.catalog_store.event(event.event_id) == event


def test_nothing_to_change_a_past_start_and_a_cancelled_event_are_refused(world):
    org, _, event = world.on_sale()
    with pytest.raises(errors.ValidationFailed):
        change(world, org, event)
    with pytest.raises(errors.ValidationFailed) as past:
        change(world, org, event, starts_at=in_hours(world, -1))
    assert "starts_at" in past.value.details["fields"]
    world.lifecycle.cancel(org, event.event_id)
    with pytest.raises(errors.EventCancelled):
        change(world, org, event, name="Too late")


def test_another_tenant_cannot_change_the_event(world):
    _, _, event = world.on_sale()
    with pytest.raises(errors.NotFound):
        change(world, world.organizer(), event, name="Mine now")


def test_a_change_based_on_a_stale_read_is_refused_as_a_conflict(world):
    org, _, event = world.on_sale()
    change(world, org, event, name="First")
    stale = dataclasses.replace(world.catalog_store.event(event.event_id), version=event.version)
    with pytest.raises(SaleChanged):
        world.catalog_store.update_event(stale.changed(name="Second"), stale)
    assert world.catalog_store.event(event.event_id).name == "First"


def test_a_reschedule_moves_the_event_in_search(world):
    org, _, event = world.on_sale(days=10)
    change(world, org, event, starts_at=in_hours(world, 24 * 40))
    day = (world.clock.now() + dt.timedelta(days=10)).date().isoformat()
    assert world.search.find(parse_search({"date_to": day}), None).items == []
    later = (world.clock.now() + dt.timedelta(days=41)).date().isoformat()
    found = world.search.find(parse_search({"date_to": later}), None).items
    assert [s.event.event_id for s in found] == [event.event_id]


def test_holds_never_outlive_an_earlier_start_and_cannot_be_extended_past_it(world):
    org, _, event = world.on_sale(days=1)
    customer = world.customer()
    hold = world.hold(customer, event.event_id, ["A-1-1"], seconds=1800)
    short = world.hold(world.customer(), event.event_id, ["A-1-2"], seconds=60)
    starts = world.clock.now() + dt.timedelta(minutes=10)
    change(world, org, event, starts_at=to_rfc3339(starts))
    assert world.inventory.hold(hold.hold_id).expires_at == epoch(starts)
    assert world.inventory.hold(short.hold_id).expires_at == short.expires_at
    longer = world.holds.extend(customer, hold.hold_id, 1800)
    assert longer.expires_at == epoch(starts)
    world.clock.set(starts)
    states = world.inventory.seat_states(event.event_id, "A")
    assert states["A-1-1"].status_at(world.clock.now()) == "available"
    with pytest.raises(errors.HoldExpired):
        world.book(customer, hold.hold_id)


def test_a_new_hold_after_a_reschedule_expires_at_the_new_start(world):
    org, _, event = world.on_sale(days=1)
    world.hold(world.customer(), event.event_id, ["A-1-3"])  # a warm cache of the old event
    starts = world.clock.now() + dt.timedelta(minutes=5)
    change(world, org, event, starts_at=to_rfc3339(starts))
    fresh = world.hold(world.customer(), event.event_id, ["A-1-4"], seconds=1800)
    assert fresh.expires_at == epoch(starts)


def test_a_lower_ticket_limit_applies_to_new_holds_and_keeps_what_is_held(world):
    org, _, event = world.on_sale(max_tickets=8)
    customer = world.customer()
    kept = world.hold(customer, event.event_id, ["A-1-1", "A-1-2", "A-1-3"])
    change(world, org, event, max_tickets_per_order=2)
    assert world.inventory.hold(kept.hold_id).status == "active"
    with pytest.raises(errors.TicketLimitExceeded):
        world.hold(customer, event.event_id, ["A-1-4"])
    world.hold(world.customer(), event.event_id, ["A-2-1", "A-2-2"])


def test_a_change_that_changes_nothing_writes_nothing(world):
    org, _, event = world.on_sale()
    before = len(world.audit_log.all())
    assert change(world, org, event, name=event.name) == event
    assert len(world.audit_log.all()) == before
