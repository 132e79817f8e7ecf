"""A request that dies after any step of booking is finished or unwound by the finalizer:
never a charge without tickets, tickets without a charge, or a seat sold twice."""
import threading

import pytest

from chalicelib.adapters.tokens import Principal
from chalicelib.jobs.sweeper import finish_pending_bookings
from support import uid


class Crash(BaseException):
    """The Lambda died here: nothing in the function gets to handle it."""


def crash_after(obj, name, monkeypatch):
    real = getattr(obj, name)

    def dying(*args, **kwargs):
        real(*args, **kwargs)
        raise Crash(name)
    monkeypatch.setattr(obj, name, dying)


def run_finalizer_twice_at_once(c):
    threads = [threading.Thread(target=finish_pending_bookings,
                                args=(c.inventory, c.bookings, c.clock, c.settings.hold_sweep_shards,
                                      c.settings.booking_grace_seconds)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def booking_of_hold(c, principal, hold_id):
    page, _ = c.inventory.bookings_of_user(principal.sub, None, None, 10)
    return next(b for b in page if b.hold_id == hold_id)


@pytest.mark.parametrize("step, target, expected", [
    ("authorize", "payments", "failed"),
    ("commit_booking", "inventory", "confirmed"),
    ("capture", "payments", "confirmed"),
])
def test_after_a_crash_at_any_step_the_finalizer_leaves_money_and_seats_consistent(
        world, stack, monkeypatch, step, target, expected):
    c = stack.container
    org, venue, event = world.on_sale()
    principal = Principal(uid("cust"), None, ("customer",), None)
    hold, _ = c.holds.place(principal, event["event_id"], ["A-1-1", "A-1-2"], 600, None)
    with monkeypatch.context() as m:
        crash_after(getattr(c.bookings, target), step, m)
        with pytest.raises(Crash):
            c.bookings.book(principal, hold.hold_id, "pm_card_visa")
    booking = booking_of_hold(c, principal, hold.hold_id)

    finish_pending_bookings(c.inventory, c.bookings, c.clock, c.settings.hold_sweep_shards,
                            c.settings.booking_grace_seconds)
    assert c.inventory.booking(booking.booking_id).status in ("pending", "confirmed")  # within grace

    c.clock.advance(c.settings.booking_grace_seconds + 1)
    run_finalizer_twice_at_once(c)
    run_finalizer_twice_at_once(c)

    after = c.inventory.booking(booking.booking_id)
    assert after.status == expected and not after.capture_pending
    charged = c.payments.captured_total(booking.booking_id)
    seats = c.inventory.seat_states_of(event["event_id"], hold.seats)
    sold_to_it = [s for s in seats.values() if s["status"] == "sold" and s["booking_id"] == booking.booking_id]
    if expected == "confirmed":
        assert charged == 10000 and len(sold_to_it) == 2
    else:
        assert charged == 0 and not sold_to_it
        assert after.failure["code"] == "BOOKING_INCOMPLETE"
        auth = c.payments.authorization_for(booking.booking_id)
        assert c.payments.payment(auth).status == "voided"
        # the customer can still buy the seats with a fresh request
        assert c.bookings.book(principal, hold.hold_id, "pm_card_visa")["status"] == "confirmed"


def test_a_crash_after_commit_still_publishes_booking_confirmed(world, stack, monkeypatch):
    c = stack.container
    org, venue, event = world.on_sale()
    principal = Principal(uid("cust"), None, ("customer",), None)
    hold, _ = c.holds.place(principal, event["event_id"], ["B-1-1"], 600, None)
    with monkeypatch.context() as m:
        crash_after(c.bookings.inventory, "commit_booking", m)
        with pytest.raises(Crash):
            c.bookings.book(principal, hold.hold_id, "pm_card_visa")
    stack.deliver()
    booking = booking_of_hold(c, principal, hold.hold_id)
    kinds = [e["detail_type"] for e in stack.bus.published
             if e["detail"]["ids"].get("booking_id") == booking.booking_id]
    assert kinds == ["BookingConfirmed"]
