"""Waiting rooms for on-sales: the line's order, who may buy now, and honest waits.

Joining gives an entry a ticket (the join time, ordered); each pass of the admission job
ranks the entries that joined since the last one in ticket order (rank 1, 2, 3, ... across the
whole line) and admits the lowest ranks at the event's rate. Admission always takes the lowest
waiting ranks, so while an entry waits, exactly `rank - admitted - 1` entries that joined
before it wait ahead of it: its position is `rank - admitted`."""
from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, replace
from enum import StrEnum

from . import errors
from .clock import epoch

DEFAULT_ADMISSION_SECONDS = 900
MIN_ADMISSION_SECONDS, MAX_ADMISSION_SECONDS = 60, 3600
MIN_ADMIT_PER_MINUTE, MAX_ADMIT_PER_MINUTE = 1, 100_000
# Unused admission credit is kept for at most this long: a late or missed pass catches up on
# a few seconds, never on an idle hour (which would let a burst through at once).
CREDIT_SECONDS = 15


@dataclass(frozen=True)
class QueueSettings:
    enabled: bool
    admit_per_minute: int
    admission_seconds: int = DEFAULT_ADMISSION_SECONDS
    shards: int = 1  # how many index partitions the line is spread over; fixed once set


class QueueStatus(StrEnum):
    WAITING = "waiting"
    ADMITTED = "admitted"
    EXPIRED = "expired"


@dataclass(frozen=True)
class AdmissionClaims:
    """What an admission token says: this user may hold seats of this event until then."""

    queue_id: str
    event_id: str
    user_id: str
    expires_at: int


@dataclass(frozen=True)
class QueueEntry:
    """One user's place in one event's line (one entry per user per event)."""

    queue_id: str
    event_id: str
    user_id: str
    ticket: str  # the join time, ordered; ties broken by the joining process and its count
    shard: int
    joined_at: int
    status: QueueStatus = QueueStatus.WAITING  # as stored; status_at() applies the clock
    rank: int | None = None  # set by the admission job, in ticket order
    admitted_at: int | None = None
    expires_at: int | None = None
    admission_token: str | None = None

    def status_at(self, now: dt.datetime) -> QueueStatus:
        if self.status == QueueStatus.ADMITTED and epoch(now) >= (self.expires_at or 0):
            return QueueStatus.EXPIRED
        return self.status

    def admitted(self, now: int, seconds: int, token: str) -> "QueueEntry":
        return replace(self, status=QueueStatus.ADMITTED, admitted_at=now,
                       expires_at=now + seconds, admission_token=token)

    def claims(self, now: int, seconds: int) -> AdmissionClaims:
        return AdmissionClaims(self.queue_id, self.event_id, self.user_id, now + seconds)


@dataclass(frozen=True)
class Line:
    """One event's line as the admission job keeps it: how many entries it has ranked and
    admitted, and its unused admission credit (fractions of an admission) as of `last_pass`."""

    event_id: str
    settings: QueueSettings
    ranked: int = 0
    admitted: int = 0
    credit: float = 0.0
    last_pass: int = 0

    def quota(self, now: int) -> float:
        """Admissions earned by now: the rate times the time since the last pass, plus what
        was left over, at most CREDIT_SECONDS' worth (and never less than one admission's
        fraction already earned)."""
        elapsed = max(0, now - self.last_pass)
        earned = self.credit + self.settings.admit_per_minute * elapsed / 60
        return min(earned, max(1.0, self.settings.admit_per_minute * CREDIT_SECONDS / 60))

    def credit_after(self, quota: float, admitted: int, wanted: int) -> float:
        """Credit carried to the next pass: what is left of the quota when the line had
        enough entries; only the fraction when it ran dry (an empty line earns nothing)."""
        if admitted < wanted:
            return quota - int(quota)
        return quota - admitted

    def next_in_order(self, entries: list[QueueEntry]) -> list[QueueEntry]:
        """The entries that are next in line with no gap: an index that has not shown a
        ranked entry yet (a lagging GSI) must not let a later one overtake it."""
        expected = itertools.count(self.admitted + 1)
        return [e for e in itertools.takewhile(lambda e: e.rank == next(expected), entries)]

    def position(self, entry: QueueEntry) -> int | None:
        """1-based, among those not admitted yet; None once admitted, and None until the job
        has ranked the entry (knowing who else joined in the same moment would take a key
        that every joiner writes, or reads)."""
        if entry.status != QueueStatus.WAITING or entry.rank is None:
            return None
        return max(1, entry.rank - self.admitted)

    def wait_seconds(self, position: int | None, now: int, pass_seconds: int) -> int | None:
        """When the pass that admits `position` should run, from now: passes come every
        `pass_seconds` and each admits the rate's share of its interval."""
        if position is None:
            return None
        rate = self.settings.admit_per_minute
        per_pass = rate * pass_seconds / 60
        passes = max(1, math.ceil((position - min(self.credit, position)) / per_pass))
        return max(0, self.last_pass + passes * pass_seconds - now)


def check_admission(claims: AdmissionClaims | None, user_id: str, event_id: str,
                    now: dt.datetime) -> None:
    """A hold of a queued event needs the admission of this user, for this event, still valid."""
    if (claims is None or claims.user_id != user_id or claims.event_id != event_id
            or claims.expires_at <= epoch(now)):
        raise errors.QueueAdmissionRequired(queue_url=f"/events/{event_id}/queue")


def check_settings(admit_per_minute: int, admission_seconds: int) -> None:
    problems = {}
    if not MIN_ADMIT_PER_MINUTE <= admit_per_minute <= MAX_ADMIT_PER_MINUTE:
        problems["admit_per_minute"] = f"from {MIN_ADMIT_PER_MINUTE} to {MAX_ADMIT_PER_MINUTE}"
    if not MIN_ADMISSION_SECONDS <= admission_seconds <= MAX_ADMISSION_SECONDS:
        problems["admission_seconds"] = f"from {MIN_ADMISSION_SECONDS} to {MAX_ADMISSION_SECONDS}"
    if problems:
        raise errors.ValidationFailed(problems)
