"""The scheduled job: end holds whose time is up (and booking claims whose request died),
settle bookings whose money has not, carry on cancelled events' refunds, and queue webhook
deliveries whose retry is too far off for the queue (or whose message was lost), and
move erased customers' remaining data to their pseudonym.

Bounded per run, idempotent, and safe to run twice at once: every change it makes is a
conditional write, so a second sweeper loses the race and moves on."""
from __future__ import annotations

import datetime as dt
import time

from ..domain.clock import epoch, to_rfc3339

PAGE = 50
SECONDS_PER_RUN = 20.0  # under the function's 29 s timeout; the next run goes on
CANCELLATION_SECONDS = 5.0
WEBHOOK_SECONDS = 2.0
ERASURE_SECONDS = 5.0


def _each(fetch, shards: int, deadline: float):
    """Every due id of every shard until drained or the run's time is up; an id that stays
    due (its handling changed nothing) is not handled twice in one run."""
    for shard in range(shards):
        seen: set[str] = set()
        while time.monotonic() < deadline:
            ids = [i for i in fetch(shard, PAGE) if i not in seen]
            seen.update(ids)
            yield from ids
            if len(ids) < PAGE:
                break


def sweep_holds(inventory, holds, clock, seconds: float = SECONDS_PER_RUN) -> dict:
    now, deadline, outcomes = epoch(clock.now()), time.monotonic() + seconds, {}
    for hold_id in _each(lambda s, n: inventory.holds_to_sweep(s, now, n), inventory.shards,
                         deadline):
        outcome = holds.sweep(hold_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def finish_bookings(inventory, bookings, clock, grace_seconds: int,
                    seconds: float = SECONDS_PER_RUN) -> dict:
    cutoff = to_rfc3339(clock.now() - dt.timedelta(seconds=grace_seconds))
    deadline, outcomes = time.monotonic() + seconds, {}
    for booking_id in _each(lambda s, n: inventory.bookings_to_finish(s, cutoff, n),
                            inventory.shards, deadline):
        outcome = bookings.finalize(booking_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def advance_queues(container, passes_for: float = 0.0) -> dict:
    """One admission pass over every enabled waiting room; with `passes_for` seconds, a pass
    every queue_pass_seconds until then (on AWS the schedule fires once a minute, and a new
    joiner's position should not wait that long)."""
    deadline = time.monotonic() + passes_for
    totals = {"passes": 0, "ranked": 0, "admitted": 0}
    while True:
        started = time.monotonic()
        for outcome in container.waiting_room.advance_all().values():
            totals["ranked"] += outcome.get("ranked", 0)
            totals["admitted"] += outcome.get("admitted", 0)
        totals["passes"] += 1
        pause = container.settings.queue_pass_seconds - (time.monotonic() - started)
        if time.monotonic() + max(0.0, pause) >= deadline:
            return totals
        time.sleep(max(0.0, pause))


def run_sweep(container) -> dict:
    return {"holds": sweep_holds(container.inventory, container.holds, container.clock),
            "bookings": finish_bookings(container.inventory, container.bookings, container.clock,
                                        container.settings.booking_grace_seconds),
            "cancellations": container.cancellations.run_all(CANCELLATION_SECONDS),
            "webhooks": container.webhooks.requeue_due(WEBHOOK_SECONDS),
            "erasures": container.privacy.run_all(ERASURE_SECONDS)}
