"""Read models fed by domain events: availability per section and sales per tier."""
from __future__ import annotations

import hashlib

from ..domain import errors
from ..domain.clock import epoch, to_rfc3339
from ..domain.money import Money

SHARDS = 4
# How each event moves the counters: (held, sold) per seat.
SEAT_MOVES = {"HoldPlaced": (1, 0), "HoldReleased": (-1, 0), "HoldExpired": (-1, 0),
              "BookingConfirmed": (-1, 1), "BookingCancelled": (0, -1)}
SALES_SIGN = {"BookingConfirmed": 1, "BookingCancelled": -1}


class ProjectionService:
    def __init__(self, store, catalog, clock):
        self.store, self.catalog, self.clock = store, catalog, clock

    def handle(self, detail_type: str, detail: dict) -> bool:
        """Counts one delivered event exactly once; returns False for a duplicate."""
        if detail_type not in SEAT_MOVES:
            return False
        event_id = detail["ids"]["event"]
        shard = int(hashlib.sha256(detail["event_id"].encode()).hexdigest(), 16) % SHARDS
        held, sold = SEAT_MOVES[detail_type]
        changes = [(f"AVAIL#{event_id}", f"{section}#{shard}",
                    {k: v * n for k, v in (("held", held), ("sold", sold)) if v})
                   for section, n in detail["counts"]["by_section"].items()]
        sign = SALES_SIGN.get(detail_type)
        if sign:
            changes += [(f"SALES#{event_id}", f"{tier}#{shard}",
                         {"sold": sign * t["count"], "revenue": sign * t["amount"]})
                        for tier, t in detail["amounts"]["by_tier"].items()]
        now = self.clock.now()
        return self.store.apply_once(detail["event_id"], changes, to_rfc3339(now), epoch(now))

    def sales(self, principal, event_id: str, catalog_service) -> dict:
        event = self.catalog.event(event_id)
        if not event or event.tenant_id != principal.tenant_id:
            raise errors.NotFound("event")
        tiers = self.store.counters(f"SALES#{event_id}")
        summary = catalog_service.availability_summary(event)
        by_tier = [{"tier_id": t.tier_id, "name": t.name,
                    "sold": tiers.get(t.tier_id, {}).get("sold", 0),
                    "revenue": Money(tiers.get(t.tier_id, {}).get("revenue", 0),
                                     event.currency).to_dict()} for t in event.price_tiers]
        stamps = [t["updated_at"] for t in tiers.values() if t["updated_at"]]
        return {"event_id": event_id, "tickets_sold": sum(t["sold"] for t in by_tier),
                "tickets_held": summary["held"], "tickets_available": summary["available"],
                "revenue": Money(sum(t["revenue"]["amount"] for t in by_tier),
                                 event.currency).to_dict(),
                "by_tier": by_tier, "updated_at": max(stamps) if stamps else to_rfc3339(self.clock.now())}
