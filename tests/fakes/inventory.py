"""In-memory seats, holds, ledgers and bookings. One lock makes every change atomic, and each
method checks exactly the conditions DynamoDB's transaction checks (tests/integration's
contract suite runs the same cases against both)."""
from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field, replace

from chalicelib.domain import errors
from chalicelib.domain.bookings import Booking, BookingStatus, RefundReason, RefundStatus
from chalicelib.domain.catalog import EventStatus
from chalicelib.domain.clock import from_epoch, to_rfc3339
from chalicelib.domain.holds import (BOOKING_CLAIM_SECONDS, BookingClaim, Hold, HoldStatus,
                                     SeatState, SeatStatus, TicketLedger)
from chalicelib.services.ports import (BookingChanged, ClaimRefused, CommitRefused, HoldIdTaken,
                                       HoldNotActive, LedgerChanged, LedgerFull, LimitCheck,
                                       OverLimit, RateCheck, Refusal, SaleChanged, SaleGuard,
                                       Slice)

from .rates import InMemoryRateCounter

FAR = 2 ** 40


@dataclass
class _Ledger:
    entries: dict[str, int] = field(default_factory=dict)
    booked: int = 0
    in_use: int = 0
    version: int = 0


class InMemoryInventory:
    def __init__(self, catalog, shards: int = 8, rates: InMemoryRateCounter | None = None):
        self._catalog = catalog
        self.rates = rates or InMemoryRateCounter()
        self._shards = shards
        self._lock = threading.RLock()
        self._seats: dict[tuple[str, str], SeatState] = {}
        self._holds: dict[str, Hold | Refusal] = {}
        self._due: dict[str, int] = {}  # hold id -> when the sweeper should look
        self._ledgers: dict[tuple[str, str], _Ledger] = {}
        self._bookings: dict[str, Booking] = {}

    @property
    def shards(self) -> int:
        return self._shards

    def _shard(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self._shards

    # seats ------------------------------------------------------------------------------------
    def seat_states(self, event_id: str, section: str) -> dict[str, SeatState]:
        with self._lock:
            return {sid: s for (e, sid), s in self._seats.items()
                    if e == event_id and sid.split("-")[0] == section}

    def seat_states_of(self, event_id: str, seat_ids: list[str]) -> dict[str, SeatState]:
        with self._lock:
            return {sid: self._seats[(event_id, sid)] for sid in seat_ids
                    if (event_id, sid) in self._seats}

    def _free(self, event_id: str, seat_id: str, now: int) -> bool:
        state = self._seats.get((event_id, seat_id))
        return state is None or (state.status == SeatStatus.HELD and (state.expires_at or 0) <= now)

    # holds ------------------------------------------------------------------------------------
    def place_hold(self, hold: Hold, guard: SaleGuard, limit: LimitCheck,
                   rate: RateCheck | None = None) -> None:
        with self._lock:
            if hold.hold_id in self._holds:
                raise HoldIdTaken(self._holds[hold.hold_id])
            event = self._catalog.event(guard.event_id)
            if (event is None or event.status != EventStatus.PUBLISHED
                    or event.version != guard.version):
                raise SaleChanged()
            if rate is not None and not self.rates.has_room(rate):
                raise OverLimit(rate)
            ledger = self._ledgers.get((hold.event_id, hold.user_id))
            if limit.cap is not None:
                if ledger is not None and ledger.in_use > limit.cap:
                    raise LedgerFull()
            elif (ledger.version if ledger else 0) != (limit.version or 0):
                raise LedgerChanged()
            taken = [s.seat_id for s in hold.seats
                     if not self._free(hold.event_id, s.seat_id, guard.now)]
            if taken:
                raise errors.SeatsUnavailable(taken)
            for seat in hold.seats:
                self._seats[(hold.event_id, seat.seat_id)] = SeatState(
                    seat.seat_id, SeatStatus.HELD, hold.hold_id, None, hold.expires_at)
            self._holds[hold.hold_id] = hold
            self._due[hold.hold_id] = hold.expires_at
            ledger = self._ledgers.setdefault((hold.event_id, hold.user_id), _Ledger())
            ledger.entries[hold.hold_id] = hold.seat_count
            ledger.in_use += hold.seat_count
            ledger.version += 1
            if rate is not None:
                self.rates.consume(rate)

    def refuse_hold(self, refusal: Refusal) -> None:
        with self._lock:
            if refusal.hold_id in self._holds:
                raise HoldIdTaken(self._holds[refusal.hold_id])
            self._holds[refusal.hold_id] = refusal

    def _hold(self, hold_id: str) -> Hold | None:
        found = self._holds.get(hold_id)
        return found if isinstance(found, Hold) else None

    def hold(self, hold_id: str) -> Hold | None:
        with self._lock:
            return self._hold(hold_id)

    def holds(self, hold_ids: list[str]) -> list[Hold]:
        with self._lock:
            return [h for h in map(self._hold, hold_ids) if h is not None]

    def ledger(self, event_id: str, user_id: str) -> TicketLedger:
        with self._lock:
            ledger = self._ledgers.get((event_id, user_id))
            return (TicketLedger(dict(ledger.entries), ledger.booked, ledger.version)
                    if ledger else TicketLedger())

    def extend_hold(self, hold: Hold, expires_at: int, now: int) -> None:
        with self._lock:
            stored = self._hold(hold.hold_id)
            if stored is None or stored.status != HoldStatus.ACTIVE or stored.expires_at <= now:
                raise HoldNotActive()
            self._holds[hold.hold_id] = replace(stored, expires_at=expires_at)
            self._due[hold.hold_id] = expires_at
            for seat in hold.seats:
                state = self._seats.get((hold.event_id, seat.seat_id))
                if state and state.hold_id == hold.hold_id:
                    self._seats[(hold.event_id, seat.seat_id)] = replace(state, expires_at=expires_at)

    def end_hold(self, hold: Hold, now: int) -> bool:
        with self._lock:
            stored = self._hold(hold.hold_id)
            if stored is None or stored.status != HoldStatus.ACTIVE:
                return False
            if hold.status == HoldStatus.EXPIRED and stored.expires_at > now:
                return False
            self._holds[hold.hold_id] = replace(stored, status=hold.status, claim=None)
            self._due.pop(hold.hold_id, None)
            for seat in stored.seats:
                state = self._seats.get((stored.event_id, seat.seat_id))
                if state and state.hold_id == stored.hold_id:
                    del self._seats[(stored.event_id, seat.seat_id)]
            ledger = self._ledgers[(stored.event_id, stored.user_id)]
            ledger.entries.pop(stored.hold_id, None)
            ledger.in_use -= stored.seat_count
            ledger.version += 1
            return True

    def active_holds_of(self, user_id: str, after: str | None, limit: int,
                        now: int) -> Slice[Hold]:
        with self._lock:
            mine = [h for h in self._holds.values() if isinstance(h, Hold)
                    and h.user_id == user_id and h.status == HoldStatus.ACTIVE and h.expires_at > now]
        key = lambda h: f"{to_rfc3339(from_epoch(h.created_at))}#{h.hold_id}"  # noqa: E731
        ordered = sorted(mine, key=key, reverse=True)
        ordered = [h for h in ordered if after is None or key(h) < after]
        return Slice(ordered[:limit], key(ordered[limit - 1]) if len(ordered) > limit else None)

    def holds_to_sweep(self, shard: int, now: int, limit: int) -> list[str]:
        with self._lock:
            due = sorted((when, h) for h, when in self._due.items()
                         if when <= now and self._shard(h) == shard)
        return [h for _, h in due[:limit]]

    # bookings ---------------------------------------------------------------------------------
    def claim_hold(self, hold_id: str, user_id: str, booking_id: str, now: int,
                   stale_before: int, rate: RateCheck | None = None) -> Hold:
        with self._lock:
            if rate is not None:
                self.rates.consume(rate)  # counted even when the claim is then refused
            hold = self._hold(hold_id)
            if (hold is None or hold.user_id != user_id or hold.status != HoldStatus.ACTIVE
                    or hold.expires_at <= now or booking_id in hold.tried
                    or (hold.claim is not None and hold.claim.since > stale_before)):
                raise ClaimRefused(hold)
            claimed = replace(hold, claim=BookingClaim(booking_id, now))
            self._holds[hold_id] = claimed
            self._due[hold_id] = now + BOOKING_CLAIM_SECONDS
            return claimed

    def release_claim(self, hold: Hold, booking_id: str) -> None:
        with self._lock:
            stored = self._hold(hold.hold_id)
            if (stored and stored.status == HoldStatus.ACTIVE and stored.claim
                    and stored.claim.booking_id == booking_id):
                self._holds[hold.hold_id] = replace(stored, claim=None)
                self._due[hold.hold_id] = stored.expires_at

    def record_failed_booking(self, booking: Booking, hold: Hold) -> None:
        with self._lock:
            if booking.booking_id in self._bookings:
                return
            self._bookings[booking.booking_id] = booking
            stored = self._hold(hold.hold_id)
            claimed = stored.claim and stored.claim.booking_id == booking.booking_id
            self._holds[hold.hold_id] = replace(stored, tried=stored.tried | {booking.booking_id},
                                                claim=None if claimed else stored.claim)
            if claimed:
                self._due[hold.hold_id] = stored.expires_at

    def add_booking(self, booking: Booking) -> None:
        with self._lock:
            stored = self._hold(booking.hold_id)
            if (booking.booking_id in self._bookings or stored is None or stored.claim is None
                    or stored.claim.booking_id != booking.booking_id):
                raise BookingChanged()
            self._bookings[booking.booking_id] = booking
            self._holds[booking.hold_id] = replace(stored, claim=BookingClaim(booking.booking_id, FAR))
            self._due.pop(booking.hold_id, None)

    def commit_booking(self, booking: Booking, hold: Hold, now: int) -> None:
        with self._lock:
            event = self._catalog.event(hold.event_id)
            if event is None or event.status != EventStatus.PUBLISHED:
                raise SaleChanged()
            stored = self._hold(hold.hold_id)
            existing = self._bookings.get(booking.booking_id)
            if (stored is None or stored.status != HoldStatus.ACTIVE or stored.expires_at <= now
                    or stored.claim is None or stored.claim.booking_id != booking.booking_id
                    or (existing is not None and existing.status != BookingStatus.PENDING)):
                raise CommitRefused()
            for seat in hold.seats:
                state = self._seats.get((hold.event_id, seat.seat_id))
                if (state is None or state.hold_id != hold.hold_id or state.status != SeatStatus.HELD
                        or (state.expires_at or 0) <= now):
                    raise CommitRefused()
            for seat in hold.seats:
                self._seats[(hold.event_id, seat.seat_id)] = SeatState(
                    seat.seat_id, SeatStatus.SOLD, hold.hold_id, booking.booking_id, None)
            self._holds[hold.hold_id] = replace(stored, status=HoldStatus.BOOKED,
                                                booking_id=booking.booking_id, claim=None)
            self._due.pop(hold.hold_id, None)
            self._bookings[booking.booking_id] = booking
            ledger = self._ledgers[(hold.event_id, hold.user_id)]
            ledger.entries.pop(hold.hold_id, None)
            ledger.booked += hold.seat_count
            ledger.version += 1

    def save_booking(self, booking: Booking, expected: Booking) -> None:
        with self._lock:
            stored = self._bookings.get(booking.booking_id)
            if (stored is None or stored.status != expected.status
                    or stored.capture_pending != expected.capture_pending):
                raise BookingChanged()
            self._bookings[booking.booking_id] = replace(booking, checked_in=dict(stored.checked_in))

    def cancel_booking(self, booking: Booking, previous: Booking, audit=None) -> None:
        with self._lock:
            stored = self._bookings.get(booking.booking_id)
            if stored is None or stored.status != previous.status or stored.checked_in:
                raise BookingChanged()
            self._count(booking, "bookings_total")
            self._catalog.audit.append(audit)
            self._bookings[booking.booking_id] = booking
            for ticket in booking.tickets:
                key = (booking.event_id, ticket.seat.seat_id)
                if key in self._seats and self._seats[key].booking_id == booking.booking_id:
                    del self._seats[key]
            ledger = self._ledgers[(booking.event_id, booking.user_id)]
            ledger.booked -= len(booking.tickets)
            ledger.in_use -= len(booking.tickets)
            ledger.version += 1

    def record_refund(self, booking: Booking) -> None:
        with self._lock:
            stored = self._bookings.get(booking.booking_id)
            if (stored is None or stored.status != BookingStatus.CANCELLED
                    or not stored.refund_pending):
                raise BookingChanged()
            self._count(booking, "refunded")
            self._bookings[booking.booking_id] = replace(booking,
                                                         checked_in=dict(stored.checked_in))

    def _count(self, booking: Booking, counter: str) -> None:
        if booking.refund and booking.refund.reason == RefundReason.EVENT_CANCELLED:
            self._catalog.count_for_cancellation(booking.event_id, counter)

    def bookings_of_event(self, event_id: str, after: str | None, limit: int) -> Slice[Booking]:
        key = lambda b: f"{b.created_at}#{b.booking_id}"  # noqa: E731
        with self._lock:
            mine = sorted((b for b in self._bookings.values() if b.event_id == event_id
                           and b.status in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)),
                          key=key)
        mine = [b for b in mine if after is None or key(b) > after]
        return Slice(mine[:limit], key(mine[limit - 1]) if len(mine) > limit else None)

    def booking(self, booking_id: str) -> Booking | None:
        with self._lock:
            return self._bookings.get(booking_id)

    def bookings_of(self, user_id: str, status: str | None, after: str | None,
                    limit: int) -> Slice[Booking]:
        failed = status == BookingStatus.FAILED
        with self._lock:
            mine = [b for b in self._bookings.values() if b.user_id == user_id
                    and (b.status == BookingStatus.FAILED) == failed
                    and (status is None or b.status == status)]
        key = lambda b: f"{b.created_at}#{b.booking_id}"  # noqa: E731
        ordered = [b for b in sorted(mine, key=key, reverse=True) if after is None or key(b) < after]
        return Slice(ordered[:limit], key(ordered[limit - 1]) if len(ordered) > limit else None)

    def check_in(self, booking_id: str, ticket_id: str, when: str, audit=None) -> bool:
        with self._lock:
            stored = self._bookings.get(booking_id)
            if stored is None or stored.status != BookingStatus.CONFIRMED or ticket_id in stored.checked_in:
                return False
            self._catalog.audit.append(audit)
            self._bookings[booking_id] = replace(stored, checked_in={**stored.checked_in,
                                                                     ticket_id: when})
            return True

    def bookings_to_finish(self, shard: int, older_than: str, limit: int) -> list[str]:
        with self._lock:
            due = sorted(f"{b.created_at}#{b.booking_id}" for b in self._bookings.values()
                         if _unsettled(b) and self._shard(b.booking_id) == shard)
        return [k.split("#", 1)[1] for k in due if k < older_than][:limit]

    # test helpers -----------------------------------------------------------------------------
    def all_bookings(self) -> list[Booking]:
        with self._lock:
            return list(self._bookings.values())


def _unsettled(booking: Booking) -> bool:
    return (booking.status == BookingStatus.PENDING or booking.capture_pending
            or (booking.refund is not None and booking.refund.status == RefundStatus.PENDING))
