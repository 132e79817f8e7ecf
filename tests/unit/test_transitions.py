"""The transitions a hold, a booking and an event may make, and the ones they refuse."""
import dataclasses
import datetime as dt

import pytest

from chalicelib.domain import errors
from chalicelib.domain.bookings import Booking, BookingStatus, Failure, Ticket
from chalicelib.domain.catalog import Event, EventStatus, Location, PriceTier, Venue
from chalicelib.domain.clock import UTC, epoch
from chalicelib.domain.holds import BookingClaim, HeldSeat, Hold, HoldStatus
from chalicelib.domain.money import Money

NOW = dt.datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
SEAT = HeldSeat("A-1-1", "A", "1", 1, "t1", Money(5000, "EUR"))
HOLD = Hold("h1", "u1", "e1", "t", HoldStatus.ACTIVE, epoch(NOW), epoch(NOW) + 600, (SEAT,),
            Money(5000, "EUR"), event_starts_at="2026-12-02T20:00:00Z")
BOOKING = Booking("b1", "u1", "e1", "t", "h1", BookingStatus.PENDING, (Ticket("k1", SEAT),),
                  Money(5000, "EUR"), "2026-12-01T20:00:00Z", "Show", "2026-12-02T20:00:00Z")
VENUE = Venue("v1", "t", "Hall", "1 St", "Porto", "PT", "UTC", Location(1, 2), 10, ("A",), "c")
EVENT = Event("e1", "t", "v1", "Show", "d", "concert", None, "2026-12-02T20:00:00Z",
              EventStatus.DRAFT, None, 8, (PriceTier("t1", "M", Money(1, "EUR"), ("A",)),), VENUE,
              {"A": 10}, "c")


def at(seconds: float) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


# --- holds ---------------------------------------------------------------------------------
@pytest.mark.parametrize("status, seconds, expected", [
    (HoldStatus.ACTIVE, 0, "active"), (HoldStatus.ACTIVE, 599, "active"),
    (HoldStatus.ACTIVE, 600, "expired"), (HoldStatus.RELEASED, 0, "released"),
    (HoldStatus.BOOKED, 900, "booked"), (HoldStatus.EXPIRED, 0, "expired")])
def test_a_holds_status_follows_the_clock_only_while_active(status, seconds, expected):
    assert dataclasses.replace(HOLD, status=status).status_at(at(seconds)) == expected


@pytest.mark.parametrize("status, seconds, seat_status", [
    (HoldStatus.ACTIVE, 0, "held"), (HoldStatus.ACTIVE, 600, "available"),
    (HoldStatus.BOOKED, 0, "sold"), (HoldStatus.RELEASED, 0, "available")])
def test_the_seats_of_a_hold_read_as_its_status_says(status, seconds, seat_status):
    assert dataclasses.replace(HOLD, status=status).seat_status_at(at(seconds)) == seat_status


@pytest.mark.parametrize("seconds, ended", [(0, "released"), (600, "expired")])
def test_ending_an_active_hold_releases_it_or_records_its_expiry(seconds, ended):
    assert HOLD.ended(at(seconds)).status == ended


def test_ending_an_ended_hold_changes_nothing_and_a_booked_one_is_refused():
    released = dataclasses.replace(HOLD, status=HoldStatus.RELEASED)
    assert released.ended(NOW) is released
    with pytest.raises(errors.HoldAlreadyBooked):
        dataclasses.replace(HOLD, status=HoldStatus.BOOKED, booking_id="b9").ended(NOW)


@pytest.mark.parametrize("status, seconds, error", [
    (HoldStatus.ACTIVE, 600, errors.HoldExpired), (HoldStatus.RELEASED, 0, errors.Conflict),
    (HoldStatus.BOOKED, 0, errors.HoldAlreadyBooked)])
def test_only_an_active_hold_can_be_extended(status, seconds, error):
    with pytest.raises(error):
        dataclasses.replace(HOLD, status=status).extended(at(seconds), 60)


def test_an_extension_never_passes_the_events_start():
    assert HOLD.extended(NOW, 1800, not_after=epoch(NOW) + 100).expires_at == epoch(NOW) + 100


@pytest.mark.parametrize("change, seconds, error", [
    ({}, 600, errors.HoldExpired), ({"status": HoldStatus.RELEASED}, 0, errors.HoldExpired),
    ({"status": HoldStatus.BOOKED, "booking_id": "b0"}, 0, errors.HoldAlreadyBooked),
    ({"claim": BookingClaim("b1", epoch(NOW))}, 5, errors.IdempotencyKeyInUse),
    ({"claim": BookingClaim("b2", epoch(NOW))}, 5, errors.PaymentInProgress),
    ({"event_starts_at": "2026-12-01T19:00:00Z"}, 0, errors.EventNotOnSale)])
def test_why_a_hold_cannot_be_booked(change, seconds, error):
    with pytest.raises(error):
        dataclasses.replace(HOLD, **change).ensure_bookable(at(seconds), "b1")


def test_a_stale_claim_no_longer_blocks_a_booking():
    dataclasses.replace(HOLD, claim=BookingClaim("b2", epoch(NOW))).ensure_bookable(at(30), "b1")


def test_a_replayed_hold_shows_its_first_expiry_and_status():
    extended = dataclasses.replace(HOLD, status=HoldStatus.BOOKED, expires_at=HOLD.expires_at + 500,
                                   first_expires_at=HOLD.expires_at)
    first = extended.as_first_created()
    assert (first.status, first.expires_at) == (HoldStatus.ACTIVE, HOLD.expires_at)


# --- bookings ------------------------------------------------------------------------------
def test_a_booking_goes_pending_to_confirmed_to_captured_with_a_code():
    confirmed = BOOKING.authorized("a1").confirmed()
    assert confirmed.status == "confirmed" and confirmed.capture_pending
    assert confirmed.confirmation_code and not BOOKING.confirmation_code
    assert not confirmed.captured().capture_pending


@pytest.mark.parametrize("transition", [
    lambda b: b.confirmed(), lambda b: b.failed(Failure("X", "x")), lambda b: b.authorized("a"),
    lambda b: b.captured(), lambda b: b.cancelled(NOW), lambda b: b.refunded()])
@pytest.mark.parametrize("status", [BookingStatus.FAILED])
def test_a_failed_booking_makes_no_transition(transition, status):
    with pytest.raises(errors.Conflict):
        transition(dataclasses.replace(BOOKING, status=status))


@pytest.mark.parametrize("transition", [lambda b: b.captured(), lambda b: b.cancelled(NOW),
                                        lambda b: b.refunded()])
def test_a_pending_booking_cannot_be_captured_cancelled_or_refunded(transition):
    with pytest.raises(errors.Conflict):
        transition(BOOKING)


def test_cancelling_voids_the_tickets_and_leaves_the_refund_pending_until_done():
    cancelled = BOOKING.confirmed().cancelled(NOW)
    assert cancelled.ticket_status(cancelled.tickets[0]) == "void"
    assert cancelled.refund.status == "pending" and cancelled.refunded().refund.status == "succeeded"


@pytest.mark.parametrize("change, when", [({}, dt.datetime(2026, 12, 2, 20, 0, tzinfo=UTC)),
                                          ({"checked_in": {"k1": "t"}}, NOW)])
def test_cancellation_closes_at_the_start_or_after_a_scan(change, when):
    with pytest.raises(errors.CancellationClosed):
        dataclasses.replace(BOOKING.confirmed(), **change).cancelled(when)


def test_a_replayed_booking_shows_it_as_first_confirmed():
    later = dataclasses.replace(BOOKING.confirmed().captured(), checked_in={"k1": "t"})
    first = later.as_first_confirmed()
    assert first.checked_in == {} and first.ticket_status(first.tickets[0]) == "valid"


def test_a_failure_keeps_the_errors_code_message_and_details():
    failure = Failure.of(errors.PaymentDeclined("Declined.", decline_code="card_declined"))
    assert failure == Failure("PAYMENT_DECLINED", "Declined.", {"decline_code": "card_declined"})


# --- events --------------------------------------------------------------------------------
def test_publishing_bumps_the_version_once_and_cancelling_is_final():
    published = EVENT.published("p")
    assert published.version == EVENT.version + 1 and published.published("q") is published
    cancelled = published.cancelled()
    assert cancelled.cancelled() is cancelled
    with pytest.raises(errors.EventCancelled):
        cancelled.published("r")


@pytest.mark.parametrize("event, when, error", [
    (EVENT, NOW, errors.EventNotOnSale),
    (EVENT.published("p"), dt.datetime(2026, 12, 2, 20, 0, tzinfo=UTC), errors.EventNotOnSale),
    (EVENT.published("p").cancelled(), NOW, errors.EventCancelled)])
def test_an_event_is_on_sale_only_published_and_before_it_starts(event, when, error):
    with pytest.raises(error):
        event.ensure_on_sale(when)


def test_a_published_event_before_its_start_is_on_sale():
    EVENT.published("p").ensure_on_sale(NOW)
    assert EVENT.published("p").is_public() and not EVENT.is_public()
