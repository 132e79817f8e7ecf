"""Counters recomputed from the source data: drift reported, repaired once however often the
repair runs, and a change still on its way to the counters never taken for drift."""
import itertools

import pytest

from chalicelib.domain import errors

from chalicelib.domain import events as ev
from chalicelib.domain.clock import to_rfc3339
from chalicelib.services.ports import SectionCounts, TierSales
from chalicelib.services.projection_rebuild import ProjectionRebuild

_ids = itertools.count()


def outbox_event(world, kind, hold, **extra):
    """The domain event the outbox would deliver for this change."""
    return kind(event_id=f"de-{next(_ids)}", tenant_id="t", occurred_at=to_rfc3339(world.clock.now()),
                 show_id=hold.event_id, user_id=hold.user_id, hold_id=hold.hold_id,
                 seats=hold.seats, total=hold.total_price, **extra)


def rebuild(world, **kwargs):
    return ProjectionRebuild(world.catalog_store, world.inventory, world.projection_store,
                             world.clock, world.pace, **kwargs)


def sold_and_held(world):
    """Two seats sold in A (Main, 50 EUR each), one held in B (Cheap), all counted."""
    org, _, event = world.on_sale()
    alice, bob = world.customer(), world.customer()
    paid = world.hold(alice, event.event_id, ["A-1-1", "A-1-2"])
    booking = world.book(alice, paid.hold_id).booking
    held = world.hold(bob, event.event_id, ["B-1-1"])
    for change in (outbox_event(world, ev.HoldPlaced, paid),
                   outbox_event(world, ev.BookingConfirmed, paid, booking_id=booking.booking_id),
                   outbox_event(world, ev.HoldPlaced, held)):
        assert world.projections.handle(change)
    return org, event, held


def test_counters_that_follow_every_event_show_no_drift(world):
    _, event, _ = sold_and_held(world)
    report = rebuild(world).run(event.event_id)
    assert report.drift.none and not report.repaired
    assert report.truth.sections == {"A": SectionCounts(0, 2), "B": SectionCounts(1, 0)}
    assert report.truth.tiers == {event.price_tiers[0].tier_id: TierSales(2, 10000)}


def test_injected_drift_is_reported_then_repaired_once_however_often_the_repair_runs(world):
    org, event, _ = sold_and_held(world)
    main = event.price_tiers[0].tier_id
    # A lost BookingCancelled and a duplicated HoldPlaced, as a broken consumer would leave.
    world.projection_store.apply_once("lost", {"A": SectionCounts(0, 1), "B": SectionCounts(1, 0)},
                                      {main: TierSales(1, 5000)}, event.event_id, world.clock.now())
    report = rebuild(world).run(event.event_id)
    assert report.drift.sections == {"A": SectionCounts(0, -1), "B": SectionCounts(-1, 0)}
    assert report.drift.tiers == {main: TierSales(-1, -5000)} and not report.repaired
    assert world.projections.sales(org, event.event_id).tickets_sold == 3  # wrong until repaired
    assert rebuild(world).run(event.event_id, repair=True).repaired
    assert rebuild(world).run(event.event_id, repair=True).drift.none
    sales = world.projections.sales(org, event.event_id)
    assert (sales.tickets_sold, sales.revenue.amount) == (2, 10000)
    assert world.projection_store.availability(event.event_id) == {"A": SectionCounts(0, 2),
                                                                   "B": SectionCounts(1, 0)}


def test_two_repairs_that_saw_the_same_drift_apply_it_once(world):
    _, event, _ = sold_and_held(world)
    world.projection_store.apply_once("dup", {"A": SectionCounts(0, 1)}, {}, event.event_id,
                                      world.clock.now())
    first, second = rebuild(world), rebuild(world)
    seen = [first.run(event.event_id, repair=True), second.run(event.event_id, repair=True)]
    assert [r.repaired for r in seen] == [True, False]
    assert world.projection_store.availability(event.event_id)["A"] == SectionCounts(0, 2)


def test_a_change_still_on_its_way_to_the_counters_is_not_taken_for_drift(world):
    _, event, held = sold_and_held(world)
    late = world.hold(world.customer(), event.event_id, ["B-1-2"])  # committed, not yet counted
    tool = rebuild(world, settle_seconds=5)
    real_sleep = world.pace.sleep

    def its_event_arrives_meanwhile(seconds):
        real_sleep(seconds)
        world.projections.handle(outbox_event(world, ev.HoldPlaced, late))
    world.pace.sleep = its_event_arrives_meanwhile
    report = tool.run(event.event_id, repair=True)
    assert report.drift.none and not report.repaired
    assert world.projection_store.availability(event.event_id)["B"] == SectionCounts(2, 0)


def test_another_tenants_event_is_not_found(world):
    _, event, _ = sold_and_held(world)
    with pytest.raises(errors.NotFound):
        rebuild(world).run(event.event_id, tenant_id="someone-else")
