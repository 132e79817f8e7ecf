"""Booking a hold: claim it, authorize, commit seats and booking at once, capture; cancel and
refund; finish whatever a crashed request or a waiting payment left behind."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..domain import errors
from ..domain.audit import AuditEntry
from ..domain.bookings import Booking, BookingStatus, Failure, RefundReason, Ticket
from ..domain.clock import epoch, to_rfc3339
from ..domain.holds import BOOKING_CLAIM_SECONDS, Hold
from ..domain.identity import Principal
from .commands import BookHold
from .ids import derived_id, new_id, request_hash
from .paging import Page
from .search import EventSummary
from .ports import (BookingChanged, ClaimRefused, CommitRefused, OverLimit, SaleChanged,
                    TicketClaims)
from .rate_limits import BOOKINGS, RateLimits

logger = logging.getLogger("boxoffice.bookings")


@dataclass(frozen=True)
class Receipt:
    """A booking as the customer sees it: its tickets' signed codes, and how it was answered."""

    booking: Booking
    codes: dict[str, str] = field(default_factory=dict)
    replayed: bool = False

    @property
    def pending(self) -> bool:
        return self.booking.status == BookingStatus.PENDING


@dataclass(frozen=True)
class BookingDetails:
    receipt: Receipt
    event: EventSummary | None


class BookingService:
    """Books holds, reads and cancels bookings, and finishes unsettled ones (the finalizer)."""

    def __init__(self, inventory, catalog, availability, payments, signer, paging, clock,
                 limits: RateLimits | None = None):
        self.inventory, self.catalog, self.availability = inventory, catalog, availability
        self.payments, self.signer, self.paging, self.clock = payments, signer, paging, clock
        self.limits = limits or RateLimits(enabled=False)

    # booking ----------------------------------------------------------------------------------
    def book(self, principal: Principal, command: BookHold) -> Receipt:
        """At most three writes in turn: the claim (with the rate counter beside it), the
        commit, the settle. The booking id comes from the Idempotency-Key, so a retry finds
        the first try's outcome."""
        booking_id = derived_id("bkg", principal.sub, command.idempotency_key)
        body_hash = request_hash({"hold_id": command.hold_id,
                                  "payment_method_id": command.payment_method_id})
        clock_now = self.clock.now()
        now = epoch(clock_now)
        rate = self.limits.check(BOOKINGS, principal.sub, clock_now)
        try:
            hold = self.inventory.claim_hold(command.hold_id, principal.sub, booking_id, now,
                                             now - BOOKING_CLAIM_SECONDS, rate)
        except ClaimRefused as refused:
            return self._answer_refused(principal, refused.hold, booking_id, body_hash)
        except OverLimit as e:
            raise self.limits.refused(e.check, clock_now) from e
        booking = self._new_booking(principal, hold, booking_id, body_hash,
                                    command.payment_method_id)
        return self.receipt(self._pay(booking, hold))

    def _new_booking(self, principal, hold: Hold, booking_id, body_hash, payment_method) -> Booking:
        return Booking(booking_id=booking_id, user_id=principal.sub, event_id=hold.event_id,
                       tenant_id=hold.tenant_id, hold_id=hold.hold_id,
                       status=BookingStatus.PENDING,
                       tickets=tuple(Ticket(new_id("tkt"), seat) for seat in hold.seats),
                       total_price=hold.total_price, created_at=to_rfc3339(self.clock.now()),
                       event_name=hold.event_name, event_starts_at=hold.event_starts_at,
                       payment_method_id=payment_method, request_hash=body_hash,
                       customer_email=principal.email)

    def _answer_refused(self, principal, hold: Hold | None, booking_id: str, body_hash: str):
        if hold is None or hold.user_id != principal.sub:
            raise errors.NotFound("hold")
        if booking_id in (hold.booking_id, *hold.tried, hold.claim and hold.claim.booking_id):
            earlier = self.inventory.booking(booking_id)
            if earlier is not None:
                return self._replay(earlier, body_hash)
        hold.ensure_bookable(self.clock.now(), booking_id)
        raise errors.Conflict("The hold changed while booking; retry.")

    def _replay(self, booking: Booking, body_hash: str) -> Receipt:
        if booking.request_hash != body_hash:
            raise errors.IdempotencyKeyReused()
        if booking.status == BookingStatus.FAILED:
            raise errors.Replayed(booking.failure.code, booking.failure.message,
                                  booking.failure.details)
        if booking.status == BookingStatus.CONFIRMED and booking.capture_pending:
            return self.receipt(self._capture(booking))  # the first try died after its commit
        if booking.status == BookingStatus.PENDING:
            return self.receipt(booking, replayed=True)
        return self.receipt(booking.as_first_confirmed(), replayed=True)

    def _pay(self, booking: Booking, hold: Hold) -> Booking:
        try:
            auth = self.payments.authorize(booking.booking_id, booking.total_price,
                                           booking.payment_method_id, booking.user_id)
        except errors.PaymentDeclined as e:
            self.inventory.record_failed_booking(booking.failed(Failure.of(e)), hold)
            raise
        except Exception:
            self.inventory.release_claim(hold, booking.booking_id)  # not stored: retry runs again
            raise
        booking = booking.authorized(auth.authorization_id, auth.client_secret)
        if auth.status == "requires_action":
            self.inventory.add_booking(booking)
            return booking
        return self._commit(booking, hold)

    def _commit(self, booking: Booking, hold: Hold) -> Booking:
        confirmed = booking.confirmed()
        try:
            self.inventory.commit_booking(confirmed, hold, epoch(self.clock.now()))
        except SaleChanged as e:
            self.payments.void(booking.booking_id, booking.authorization_id)
            self.inventory.release_claim(hold, booking.booking_id)
            raise errors.EventCancelled() from e
        except CommitRefused as e:
            self.payments.void(booking.booking_id, booking.authorization_id)
            self.inventory.release_claim(hold, booking.booking_id)
            now = self.clock.now()
            (self.inventory.hold(hold.hold_id) or hold).ensure_bookable(now, booking.booking_id)
            raise hold.expired_error() from e
        return self._capture(confirmed)

    def _capture(self, booking: Booking) -> Booking:
        try:
            self.payments.capture(booking.booking_id, booking.authorization_id)
        except Exception:  # noqa: BLE001 - the seats are the customer's; money follows
            logger.exception("capture failed for %s; the finalizer retries it", booking.booking_id)
            return booking
        return self._save(booking.captured(), booking)

    def _save(self, booking: Booking, previous: Booking) -> Booking:
        """Stores a settled state; if another worker settled it first, theirs stands."""
        try:
            self.inventory.save_booking(booking, previous)
            return booking
        except BookingChanged:
            return self.inventory.booking(booking.booking_id)

    # reading ----------------------------------------------------------------------------------
    def receipt(self, booking: Booking, replayed: bool = False) -> Receipt:
        codes = {t.ticket_id: self.signer.sign(TicketClaims(t.ticket_id, booking.booking_id,
                                                            booking.event_id, t.seat.seat_id))
                 for t in booking.tickets} if booking.has_tickets() else {}
        return Receipt(booking, codes, replayed)

    def owned(self, principal: Principal, booking_id: str) -> Booking:
        booking = self.inventory.booking(booking_id)
        if booking is None or booking.user_id != principal.sub:
            raise errors.NotFound("booking")
        return booking

    def details(self, principal: Principal, booking_id: str) -> BookingDetails:
        receipt = self.receipt(self.owned(principal, booking_id))
        event = self.catalog.event(receipt.booking.event_id)
        return BookingDetails(receipt, EventSummary(event, self.availability.label(event))
                              if event else None)

    def history(self, principal: Principal, status: str | None, cursor: str | None,
                limit: int) -> Page:
        scope = f"bookings:{principal.sub}:{status or ''}"
        after = self.paging.decode(cursor, scope).get("after") if cursor else None
        found = self.inventory.bookings_of(principal.sub, status, after, limit)
        return Page(found.items, self.paging.encode({"after": found.after}, scope)
                    if found.after else None)

    # cancelling -------------------------------------------------------------------------------
    def cancel(self, principal: Principal, booking_id: str) -> Receipt:
        return self.receipt(self.cancel_booking(self.owned(principal, booking_id)))

    def cancel_booking(self, booking: Booking, reason: RefundReason = RefundReason.CUSTOMER,
                       audit: AuditEntry | None = None) -> Booking:
        """Seats free and tickets void at once; then the money back. Cancelling again
        answers with the cancelled booking (and records nothing more)."""
        if booking.status == BookingStatus.CANCELLED:
            return booking
        cancelled = self._cancelled(booking, reason)
        try:
            self.inventory.cancel_booking(cancelled, booking, audit)
        except BookingChanged:
            fresh = self.inventory.booking(booking.booking_id)  # a scan or another cancel won
            if fresh.status == BookingStatus.CANCELLED:
                return fresh
            self._cancelled(fresh, reason)  # raises CancellationClosed after a scan
            raise errors.Conflict("The booking changed while cancelling; retry.")
        return self._refund(cancelled)

    def _cancelled(self, booking: Booking, reason: RefundReason) -> Booking:
        if reason == RefundReason.EVENT_CANCELLED:
            return booking.cancelled_with_event()
        event = self.catalog.event(booking.event_id)  # its start may have moved since
        return booking.cancelled(self.clock.now(), event.starts_at if event else None, reason)

    def finish_refund(self, booking: Booking) -> Booking:
        """Asks the provider again for a refund still pending (idempotent at the provider)."""
        return self._refund(booking) if booking.refund_pending else booking

    def _refund(self, booking: Booking) -> Booking:
        try:
            self.payments.refund(booking.booking_id, booking.authorization_id)
        except Exception:  # noqa: BLE001 - the refund stays pending; the finalizer retries
            logger.exception("refund failed for %s; the finalizer retries it", booking.booking_id)
            return booking
        refunded = booking.refunded()
        try:
            self.inventory.record_refund(refunded)
            return refunded
        except BookingChanged:
            return self.inventory.booking(booking.booking_id)  # recorded by another worker

    # finishing --------------------------------------------------------------------------------
    def finalize(self, booking_id: str) -> str:
        """Settles a booking's money: capture, refund, or a payment the customer had to
        confirm (3-D Secure). Safe to run twice at once."""
        booking = self.inventory.booking(booking_id)
        if booking is None:
            return "missing"
        if booking.status == BookingStatus.PENDING:
            return self._finish_waiting(booking)
        if booking.status == BookingStatus.CONFIRMED and booking.capture_pending:
            booking = self._capture(booking)
        elif booking.refund_pending:
            booking = self._refund(booking)
        return str(booking.status)

    def _finish_waiting(self, booking: Booking) -> str:
        state = self.payments.state(booking.authorization_id)
        hold = self.inventory.hold(booking.hold_id)
        now = self.clock.now()
        if state == "authorized" and hold is not None:
            try:
                self._commit(booking, hold)
                return "confirmed"
            except errors.DomainError as e:
                return self._fail_waiting(booking, hold, Failure.of(e))
        if state == "requires_action" and hold is not None and hold.is_active(now):
            return "waiting"
        self.payments.void(booking.booking_id, booking.authorization_id)
        failure = (Failure("PAYMENT_DECLINED", "The payment was not completed; nothing was charged.")
                   if state in ("failed", "voided") else
                   Failure("HOLD_EXPIRED", "The hold expired before the payment was completed; "
                                           "nothing was charged."))
        return self._fail_waiting(booking, hold, failure)

    def _fail_waiting(self, booking: Booking, hold: Hold | None, failure: Failure) -> str:
        if self._save(booking.failed(failure), booking).status != BookingStatus.FAILED:
            return "changed"
        if hold is not None:
            now = self.clock.now()
            if hold.is_active(now):
                self.inventory.release_claim(hold, booking.booking_id)
            else:
                self.inventory.end_hold(hold.ended(now), epoch(now))
        return "failed"
