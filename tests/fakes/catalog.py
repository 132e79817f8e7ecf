"""In-memory catalog and search index: the same answers as DynamoDB's, kept in dicts."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from chalicelib.domain import search as rules
from chalicelib.domain.cancellations import Cancellation, CancellationStatus
from chalicelib.domain.catalog import Event, EventStatus, Layout, Venue
from chalicelib.services.ports import SaleChanged, Slice

from .audit import InMemoryAuditLog


@dataclass
class _Progress:
    """A cancellation's record: the position (moved by the job) and the counters (added by
    the bookings' transactions), kept apart as the DynamoDB item's attributes are."""

    position: Cancellation
    bookings_total: int = 0
    refunded: int = 0
    failed_ids: set = field(default_factory=set)

    def view(self) -> Cancellation:
        return replace(self.position, bookings_total=self.bookings_total,
                       refunded=self.refunded, failed=len(self.failed_ids))


def _page(items: list, key, after: str | None, limit: int) -> Slice:
    """Newest first by key, after an exclusive position, at most limit."""
    ordered = sorted(items, key=key, reverse=True)
    if after is not None:
        ordered = [i for i in ordered if key(i) < after]
    chosen = ordered[:limit]
    return Slice(chosen, key(chosen[-1]) if len(ordered) > limit else None)


class InMemoryCatalog:
    def __init__(self, audit: InMemoryAuditLog | None = None):
        self._lock = threading.RLock()
        self.audit = audit or InMemoryAuditLog()
        self.venues: dict[str, Venue] = {}
        self.layouts: dict[str, Layout] = {}
        self.stored: dict[str, Event] = {}
        self._progress: dict[str, _Progress] = {}

    def add_venue(self, venue: Venue, layout: Layout, audit=None) -> None:
        with self._lock:
            if venue.venue_id in self.venues:
                raise KeyError(venue.venue_id)
            self.venues[venue.venue_id], self.layouts[venue.venue_id] = venue, layout
            self.audit.append(audit)

    def venue(self, venue_id: str) -> Venue | None:
        return self.venues.get(venue_id)

    def layout(self, venue_id: str) -> Layout:
        return self.layouts[venue_id]

    def venues_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Venue]:
        mine = [v for v in self.venues.values() if v.tenant_id == tenant_id]
        return _page(mine, lambda v: f"{v.created_at}#{v.venue_id}", after, limit)

    def add_event(self, event: Event, audit=None) -> None:
        with self._lock:
            if event.event_id in self.stored:
                raise KeyError(event.event_id)
            self.stored[event.event_id] = event
            self.audit.append(audit)

    def event(self, event_id: str) -> Event | None:
        return self.stored.get(event_id)

    def events(self, event_ids: list[str]) -> dict[str, Event]:
        return {e: self.stored[e] for e in event_ids if e in self.stored}

    def events_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Event]:
        mine = [e for e in self.stored.values() if e.tenant_id == tenant_id]
        return _page(mine, lambda e: f"{e.created_at}#{e.event_id}", after, limit)

    def publish(self, event: Event, audit=None) -> None:
        with self._lock:
            if self.stored[event.event_id].status == EventStatus.DRAFT:
                self.stored[event.event_id] = event
                self.audit.append(audit)

    def update_event(self, event: Event, previous: Event, audit=None) -> None:
        with self._lock:
            stored = self.stored[event.event_id]
            if stored.version != previous.version or stored.status != previous.status:
                raise SaleChanged()
            self.stored[event.event_id] = event
            self.audit.append(audit)

    def cancel(self, event: Event, progress: Cancellation | None = None, audit=None) -> bool:
        with self._lock:
            if self.stored[event.event_id].status == EventStatus.CANCELLED:
                return False
            self.stored[event.event_id] = event
            if progress is not None:
                self._progress[event.event_id] = _Progress(progress)
            self.audit.append(audit)
            return True

    # cancellations ----------------------------------------------------------------------------
    def cancellation(self, event_id: str) -> Cancellation | None:
        with self._lock:
            found = self._progress.get(event_id)
            return found.view() if found else None

    def advance_cancellation(self, progress: Cancellation, expected: Cancellation) -> bool:
        with self._lock:
            stored = self._progress[progress.event_id]
            now = stored.position
            if (now.status != CancellationStatus.RUNNING or now.pass_no != expected.pass_no
                    or now.cursor != expected.cursor):
                return False
            stored.position = replace(now, pass_no=progress.pass_no, cursor=progress.cursor,
                                      pass_starts_at=progress.pass_starts_at,
                                      scanned=progress.scanned, status=progress.status)
            return True

    def count_cancellation_failure(self, event_id: str, booking_id: str) -> bool:
        with self._lock:
            stored = self._progress.get(event_id)
            if stored is None or booking_id in stored.failed_ids:
                return False
            stored.failed_ids.add(booking_id)
            return True

    def count_for_cancellation(self, event_id: str, counter: str) -> None:
        """The fake inventory's share of a booking transaction (the adapter's ADD)."""
        with self._lock:
            stored = self._progress[event_id]
            setattr(stored, counter, getattr(stored, counter) + 1)

    def running_cancellations(self, limit: int) -> list[str]:
        with self._lock:
            return sorted(e for e, p in self._progress.items()
                          if p.position.status == CancellationStatus.RUNNING)[:limit]


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
