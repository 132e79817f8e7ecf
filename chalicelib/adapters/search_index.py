"""Event search on index rows of the catalog table, written when an event is published.

Index rows live in partitions `SRCH#{key}#{YYYY-MM}` sorted by the event's position
(`{starts_at}#{event_id}`), where key is ALL, CAT#{category}, GEO#{precision}#{cell} or
WORD#{token}; the month registry `SRCH#MONTHS` lists every month that holds an event.

A page merges the plan's partitions month by month, each read a slice at a time: a partition
whose slice ran out is read again before anything past it is decided, so no row is skipped,
and a page stops after `limit` hits or MAX_QUERIES_PER_PAGE reads (fewer hits, a position to
go on from)."""
from __future__ import annotations

import collections
from dataclasses import dataclass

from ..domain import geo
from ..domain import search as rules
from ..domain.catalog import Event, EventStatus
from .catalog_store import SEARCH_ROW, as_plain
from .dynamo_models import CatalogItem

MONTHS_KEY = "SRCH#MONTHS"
MAX_QUERIES_PER_PAGE = 27
MONTHS_PER_PAGE = 12


def partition(key: str, month: str) -> str:
    return f"SRCH#{key}#{month}"


def index_keys(event: Event) -> list[str]:
    location = event.venue.location
    cells = [f"GEO#{p}#{geo.geohash(location.lat, location.lng, p)}" for p in geo.PRECISIONS]
    tokens = rules.index_words(event.name, event.performer, event.description)
    return ["ALL", f"CAT#{event.category}", *cells, *(f"WORD#{t}" for t in tokens)]


def search_rows(event: Event) -> list[CatalogItem]:
    """The month registry row and one row per index partition, as publishing writes them."""
    month = event.starts_at[:7]
    position = rules.position(event.starts_at, event.event_id)
    doc = {"event_id": event.event_id, "starts_at": event.starts_at, "category": event.category,
           "lat": event.venue.location.lat, "lng": event.venue.location.lng}
    rows = [CatalogItem(pk=MONTHS_KEY, sk=month, kind="search-month")]
    return rows + [CatalogItem(pk=partition(key, month), sk=position, kind=SEARCH_ROW,
                               tenant_id=event.tenant_id, status=EventStatus.PUBLISHED.value,
                               doc=doc) for key in index_keys(event)]


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


@dataclass(frozen=True)
class Plan:
    """Which index partitions to read, and whether a row must be in any or all of them."""

    keys: tuple[str, ...]
    every: bool


def plan_of(query: rules.SearchQuery) -> Plan:
    if query.terms:
        return Plan(tuple(f"WORD#{t}" for t in query.terms), every=True)
    if query.radius_km is not None:
        precision, cells = geo.covering_cells(query.lat, query.lng, query.radius_km)
        return Plan(tuple(f"GEO#{precision}#{c}" for c in cells), every=False)
    if query.category:
        return Plan((f"CAT#{query.category}",), every=False)
    return Plan(("ALL",), every=False)


@dataclass(frozen=True)
class IndexRow:
    sk: str
    status: str | None
    doc: dict


class _Stream:
    """One index partition read a slice at a time, from an inclusive start key."""

    def __init__(self, pk: str, start: str):
        self.pk, self.rows, self.next_start = pk, collections.deque(), start

    def take(self, rows: list[IndexRow], cut_at: str | None) -> None:
        self.rows.extend(rows)
        self.next_start = cut_at + "\x00" if cut_at else None

    def skip_to(self, key: str) -> None:
        while self.rows and self.rows[0].sk < key:
            self.rows.popleft()
        if not self.rows and self.next_start is not None:
            self.next_start = max(self.next_start, key)


class DynamoSearchIndex:
    """Reads index partitions of the catalog table."""

    def find(self, query: rules.SearchQuery, start: str):
        """Hits in order from the inclusive key `start`: (hits, where to go on or None).
        Every key below the returned position has been decided."""
        plan, end, hits, budget = plan_of(query), query.end(), [], [MAX_QUERIES_PER_PAGE]
        size = _per_partition(plan, query)
        months = self._months(start[:7], end[:7], MONTHS_PER_PAGE)
        for month in months:
            start = max(start, month)
            streams = [_Stream(partition(key, month), start) for key in plan.keys]
            while True:
                if not self._fill(streams, end, size, budget):
                    return hits, start
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
                hit = (query.match(row.doc["event_id"], row.doc.get("category"), row.doc["lat"],
                                   row.doc["lng"]) if row.status == "published" else None)
                if hit:
                    hits.append(hit)
                    if len(hits) == query.limit:
                        return hits, start
            start = next_month(month)
        return hits, (start if len(months) == MONTHS_PER_PAGE else None)

    def _fill(self, streams, end: str, size: int, budget: list) -> bool:
        """Reads every partition whose buffer ran dry while more rows may follow, so the
        smallest buffered key is the smallest unseen one; False when out of budget."""
        for stream in streams:
            if not stream.rows and stream.next_start is not None:
                if budget[0] == 0:
                    return False
                budget[0] -= 1
                stream.take(*self._read(stream.pk, stream.next_start, end, size))
        return True

    def _months(self, first: str, last: str, limit: int) -> list[str]:
        return [i.sk for i in CatalogItem.query(MONTHS_KEY, CatalogItem.sk.between(first, last),
                                                limit=limit)]

    def _read(self, pk: str, start: str, end: str, limit: int):
        items = CatalogItem.query(pk, CatalogItem.sk.between(start, end), limit=limit)
        rows = [IndexRow(i.sk, i.status, as_plain(i.doc)) for i in items]
        return rows, (rows[-1].sk if len(rows) == limit else None)


def _per_partition(plan: Plan, query: rules.SearchQuery) -> int:
    """Rows per read: a union of n cells shares the page between them; an intersection
    may need every row of each word's partition."""
    if plan.every or len(plan.keys) == 1:
        return query.limit
    return -(-query.limit // len(plan.keys)) + 1
