"""The live seat map: subscriptions over WebSocket, and seat changes pushed to them.

Seat changes are coalesced per event into windows of `window_seconds` of wall time. Every
change is added to its window; exactly one recorder per window is told to flush it. It
waits until a window's length has passed since the previous flush (at once after a quiet
window, so the first change after a lull shows immediately), closes the window (later
changes go to the next one), reads the changed seats as they are now and hands one job per
subscription shard to the fan-out, which sends each subscription one message for the
window. Reading the seats instead of trusting the events' order keeps subscribers right
when events arrive late, twice or out of order."""
from __future__ import annotations

from ..domain.clock import to_rfc3339_millis
from ..domain.events import DomainEvent, SeatsChanged
from ..domain.holds import seat_status
from ..domain.live import (CONNECTION_LIFETIME_SECONDS, MAX_SUBSCRIPTIONS_PER_CONNECTION,
                           FanOutJob, SeatChange, Subscription, Window, chunks)
from .catalog import CatalogService, SeatMap
from .ports import WindowClosed

WINDOW_RECORD_SECONDS = 3600  # pending changes are cleanup-only after their window is flushed
WATCHED_CACHE_SECONDS = 60


def seats_frame(event_id: str, changes: list[SeatChange], at: str) -> dict:
    return {"type": "seats", "event_id": event_id,
            "changes": [{"seat_id": c.seat_id, "status": c.status} for c in changes], "at": at}


class LiveSeatMap:
    """Subscriptions to events' seat maps, and their seat changes fanned out in windows."""

    def __init__(self, store, catalog: CatalogService, inventory, pusher, fan_out, clock, pace,
                 window_seconds: float = 1.0):
        self.store, self.catalog, self.inventory = store, catalog, inventory
        self.pusher, self.fan_out, self.clock, self.pace = pusher, fan_out, clock, pace
        self.window_seconds = window_seconds
        self._watched_until: dict[str, int] = {}

    # connections --------------------------------------------------------------------------
    def connect(self, connection_id: str) -> None:
        self.store.connect(connection_id, self._connection_expiry())

    def disconnect(self, connection_id: str) -> None:
        self.store.disconnect(connection_id)

    def subscribe(self, connection_id: str, event_id: str, section: str | None) -> SeatMap:
        """Watches the event (or one section of it) and returns its seat map as read after
        subscribing, so every later change reaches the subscriber."""
        self.catalog.seat_list_sections(event_id, section)  # refused exactly as GET .../seats
        self.store.subscribe(Subscription(connection_id, event_id, section),
                             MAX_SUBSCRIPTIONS_PER_CONNECTION, self._connection_expiry())
        return self.catalog.seats(event_id, section, None)

    def unsubscribe(self, connection_id: str, event_id: str) -> None:
        self.store.unsubscribe(connection_id, event_id)

    def reply(self, connection_id: str, frame: dict) -> None:
        for gone in self.pusher.push([(connection_id, frame)]):
            self.store.disconnect(gone)

    # fan-out ------------------------------------------------------------------------------
    def handle(self, event: DomainEvent | None) -> list[FanOutJob]:
        """What the seat-change consumer does with one delivered event: nothing when no one
        watches the event; otherwise record it, and flush its window when elected to."""
        if not isinstance(event, SeatsChanged):
            return []
        if not self._watched(event.show_id):
            return []
        window = self.record(event)
        return self.flush_when_due(window) if window else []

    def _watched(self, event_id: str) -> bool:
        """Asks the store, except for a minute after it said yes: a stale yes costs a fan-out
        to no one, while a cached no would hide changes from a new subscriber, so a no is
        never kept."""
        now = int(self.pace.time())
        if self._watched_until.get(event_id, 0) > now:
            return True
        if not self.store.watched(event_id, now):
            return False
        self._watched_until[event_id] = now + WATCHED_CACHE_SECONDS
        return True

    def record(self, event: SeatsChanged) -> Window | None:
        """Adds the event's seats to the current window; returns the window when the caller
        must flush it."""
        seat_ids = sorted({seat.seat_id for seat in event.seats})
        if not seat_ids:
            return None
        number = int(self.pace.time() // self.window_seconds)
        while True:
            window = Window(event.show_id, number)
            try:
                elected = self.store.add_changes(window, seat_ids, event.event_id,
                                                 self._record_expiry())
                return window if elected else None
            except WindowClosed:
                number += 1

    def flush_when_due(self, window: Window) -> list[FanOutJob]:
        """Flushes the window a window's length after the one before it was flushed: at
        once after a quiet window, at its own end while the one before is still open.
        Waiting happens within this invocation (nothing outlives it)."""
        previous = Window(window.event_id, window.number - 1)
        changed, flushed_at = self.store.window_state(previous)
        if changed and flushed_at is None:  # its flush is still to come: not before our end
            self._sleep_until((window.number + 1) * self.window_seconds)
            flushed_at = self.store.window_state(previous)[1]
        if changed and flushed_at is not None:
            self._sleep_until(flushed_at + self.window_seconds)
        return self.flush(window)

    def _sleep_until(self, moment: float) -> None:
        wait = moment - self.pace.time()
        if wait > 0:
            self.pace.sleep(wait)

    def flush(self, window: Window) -> list[FanOutJob]:
        seat_ids = self.store.close_window(window, self._record_expiry(), self.pace.time())
        # Taken just before the seats are read: fan-out jobs run in any order, so a client
        # keeps, for each seat, the status of the latest `at` it has seen.
        now = self.clock.now()
        changes = self._as_they_are(window.event_id, seat_ids, now)
        jobs = [FanOutJob(window.event_id, shard, to_rfc3339_millis(now), part)
                for part in chunks(changes) for shard in range(self.store.shards)]
        if jobs:
            self.fan_out.dispatch(jobs)
        return jobs

    def deliver(self, job: FanOutJob) -> int:
        """Sends each subscription of the job's shard its share of the changes, in one
        message; forgets connections that are gone. Returns how many messages went out."""
        frames, by_section = [], {}  # one frame per section (or whole event), shared
        for subscription in self.store.subscribers(job.event_id, job.sections(), job.shard):
            if subscription.section not in by_section:
                wanted = [change for change in job.changes if subscription.wants(change)]
                by_section[subscription.section] = (seats_frame(job.event_id, wanted, job.at)
                                                    if wanted else None)
            if by_section[subscription.section]:
                frames.append((subscription.connection_id, by_section[subscription.section]))
        for gone in self.pusher.push(frames):
            self.store.disconnect(gone)
        return len(frames)

    def _as_they_are(self, event_id: str, seat_ids: set[str], now) -> list[SeatChange]:
        states = self.inventory.seat_states_of(event_id, sorted(seat_ids))
        return [SeatChange(sid, str(seat_status(states.get(sid), now)))
                for sid in sorted(seat_ids)]

    def _record_expiry(self) -> int:
        return int(self.pace.time()) + WINDOW_RECORD_SECONDS

    def _connection_expiry(self) -> int:
        return int(self.pace.time()) + CONNECTION_LIFETIME_SECONDS
