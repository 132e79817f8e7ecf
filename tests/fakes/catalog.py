"""In-memory catalog and search index: the same answers as DynamoDB's, kept in dicts."""
from __future__ import annotations

import threading

from chalicelib.domain import search as rules
from chalicelib.domain.catalog import Event, EventStatus, Layout, Venue
from chalicelib.services.ports import Slice


def _page(items: list, key, after: str | None, limit: int) -> Slice:
    """Newest first by key, after an exclusive position, at most limit."""
    ordered = sorted(items, key=key, reverse=True)
    if after is not None:
        ordered = [i for i in ordered if key(i) < after]
    chosen = ordered[:limit]
    return Slice(chosen, key(chosen[-1]) if len(ordered) > limit else None)


class InMemoryCatalog:
    def __init__(self):
        self._lock = threading.Lock()
        self.venues: dict[str, Venue] = {}
        self.layouts: dict[str, Layout] = {}
        self.stored: dict[str, Event] = {}

    def add_venue(self, venue: Venue, layout: Layout) -> None:
        with self._lock:
            if venue.venue_id in self.venues:
                raise KeyError(venue.venue_id)
            self.venues[venue.venue_id], self.layouts[venue.venue_id] = venue, layout

    def venue(self, venue_id: str) -> Venue | None:
        return self.venues.get(venue_id)

    def layout(self, venue_id: str) -> Layout:
        return self.layouts[venue_id]

    def venues_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Venue]:
        mine = [v for v in self.venues.values() if v.tenant_id == tenant_id]
        return _page(mine, lambda v: f"{v.created_at}#{v.venue_id}", after, limit)

    def add_event(self, event: Event) -> None:
        with self._lock:
            if event.event_id in self.stored:
                raise KeyError(event.event_id)
            self.stored[event.event_id] = event

    def event(self, event_id: str) -> Event | None:
        return self.stored.get(event_id)

    def events(self, event_ids: list[str]) -> dict[str, Event]:
        return {e: self.stored[e] for e in event_ids if e in self.stored}

    def events_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Event]:
        mine = [e for e in self.stored.values() if e.tenant_id == tenant_id]
        return _page(mine, lambda e: f"{e.created_at}#{e.event_id}", after, limit)

    def publish(self, event: Event) -> None:
        with self._lock:
            if self.stored[event.event_id].status == EventStatus.DRAFT:
                self.stored[event.event_id] = event

    def cancel(self, event: Event) -> None:
        with self._lock:
            if self.stored[event.event_id].status != EventStatus.CANCELLED:
                self.stored[event.event_id] = event


class InMemorySearchIndex:
    """Brute force over the catalog's published events: the answer the real index must give."""

    def __init__(self, catalog: InMemoryCatalog):
        self._catalog = catalog

    def find(self, query: rules.SearchQuery, start: str):
        hits, last = [], None
        for event in sorted(self._catalog.stored.values(),
                            key=lambda e: rules.position(e.starts_at, e.event_id)):
            position = rules.position(event.starts_at, event.event_id)
            if event.status != EventStatus.PUBLISHED or position < start or position > query.end():
                continue
            words = set(rules.index_words(event.name, event.performer, event.description))
            hit = query.match(event.event_id, event.category, event.venue.location.lat,
                              event.venue.location.lng)
            if hit is None or not set(query.terms) <= words:
                continue
            if len(hits) == query.limit:
                return hits, last + "\x00"  # the smallest position after the last hit
            hits.append(hit)
            last = position
        return hits, None
