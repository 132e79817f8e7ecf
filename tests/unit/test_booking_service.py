"""Booking, on the in-memory fakes: pay once, get tickets; retries never book twice; a request
that dies at any step is finished or unwound by the sweeper; cancel and refund."""
import threading

import pytest

from chalicelib.adapters.payment_test_methods import authorization_id_for

from chalicelib.domain import errors
from chalicelib.domain.bookings import BookingStatus
from chalicelib.jobs.sweeper import run_sweep
from chalicelib.services.ids import derived_id


class Crash(BaseException):
    """The Lambda died here: nothing in the function gets to handle it."""


def crash_after(monkeypatch, obj, name):
    real = getattr(obj, name)

    def dying(*args, **kwargs):
        real(*args, **kwargs)
        raise Crash(name)
    monkeypatch.setattr(obj, name, dying)


class Sweeping:
    """The container the scheduled job receives."""

    def __init__(self, world, grace=60):
        self.inventory, self.holds, self.bookings = world.inventory, world.holds, world.bookings
        self.cancellations, self.webhooks = world.cancellations, world.webhooks
        self.privacy, self.clock = world.privacy, world.clock
        self.settings = type("S", (), {"booking_grace_seconds": grace})()


def sweep(world):
    return run_sweep(Sweeping(world))


def held(world, seats=("A-1-1", "A-1-2"), **event):
    _, _, show = world.on_sale(**event)
    customer = world.customer()
    return customer, world.hold(customer, show.event_id, list(seats)), show


def sold_to(world, show, booking_id):
    states = world.inventory.seat_states(show.event_id, "A")
    return sorted(s for s, st in states.items() if st.status == "sold" and st.booking_id == booking_id)


# --- the happy path and its replays --------------------------------------------------------
def test_a_booking_sells_the_seats_captures_the_money_and_signs_each_ticket(world):
    customer, hold, show = held(world)
    receipt = world.book(customer, hold.hold_id)
    booking = receipt.booking
    assert booking.status == "confirmed" and not booking.capture_pending
    assert world.payments.captured_total(booking.booking_id) == 10000
    assert sold_to(world, show, booking.booking_id) == ["A-1-1", "A-1-2"]
    claims = world.signer.verify(receipt.codes[booking.tickets[0].ticket_id])
    assert (claims.booking_id, claims.event_id) == (booking.booking_id, show.event_id)
    assert len(booking.confirmation_code) == 8


def test_the_same_key_replays_the_first_booking_and_another_body_is_422(world):
    customer, hold, _ = held(world)
    first = world.book(customer, hold.hold_id, key="pay-1")
    again = world.book(customer, hold.hold_id, key="pay-1")
    assert again.replayed and again.booking == first.booking and again.codes == first.codes
    with pytest.raises(errors.IdempotencyKeyReused):
        world.book(customer, hold.hold_id, pm="pm_card_chargeDeclined", key="pay-1")


def test_a_booked_hold_is_409_under_another_key_naming_the_booking(world):
    customer, hold, _ = held(world)
    booking = world.book(customer, hold.hold_id).booking
    with pytest.raises(errors.HoldAlreadyBooked) as again:
        world.book(customer, hold.hold_id)
    assert again.value.details["booking_id"] == booking.booking_id


def test_an_expired_hold_is_410_with_its_expiry_and_nothing_is_charged(world):
    customer, hold, _ = held(world)
    world.clock.advance(601)
    with pytest.raises(errors.HoldExpired) as expired:
        world.book(customer, hold.hold_id)
    assert expired.value.details["expired_at"]
    assert world.inventory.all_bookings() == []


def test_someone_elses_hold_is_not_found(world):
    _, hold, _ = held(world)
    with pytest.raises(errors.NotFound):
        world.book(world.customer(), hold.hold_id)


# --- declines and outages ------------------------------------------------------------------
def test_a_declined_card_is_replayed_and_the_hold_stays_for_another_card(world):
    customer, hold, _ = held(world)
    with pytest.raises(errors.PaymentDeclined) as declined:
        world.book(customer, hold.hold_id, pm="pm_card_chargeDeclined", key="k1")
    with pytest.raises(errors.Replayed) as replayed:
        world.book(customer, hold.hold_id, pm="pm_card_chargeDeclined", key="k1")
    assert (replayed.value.code, replayed.value.message, replayed.value.details) == (
        declined.value.code, declined.value.message, declined.value.details)
    assert world.inventory.hold(hold.hold_id).is_active(world.clock.now())
    assert world.book(customer, hold.hold_id, key="k2").booking.status == "confirmed"


def test_a_failed_attempt_is_listed_only_when_asked_for_with_no_tickets_or_code(world):
    customer, hold, _ = held(world)
    with pytest.raises(errors.PaymentDeclined):
        world.book(customer, hold.hold_id, pm="pm_card_chargeDeclined")
    world.book(customer, hold.hold_id)
    listed = world.bookings.history(customer, None, None, 10).items
    failed = world.bookings.history(customer, "failed", None, 10).items
    assert [b.status for b in listed] == ["confirmed"]
    assert [b.status for b in failed] == ["failed"]
    receipt = world.bookings.receipt(failed[0])
    assert receipt.codes == {} and not failed[0].has_tickets()


def test_a_provider_outage_stores_nothing_so_a_retry_runs_again(world):
    customer, hold, _ = held(world)
    for _ in range(2):
        with pytest.raises(errors.PaymentProviderError):
            world.book(customer, hold.hold_id, pm="pm_card_providerError", key="same")
    assert world.book(customer, hold.hold_id, key="same").booking.status == "confirmed"


# --- concurrency ---------------------------------------------------------------------------
def test_a_duplicate_while_the_first_is_running_is_in_use_and_another_key_waits(world, monkeypatch):
    customer, hold, _ = held(world)
    started, release = threading.Event(), threading.Event()
    real = world.payments.authorize

    def slow(*args, **kwargs):
        started.set()
        release.wait(5)
        return real(*args, **kwargs)
    monkeypatch.setattr(world.payments, "authorize", slow)
    results = {}
    first = threading.Thread(target=lambda: results.setdefault(
        "first", world.book(customer, hold.hold_id, key="k")))
    first.start()
    started.wait(5)
    with pytest.raises(errors.IdempotencyKeyInUse):
        world.book(customer, hold.hold_id, key="k")
    with pytest.raises(errors.PaymentInProgress):
        world.book(customer, hold.hold_id, key="other")
    release.set()
    first.join()
    assert results["first"].booking.status == "confirmed"


def test_racing_bookings_of_one_hold_charge_once_and_leave_no_failed_bookings(world):
    customer, hold, _ = held(world)
    outcomes = []

    def race(n):
        try:
            outcomes.append(world.book(customer, hold.hold_id, key=f"k{n}").booking.status)
        except (errors.PaymentInProgress, errors.HoldAlreadyBooked) as e:
            outcomes.append(e.code)
    threads = [threading.Thread(target=race, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("confirmed") == 1
    assert [b.status for b in world.inventory.all_bookings()] == ["confirmed"]


# --- crashes -------------------------------------------------------------------------------
def test_a_crash_after_the_authorization_is_voided_by_the_sweeper_and_the_hold_stays(world, monkeypatch):
    customer, hold, show = held(world)
    with monkeypatch.context() as m:
        crash_after(m, world.payments, "authorize")
        with pytest.raises(Crash):
            world.book(customer, hold.hold_id, key="k")
    booking_id = derived_id("bkg", customer.sub, "k")
    assert sweep(world)["holds"] == {}  # the request may still be running
    world.clock.advance(31)
    sweep(world)
    sweep(world)
    assert world.payments.state(authorization_id_for(booking_id)) == "voided"
    assert world.inventory.booking(booking_id) is None and sold_to(world, show, booking_id) == []
    assert world.book(customer, hold.hold_id, key="k").booking.status == "confirmed"


@pytest.mark.parametrize("target, step", [("inventory", "commit_booking"), ("payments", "capture")])
def test_a_crash_after_the_commit_is_captured_by_the_sweeper(world, monkeypatch, target, step):
    customer, hold, show = held(world)
    with monkeypatch.context() as m:
        crash_after(m, getattr(world, target), step)
        with pytest.raises(Crash):
            world.book(customer, hold.hold_id, key="k")
    booking_id = derived_id("bkg", customer.sub, "k")
    world.clock.advance(61)
    sweep(world)
    sweep(world)
    booking = world.inventory.booking(booking_id)
    assert booking.status == "confirmed" and not booking.capture_pending
    assert world.payments.captured_total(booking_id) == 10000
    assert sold_to(world, show, booking_id) == ["A-1-1", "A-1-2"]


def test_a_same_key_retry_after_the_commit_finishes_the_first_booking(world, monkeypatch):
    customer, hold, _ = held(world)
    with monkeypatch.context() as m:
        crash_after(m, world.inventory, "commit_booking")
        with pytest.raises(Crash):
            world.book(customer, hold.hold_id, key="k")
    retry = world.book(customer, hold.hold_id, key="k")
    assert retry.booking.status == "confirmed" and not retry.booking.capture_pending
    assert world.payments.captured_total(retry.booking.booking_id) == 10000


def test_a_failed_capture_confirms_and_the_sweeper_collects_later(world, monkeypatch):
    customer, hold, _ = held(world)

    def down(*args):
        raise RuntimeError("provider unreachable")
    with monkeypatch.context() as m:
        m.setattr(world.payments, "capture", down)
        booking = world.book(customer, hold.hold_id).booking
    assert booking.status == "confirmed" and world.payments.captured_total(booking.booking_id) == 0
    world.clock.advance(61)
    sweep(world)
    assert world.payments.captured_total(booking.booking_id) == 10000


# --- 3-D Secure ----------------------------------------------------------------------------
def test_a_payment_that_needs_the_customer_waits_pending_and_confirms_once_completed(world):
    customer, hold, show = held(world)
    receipt = world.book(customer, hold.hold_id, pm="pm_card_threeDSecure2Required", key="k")
    booking = receipt.booking
    assert receipt.pending and booking.action_secret and receipt.codes == {}
    assert world.book(customer, hold.hold_id, pm="pm_card_threeDSecure2Required", key="k").pending
    world.clock.advance(61)
    assert world.bookings.finalize(booking.booking_id) == "waiting"
    world.payments.complete_action(booking.authorization_id)
    assert world.bookings.finalize(booking.booking_id) == "confirmed"
    assert world.payments.captured_total(booking.booking_id) == 10000
    assert sold_to(world, show, booking.booking_id) == ["A-1-1", "A-1-2"]


def test_a_payment_abandoned_past_the_holds_expiry_fails_with_no_charge(world):
    customer, hold, show = held(world)
    booking = world.book(customer, hold.hold_id, pm="pm_card_threeDSecure2Required").booking
    world.clock.advance(601)
    sweep(world)
    failed = world.inventory.booking(booking.booking_id)
    assert failed.status == "failed" and failed.failure.code == "HOLD_EXPIRED"
    assert world.payments.state(booking.authorization_id) == "voided"
    assert world.payments.captured_total(booking.booking_id) == 0
    assert world.inventory.hold(hold.hold_id).status == "expired"
    assert sold_to(world, show, booking.booking_id) == []


def test_a_payment_the_customer_fails_frees_the_hold_for_another_card(world):
    customer, hold, _ = held(world)
    booking = world.book(customer, hold.hold_id, pm="pm_card_threeDSecure2Required").booking
    world.payments.abandon(booking.authorization_id)
    assert world.bookings.finalize(booking.booking_id) == "failed"
    assert world.inventory.booking(booking.booking_id).failure.code == "PAYMENT_DECLINED"
    assert world.book(customer, hold.hold_id).booking.status == "confirmed"


# --- cancelling ----------------------------------------------------------------------------
def test_cancel_frees_the_seats_voids_the_tickets_refunds_and_answers_the_same_twice(world):
    customer, hold, show = held(world)
    booking = world.book(customer, hold.hold_id).booking
    first = world.bookings.cancel(customer, booking.booking_id)
    second = world.bookings.cancel(customer, booking.booking_id)
    assert first.booking == second.booking and first.booking.refund.status == "succeeded"
    assert world.payments.state(booking.authorization_id) == "refunded"
    assert sold_to(world, show, booking.booking_id) == []
    assert first.booking.ticket_status(first.booking.tickets[0]) == "void"
    assert world.hold(world.customer(), show.event_id, ["A-1-1"]).status == "active"


def test_cancellation_closes_when_the_event_starts_or_a_ticket_was_scanned(world):
    customer, hold, show = held(world, days=0.01)
    booking = world.book(customer, hold.hold_id).booking
    world.inventory.check_in(booking.booking_id, booking.tickets[0].ticket_id, "t")
    with pytest.raises(errors.CancellationClosed):
        world.bookings.cancel(customer, booking.booking_id)
    late = world.book(customer, world.hold(customer, show.event_id, ["B-1-1"]).hold_id).booking
    world.clock.advance(15 * 60)
    with pytest.raises(errors.CancellationClosed):
        world.bookings.cancel(customer, late.booking_id)


def test_a_cancel_racing_a_door_scan_leaves_a_used_ticket_used(world):
    customer, hold, _ = held(world)
    booking = world.book(customer, hold.hold_id).booking
    world.inventory.check_in(booking.booking_id, booking.tickets[0].ticket_id, "t")
    with pytest.raises(errors.CancellationClosed):
        world.bookings.cancel_booking(booking)  # read before the scan
    assert world.inventory.booking(booking.booking_id).status == BookingStatus.CONFIRMED


def test_a_refund_that_fails_is_finished_by_the_sweeper(world, monkeypatch):
    customer, hold, _ = held(world)
    booking = world.book(customer, hold.hold_id).booking

    def down(*args, **kwargs):
        raise RuntimeError("provider unreachable")
    with monkeypatch.context() as m:
        m.setattr(world.payments, "refund", down)
        pending = world.bookings.cancel(customer, booking.booking_id).booking
    assert pending.refund.status == "pending"
    world.clock.advance(61)
    sweep(world)
    assert world.inventory.booking(booking.booking_id).refund.status == "succeeded"
    assert world.payments.state(booking.authorization_id) == "refunded"


# --- history -------------------------------------------------------------------------------
def test_history_is_newest_first_filtered_and_paged_with_a_cursor_bound_to_the_query(world):
    _, _, show = world.on_sale()
    customer, ids = world.customer(), []
    for seat in ("A-1-1", "A-1-2", "A-1-3"):
        ids.append(world.book(customer, world.hold(customer, show.event_id, [seat]).hold_id)
                   .booking.booking_id)
        world.clock.advance(1)
    world.bookings.cancel(customer, ids[0])
    first = world.bookings.history(customer, None, None, 2)
    rest = world.bookings.history(customer, None, first.next_cursor, 2)
    assert [b.booking_id for b in first.items + rest.items] == list(reversed(ids))
    cancelled = world.bookings.history(customer, "cancelled", None, 10)
    assert [b.booking_id for b in cancelled.items] == [ids[0]]
    for scope in ((world.customer(), None), (customer, "confirmed")):
        with pytest.raises(errors.InvalidCursor):
            world.bookings.history(scope[0], scope[1], first.next_cursor, 2)
    with pytest.raises(errors.NotFound):
        world.bookings.owned(world.customer(), ids[1])


def test_booking_details_carry_the_event_summary(world):
    customer, hold, show = held(world)
    booking = world.book(customer, hold.hold_id).booking
    details = world.bookings.details(customer, booking.booking_id)
    assert details.event.event.event_id == show.event_id and details.event.availability

