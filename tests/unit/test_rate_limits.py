"""The application's rate limits on the fakes: holds and bookings per customer, organizer writes
per tenant, fixed one-minute windows, nothing done over a limit."""
import pytest

from chalicelib.domain import errors
from chalicelib.services.rate_limits import RateLimits
from fakes.world import build_world


@pytest.fixture
def limited():
    return build_world(limits=RateLimits(holds_per_minute=3, bookings_per_minute=2,
                                         organizer_writes_per_minute=2))


def test_a_customers_holds_over_the_limit_are_refused_until_the_next_window(limited):
    world = limited
    _, _, event = world.on_sale()
    customer = world.customer()
    for seat in ("A-1-1", "A-1-2", "A-1-3"):
        world.hold(customer, event.event_id, [seat])
    with pytest.raises(errors.RateLimited) as refused:
        world.hold(customer, event.event_id, ["A-1-4"])
    assert refused.value.limit == 3 and 1 <= refused.value.retry_after <= 60
    assert world.inventory.seat_states(event.event_id, "A").get("A-1-4") is None
    assert world.hold(world.customer(), event.event_id, ["A-1-4"]).status == "active"  # per user
    world.clock.advance(refused.value.retry_after)
    assert world.hold(customer, event.event_id, ["A-1-5"]).status == "active"


def test_a_refused_hold_does_not_use_up_the_window(limited):
    world = limited
    _, _, event = world.on_sale()
    customer = world.customer()
    world.hold(world.customer(), event.event_id, ["A-1-1"])
    for _ in range(5):
        with pytest.raises(errors.SeatsUnavailable):
            world.hold(customer, event.event_id, ["A-1-1"])
    assert world.hold(customer, event.event_id, ["A-1-2"]).status == "active"


def test_bookings_over_the_limit_are_refused_and_leave_the_hold_bookable(limited):
    world = limited
    _, _, event = world.on_sale()
    customer = world.customer()
    holds = [world.hold(customer, event.event_id, [seat]) for seat in ("A-1-1", "A-1-2", "A-1-3")]
    for hold in holds[:2]:
        world.book(customer, hold.hold_id)
    with pytest.raises(errors.RateLimited):
        world.book(customer, holds[2].hold_id)
    assert world.holds.owned(customer, holds[2].hold_id).status == "active"
    world.clock.advance(60)
    assert world.book(customer, holds[2].hold_id).booking.status == "confirmed"


def test_organizer_writes_count_per_tenant(limited):
    world = limited
    org, other = world.organizer("t-a"), world.organizer("t-b")
    world.organizer_limits.write(org)
    world.organizer_limits.write(org)
    with pytest.raises(errors.RateLimited):
        world.organizer_limits.write(org)
    world.organizer_limits.write(other)


def test_limits_off_let_everything_through(world):
    _, _, event = world.on_sale(max_tickets=50)
    customer = world.customer()
    for n in range(1, 11):
        for row in ("1", "2"):
            world.hold(customer, event.event_id, [f"A-{row}-{n}"])
