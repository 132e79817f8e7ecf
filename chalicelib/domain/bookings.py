"""Bookings and their tickets, with the transitions a booking may make."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace
from enum import StrEnum

from . import errors
from .clock import parse_rfc3339
from .holds import HeldSeat
from .money import Money

# No 0/O, 1/I/L: read aloud at a box office without mistakes.
CONFIRMATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_confirmation_code(length: int = 8) -> str:
    return "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(length))


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TicketStatus(StrEnum):
    VALID = "valid"
    VOID = "void"
    CHECKED_IN = "checked_in"


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"


class RefundReason(StrEnum):
    """Who cancelled: the customer, the organizer (one booking), or the event's cancellation."""

    CUSTOMER = "customer"
    ORGANIZER = "organizer"
    EVENT_CANCELLED = "event_cancelled"


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    seat: HeldSeat


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    details: dict = field(default_factory=dict, hash=False)

    @classmethod
    def of(cls, error: errors.DomainError) -> "Failure":
        return cls(error.code, error.message, dict(error.details))


@dataclass(frozen=True)
class Refund:
    amount: Money
    status: RefundStatus
    reason: RefundReason = RefundReason.CUSTOMER


@dataclass(frozen=True)
class Booking:
    booking_id: str
    user_id: str
    event_id: str
    tenant_id: str
    hold_id: str
    status: BookingStatus
    tickets: tuple[Ticket, ...]
    total_price: Money
    created_at: str
    event_name: str
    event_starts_at: str
    confirmation_code: str | None = None
    payment_method_id: str = ""
    authorization_id: str | None = None
    capture_pending: bool = False
    failure: Failure | None = None
    checked_in: dict[str, str] = field(default_factory=dict, hash=False)
    refund: Refund | None = None
    request_hash: str = ""
    action_secret: str | None = None  # for the customer to finish 3-D Secure while pending
    # Personal data (the privacy work pseudonymises it): the token's email at booking time.
    customer_email: str | None = None

    # transitions ------------------------------------------------------------------------------
    def _require(self, *allowed: BookingStatus) -> None:
        if self.status not in allowed:
            raise errors.Conflict(f"A {self.status} booking cannot do that.")

    def authorized(self, authorization_id: str, action_secret: str | None = None) -> "Booking":
        self._require(BookingStatus.PENDING)
        return replace(self, authorization_id=authorization_id, action_secret=action_secret)

    def confirmed(self) -> "Booking":
        """Seats committed; the money is still to be captured."""
        self._require(BookingStatus.PENDING)
        return replace(self, status=BookingStatus.CONFIRMED, capture_pending=True,
                       action_secret=None,
                       confirmation_code=self.confirmation_code or new_confirmation_code())

    def captured(self) -> "Booking":
        self._require(BookingStatus.CONFIRMED)
        return replace(self, capture_pending=False)

    def failed(self, failure: Failure) -> "Booking":
        self._require(BookingStatus.PENDING)
        return replace(self, status=BookingStatus.FAILED, failure=failure, capture_pending=False,
                       action_secret=None)

    def cancelled(self, now: dt.datetime, starts_at: str | None = None,
                  reason: RefundReason = RefundReason.CUSTOMER) -> "Booking":
        """Tickets void and seats free; the refund follows (pending until the money moved).
        Closed once the event started (`starts_at`: its current start, if it moved)."""
        self._require(BookingStatus.CONFIRMED)
        if now >= parse_rfc3339(starts_at or self.event_starts_at):
            raise errors.CancellationClosed()
        return self._cancelled(reason)

    def cancelled_with_event(self) -> "Booking":
        """The event itself was cancelled: refunded whenever that happens, unless a ticket
        was already used at the door."""
        self._require(BookingStatus.CONFIRMED)
        return self._cancelled(RefundReason.EVENT_CANCELLED)

    def _cancelled(self, reason: RefundReason) -> "Booking":
        if self.checked_in:
            raise errors.CancellationClosed("A ticket of this booking has been checked in.")
        return replace(self, status=BookingStatus.CANCELLED,
                       refund=Refund(self.total_price, RefundStatus.PENDING, reason))

    def refunded(self) -> "Booking":
        self._require(BookingStatus.CANCELLED)
        reason = self.refund.reason if self.refund else RefundReason.CUSTOMER
        return replace(self, refund=Refund(self.total_price, RefundStatus.SUCCEEDED, reason),
                       capture_pending=False)

    @property
    def refund_pending(self) -> bool:
        return self.refund is not None and self.refund.status == RefundStatus.PENDING

    # reading ----------------------------------------------------------------------------------
    def ticket_status(self, ticket: Ticket) -> TicketStatus:
        if self.status == BookingStatus.CANCELLED:
            return TicketStatus.VOID
        return TicketStatus.CHECKED_IN if ticket.ticket_id in self.checked_in else TicketStatus.VALID

    def has_tickets(self) -> bool:
        return self.status in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)

    def ticket(self, ticket_id: str) -> Ticket | None:
        return next((t for t in self.tickets if t.ticket_id == ticket_id), None)

    def event_started(self, now: dt.datetime) -> bool:
        return now >= parse_rfc3339(self.event_starts_at)

    def as_first_confirmed(self) -> "Booking":
        """The booking as its creating request answered it, for a same-key retry to replay."""
        return replace(self, status=BookingStatus.CONFIRMED, checked_in={}, refund=None,
                       capture_pending=False)
