"""Erasure of a customer's personal data: the request, its pseudonym, and when it is done.

An erasure is found by a keyed hash of the user id (its `marker`), never by the id itself,
so the record that refuses the erased user's tokens holds no personal data. The user id is
kept on the request only while the job still has work, and dropped with its last step."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from .clock import epoch, from_epoch, to_rfc3339

# How often a process reloads the markers of recent erasures (services/privacy.py
# RecentErasures): another process's erasure ends the token there within this.
NOT_ERASED_SECONDS = 10
# The longest a token lives (Cognito's ID tokens: at most a day; local tokens: 12 h): an
# erasure older than this has outlived every token issued before it.
MAX_TOKEN_SECONDS = 24 * 3600
# A request that passed the token check before the erasure began (or within the cache's
# window) may still write under the old id for as long as a Lambda runs (29 s): the job
# looks again until this has passed.
STRAGGLER_SECONDS = NOT_ERASED_SECONDS + 30


class ErasureStatus(StrEnum):
    ERASING = "erasing"
    ERASED = "erased"


@dataclass(frozen=True)
class Erasure:
    marker: str
    pseudonym: str
    requested_at: int  # epoch seconds
    status: ErasureStatus = ErasureStatus.ERASING
    user_id: str | None = None  # only while erasing
    erased_at: int | None = None

    @property
    def day(self) -> str:
        return to_rfc3339(from_epoch(self.requested_at))[:10]

    def may_finish(self, now: dt.datetime) -> bool:
        """Whether a pass that found nothing left ends the job (no straggler can still write)."""
        return epoch(now) >= self.requested_at + STRAGGLER_SECONDS

    def finished(self, now: dt.datetime) -> "Erasure":
        return replace(self, status=ErasureStatus.ERASED, user_id=None, erased_at=epoch(now))


def days_covering(now: dt.datetime, seconds: int) -> list[str]:
    """The UTC days (YYYY-MM-DD) from `seconds` before `now` to now."""
    first, days = (now - dt.timedelta(seconds=seconds)).date(), []
    while first <= now.date():
        days.append(first.isoformat())
        first += dt.timedelta(days=1)
    return days
