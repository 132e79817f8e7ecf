"""The application's rate limits: holds and bookings per customer, writes per organizer
tenant, in fixed one-minute windows. The buy path counts inside the writes it makes anyway
(the hold's transaction; beside the booking's claim); organizer writes pay one UpdateItem."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..domain import errors
from ..domain.clock import epoch
from ..domain.identity import Principal
from .ports import OverLimit, RateCheck

HOLDS, BOOKINGS, ORGANIZER_WRITES = "holds", "bookings", "organizer-writes"


@dataclass(frozen=True)
class RateLimits:
    """Per stage (Settings): `enabled` False turns every limit off (load tests)."""

    enabled: bool = True
    holds_per_minute: int = 30
    bookings_per_minute: int = 20
    organizer_writes_per_minute: int = 300
    window_seconds: int = 60

    def check(self, scope: str, subject: str, now: dt.datetime) -> RateCheck | None:
        if not self.enabled:
            return None
        limit = {HOLDS: self.holds_per_minute, BOOKINGS: self.bookings_per_minute,
                 ORGANIZER_WRITES: self.organizer_writes_per_minute}[scope]
        start = epoch(now) - epoch(now) % self.window_seconds
        return RateCheck(scope, subject, start, limit, self.window_seconds)

    @staticmethod
    def refused(check: RateCheck, now: dt.datetime) -> errors.RateLimited:
        retry_after = max(1, check.window + check.seconds - epoch(now))
        return errors.RateLimited(check.limit, check.seconds, retry_after,
                                  check.scope.replace("-", " "))


class OrganizerLimiter:
    """Counts a tenant's organizer writes, one conditional UpdateItem each."""

    def __init__(self, counter, limits: RateLimits, clock):
        self.counter, self.limits, self.clock = counter, limits, clock

    def write(self, principal: Principal) -> None:
        if not principal.is_organizer:
            return  # the route answers 403 itself
        now = self.clock.now()
        check = self.limits.check(ORGANIZER_WRITES, principal.tenant_id, now)
        if check is None:
            return
        try:
            self.counter.consume(check)
        except OverLimit as e:
            raise self.limits.refused(e.check, now) from e
