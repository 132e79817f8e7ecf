"""A request that dies after any step of booking is finished or unwound by the sweeper, on
DynamoDB (moto): never a charge without tickets, tickets without a charge, or a seat sold
twice. (The same story on the in-memory fakes, step by step: tests/unit/test_booking_service.py.)"""
import threading

import pytest

from chalicelib.adapters.payment_test_methods import authorization_id_for

from chalicelib.domain.identity import Principal
from chalicelib.jobs.sweeper import run_sweep
from chalicelib.services.commands import BookHold, HoldSeats
from chalicelib.services.ids import derived_id
from support import uid


class Crash(BaseException):
    """The Lambda died here: nothing in the function gets to handle it."""


def crash_after(obj, name, monkeypatch):
    real = getattr(obj, name)

    def dying(*args, **kwargs):
        real(*args, **kwargs)
        raise Crash(name)
    monkeypatch.setattr(obj, name, dying)


def sweep_twice_at_once(c):
    threads = [threading.Thread(target=run_sweep, args=(c,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.parametrize("step, target, sold", [
    ("authorize", "payments", False),
    ("commit_booking", "inventory", True),
    ("capture", "payments", True),
])
def test_after_a_crash_at_any_step_the_sweeper_leaves_money_and_seats_consistent(
        world, stack, monkeypatch, step, target, sold):
    c = stack.container
    org, venue, event = world.on_sale()
    principal = Principal(uid("cust"), None, ("customer",), None)
    hold, _ = c.holds.place(principal, HoldSeats(event["event_id"], ("A-1-1", "A-1-2"), 600))
    key = uid("key")
    with monkeypatch.context() as m:
        crash_after(getattr(c.bookings, target), step, m)
        with pytest.raises(Crash):
            c.bookings.book(principal, BookHold(hold.hold_id, "pm_card_visa", key))
    booking_id = derived_id("bkg", principal.sub, key)  # what the key names, whatever happened

    c.clock.advance(c.settings.booking_grace_seconds + 1)
    sweep_twice_at_once(c)
    sweep_twice_at_once(c)

    states = {s: c.inventory.seat_states(event["event_id"], "A").get(s) for s in ("A-1-1", "A-1-2")}
    sold_to_it = [s for s in states.values() if s and s.status == "sold" and s.booking_id == booking_id]
    charged = c.payments.captured_total(booking_id)
    if sold:
        booking = c.inventory.booking(booking_id)
        assert booking.status == "confirmed" and not booking.capture_pending
        assert charged == 10000 and len(sold_to_it) == 2
    else:
        assert c.inventory.booking(booking_id) is None  # nothing was booked, so nothing listed
        assert charged == 0 and not sold_to_it
        assert c.payments.state(authorization_id_for(booking_id)) == "voided"
        # the customer can still buy the seats, with the same key or a fresh one
        again = c.bookings.book(principal, BookHold(hold.hold_id, "pm_card_visa", key))
        assert again.booking.status == "confirmed"


def test_a_crash_after_commit_still_publishes_booking_confirmed(world, stack, monkeypatch):
    c = stack.container
    org, venue, event = world.on_sale()
    principal = Principal(uid("cust"), None, ("customer",), None)
    hold, _ = c.holds.place(principal, HoldSeats(event["event_id"], ("B-1-1",), 600))
    with monkeypatch.context() as m:
        crash_after(c.bookings.inventory, "commit_booking", m)
        with pytest.raises(Crash):
            c.bookings.book(principal, BookHold(hold.hold_id, "pm_card_visa", uid("key")))
    stack.deliver()
    booking_id = c.inventory.hold(hold.hold_id).booking_id
    kinds = [e["detail_type"] for e in stack.bus.published
             if e["detail"]["ids"].get("booking_id") == booking_id]
    assert kinds == ["BookingConfirmed"]
