"""In-memory personal data: the erasure requests, and the rewrites over the in-memory
inventory's holds, ledgers and bookings (under its lock, as DynamoDB's conditions would)."""
from __future__ import annotations

import threading
from dataclasses import replace

from chalicelib.domain.holds import Hold
from chalicelib.domain.privacy import Erasure, ErasureStatus
from chalicelib.services.ports import Slice


class InMemoryPersonalData:
    def __init__(self, inventory, audit_log):
        self._inventory, self._audit = inventory, audit_log
        self._lock = threading.RLock()
        self._erasures: dict[str, Erasure] = {}
        self.refuse_next_moves = 0  # fault injection: a concurrent change wins this many times

    # erasure requests -------------------------------------------------------------------------
    def erasure(self, marker: str, consistent: bool = False) -> Erasure | None:
        with self._lock:
            return self._erasures.get(marker)

    def request_erasure(self, erasure: Erasure) -> Erasure:
        with self._lock:
            return self._erasures.setdefault(erasure.marker, erasure)

    def erased_on(self, day: str) -> set[str]:
        with self._lock:
            return {e.marker for e in self._erasures.values() if e.day == day}

    def erasures_running(self, limit: int) -> list[str]:
        with self._lock:
            running = sorted((e for e in self._erasures.values()
                              if e.status == ErasureStatus.ERASING), key=lambda e: e.requested_at)
            return [e.marker for e in running[:limit]]

    def finish_erasure(self, erasure: Erasure, audit) -> bool:
        with self._lock:
            if self._erasures[erasure.marker].status != ErasureStatus.ERASING:
                return False
            self._erasures[erasure.marker] = erasure
            self._audit.append(audit)
            return True

    # what is kept about a user ----------------------------------------------------------------
    def _items(self):
        return self._inventory._lock, self._inventory._holds, self._inventory._bookings

    def hold_ids_of(self, user_id: str, limit: int) -> list[str]:
        lock, holds, _ = self._items()
        with lock:
            return [h.hold_id for h in holds.values() if h.user_id == user_id][:limit]

    def holds_of(self, user_id: str, after: str | None, limit: int) -> Slice[Hold]:
        lock, holds, _ = self._items()
        key = lambda h: f"{h.created_at:012d}#{h.hold_id}"  # noqa: E731
        with lock:
            mine = sorted((h for h in holds.values()
                           if isinstance(h, Hold) and h.user_id == user_id), key=key, reverse=True)
        mine = [h for h in mine if after is None or key(h) < after]
        return Slice(mine[:limit], key(mine[limit - 1]) if len(mine) > limit else None)

    def booking_ids_of(self, user_id: str, limit: int) -> list[str]:
        lock, _, bookings = self._items()
        with lock:
            return [b.booking_id for b in bookings.values() if b.user_id == user_id][:limit]

    # rewrites ---------------------------------------------------------------------------------
    def _refused(self) -> bool:
        if self.refuse_next_moves:
            self.refuse_next_moves -= 1
            return True
        return False

    def pseudonymise_hold(self, hold_id: str, user_id: str, pseudonym: str) -> bool:
        lock, holds, _ = self._items()
        with lock:
            hold = holds.get(hold_id)
            if hold is None or hold.user_id != user_id:
                return True
            if self._refused():
                return False
            holds[hold_id] = replace(hold, user_id=pseudonym)
            if isinstance(hold, Hold):
                self._move_ledger(hold.event_id, user_id, pseudonym)
            return True

    def pseudonymise_booking(self, booking_id: str, user_id: str, pseudonym: str) -> bool:
        lock, _, bookings = self._items()
        with lock:
            booking = bookings.get(booking_id)
            if booking is None or booking.user_id not in (user_id, pseudonym):
                return True
            if self._refused():
                return False
            bookings[booking_id] = replace(booking, user_id=pseudonym, customer_email=None,
                                           payment_method_id="")
            self._move_ledger(booking.event_id, user_id, pseudonym)
            return True

    def move_ledger(self, event_id: str, user_id: str, pseudonym: str) -> bool:
        with self._inventory._lock:
            self._move_ledger(event_id, user_id, pseudonym)
        return True

    def _move_ledger(self, event_id: str, user_id: str, pseudonym: str) -> None:
        ledgers = self._inventory._ledgers
        old = ledgers.pop((event_id, user_id), None)
        if old is None:
            return
        new = ledgers.setdefault((event_id, pseudonym), type(old)())
        new.entries.update(old.entries)
        new.booked += old.booked
        new.in_use += old.in_use
        new.version += 1




class RecordingAccounts:
    """The identity provider's accounts: which were closed."""

    def __init__(self):
        self.closed: list[str] = []

    def close(self, user_id: str) -> None:
        if user_id not in self.closed:
            self.closed.append(user_id)
