"""The organizers' audit trail: entries are made here and stored by the repositories in the
transaction of the change they record; this service reads them back, per tenant."""
from __future__ import annotations

import secrets
import time

from ..domain.audit import AuditAction, AuditEntry, resource
from ..domain.clock import to_rfc3339
from ..domain.identity import Principal
from .paging import Page


class Auditor:
    """Makes the entry for one organizer write: who, what, which resource, which request."""

    def __init__(self, clock):
        self.clock = clock

    def entry(self, principal: Principal, action: AuditAction, kind: str, resource_id: str,
              request_id: str | None) -> AuditEntry:
        return AuditEntry(entry_id(), principal.tenant_id, to_rfc3339(self.clock.now()),
                          principal.sub, action, resource(kind, resource_id), request_id)


def entry_id() -> str:
    """Sorts in the order entries were made, also within one second (entries sort by time,
    then id)."""
    return f"aud_{time.time_ns():016x}{secrets.token_hex(4)}"


class AuditService:
    def __init__(self, log, paging):
        self.log, self.paging = log, paging

    def entries(self, principal: Principal, cursor: str | None, limit: int) -> Page:
        return self.paging.page(f"audit:{principal.tenant_id}", cursor,
                                lambda after: self.log.entries(principal.tenant_id, after, limit))
