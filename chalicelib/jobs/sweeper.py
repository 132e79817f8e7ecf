"""The scheduled job: expire holds whose time is up, finish bookings left pending.

Bounded per run, idempotent, and safe to run twice at once: every change it makes is a
conditional write, so a second sweeper loses the race and moves on."""
from __future__ import annotations

import datetime as dt

from ..domain.clock import epoch, to_rfc3339

MAX_HOLDS_PER_SHARD = 50
MAX_BOOKINGS_PER_SHARD = 25


def release_expired_holds(inventory, clock, shards: int) -> int:
    now = epoch(clock.now())
    expired = 0
    for shard in range(shards):
        for hold_id in inventory.expired_hold_ids(shard, now, MAX_HOLDS_PER_SHARD):
            hold = inventory.hold(hold_id)
            if hold and hold.status == "active" and hold.expires_at <= now:
                expired += inventory.end_hold(hold, "expired", now)
    return expired


def finish_pending_bookings(inventory, bookings, clock, shards: int, grace_seconds: int) -> dict:
    cutoff = to_rfc3339(clock.now() - dt.timedelta(seconds=grace_seconds))
    outcomes: dict[str, int] = {}
    for shard in range(shards):
        for booking_id in inventory.pending_booking_ids(shard, cutoff, MAX_BOOKINGS_PER_SHARD):
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
