"""A customer's access and erasure requests: the export of everything kept about them, and
the erasure job that puts it under a pseudonym (docs/privacy.md)."""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from ..domain import errors
from ..domain.audit import PLATFORM_TENANT, AuditAction, AuditEntry, resource
from ..domain.bookings import Booking, BookingStatus
from ..domain.clock import epoch, to_rfc3339
from ..domain.holds import Hold
from ..domain.identity import Principal
from ..domain.queue import QueueEntry
from ..domain.privacy import (MAX_TOKEN_SECONDS, NOT_ERASED_SECONDS, Erasure, ErasureStatus,
                              days_covering)
from .bookings import Receipt
from .ids import new_id
from .rate_limits import BOOKINGS, HOLDS

PAGE = 100
PASS_SECONDS = 5.0  # the first pass, inside DELETE /users/me (29 s at most); the job goes on


@dataclass(frozen=True)
class CheckInRecord:
    booking_id: str
    ticket_id: str
    seat_id: str
    event_id: str
    checked_in_at: str


@dataclass(frozen=True)
class Export:
    principal: Principal
    holds: list[Hold]
    bookings: list[Receipt]
    check_ins: list[CheckInRecord]
    queue_entries: list[QueueEntry]
    generated_at: dt.datetime


class PrivacyService:
    def __init__(self, store, inventory, bookings, payments, pseudonyms, clock, accounts,
                 waiting_rooms, rates, monotonic=time.monotonic):
        self.store, self.inventory, self.bookings = store, inventory, bookings
        self.waiting_rooms, self.rates = waiting_rooms, rates
        self.payments, self.pseudonyms, self.clock = payments, pseudonyms, clock
        self.accounts = accounts
        self._recent = RecentErasures(store.erased_on, clock, monotonic)

    # the token path ---------------------------------------------------------------------------
    def ensure_not_erased(self, principal: Principal) -> None:
        """An erased user's tokens stop working; checked against the recent erasures this
        process holds in memory (no request per call)."""
        if self._recent.erased(self.pseudonyms.marker(principal.sub)):
            raise errors.Unauthorized("This account has been erased.")

    # access -----------------------------------------------------------------------------------
    def export(self, principal: Principal) -> Export:
        holds = _all(lambda after: self.store.holds_of(principal.sub, after, PAGE))
        bookings = self._bookings_of(principal.sub)
        check_ins = [CheckInRecord(b.booking_id, t.ticket_id, t.seat.seat_id, b.event_id,
                                   b.checked_in[t.ticket_id])
                     for b in bookings for t in b.tickets if t.ticket_id in b.checked_in]
        return Export(principal, holds, [self.bookings.receipt(b) for b in bookings],
                      check_ins, self.waiting_rooms.entries_of_user(principal.sub, PAGE),
                      self.clock.now())

    def _bookings_of(self, user_id: str) -> list[Booking]:
        kept = _all(lambda after: self.inventory.bookings_of(user_id, None, after, PAGE))
        failed = _all(lambda after: self.inventory.bookings_of(user_id, "failed", after, PAGE))
        return sorted(kept + failed, key=lambda b: (b.created_at, b.booking_id), reverse=True)

    # erasure ----------------------------------------------------------------------------------
    def erase(self, principal: Principal, cancel_upcoming: bool) -> Erasure:
        """Refused while confirmed bookings for events still to come exist, unless asked to
        cancel (and refund) them first; then the first pass runs at once."""
        now = self.clock.now()
        # A booking whose ticket was used at the door is not upcoming: it cannot be cancelled
        # and stays, like every booking, as an accounting record.
        upcoming = [b for b in self._bookings_of(principal.sub)
                    if b.status == BookingStatus.CONFIRMED and not b.event_started(now)
                    and not b.checked_in]
        if upcoming and not cancel_upcoming:
            raise errors.ErasureBlocked(sorted(b.booking_id for b in upcoming))
        for booking in upcoming:
            self.bookings.cancel(principal, booking.booking_id)
        erasure = self.store.request_erasure(Erasure(
            self.pseudonyms.marker(principal.sub), self.pseudonyms.pseudonym(principal.sub),
            epoch(now), user_id=principal.sub))
        self._recent.remember(erasure.marker)
        self.run(erasure.marker, PASS_SECONDS)
        return erasure

    def run_all(self, seconds: float) -> dict:
        """The scheduled job: one pass over every running erasure."""
        deadline, outcomes = time.monotonic() + seconds, {}
        for marker in self.store.erasures_running(PAGE):
            if time.monotonic() >= deadline:
                break
            outcome = self.run(marker, max(0.0, deadline - time.monotonic()))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return outcomes

    def run(self, marker: str, seconds: float) -> str:
        """One pass: everything still under the user id moves to the pseudonym. Ends the job
        when a pass finds nothing left, once no request of the user can still be running."""
        erasure = self.store.erasure(marker, consistent=True)
        if erasure is None or erasure.status == ErasureStatus.ERASED or not erasure.user_id:
            return "done"
        deadline = time.monotonic() + seconds
        left = self._move_all(self.store.hold_ids_of, self.store.pseudonymise_hold, erasure,
                              deadline)
        left += self._move_all(self.store.booking_ids_of, self._pseudonymise_booking, erasure,
                               deadline)
        left += self._move_ledgers(erasure)
        left += self._move_all(self._entry_events, self.waiting_rooms.move_entry, erasure,
                               deadline)
        now = self.clock.now()
        if left or not erasure.may_finish(now):
            return "running"
        for scope in (HOLDS, BOOKINGS):  # the rate windows of the last two minutes
            self.rates.forget(scope, erasure.user_id)
        self.accounts.close(erasure.user_id)  # last use of the id: no token is issued again
        done = erasure.finished(now)
        self.store.finish_erasure(done, AuditEntry(
            new_id("aud"), PLATFORM_TENANT, to_rfc3339(now), done.pseudonym,
            AuditAction.USER_ERASE, resource("user", done.pseudonym), None))
        return "erased"

    def _move_ledgers(self, erasure: Erasure) -> int:
        """A change that read a hold before it moved (the sweeper expiring it, a booking
        committing) updates the ledger under the old key again: look under every event the
        customer had anything for. Returns how many could not move yet."""
        events = {h.event_id for h in _all(
            lambda after: self.store.holds_of(erasure.pseudonym, after, PAGE))}
        return sum(not self.store.move_ledger(event_id, erasure.user_id, erasure.pseudonym)
                   for event_id in sorted(events))

    def _entry_events(self, user_id: str, limit: int) -> list[str]:
        return [e.event_id for e in self.waiting_rooms.entries_of_user(user_id, limit)]

    def _pseudonymise_booking(self, booking_id: str, user_id: str, pseudonym: str) -> bool:
        booking = self.inventory.booking(booking_id)
        if booking is None or booking.user_id not in (user_id, pseudonym):
            return True
        # The provider's copy first: a crash in between leaves the booking to be found again.
        self.payments.forget_customer(booking_id, booking.authorization_id, pseudonym)
        return self.store.pseudonymise_booking(booking_id, user_id, pseudonym)

    @staticmethod
    def _move_all(list_ids, move, erasure: Erasure, deadline: float) -> int:
        """Moves items until none is listed under the user id; returns how many are left
        (refused moves, an index that still lists moved items, or time up)."""
        seen: set[str] = set()
        while True:
            ids = list_ids(erasure.user_id, PAGE)
            fresh = [i for i in ids if i not in seen]
            if not fresh or time.monotonic() >= deadline:
                return len(ids)
            for item_id in fresh:
                seen.add(item_id)
                move(item_id, erasure.user_id, erasure.pseudonym)


class RecentErasures:
    """The markers of every erasure recent enough for a token issued before it to be alive,
    reloaded by each process at most every NOT_ERASED_SECONDS (one or two Queries, whatever
    the traffic), so checking a token costs no request: the buy path stays at its budget.
    Another process's erasure ends the token here within that window (the erasure job waits
    it out: STRAGGLER_SECONDS)."""

    def __init__(self, load_day, clock, monotonic):
        self._load_day, self._clock, self._monotonic = load_day, clock, monotonic
        self._lock = threading.Lock()
        self._markers: set[str] = set()
        self._mine: set[str] = set()  # erased by this process since the last load
        self._loaded_at: float | None = None

    def erased(self, marker: str) -> bool:
        now = self._monotonic()
        with self._lock:
            stale = self._loaded_at is None or now - self._loaded_at >= NOT_ERASED_SECONDS
        if stale:
            markers = set()
            for day in days_covering(self._clock.now(), MAX_TOKEN_SECONDS):
                markers |= self._load_day(day)
            with self._lock:
                self._markers, self._loaded_at = markers, now
        with self._lock:
            return marker in self._markers or marker in self._mine

    def remember(self, marker: str) -> None:
        with self._lock:
            self._mine.add(marker)


def _all(read) -> list:
    """Every item of a per-user list (the cost grows with that user's history only)."""
    found, after = [], None
    while True:
        page = read(after)
        found += page.items
        if page.after is None:
            return found
        after = page.after
