"""The scheduled job: expire holds whose time is up, finish bookings left pending.

Bounded per run, idempotent, and safe to run twice at once: every change it makes is a
conditional write, so a second sweeper loses the race and moves on."""
from __future__ import annotations

import datetime as dt
import time

from ..domain.clock import epoch, to_rfc3339

PAGE = 50
SECONDS_PER_RUN = 20.0  # under the function's 29 s timeout; the next run goes on


def _pages(fetch, deadline: float):
    """Pages of ids until a shard is drained or the run's time is up."""
    while time.monotonic() < deadline:
        ids = fetch(PAGE)
        yield ids
        if len(ids) < PAGE:
            return


def release_expired_holds(inventory, clock, shards: int, seconds: float = SECONDS_PER_RUN) -> int:
    now = epoch(clock.now())
    deadline, expired = time.monotonic() + seconds, 0
    for shard in range(shards):
        for page in _pages(lambda n, s=shard: inventory.expired_hold_ids(s, now, n), deadline):
            for hold_id in page:
                hold = inventory.hold(hold_id)
                if hold and hold.status == "active" and hold.expires_at <= now:
                    expired += inventory.end_hold(hold, "expired", now)
    return expired


def finish_pending_bookings(inventory, bookings, clock, shards: int, grace_seconds: int,
                            seconds: float = SECONDS_PER_RUN) -> dict:
    cutoff = to_rfc3339(clock.now() - dt.timedelta(seconds=grace_seconds))
    deadline, outcomes = time.monotonic() + seconds, {}
    for shard in range(shards):
        for page in _pages(lambda n, s=shard: inventory.pending_booking_ids(s, cutoff, n), deadline):
            for booking_id in page:
                outcome = bookings.finalize(booking_id)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def run_sweep(container) -> dict:
    s = container.settings
    return {"holds_expired": release_expired_holds(container.inventory, container.clock,
                                                   s.hold_sweep_shards),
            "bookings": finish_pending_bookings(container.inventory, container.bookings,
                                                container.clock, s.hold_sweep_shards,
                                                s.booking_grace_seconds)}
