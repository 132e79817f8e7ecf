"""An event's cancellation: every confirmed booking cancelled and refunded by a job that may
crash and run twice at once. Its progress is a record the job moves forward by conditional
writes; the counters are added by the bookings' own transactions, so each counts once."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from .clock import parse_rfc3339, to_rfc3339

# An index of bookings by event is eventually consistent: a booking committed an instant
# before the cancellation may show up a moment late. The job makes one more full pass that
# starts this long after the cancellation, and only that pass can finish it.
SETTLE_SECONDS = 10
BOOKINGS_PER_PAGE = 25


class CancellationStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class Cancellation:
    event_id: str
    tenant_id: str
    cancelled_at: str
    status: CancellationStatus = CancellationStatus.RUNNING
    bookings_total: int = 0  # confirmed bookings this cancellation cancelled
    refunded: int = 0  # of those, refunds the provider confirmed
    failed: int = 0  # confirmed bookings it could not cancel (a ticket was checked in)
    pass_no: int = 1
    pass_starts_at: str = ""  # a pass may not begin before this time
    cursor: str | None = None  # where the current pass goes on (None: from the start)
    scanned: bool = False  # a settled pass reached the end

    @classmethod
    def begin(cls, event_id: str, tenant_id: str, now: dt.datetime) -> "Cancellation":
        at = to_rfc3339(now)
        return cls(event_id, tenant_id, at, pass_starts_at=at)

    @property
    def settled_at(self) -> dt.datetime:
        return parse_rfc3339(self.cancelled_at) + dt.timedelta(seconds=SETTLE_SECONDS)

    def may_run(self, now: dt.datetime) -> bool:
        return self.status == CancellationStatus.RUNNING and now >= parse_rfc3339(self.pass_starts_at)

    def after_page(self, cursor: str | None) -> "Cancellation":
        """Where the pass goes on after a page; at a pass's end, a pass that began before the
        index settled is followed by another, and a settled one completes the scan."""
        if cursor is not None:
            return replace(self, cursor=cursor)
        if parse_rfc3339(self.pass_starts_at) >= self.settled_at:
            return replace(self, cursor=None, scanned=True)
        return replace(self, cursor=None, pass_no=self.pass_no + 1,
                       pass_starts_at=to_rfc3339(self.settled_at))

    def finished(self) -> "Cancellation":
        return replace(self, status=CancellationStatus.DONE)

    @property
    def complete(self) -> bool:
        """Scanned to the end and every booking it cancelled is refunded or counted failed."""
        return self.scanned and self.refunded + self.failed >= self.bookings_total
