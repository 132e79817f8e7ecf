"""In-memory counters: each event counted once, like the DynamoDB projection store."""
from __future__ import annotations

import datetime as dt
import threading

from chalicelib.domain.clock import to_rfc3339
from chalicelib.services.ports import Counters, SectionCounts, TierSales


class InMemoryProjections:
    def __init__(self):
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._sections: dict[str, dict[str, SectionCounts]] = {}
        self._tiers: dict[str, dict[str, TierSales]] = {}
        self._updated: dict[str, str] = {}

    def apply_once(self, event_id: str, sections: dict[str, SectionCounts],
                   tiers: dict[str, TierSales], show_id: str, now: dt.datetime) -> bool:
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen.add(event_id)
            mine = self._sections.setdefault(show_id, {})
            for name, delta in sections.items():
                old = mine.get(name, SectionCounts())
                mine[name] = SectionCounts(old.held + delta.held, old.sold + delta.sold)
            sales = self._tiers.setdefault(show_id, {})
            for name, delta in tiers.items():
                old = sales.get(name, TierSales())
                sales[name] = TierSales(old.sold + delta.sold, old.revenue + delta.revenue)
            self._updated[show_id] = to_rfc3339(now)
            return True

    def availability(self, show_id: str) -> dict[str, SectionCounts]:
        with self._lock:
            return dict(self._sections.get(show_id, {}))

    def counters(self, show_id: str) -> Counters:
        with self._lock:
            return Counters(dict(self._sections.get(show_id, {})),
                            dict(self._tiers.get(show_id, {})), self._updated.get(show_id))
