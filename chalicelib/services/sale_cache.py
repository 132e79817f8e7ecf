"""Event facts a hold needs (the event and its venue's layout), kept in the warm Lambda.

Staleness is bounded and harmless: every hold's write checks that the event is still
published at the version read here, so a stale copy costs one retry, never a wrong sale."""
from __future__ import annotations

import threading

from ..domain.catalog import Event, Layout
from ..domain.clock import epoch

TTL_SECONDS = 30
MAX_EVENTS = 512


class SaleCache:
    def __init__(self, catalog, clock, ttl_seconds: int = TTL_SECONDS):
        self._catalog, self._clock, self._ttl = catalog, clock, ttl_seconds
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, Event, Layout]] = {}

    def get(self, event_id: str) -> tuple[Event, Layout] | None:
        """The event and its layout; None when the event does not exist or is not public
        (never cached, so publishing shows at once)."""
        now = epoch(self._clock.now())
        with self._lock:
            entry = self._entries.get(event_id)
        if entry and now < entry[0]:
            return entry[1], entry[2]
        event = self._catalog.event(event_id)
        if event is None or not event.is_public():
            return None
        layout = self._catalog.layout(event.venue_id)
        with self._lock:
            if len(self._entries) >= MAX_EVENTS:
                self._entries.pop(next(iter(self._entries)))
            self._entries[event_id] = (now + self._ttl, event, layout)
        return event, layout

    def fresh(self, event_id: str) -> Event | None:
        """The event as stored now (for rare paths that must not act on a stale copy)."""
        self.forget(event_id)
        return self._catalog.event(event_id)

    def forget(self, event_id: str) -> None:
        with self._lock:
            self._entries.pop(event_id, None)
