"""Holding seats, on the in-memory fakes: all or nothing, within the ticket limit, expiring by
the clock, replayed under the same key."""
import threading

import pytest

from chalicelib.domain import errors
from chalicelib.domain.holds import HoldStatus
from chalicelib.services.commands import HoldSeats


def statuses(world, event_id, section="A"):
    return {v.seat.seat_id: v.status for v in world.catalog.seats(event_id, section, None).seats}


def test_a_hold_takes_every_seat_or_none_and_names_the_taken_ones(world):
    _, _, event = world.on_sale()
    world.hold(world.customer(), event.event_id, ["A-1-1", "A-1-3"])
    with pytest.raises(errors.SeatsUnavailable) as refused:
        world.hold(world.customer(), event.event_id, ["A-1-1", "A-1-2", "A-1-3"])
    assert refused.value.details["unavailable_seat_ids"] == ["A-1-1", "A-1-3"]
    assert statuses(world, event.event_id)["A-1-2"] == "available"


def test_unknown_seats_are_named_and_nothing_is_held(world):
    _, _, event = world.on_sale()
    with pytest.raises(errors.ValidationFailed) as bad:
        world.hold(world.customer(), event.event_id, ["A-1-1", "Z-9-9", "A-1-11"])
    assert bad.value.details["unknown_seat_ids"] == ["Z-9-9", "A-1-11"]
    assert statuses(world, event.event_id)["A-1-1"] == "available"


def test_a_missing_or_draft_event_is_not_found(world):
    org, venue, draft = world.on_sale(publish=False)
    for event_id in ("evt-none", draft.event_id):
        with pytest.raises(errors.NotFound):
            world.hold(world.customer(), event_id, ["A-1-1"])


def test_a_refusal_is_replayed_under_the_same_key_even_after_the_event_is_published(world):
    org, venue, draft = world.on_sale(publish=False)
    customer = world.customer()
    with pytest.raises(errors.NotFound):
        world.hold(customer, draft.event_id, ["A-1-1"], key="H1")
    world.catalog.publish(org, draft.event_id)
    with pytest.raises(errors.Replayed) as again:
        world.hold(customer, draft.event_id, ["A-1-1"], key="H1")
    assert again.value.code == "NOT_FOUND" and again.value.details == {"resource": "event"}
    assert world.hold(customer, draft.event_id, ["A-1-1"], key="H2").status == "active"


def test_a_started_event_is_not_on_sale_and_a_cancelled_one_says_so(world):
    _, _, soon = world.on_sale(days=0.001)
    world.clock.advance(90)
    with pytest.raises(errors.EventNotOnSale):
        world.hold(world.customer(), soon.event_id, ["A-1-1"])
    org, _, gone = world.on_sale()
    world.lifecycle.cancel(org, gone.event_id)
    with pytest.raises(errors.EventCancelled):
        world.hold(world.customer(), gone.event_id, ["A-1-1"])


def test_a_cancelled_event_is_refused_even_while_a_stale_copy_is_cached(world):
    _, _, event = world.on_sale()
    world.hold(world.customer(), event.event_id, ["A-1-1"])  # caches the event as on sale
    world.catalog_store.cancel(event.cancelled())  # by another Lambda: this cache is stale
    with pytest.raises(errors.EventCancelled):
        world.hold(world.customer(), event.event_id, ["A-1-2"])


def test_a_retry_with_the_same_key_returns_the_first_hold_and_another_body_is_422(world):
    _, _, event = world.on_sale()
    customer = world.customer()
    first, replayed = world.holds.place(customer, HoldSeats(event.event_id, ("A-2-1",), 600, "k"))
    again, replayed_again = world.holds.place(customer, HoldSeats(event.event_id, ("A-2-1",), 600, "k"))
    assert (replayed, replayed_again) == (False, True) and again.hold_id == first.hold_id
    with pytest.raises(errors.IdempotencyKeyReused):
        world.holds.place(customer, HoldSeats(event.event_id, ("A-2-2",), 600, "k"))


def test_the_ticket_limit_counts_live_holds_and_a_single_oversized_request(world):
    _, _, event = world.on_sale(max_tickets=4)
    customer = world.customer()
    with pytest.raises(errors.TicketLimitExceeded):
        world.hold(customer, event.event_id, [f"A-1-{i}" for i in range(1, 6)])
    world.hold(customer, event.event_id, ["A-1-1", "A-1-2", "A-1-3"])
    with pytest.raises(errors.TicketLimitExceeded) as over:
        world.hold(customer, event.event_id, ["A-1-4", "A-1-5"])
    assert over.value.details["already_held_or_booked"] == 3
    world.hold(customer, event.event_id, ["A-1-4"])


def test_an_expired_but_unswept_hold_stops_counting_against_the_limit(world):
    _, _, event = world.on_sale(max_tickets=2)
    customer = world.customer()
    world.hold(customer, event.event_id, ["A-1-1", "A-1-2"], seconds=60)
    world.clock.advance(61)
    assert world.hold(customer, event.event_id, ["B-1-1", "B-1-2"]).status == "active"


def test_concurrent_holds_by_one_customer_cannot_both_slip_under_the_limit(world):
    _, _, event = world.on_sale(max_tickets=4)
    customer, results = world.customer(), []

    def hold(seats):
        try:
            world.hold(customer, event.event_id, seats)
            results.append("held")
        except errors.TicketLimitExceeded:
            results.append("limit")
    threads = [threading.Thread(target=hold, args=(s,)) for s in
               (["A-1-1", "A-1-2", "A-1-3"], ["B-1-1", "B-1-2", "B-1-3"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["held", "limit"]


def test_thirty_customers_racing_for_two_seats_leave_exactly_one_winner(world):
    _, _, event = world.on_sale()
    outcomes = []

    def race():
        try:
            world.hold(world.customer(), event.event_id, ["A-2-5", "A-2-6"])
            outcomes.append("won")
        except errors.SeatsUnavailable as e:
            outcomes.append(tuple(e.details["unavailable_seat_ids"]))
    threads = [threading.Thread(target=race) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("won") == 1
    assert set(outcomes) - {"won"} == {("A-2-5", "A-2-6")}


def test_a_seat_is_free_again_the_moment_its_hold_expires_without_any_sweep(world):
    _, _, event = world.on_sale()
    first = world.hold(world.customer(), event.event_id, ["B-1-5"], seconds=120)
    world.clock.advance(120)
    assert statuses(world, event.event_id, "B")["B-1-5"] == "available"
    assert world.inventory.hold(first.hold_id).status_at(world.clock.now()) == "expired"
    assert world.hold(world.customer(), event.event_id, ["B-1-5"]).status == "active"


def test_the_sweep_ends_expired_holds_once_and_leaves_live_ones(world):
    from chalicelib.jobs.sweeper import sweep_holds
    _, _, event = world.on_sale()
    old = world.hold(world.customer(), event.event_id, ["B-1-1"], seconds=60)
    live = world.hold(world.customer(), event.event_id, ["B-1-2"], seconds=600)
    world.clock.advance(61)
    assert sweep_holds(world.inventory, world.holds, world.clock) == {"expired": 1}
    assert sweep_holds(world.inventory, world.holds, world.clock) == {}
    assert world.inventory.hold(old.hold_id).status == HoldStatus.EXPIRED
    assert world.inventory.hold(live.hold_id).status == HoldStatus.ACTIVE


def test_release_frees_the_seats_at_once_is_idempotent_and_frees_the_limit(world):
    _, _, event = world.on_sale(max_tickets=2)
    customer = world.customer()
    hold = world.hold(customer, event.event_id, ["A-1-1", "A-1-2"])
    world.holds.release(customer, hold.hold_id)
    world.holds.release(customer, hold.hold_id)
    assert world.holds.owned(customer, hold.hold_id).status == "released"
    assert world.hold(customer, event.event_id, ["A-1-1", "A-1-2"]).status == "active"


def test_releasing_a_booked_hold_is_refused_and_names_the_booking(world):
    _, _, event = world.on_sale()
    customer = world.customer()
    hold = world.hold(customer, event.event_id, ["A-1-1"])
    booking = world.book(customer, hold.hold_id).booking
    with pytest.raises(errors.HoldAlreadyBooked) as refused:
        world.holds.release(customer, hold.hold_id)
    assert refused.value.details["booking_id"] == booking.booking_id


def test_another_customers_hold_is_not_found(world):
    _, _, event = world.on_sale()
    hold = world.hold(world.customer(), event.event_id, ["A-1-1"])
    stranger = world.customer()
    for action in (lambda: world.holds.owned(stranger, hold.hold_id),
                   lambda: world.holds.release(stranger, hold.hold_id),
                   lambda: world.holds.extend(stranger, hold.hold_id, 60)):
        with pytest.raises(errors.NotFound):
            action()


def test_extend_is_clamped_to_thirty_minutes_and_refused_once_expired(world):
    _, _, event = world.on_sale()
    customer = world.customer()
    hold = world.hold(customer, event.event_id, ["A-1-1"], seconds=60)
    world.clock.advance(50)
    longer = world.holds.extend(customer, hold.hold_id, 1800)
    assert longer.expires_at - hold.created_at == 1800
    world.clock.advance(1800)
    with pytest.raises(errors.HoldExpired) as expired:
        world.holds.extend(customer, hold.hold_id, 60)
    assert expired.value.details["expired_at"].endswith("Z")


def test_holds_end_no_later_than_the_event_starts(world):
    _, _, event = world.on_sale(days=0.01)
    hold = world.hold(world.customer(), event.event_id, ["A-1-1"], seconds=1800)
    assert hold.expires_at == event.starts_epoch


def test_my_holds_lists_active_holds_newest_first_across_pages(world):
    _, _, event = world.on_sale()
    customer = world.customer()
    world.hold(customer, event.event_id, ["A-1-1"], seconds=5)
    made = []
    for seat in ("A-1-2", "A-1-3", "A-1-4"):
        world.clock.advance(1)
        made.append(world.hold(customer, event.event_id, [seat]).hold_id)
    world.clock.advance(5)
    first = world.holds.active_of(customer, None, 2)
    rest = world.holds.active_of(customer, first.next_cursor, 2)
    assert [h.hold_id for h in first.items + rest.items] == list(reversed(made))
    assert rest.next_cursor is None
    with pytest.raises(errors.InvalidCursor):
        world.holds.active_of(world.customer(), first.next_cursor, 2)
