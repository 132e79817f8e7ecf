"""Counters and sales from domain events, on the in-memory store: each event counted once,
in any order, net of cancellations."""
import itertools

import pytest

from chalicelib.domain import errors
from chalicelib.domain import events as ev
from chalicelib.domain.holds import HeldSeat
from chalicelib.domain.money import Money


def seats(event, n, section="A"):
    tier = event.tier_for_section(section)
    return tuple(HeldSeat(f"{section}-1-{i}", section, "1", i, tier.tier_id, tier.price)
                 for i in range(1, n + 1))


def story(event, at="2026-11-01T11:59:00Z"):
    """A hold placed and booked, another placed and released, the booking cancelled."""
    a, b = seats(event, 2), seats(event, 1, "B")
    base = dict(tenant_id=event.tenant_id, occurred_at=at, show_id=event.event_id, user_id="u")
    return [ev.HoldPlaced(event_id="1", hold_id="h1", seats=a, total=Money(10000, "EUR"), **base),
            ev.BookingConfirmed(event_id="2", hold_id="h1", seats=a, total=Money(10000, "EUR"),
                                booking_id="b1", **base),
            ev.HoldPlaced(event_id="3", hold_id="h2", seats=b, total=Money(2000, "EUR"), **base),
            ev.HoldReleased(event_id="4", hold_id="h2", seats=b, total=Money(2000, "EUR"), **base),
            ev.BookingCancelled(event_id="5", hold_id="h1", seats=a, total=Money(10000, "EUR"),
                                booking_id="b1", **base)]


def test_sales_are_net_of_cancellations_per_tier(world):
    org, _, event = world.on_sale()
    for e in story(event)[:2]:
        world.projections.handle(e)
    report = world.projections.sales(org, event.event_id)
    assert (report.tickets_sold, report.revenue) == (2, Money(10000, "EUR"))
    assert [(t.name, t.sold) for t in report.by_tier] == [("Main", 2), ("Cheap", 0)]
    world.projections.handle(story(event)[4])
    assert world.projections.sales(org, event.event_id).tickets_sold == 0


@pytest.mark.parametrize("order", list(itertools.permutations(range(5)))[::17])
def test_any_delivery_order_with_duplicates_gives_the_same_figures(world, order):
    org, _, event = world.on_sale()
    events = story(event)
    for i in order:
        assert world.projections.handle(events[i]) is True
        assert world.projections.handle(events[i]) is False
    report = world.projections.sales(org, event.event_id)
    assert (report.tickets_sold, report.tickets_held, report.tickets_available) == (0, 0, 30)


def test_unknown_or_uncounted_events_move_nothing(world):
    org, venue, event = world.on_sale()
    assert world.projections.handle(None) is False
    published = ev.EventPublished("p", event.tenant_id, "t", event.event_id, venue.venue_id)
    assert world.projections.handle(published) is False


def test_another_tenant_cannot_read_the_sales(world):
    _, _, event = world.on_sale()
    with pytest.raises(errors.NotFound):
        world.projections.sales(world.organizer(), event.event_id)


def test_sales_say_how_far_behind_the_newest_counted_event_they_are(world):
    org, _, event = world.on_sale()
    assert world.projections.sales(org, event.event_id).lag_seconds == 0  # nothing counted
    for e in story(event, at="2026-11-01T11:59:30Z")[:2]:  # the world's clock: 12:00:00
        world.projections.handle(e)
    report = world.projections.sales(org, event.event_id)
    assert (report.updated_at, report.lag_seconds) == ("2026-11-01T11:59:30Z", 30)
    world.clock.advance(seconds=60)
    assert world.projections.sales(org, event.event_id).lag_seconds == 90
