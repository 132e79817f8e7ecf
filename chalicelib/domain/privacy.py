"""Erasure of a customer's personal data: the request, its pseudonym, and when it is done.

An erasure is found by a keyed hash of the user id (its `marker`), never by the id itself,
so the record that refuses the erased user's tokens holds no personal data. The user id is
kept on the request only while the job still has work, and dropped with its last step."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from .clock import epoch

# A request that passed the token check just before the erasure began may still write under
# the old id for as long as a Lambda runs (29 s): the job looks again until this has passed.
STRAGGLER_SECONDS = 30


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

    def may_finish(self, now: dt.datetime) -> bool:
        """Whether a pass that found nothing left ends the job (no straggler can still write)."""
        return epoch(now) >= self.requested_at + STRAGGLER_SECONDS

    def finished(self, now: dt.datetime) -> "Erasure":
        return replace(self, status=ErasureStatus.ERASED, user_id=None, erased_at=epoch(now))
