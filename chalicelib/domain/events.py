"""Domain events, derived from committed state changes (the table streams are the outbox)."""
from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1c0b1e-7d0e-4c8e-9a55-5b0c1f0e2a10")


def _event(detail_type: str, entity_id: str, tenant_id: str, ids: dict, seats: list[dict],
           total: dict | None, occurred_at: str) -> dict:
    by_section: dict[str, int] = {}
    by_tier: dict[str, dict] = {}
    for seat in seats:
        by_section[seat["section"]] = by_section.get(seat["section"], 0) + 1
        tier = by_tier.setdefault(seat["tier_id"], {"count": 0, "amount": 0})
        tier["count"] += 1
        tier["amount"] += int(seat["price"]["amount"])
    detail = {
        # The same state change always yields the same id, so redelivery dedupes.
        "event_id": str(uuid.uuid5(NAMESPACE, f"{detail_type}:{entity_id}")),
        "tenant_id": tenant_id, "ids": ids,
        "counts": {"seats": len(seats), "by_section": by_section},
        "amounts": {"total": total, "by_tier": by_tier}, "occurred_at": occurred_at,
    }
    return {"detail_type": detail_type, "detail": detail}


HOLD_TRANSITIONS = {"released": "HoldReleased", "expired": "HoldExpired"}
BOOKING_TRANSITIONS = {"confirmed": "BookingConfirmed", "cancelled": "BookingCancelled"}


def from_change(old: dict | None, new: dict | None, occurred_at: str) -> list[dict]:
    """Maps one item's before/after images (plain dicts) to the domain events it means."""
    if not new:
        return []
    pk = new.get("pk", "")
    old_status = (old or {}).get("status")
    status = new.get("status")
    if status == old_status:
        return []
    doc = new.get("doc") or {}
    if pk.startswith("HOLD#"):
        kind = "HoldPlaced" if old is None and status == "active" else HOLD_TRANSITIONS.get(status)
        if not kind:
            return []
        ids = {"hold_id": doc["hold_id"], "event": new["event_id"], "user_id": new["user_id"]}
        return [_event(kind, doc["hold_id"], doc["tenant_id"], ids, doc["seats"],
                       doc["total_price"], occurred_at)]
    if pk.startswith("BOOKING#"):
        kind = BOOKING_TRANSITIONS.get(status)
        if not kind:
            return []
        ids = {"booking_id": doc["booking_id"], "hold_id": new["hold_id"],
               "event": new["event_id"], "user_id": new["user_id"]}
        seats = [t["seat"] for t in doc["tickets"]]
        return [_event(kind, doc["booking_id"], doc["tenant_id"], ids, seats,
                       doc["total_price"], occurred_at)]
    if pk.startswith("EVENT#") and status == "published":
        return [_event("EventPublished", doc["event_id"], doc["tenant_id"],
                       {"event": doc["event_id"], "venue_id": doc["venue_id"]}, [], None,
                       occurred_at)]
    return []
