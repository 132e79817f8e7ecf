"""The organizer's audit trail: who did what to which resource, in which request.

Entries are append-only facts; the storage writes each one in the same transaction as the
change it records, so an entry exists exactly when its change does."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AuditAction(StrEnum):
    VENUE_CREATE = "venue.create"
    EVENT_CREATE = "event.create"
    EVENT_UPDATE = "event.update"
    EVENT_PUBLISH = "event.publish"
    EVENT_CANCEL = "event.cancel"
    BOOKING_REFUND = "booking.refund"
    WEBHOOK_CREATE = "webhook.create"
    WEBHOOK_DELETE = "webhook.delete"
    TICKET_CHECK_IN = "ticket.check_in"
    USER_ERASE = "user.erase"


# Customers' erasures are not an organizer's action: they are audited in the platform's own
# partition, under the pseudonym (no personal data).
PLATFORM_TENANT = "boxoffice"


@dataclass(frozen=True)
class AuditEntry:
    entry_id: str
    tenant_id: str
    at: str  # RFC 3339 UTC
    actor: str  # the token's sub
    action: AuditAction
    resource: str  # "{kind}/{id}", e.g. "event/evt_123"
    request_id: str | None

    @property
    def day(self) -> str:
        return self.at[:10]

    @property
    def position(self) -> str:
        """Where the entry sorts among its tenant's entries (newest last)."""
        return f"{self.at}#{self.entry_id}"


def resource(kind: str, resource_id: str) -> str:
    return f"{kind}/{resource_id}"
