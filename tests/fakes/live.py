"""In-memory live seat map: connections and subscriptions, coalescing windows, a pusher that
records frames, a fan-out that runs jobs at once, and wall time that moves only on sleep."""
from __future__ import annotations

import threading
import zlib

from chalicelib.domain import errors
from chalicelib.domain.live import FanOutJob, Subscription, Window
from chalicelib.services.ports import WindowClosed


class InMemoryLiveStore:
    def __init__(self, shards: int = 4):
        self._shards = shards
        self._lock = threading.Lock()
        self._connections: dict[str, dict[str, str | None]] = {}
        self._pending: dict[Window, set[str]] = {}
        self._closed: dict[Window, float] = {}
        self._watched: dict[str, int] = {}

    @property
    def shards(self) -> int:
        return self._shards

    def connect(self, connection_id: str, expires_at: int) -> None:
        with self._lock:
            self._connections.setdefault(connection_id, {})

    def subscriptions(self, connection_id: str) -> dict[str, str | None]:
        with self._lock:
            return dict(self._connections.get(connection_id, {}))

    def subscribe(self, subscription: Subscription, limit: int, expires_at: int) -> None:
        with self._lock:
            mine = self._connections.setdefault(subscription.connection_id, {})
            if subscription.event_id not in mine and len(mine) >= limit:
                raise errors.SubscriptionLimitExceeded(limit)
            mine[subscription.event_id] = subscription.section
            self._watched[subscription.event_id] = max(
                expires_at, self._watched.get(subscription.event_id, 0))

    def watched(self, event_id: str, now: int) -> bool:
        with self._lock:
            return self._watched.get(event_id, 0) > now

    def unsubscribe(self, connection_id: str, event_id: str) -> None:
        with self._lock:
            self._connections.get(connection_id, {}).pop(event_id, None)

    def disconnect(self, connection_id: str) -> None:
        with self._lock:
            self._connections.pop(connection_id, None)

    def subscribers(self, event_id: str, sections: set[str], shard: int) -> list[Subscription]:
        with self._lock:
            return [Subscription(cid, event_id, subs[event_id])
                    for cid, subs in self._connections.items()
                    if event_id in subs and (subs[event_id] is None or subs[event_id] in sections)
                    and zlib.crc32(cid.encode()) % self._shards == shard]

    def add_changes(self, window: Window, seat_ids: list[str], part_key: str,
                    expires_at: int) -> bool:
        with self._lock:
            if window in self._closed:
                raise WindowClosed()
            first = window not in self._pending
            self._pending.setdefault(window, set()).update(seat_ids)
            return first

    def window_state(self, window: Window) -> tuple[bool, float | None]:
        with self._lock:
            return window in self._pending, self._closed.get(window)

    def close_window(self, window: Window, expires_at: int, flushed_at: float) -> set[str]:
        with self._lock:
            self._closed.setdefault(window, flushed_at)
            return set(self._pending.get(window, set()))


class RecordingPusher:
    """Keeps every frame sent, by connection; connections in `gone` answer 410."""

    def __init__(self):
        self.sent: list[tuple[str, dict]] = []
        self.gone: set[str] = set()

    def push(self, frames: list[tuple[str, dict]]) -> set[str]:
        gone = {cid for cid, _ in frames if cid in self.gone}
        self.sent.extend((cid, frame) for cid, frame in frames if cid not in self.gone)
        return gone

    def frames(self, connection_id: str, kind: str | None = None) -> list[dict]:
        return [f for cid, f in self.sent if cid == connection_id and kind in (None, f["type"])]


class InlineFanOut:
    """Runs each job at once, as its own worker would (set `deliver` after wiring)."""

    def __init__(self):
        self.deliver = None
        self.jobs: list[FanOutJob] = []

    def dispatch(self, jobs: list[FanOutJob]) -> None:
        self.jobs.extend(jobs)
        for job in jobs:
            self.deliver(job)


class FakePace:
    """Wall time that moves only when someone sleeps (or a test moves it)."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds
