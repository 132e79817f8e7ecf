"""In-memory waiting rooms: one lock, and the same conditions as the DynamoDB line's
transactions (the line's counters move only if they are as the caller read them)."""
from __future__ import annotations

import threading
from dataclasses import replace

from chalicelib.domain.queue import Line, QueueEntry, QueueStatus
from chalicelib.services.ports import LineChanged, SaleChanged


class InMemoryWaitingRoom:
    def __init__(self, catalog):
        self._catalog = catalog
        self._lock = threading.RLock()
        self._entries: dict[tuple[str, str], QueueEntry] = {}
        self._lines: dict[str, Line] = {}

    def configure(self, event, expected_version: int, now: int) -> None:
        with self._lock, self._catalog._lock:
            stored = self._catalog.stored.get(event.event_id)
            if stored is None or stored.version != expected_version:
                raise SaleChanged()
            self._catalog.stored[event.event_id] = replace(stored, queue=event.queue,
                                                           version=event.version)
            line = self._lines.get(event.event_id) or Line(event.event_id, event.queue,
                                                           last_pass=now)
            self._lines[event.event_id] = replace(line, settings=event.queue)

    def join(self, entry: QueueEntry) -> QueueEntry | None:
        with self._lock:
            key = (entry.event_id, entry.user_id)
            if key in self._entries:
                return self._entries[key]
            self._entries[key] = entry
            return None

    def entry(self, event_id: str, user_id: str) -> QueueEntry | None:
        with self._lock:
            return self._entries.get((event_id, user_id))

    def entries_of_user(self, user_id: str, limit: int) -> list[QueueEntry]:
        with self._lock:
            return sorted((e for (_, user), e in self._entries.items() if user == user_id),
                          key=lambda e: e.event_id)[:limit]

    def move_entry(self, event_id: str, user_id: str, pseudonym: str) -> bool:
        with self._lock:
            old = self._entries.pop((event_id, user_id), None)
            if old is not None:
                self._entries[(event_id, pseudonym)] = replace(old, user_id=pseudonym,
                                                               admission_token=None)
            return True

    def line(self, event_id: str) -> Line | None:
        with self._lock:
            return self._lines.get(event_id)

    def lines_to_advance(self) -> list[str]:
        with self._lock:
            return sorted(e for e, line in self._lines.items() if line.settings.enabled)

    def _of(self, event_id: str, ranked: bool) -> list[QueueEntry]:
        return [e for (event, _), e in self._entries.items() if event == event_id
                and e.status == QueueStatus.WAITING and (e.rank is not None) == ranked]

    def arrivals(self, line: Line, limit: int) -> list[QueueEntry]:
        with self._lock:
            return sorted(self._of(line.event_id, False), key=lambda e: e.ticket)[:max(0, limit)]

    def next_waiting(self, line: Line, limit: int) -> list[QueueEntry]:
        with self._lock:
            return sorted(self._of(line.event_id, True), key=lambda e: e.rank)[:max(0, limit)]

    def rank(self, line: Line, entries: list[QueueEntry]) -> Line:
        with self._lock:
            stored = self._lines[line.event_id]
            if stored.ranked != line.ranked:
                raise LineChanged()
            for offset, entry in enumerate(entries):
                key = (entry.event_id, entry.user_id)
                self._entries[key] = replace(self._entries[key], rank=line.ranked + 1 + offset)
            self._lines[line.event_id] = replace(stored, ranked=line.ranked + len(entries))
            return self._lines[line.event_id]

    def admit(self, line: Line, entries: list[QueueEntry], credit: float, now: int) -> Line:
        with self._lock:
            stored = self._lines[line.event_id]
            if stored.admitted != line.admitted or stored.last_pass != line.last_pass:
                raise LineChanged()
            keys = [(entry.event_id, entry.user_id) for entry in entries]
            if any(self._entries[key].status != QueueStatus.WAITING for key in keys):
                raise LineChanged()
            for key, entry in zip(keys, entries):
                self._entries[key] = replace(entry, rank=self._entries[key].rank)
            self._lines[line.event_id] = replace(stored, admitted=line.admitted + len(entries),
                                                 credit=credit, last_pass=now)
            return self._lines[line.event_id]
