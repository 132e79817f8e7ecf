"""In-memory fixed-window rate counters, shared by the fake inventory (holds, bookings) and
the organizer limiter, as the booking table's RATE# items are."""
from __future__ import annotations

import threading

from chalicelib.services.ports import OverLimit, RateCheck


class InMemoryRateCounter:
    def __init__(self):
        self._lock = threading.RLock()
        self.used: dict[tuple[str, str, int], int] = {}

    @staticmethod
    def _key(check: RateCheck) -> tuple[str, str, int]:
        return check.scope, check.subject, check.window

    def has_room(self, check: RateCheck) -> bool:
        with self._lock:
            return self.used.get(self._key(check), 0) < check.limit

    def consume(self, check: RateCheck) -> int:
        with self._lock:
            used = self.used.get(self._key(check), 0)
            if used >= check.limit:
                raise OverLimit(check)
            self.used[self._key(check)] = used + 1
            return check.limit - used - 1

    def forget(self, scope: str, subject: str) -> None:
        with self._lock:
            for key in [k for k in self.used if k[:2] == (scope, subject)]:
                del self.used[key]
