"""Domain objects as the contract's JSON, field by field."""
import dataclasses
import datetime as dt

from chalicelib.api import views
from chalicelib.domain.bookings import Booking, BookingStatus, Failure, Ticket
from chalicelib.domain.clock import UTC, epoch
from chalicelib.domain.holds import HeldSeat, Hold, HoldStatus
from chalicelib.domain.money import Money
from chalicelib.services.bookings import Receipt

NOW = dt.datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
SEAT = HeldSeat("A-12-7", "A", "12", 7, "tier_1", Money(15000, "USD"))
HOLD = Hold("h1", "u1", "e1", "t", HoldStatus.ACTIVE, epoch(NOW), epoch(NOW) + 600, (SEAT,),
            Money(15000, "USD"))
BOOKING = Booking("b1", "u1", "e1", "t", "h1", BookingStatus.CONFIRMED, (Ticket("k1", SEAT),),
                  Money(15000, "USD"), "2026-12-01T20:00:00Z", "Show", "2026-12-02T20:00:00Z",
                  confirmation_code="ABCD2345")


def test_a_hold_is_rendered_with_times_seats_and_total():
    assert views.hold(HOLD, NOW) == {
        "hold_id": "h1", "event_id": "e1", "status": "active",
        "created_at": "2026-12-01T20:00:00Z", "expires_at": "2026-12-01T20:10:00Z",
        "seats": [{"seat_id": "A-12-7", "section": "A", "row": "12", "number": 7,
                   "tier_id": "tier_1", "price": {"amount": 15000, "currency": "USD"},
                   "status": "held"}],
        "total_price": {"amount": 15000, "currency": "USD"}}
    assert views.hold(HOLD, NOW + dt.timedelta(minutes=10))["status"] == "expired"


def test_a_confirmed_booking_lists_its_tickets_with_codes():
    view = views.booking(Receipt(BOOKING, {"k1": "code"}))
    assert view["tickets"] == [{"ticket_id": "k1", "seat": {**views.seat(SEAT, "sold")},
                                "price": {"amount": 15000, "currency": "USD"}, "status": "valid",
                                "checked_in_at": None, "qr_code": "code"}]
    assert view["confirmation_code"] == "ABCD2345" and "failure" not in view


def test_a_failed_booking_shows_no_tickets_no_code_and_why():
    failed = dataclasses.replace(BOOKING, status=BookingStatus.FAILED,
                                 failure=Failure("PAYMENT_DECLINED", "No."))
    view = views.booking(Receipt(failed))
    assert view["tickets"] == [] and view["confirmation_code"] is None
    assert view["failure"] == {"code": "PAYMENT_DECLINED", "message": "No."}
    assert views.booking_summary(failed)["ticket_count"] == 0


def test_a_cancelled_booking_shows_void_tickets_on_available_seats():
    cancelled = BOOKING.cancelled(NOW)
    ticket = views.booking(Receipt(cancelled, {"k1": "code"}))["tickets"][0]
    assert ticket["status"] == "void" and ticket["seat"]["status"] == "available"


def test_a_waiting_booking_tells_the_client_how_to_finish_the_payment():
    waiting = dataclasses.replace(BOOKING, status=BookingStatus.PENDING, confirmation_code=None,
                                  action_secret="pi_secret")
    view = views.booking(Receipt(waiting))
    assert view["status"] == "pending" and view["tickets"] == []
    assert view["next_action"] == {"type": "confirm_payment", "client_secret": "pi_secret"}
