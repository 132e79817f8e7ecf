"""In-memory audit log: the stores append to it inside their own atomic sections."""
from __future__ import annotations

import threading

from chalicelib.domain.audit import AuditEntry
from chalicelib.services.ports import Slice


class InMemoryAuditLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries: list[AuditEntry] = []

    def append(self, entry: AuditEntry | None) -> None:
        if entry is not None:
            with self._lock:
                self._entries.append(entry)

    def entries(self, tenant_id: str, after: str | None, limit: int) -> Slice[AuditEntry]:
        with self._lock:
            mine = sorted((e for e in self._entries if e.tenant_id == tenant_id),
                          key=lambda e: e.position, reverse=True)
        if after is not None:
            mine = [e for e in mine if e.position < after]
        return Slice(mine[:limit], mine[limit - 1].position if len(mine) > limit else None)

    def all(self) -> list[AuditEntry]:
        with self._lock:
            return list(self._entries)
