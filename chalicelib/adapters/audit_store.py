"""Audit entries in the catalog table: partition `AUDIT#{tenant}#{yyyy-mm-dd}` sorted by
`{at}#{entry_id}`, so a busy tenant spreads its writes over a partition a day, and a day
registry `AUDIT#{tenant}#DAYS` lets a reader skip the days without entries.

Entries are written only inside the transaction of the change they record (`add_audit`)
and are never updated or deleted by any code path."""
from __future__ import annotations

from ..domain.audit import AuditAction, AuditEntry
from ..services.ports import Slice
from .dynamo_models import MarkerItem, AuditItem

MAX_DAY_READS = 3  # day partitions read per page, beside the registry


def day_pk(tenant_id: str, day: str) -> str:
    return f"AUDIT#{tenant_id}#{day}"


def days_pk(tenant_id: str) -> str:
    return f"AUDIT#{tenant_id}#DAYS"


def add_audit(tx, entry: AuditEntry | None) -> None:
    """Adds the entry (and its day's marker) to a transaction being built: 2 actions."""
    if entry is None:
        return
    tx.save(AuditItem(pk=day_pk(entry.tenant_id, entry.day), sk=entry.position,
                      entry_id=entry.entry_id, at=entry.at, actor=entry.actor,
                      action=entry.action.value, resource=entry.resource,
                      request_id=entry.request_id),
            condition=AuditItem.pk.does_not_exist())
    tx.save(MarkerItem(pk=days_pk(entry.tenant_id), sk=entry.day))


def entry_from_item(item: AuditItem, tenant_id: str) -> AuditEntry:
    return AuditEntry(item.entry_id, tenant_id, item.at, item.actor, AuditAction(item.action),
                      item.resource, item.request_id)


class DynamoAuditLog:
    def entries(self, tenant_id: str, after: str | None, limit: int) -> Slice[AuditEntry]:
        """`after` is `{day}|{position}` (exclusive; an empty position: the whole day)."""
        from_day, _, position = (after or "").partition("|")
        days = [i.sk for i in MarkerItem.query(
            days_pk(tenant_id), (MarkerItem.sk <= from_day) if from_day else None,
            scan_index_forward=False, limit=MAX_DAY_READS + 1)]
        found: list[AuditEntry] = []
        for index, day in enumerate(days[:MAX_DAY_READS]):
            wanted = limit - len(found)
            condition = AuditItem.sk < position if day == from_day and position else None
            items = list(AuditItem.query(day_pk(tenant_id, day), condition,
                                         scan_index_forward=False, limit=wanted + 1))
            found += [entry_from_item(i, tenant_id) for i in items[:wanted]]
            if len(items) > wanted:
                return Slice(found, f"{day}|{found[-1].position}")
            if len(found) == limit:
                following = days[index + 1] if index + 1 < len(days) else None
                return Slice(found, f"{following}|" if following else None)
        return Slice(found, f"{days[MAX_DAY_READS]}|" if len(days) > MAX_DAY_READS else None)
