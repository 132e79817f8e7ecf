"""Event search: a page of summaries from the search index, with a cursor bound to the query."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import errors
from ..domain import search as rules
from ..domain.catalog import Event, EventStatus
from .availability import Availability
from .paging import Page


@dataclass(frozen=True)
class EventSummary:
    event: Event
    availability: str
    distance_km: float | None = None


class SearchService:
    """Finds published events; every page does bounded work, whatever the catalog's size."""

    def __init__(self, index, catalog, availability: Availability, paging, clock):
        self.index, self.catalog, self.availability = index, catalog, availability
        self.paging, self.clock = paging, clock

    def find(self, query: rules.SearchQuery, cursor: str | None) -> Page:
        scope = f"events:{query.canonical()}"
        start = self._position(cursor, scope) if cursor else (
            query.date_from or rules.start_stamp(self.clock.now()))
        hits, next_start = self.index.find(query, start)
        events = self.catalog.events([h.event_id for h in hits])
        items = [self.summary(events[h.event_id], h.distance_km) for h in hits
                 if h.event_id in events and events[h.event_id].status == EventStatus.PUBLISHED]
        return Page(items, self.paging.encode({"from": next_start}, scope) if next_start else None)

    def _position(self, cursor: str, scope: str) -> str:
        start = self.paging.decode(cursor, scope).get("from")
        if not isinstance(start, str) or not 7 <= len(start) <= 120:
            raise errors.InvalidCursor()
        return start

    def summary(self, event: Event, distance_km: float | None = None) -> EventSummary:
        return EventSummary(event, self.availability.label(event), distance_km)
