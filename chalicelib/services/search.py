"""Event search (placeholder wiring; the index arrives with the search issue)."""
from __future__ import annotations


class SearchService:
    def __init__(self, catalog, paging, clock):
        self.catalog, self.paging, self.clock = catalog, paging, clock
        self.availability = None

    def entries_for(self, event) -> list:
        return []

    def summary(self, event, distance_km: float | None = None) -> dict:
        return {"event_id": event.event_id, "name": event.name, "category": event.category,
                "starts_at": event.starts_at,
                "venue": {k: event.venue[k] for k in ("venue_id", "name", "city")},
                "price_range": event.price_range(),
                "availability": self.availability(event) if self.availability else "available",
                "thumbnail_url": event.thumbnail_url, "distance_km": distance_km}
