"""Seat holds and the per-customer ticket limit, as pure rules over the clock."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum

from . import errors
from .clock import epoch, from_epoch, parse_rfc3339, to_rfc3339
from .money import Money

DEFAULT_HOLD_SECONDS = 600
MIN_HOLD_SECONDS = 5
MAX_HOLD_SECONDS = 1800
MAX_SEATS_PER_HOLD = 50
# How long a booking request may hold a hold for itself before another request may take over
# (a Lambda runs at most 29 s, so an older claim belongs to a request that died).
BOOKING_CLAIM_SECONDS = 30


class SeatStatus(StrEnum):
    AVAILABLE = "available"
    HELD = "held"
    SOLD = "sold"


class HoldStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    EXPIRED = "expired"
    BOOKED = "booked"


@dataclass(frozen=True)
class HeldSeat:
    seat_id: str
    section: str
    row: str
    number: int
    tier_id: str
    price: Money


@dataclass(frozen=True)
class SeatState:
    """A seat that is, or was, held or sold; a seat without one is available."""

    seat_id: str
    status: SeatStatus
    hold_id: str | None = None
    booking_id: str | None = None
    expires_at: int | None = None

    def status_at(self, now: dt.datetime) -> SeatStatus:
        if self.status == SeatStatus.SOLD:
            return SeatStatus.SOLD
        if self.status == SeatStatus.HELD and (self.expires_at or 0) > epoch(now):
            return SeatStatus.HELD
        return SeatStatus.AVAILABLE


def seat_status(state: SeatState | None, now: dt.datetime) -> SeatStatus:
    return state.status_at(now) if state else SeatStatus.AVAILABLE


@dataclass(frozen=True)
class BookingClaim:
    """A booking request working on a hold: which booking, since when."""

    booking_id: str
    since: int

    def in_flight(self, now: dt.datetime) -> bool:
        return epoch(now) < self.since + BOOKING_CLAIM_SECONDS


@dataclass(frozen=True)
class Hold:
    hold_id: str
    user_id: str
    event_id: str
    tenant_id: str
    status: HoldStatus  # as stored; status_at() applies the clock
    created_at: int  # epoch seconds
    expires_at: int
    seats: tuple[HeldSeat, ...]
    total_price: Money
    request_hash: str = ""
    booking_id: str | None = None
    event_name: str = ""
    event_starts_at: str = ""
    first_expires_at: int = 0
    claim: BookingClaim | None = None
    tried: frozenset[str] = frozenset()  # booking ids whose payment failed on this hold

    @property
    def seat_count(self) -> int:
        return len(self.seats)

    def status_at(self, now: dt.datetime) -> HoldStatus:
        if self.status == HoldStatus.ACTIVE and epoch(now) >= self.expires_at:
            return HoldStatus.EXPIRED
        return self.status

    def is_active(self, now: dt.datetime) -> bool:
        return self.status_at(now) == HoldStatus.ACTIVE

    def seat_status_at(self, now: dt.datetime) -> SeatStatus:
        return {HoldStatus.ACTIVE: SeatStatus.HELD,
                HoldStatus.BOOKED: SeatStatus.SOLD}.get(self.status_at(now), SeatStatus.AVAILABLE)

    def as_first_created(self) -> "Hold":
        """The hold as its creating request answered it, for a same-key retry to replay."""
        return replace(self, status=HoldStatus.ACTIVE,
                       expires_at=self.first_expires_at or self.expires_at)

    def extended(self, now: dt.datetime, seconds: int, not_after: int | None = None) -> "Hold":
        """Expiry at now + seconds, never past MAX_HOLD_SECONDS after creation (nor past
        `not_after`, the event's start)."""
        state = self.status_at(now)
        if state == HoldStatus.BOOKED:
            raise errors.HoldAlreadyBooked(booking_id=self.booking_id)
        if state != HoldStatus.ACTIVE:
            raise self.expired_error() if state == HoldStatus.EXPIRED \
                else errors.Conflict(f"The hold is {state} and cannot be extended.")
        limits = [epoch(now) + seconds, self.created_at + MAX_HOLD_SECONDS]
        return replace(self, expires_at=min(limits + ([not_after] if not_after else [])))

    def ended(self, now: dt.datetime) -> "Hold":
        """Released by its owner, or expired if its time was already up."""
        state = self.status_at(now)
        if state == HoldStatus.BOOKED:
            raise errors.HoldAlreadyBooked(booking_id=self.booking_id)
        if self.status != HoldStatus.ACTIVE:
            return self
        return replace(self, status=HoldStatus.EXPIRED if state == HoldStatus.EXPIRED
                       else HoldStatus.RELEASED)

    def expired_error(self) -> errors.HoldExpired:
        return errors.HoldExpired(expired_at=to_rfc3339(from_epoch(self.expires_at)))

    def ensure_bookable(self, now: dt.datetime, booking_id: str) -> None:
        """Why booking `booking_id` cannot start on this hold, as the contract's error."""
        if self.event_starts_at and now >= parse_rfc3339(self.event_starts_at):
            raise errors.EventNotOnSale("The event has started.")
        state = self.status_at(now)
        if state == HoldStatus.BOOKED:
            raise errors.HoldAlreadyBooked(booking_id=self.booking_id)
        if state == HoldStatus.EXPIRED:
            raise self.expired_error()
        if state == HoldStatus.RELEASED:
            raise errors.HoldExpired("The hold was released.",
                                     expired_at=to_rfc3339(from_epoch(self.expires_at)))
        if self.claim and self.claim.in_flight(now):
            raise (errors.IdempotencyKeyInUse() if self.claim.booking_id == booking_id
                   else errors.PaymentInProgress())


@dataclass(frozen=True)
class TicketLedger:
    """What one customer holds and has booked for one event, to enforce the per-order limit.

    `holds` maps hold ids to seat counts; some may have expired without being swept yet."""

    holds: dict[str, int] = field(default_factory=dict)
    booked: int = 0
    version: int = 0

    def in_use(self, live_hold_ids: set[str]) -> int:
        return self.booked + sum(n for h, n in self.holds.items() if h in live_hold_ids)

    def check_room(self, live_hold_ids: set[str], requested: int, limit: int) -> None:
        already = self.in_use(live_hold_ids)
        if already + requested > limit:
            raise errors.TicketLimitExceeded(limit, already, requested)


def check_request_size(requested: int, limit: int) -> None:
    """A single request for more tickets than one customer may have at all."""
    if requested > limit:
        raise errors.TicketLimitExceeded(limit, 0, requested)
