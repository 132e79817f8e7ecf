"""Booking a hold: record pending, authorize, commit seats, capture; cancel and refund."""
from __future__ import annotations

import logging

from ..adapters.transactions import ConditionsFailed
from ..domain import errors
from ..domain.bookings import Booking, Ticket, new_confirmation_code
from ..domain.clock import epoch, parse_rfc3339, to_rfc3339
from .ids import derived_id, new_id
from .paging import Page


logger = logging.getLogger("boxoffice.bookings")


def failure_of(error: errors.DomainError) -> dict:
    return {"code": error.code, "message": error.message}


class BookingService:
    def __init__(self, catalog, inventory, payments, signer, paging, clock):
        self.catalog, self.inventory, self.payments = catalog, inventory, payments
        self.signer, self.paging, self.clock = signer, paging, clock

    # book -------------------------------------------------------------------------------------
    def book(self, principal, hold_id: str, payment_method_id: str,
             idempotency_key: str | None = None) -> dict:
        """Books the caller's hold; the route makes it idempotent."""
        request_key = derived_id("req", principal.sub, idempotency_key) if idempotency_key else ""
        return self.view(self._book(principal, hold_id, payment_method_id, request_key))

    def _book(self, principal, hold_id: str, payment_method_id: str, request_key: str) -> Booking:
        hold = self.inventory.hold(hold_id)
        if hold is None or hold.user_id != principal.sub:
            raise errors.NotFound("hold")
        now = self.clock.now()
        if hold.status == "booked" and request_key:
            earlier = self.inventory.booking(hold.booking_id)
            if earlier and earlier.request_key == request_key:
                # This very request got as far as the commit before failing: finish it.
                self.finalize(earlier.booking_id)
                return self.inventory.booking(earlier.booking_id)
        self._ensure_bookable(hold, now)
        booking = Booking(
            booking_id=new_id("bkg"), user_id=principal.sub, event_id=hold.event_id,
            tenant_id=hold.tenant_id, hold_id=hold_id, status="pending",
            tickets=[Ticket(new_id("tkt"), seat) for seat in hold.seats],
            total_price=hold.total_price, confirmation_code=new_confirmation_code(),
            created_at=to_rfc3339(now), event_name=hold.event_name,
            event_starts_at=hold.event_starts_at,
            payment_method_id=payment_method_id, request_key=request_key)
        self.inventory.add_pending_booking(booking)  # before any money moves
        try:
            booking.authorization_id = self.payments.authorize(
                booking.booking_id, booking.total_price.amount, booking.total_price.currency,
                payment_method_id)
        except (errors.PaymentDeclined, errors.PaymentProviderError) as e:
            self.inventory.settle_booking(booking, "failed", failure_of(e), expected="pending")
            raise
        try:
            self.inventory.commit_booking(booking, hold, epoch(self.clock.now()))
        except ConditionsFailed as e:
            self.payments.void(booking.authorization_id)
            fresh = self.inventory.hold(hold_id)
            failure = (errors.HoldAlreadyBooked() if fresh and fresh.status == "booked"
                       else errors.HoldExpired())
            self.inventory.settle_booking(booking, "failed", failure_of(failure),
                                          expected="pending")
            raise failure from e
        booking.status = "confirmed"
        try:
            self.payments.capture(booking.authorization_id)
        except Exception:  # noqa: BLE001 - the seats are the customer's; money follows
            logger.exception("capture failed for %s; the finalizer retries it", booking.booking_id)
            booking.capture_pending = True
            return booking
        self.inventory.settle_booking(booking, "confirmed", expected="confirmed")
        return booking

    @staticmethod
    def _ensure_bookable(hold, now) -> None:
        if hold.event_starts_at and now >= parse_rfc3339(hold.event_starts_at):
            raise errors.EventNotOnSale("The event has started.")
        state = hold.status_at(now)
        if state == "booked":
            raise errors.HoldAlreadyBooked()
        if state == "expired":
            raise errors.HoldExpired()
        if state == "released":
            raise errors.HoldExpired("The hold was released.")

    # read -------------------------------------------------------------------------------------
    def owned(self, principal, booking_id: str) -> Booking:
        booking = self.inventory.booking(booking_id)
        if booking is None or booking.user_id != principal.sub:
            raise errors.NotFound("booking")
        return booking

    def view(self, booking: Booking) -> dict:
        tickets = [booking.ticket_dict(t, self.signer.sign(t.ticket_id, booking.booking_id,
                                                           booking.event_id, t.seat.seat_id))
                   for t in booking.tickets] if booking.status in ("confirmed", "cancelled") else []
        view = {"booking_id": booking.booking_id, "status": booking.status,
                "event_id": booking.event_id, "hold_id": booking.hold_id, "tickets": tickets,
                "total_price": booking.total_price.to_dict(),
                "confirmation_code": booking.confirmation_code, "created_at": booking.created_at}
        if booking.status == "failed":
            view["failure"] = booking.failure
        return view

    def summary(self, booking: Booking) -> dict:
        return {"booking_id": booking.booking_id, "status": booking.status,
                "event": {"event_id": booking.event_id, "name": booking.event_name,
                          "starts_at": booking.event_starts_at},
                "ticket_count": len(booking.tickets),
                "total_price": booking.total_price.to_dict(), "created_at": booking.created_at}

    def history(self, principal, status: str | None, cursor: str | None, limit: int) -> Page:
        scope = f"bookings:{principal.sub}:{status or ''}"
        after = self.paging.decode(cursor, scope).get("after") if cursor else None
        bookings, last = self.inventory.bookings_of_user(principal.sub, status, after, limit)
        return Page([self.summary(b) for b in bookings],
                    self.paging.encode({"after": last}, scope) if last else None)

    # cancel -----------------------------------------------------------------------------------
    def cancel(self, principal, booking_id: str) -> dict:
        booking = self.owned(principal, booking_id)
        if booking.status == "confirmed":
            self._ensure_cancellable(booking)
            try:
                self.inventory.cancel_booking(
                    booking, {"amount": booking.total_price.to_dict(), "status": "pending"})
            except ConditionsFailed:
                booking = self.owned(principal, booking_id)  # a concurrent cancel or scan won
                if booking.status == "confirmed":
                    self._ensure_cancellable(booking)
            else:
                booking.status = "cancelled"
                self.refund(booking)
        if booking.status != "cancelled":
            raise errors.Conflict(f"A {booking.status} booking cannot be cancelled.")
        return {"booking": self.view(booking), "refund": booking.refund}

    def _ensure_cancellable(self, booking: Booking) -> None:
        if booking.event_started(self.clock.now()):
            raise errors.CancellationClosed()
        if booking.checked_in:
            raise errors.CancellationClosed("A ticket of this booking has been checked in.")

    def refund(self, booking: Booking) -> None:
        """Gives the money back (voids an uncaptured authorization) and ends the sweep."""
        auth = booking.authorization_id or self.payments.authorization_for(booking.booking_id)
        if auth:
            self.payments.refund(auth)
        booking.refund = {"amount": booking.total_price.to_dict(), "status": "succeeded"}
        self.inventory.settle_booking(booking, "cancelled", expected="cancelled")

    # finalizer --------------------------------------------------------------------------------
    def finalize(self, booking_id: str) -> str:
        """Finishes or unwinds a booking a crashed request left behind. Safe to run twice."""
        booking = self.inventory.booking(booking_id)
        if booking is None:
            return "missing"
        auth = booking.authorization_id or self.payments.authorization_for(booking_id)
        if booking.status == "pending":
            failure = {"code": "BOOKING_INCOMPLETE",
                       "message": "The booking could not be completed; nothing was charged."}
            if self.inventory.settle_booking(booking, "failed", failure, expected="pending"):
                if auth:
                    self.payments.void(auth)
                return "failed"
            return self.finalize(booking_id)  # it moved on meanwhile: handle its new state
        if booking.status == "confirmed":
            if auth:
                self.payments.capture(auth)
            self.inventory.settle_booking(booking, "confirmed", expected="confirmed")
            return "confirmed"
        if booking.status == "cancelled":
            self.refund(booking)
            return "refunded"
        if auth:
            self.payments.void(auth)
        self.inventory.settle_booking(booking, booking.status, expected=booking.status)
        return booking.status
