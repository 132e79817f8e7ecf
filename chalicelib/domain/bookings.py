"""Bookings and their tickets."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from .clock import parse_rfc3339
from .holds import HeldSeat
from .money import Money

# No 0/O, 1/I/L: read aloud at a box office without mistakes.
CONFIRMATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_confirmation_code(length: int = 8) -> str:
    return "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    seat: HeldSeat


@dataclass
class Booking:
    booking_id: str
    user_id: str
    event_id: str
    tenant_id: str
    hold_id: str
    status: str  # pending|confirmed|failed|cancelled
    tickets: list[Ticket]
    total_price: Money
    confirmation_code: str
    created_at: str
    event_name: str
    event_starts_at: str
    payment_method_id: str = ""
    authorization_id: str | None = None
    capture_pending: bool = False
    failure: dict | None = None
    checked_in: dict[str, str] = field(default_factory=dict)
    refund: dict | None = None
    request_key: str = ""

    def ticket_status(self, ticket: Ticket) -> str:
        if self.status == "cancelled":
            return "void"
        return "checked_in" if ticket.ticket_id in self.checked_in else "valid"

    def ticket_dict(self, ticket: Ticket, qr_code: str) -> dict:
        status = self.ticket_status(ticket)
        seat_status = "available" if status == "void" else "sold"
        return {"ticket_id": ticket.ticket_id, "seat": ticket.seat.to_dict(seat_status),
                "price": ticket.seat.price.to_dict(), "status": status,
                "checked_in_at": self.checked_in.get(ticket.ticket_id), "qr_code": qr_code}

    def event_started(self, now: dt.datetime) -> bool:
        return now >= parse_rfc3339(self.event_starts_at)
