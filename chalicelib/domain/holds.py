"""Seat holds and the per-customer ticket limit, as pure rules over the clock."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from . import errors
from .clock import epoch, from_epoch, to_rfc3339
from .money import Money

DEFAULT_HOLD_SECONDS = 600
MIN_HOLD_SECONDS = 5
MAX_HOLD_SECONDS = 1800
MAX_SEATS_PER_HOLD = 50


@dataclass(frozen=True)
class HeldSeat:
    seat_id: str
    section: str
    row: str
    number: int
    tier_id: str
    price: Money

    def to_dict(self, status: str) -> dict:
        return {"seat_id": self.seat_id, "section": self.section, "row": self.row,
                "number": self.number, "tier_id": self.tier_id, "price": self.price.to_dict(),
                "status": status}


@dataclass(frozen=True)
class Hold:
    hold_id: str
    user_id: str
    event_id: str
    tenant_id: str
    status: str  # active|released|expired|booked, as stored
    created_at: int  # epoch seconds
    expires_at: int
    seats: tuple[HeldSeat, ...]
    total_price: Money
    request_hash: str = ""
    booking_id: str | None = None
    event_name: str = ""
    event_starts_at: str = ""
    first_expires_at: int = 0

    def first_response(self) -> dict:
        """The body the hold was created with, for a same-key retry to replay as it was."""
        created = replace(self, status="active", expires_at=self.first_expires_at or self.expires_at)
        return created.to_dict(from_epoch(self.created_at))

    def status_at(self, now: dt.datetime) -> str:
        if self.status == "active" and epoch(now) >= self.expires_at:
            return "expired"
        return self.status

    def is_active(self, now: dt.datetime) -> bool:
        return self.status_at(now) == "active"

    def to_dict(self, now: dt.datetime) -> dict:
        status = self.status_at(now)
        seat_status = {"active": "held", "booked": "sold"}.get(status, "available")
        return {
            "hold_id": self.hold_id, "event_id": self.event_id, "status": status,
            "created_at": to_rfc3339(from_epoch(self.created_at)),
            "expires_at": to_rfc3339(from_epoch(self.expires_at)),
            "seats": [s.to_dict(seat_status) for s in self.seats],
            "total_price": self.total_price.to_dict(),
        }

    def extended(self, now: dt.datetime, seconds: int, not_after: int | None = None) -> "Hold":
        """Sets expiry to now + seconds, never past MAX_HOLD_SECONDS after creation (nor
        past `not_after`, the event's start)."""
        if not self.is_active(now):
            raise errors.HoldExpired() if self.status_at(now) == "expired" else errors.Conflict(
                f"The hold is {self.status_at(now)} and cannot be extended.")
        limits = [epoch(now) + seconds, self.created_at + MAX_HOLD_SECONDS]
        return replace(self, expires_at=min(limits + ([not_after] if not_after else [])))


@dataclass
class TicketLedger:
    """What one customer holds and has booked for one event, to enforce the per-order limit."""

    holds: dict[str, tuple[int, int]] = field(default_factory=dict)  # hold_id -> (count, expires)
    booked: int = 0
    version: int = 0

    def in_use(self, now: dt.datetime) -> int:
        t = epoch(now)
        return self.booked + sum(n for n, exp in self.holds.values() if exp > t)

    def check_room(self, now: dt.datetime, requested: int, limit: int) -> None:
        already = self.in_use(now)
        if already + requested > limit:
            raise errors.TicketLimitExceeded(limit, already, requested)



def seat_status(state: dict | None, now: dt.datetime) -> str:
    """The status a seat shows, given its state record (None when it has none)."""
    if state is None:
        return "available"
    if state["status"] == "sold":
        return "sold"
    if state["status"] == "held" and int(state["expires_at"]) > epoch(now):
        return "held"
    return "available"
