"""Event search over index rows written at publish (see domain/search.py for the layout).

A page merges the plan's partitions month by month, each read a slice at a time: a partition
whose slice ran out is read again before anything past it is decided, so no row is skipped,
and a page stops after `limit` hits or MAX_QUERIES_PER_PAGE reads (fewer hits, a cursor)."""
from __future__ import annotations

import collections

from ..adapters.search_index import DynamoSearchIndex, Slice
from ..domain import errors
from ..domain import search as index
from .paging import Page

MAX_QUERIES_PER_PAGE = 27
MONTHS_PER_PAGE = 12


class _Stream:
    """One index partition read a slice at a time, from an inclusive start key."""

    def __init__(self, pk: str, start: str):
        self.pk, self.rows, self.next_start = pk, collections.deque(), start

    def take(self, part: Slice) -> None:
        self.rows.extend(part.rows)
        self.next_start = part.cut_at + "\x00" if part.cut_at else None

    def skip_to(self, key: str) -> None:
        while self.rows and self.rows[0].sk < key:
            self.rows.popleft()
        if not self.rows and self.next_start is not None:
            self.next_start = max(self.next_start, key)


class SearchService:
    def __init__(self, catalog, paging, clock, search_index=None):
        self.catalog, self.paging, self.clock = catalog, paging, clock
        self.index = search_index or DynamoSearchIndex()
        self.availability = None

    # writing ----------------------------------------------------------------------------------
    def entries_for(self, event) -> list:
        """The index rows of a published event; their keys are kept on the event for cancel."""
        location = event.venue["location"]
        tokens = index.index_words(event.name, event.performer, event.description)
        keys = index.index_keys(event.category, location["lat"], location["lng"], tokens)
        month = event.starts_at[:7]
        doc = {"event_id": event.event_id, "starts_at": event.starts_at,
               "category": event.category, "lat": location["lat"], "lng": location["lng"]}
        event.search_keys = [index.partition(key, month) for key in keys]
        return self.index.rows(event.tenant_id, month, index.sort_key(event.starts_at, event.event_id),
                               event.search_keys, doc)

    def cancel_event(self, event_id: str) -> dict:
        """Cancels an event and takes it out of search (kept on its page as cancelled)."""
        event = self.catalog.event(event_id)
        if event is None:
            raise errors.NotFound("event")
        keys = set(event.search_keys) | {row.pk for row in self.entries_for(event)
                                         if row.pk != index.MONTHS_KEY}
        self.catalog.mark_cancelled(event, [(pk, index.sort_key(event.starts_at, event_id))
                                            for pk in sorted(keys)])
        return self.catalog.event(event_id).to_dict()

    # reading ----------------------------------------------------------------------------------
    def find(self, query: index.SearchQuery, cursor: str | None) -> Page:
        scope = f"events:{query.canonical()}"
        start = self._position(cursor, scope) if cursor else (
            query.date_from or index.start_stamp(self.clock.now()))
        hits, start, more = self._walk(query, start)
        events = self.index.events([h.event_id for h in hits])
        items = [self.summary(events[h.event_id], h.distance_km) for h in hits
                 if h.event_id in events and events[h.event_id].status == "published"]
        return Page(items, self.paging.encode({"from": start}, scope) if more else None)

    def _position(self, cursor: str, scope: str) -> str:
        start = self.paging.decode(cursor, scope).get("from")
        if not isinstance(start, str) or not 7 <= len(start) <= 120:
            raise errors.InvalidCursor()
        return start

    def _walk(self, query: index.SearchQuery, start: str):
        """Hits in order from the inclusive key `start`: (hits, where to go on, more?).
        Every key below the returned start has been decided."""
        plan, end, hits, budget = query.plan(), query.end(), [], [MAX_QUERIES_PER_PAGE]
        size = _per_partition(plan, query)
        months = self.index.months(start[:7], end[:7], MONTHS_PER_PAGE)
        for month in months:
            start = max(start, month)
            streams = [_Stream(index.partition(key, month), start) for key in plan.keys]
            while True:
                if not self._fill(streams, end, size, budget):
                    return hits, start, True
                heads = [s.rows[0].sk for s in streams if s.rows]
                if not heads or (plan.every and len(heads) < len(streams)):
                    break
                key = max(heads) if plan.every else min(heads)
                if plan.every and min(heads) < key:
                    start = key  # nothing below key is in every partition
                    for stream in streams:
                        stream.skip_to(key)
                    continue
                row = next(s.rows[0] for s in streams if s.rows and s.rows[0].sk == key)
                start = key + "\x00"  # the smallest string above key
                for stream in streams:
                    stream.skip_to(start)
                hit = query.match(row.status, row.doc)
                if hit:
                    hits.append(hit)
                    if len(hits) == query.limit:
                        return hits, start, True
            start = index.next_month(month)
        return hits, start, len(months) == MONTHS_PER_PAGE

    def _fill(self, streams, end: str, size: int, budget: list) -> bool:
        """Reads every partition whose buffer ran dry while more rows may follow, so the
        smallest buffered key is the smallest unseen one; False when out of budget."""
        for stream in streams:
            if not stream.rows and stream.next_start is not None:
                if budget[0] == 0:
                    return False
                budget[0] -= 1
                stream.take(self.index.read(stream.pk, stream.next_start, end, size))
        return True

    def summary(self, event, distance_km: float | None = None) -> dict:
        return {"event_id": event.event_id, "name": event.name, "category": event.category,
                "starts_at": event.starts_at,
                "venue": {k: event.venue[k] for k in ("venue_id", "name", "city")},
                "price_range": event.price_range(),
                "availability": self.availability(event) if self.availability else "available",
                "thumbnail_url": event.thumbnail_url, "distance_km": distance_km}


def _per_partition(plan: index.Plan, query: index.SearchQuery) -> int:
    """Rows per read: a union of n cells shares the page between them; an intersection
    may need every row of each word's partition."""
    if plan.every or len(plan.keys) == 1:
        return query.limit
    return -(-query.limit // len(plan.keys)) + 1
