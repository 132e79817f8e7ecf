"""Venues and events in the catalog table (search rows: see search_index.py)."""
from __future__ import annotations

import functools
import json
import zlib

from pynamodb.exceptions import DoesNotExist, UpdateError

from ..domain.audit import AuditEntry
from ..domain.cancellations import Cancellation, CancellationStatus
from ..domain.catalog import (Event, EventStatus, Layout, Location, PriceTier, Row, Section,
                              Venue)
from ..domain.money import Money
from ..domain.queue import QueueSettings
from ..services.ports import SaleChanged, Slice
from .audit_store import add_audit
from .dynamo_models import CancellationItem, CatalogItem, LayoutItem, MarkerItem
from .transactions import ConditionsFailed

SEARCH_ROW = "search"  # the kind of an event's own index rows (the month registry is shared)
# Search-row writes that share a transaction with the event itself and its audit entry
# (100 actions at most); the rest follow in batches.
TRANSACTION_ROWS = 96
RUNNING_CANCELLATIONS = "CANCELLATIONS#RUNNING"


def as_plain(value):
    """PynamoDB raw maps come back as MapAttribute objects and floats; make plain data."""
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    return value


# --- mapping ---------------------------------------------------------------------------------
def venue_to_doc(venue: Venue) -> dict:
    return {"venue_id": venue.venue_id, "tenant_id": venue.tenant_id, "name": venue.name,
            "address": venue.address, "city": venue.city, "country": venue.country,
            "timezone": venue.timezone,
            "location": {"lat": venue.location.lat, "lng": venue.location.lng},
            "capacity": venue.capacity, "sections": list(venue.sections),
            "created_at": venue.created_at}


def venue_from_doc(doc: dict, tenant_id: str | None = None) -> Venue:
    return Venue(doc["venue_id"], doc.get("tenant_id") or tenant_id or "", doc["name"],
                 doc["address"], doc["city"], doc["country"], doc["timezone"],
                 Location(float(doc["location"]["lat"]), float(doc["location"]["lng"])),
                 int(doc["capacity"]), tuple(doc["sections"]), doc.get("created_at", ""))


def layout_to_bytes(layout: Layout) -> bytes:
    data = {"sections": [{"name": s.name, "rows": [[r.name, r.seats] for r in s.rows]}
                         for s in layout.sections]}
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode())


def layout_from_bytes(blob: bytes) -> Layout:
    data = json.loads(zlib.decompress(blob))
    return Layout(tuple(Section(s["name"], tuple(Row(r[0], int(r[1])) for r in s["rows"]))
                        for s in data["sections"]))


def event_to_doc(event: Event) -> dict:
    return {
        "event_id": event.event_id, "tenant_id": event.tenant_id, "venue_id": event.venue_id,
        "name": event.name, "description": event.description, "category": event.category,
        "performer": event.performer, "starts_at": event.starts_at, "status": event.status.value,
        "thumbnail_url": event.thumbnail_url,
        "max_tickets_per_order": event.max_tickets_per_order,
        "price_tiers": [{"tier_id": t.tier_id, "name": t.name, "price": t.price.to_dict(),
                         "sections": list(t.sections)} for t in event.price_tiers],
        "venue": venue_to_doc(event.venue), "section_sizes": dict(event.section_sizes),
        "created_at": event.created_at, "published_at": event.published_at,
        "version": event.version, "queue": queue_to_doc(event.queue),
    }


def queue_to_doc(settings: QueueSettings | None) -> dict | None:
    return ({"enabled": settings.enabled, "admit_per_minute": settings.admit_per_minute,
             "admission_seconds": settings.admission_seconds, "shards": settings.shards}
            if settings else None)


def queue_from_doc(doc: dict | None) -> QueueSettings | None:
    return (QueueSettings(bool(doc["enabled"]), int(doc["admit_per_minute"]),
                          int(doc["admission_seconds"]), int(doc.get("shards") or 1))
            if doc else None)


def event_from_doc(doc: dict) -> Event:
    return Event(
        event_id=doc["event_id"], tenant_id=doc["tenant_id"], venue_id=doc["venue_id"],
        name=doc["name"], description=doc["description"], category=doc["category"],
        performer=doc.get("performer"), starts_at=doc["starts_at"],
        status=EventStatus(doc["status"]), thumbnail_url=doc.get("thumbnail_url"),
        max_tickets_per_order=int(doc["max_tickets_per_order"]),
        price_tiers=tuple(PriceTier(t["tier_id"], t["name"], Money.from_dict(t["price"]),
                                    tuple(t["sections"])) for t in doc["price_tiers"]),
        venue=venue_from_doc(doc["venue"], doc["tenant_id"]),
        section_sizes={k: int(v) for k, v in doc["section_sizes"].items()},
        created_at=doc["created_at"], published_at=doc.get("published_at"),
        version=int(doc.get("version") or 1), queue=queue_from_doc(doc.get("queue")))


def event_item(event: Event, **extra) -> CatalogItem:
    return CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT", kind="event",
                       tenant_id=event.tenant_id, status=event.status.value,
                       version=event.version, doc=event_to_doc(event),
                       gsi1pk=f"TENANT#{event.tenant_id}#EVENTS",
                       gsi1sk=f"{event.created_at}#{event.event_id}", **extra)


class DynamoCatalog:
    def __init__(self, transactions, search_rows):
        """search_rows(event) -> the index rows that make a published event searchable."""
        self._tx = transactions
        self._search_rows = search_rows

    # venues ---------------------------------------------------------------------------------
    def add_venue(self, venue: Venue, layout: Layout, audit: AuditEntry | None = None) -> None:
        item = CatalogItem(pk=f"VENUE#{venue.venue_id}", sk="VENUE", kind="venue",
                           tenant_id=venue.tenant_id, doc=venue_to_doc(venue),
                           gsi1pk=f"TENANT#{venue.tenant_id}#VENUES",
                           gsi1sk=f"{venue.created_at}#{venue.venue_id}")
        layout_item = LayoutItem(pk=f"VENUE#{venue.venue_id}", sk="LAYOUT",
                                 layout=layout_to_bytes(layout))
        self._tx.run(lambda tx: (tx.save(item, condition=CatalogItem.pk.does_not_exist()),
                                 tx.save(layout_item, condition=LayoutItem.pk.does_not_exist()),
                                 add_audit(tx, audit)))

    def venue(self, venue_id: str) -> Venue | None:
        try:
            return venue_from_doc(as_plain(CatalogItem.get(f"VENUE#{venue_id}", "VENUE").doc))
        except DoesNotExist:
            return None

    @functools.lru_cache(maxsize=256)
    def layout(self, venue_id: str) -> Layout:
        """Layouts never change, so a warm Lambda reads each once."""
        return layout_from_bytes(LayoutItem.get(f"VENUE#{venue_id}", "LAYOUT").layout)

    def _owned(self, tenant_id: str, kind: str, after: str | None, limit: int):
        condition = CatalogItem.gsi1sk < after if after else None
        items = CatalogItem.by_tenant.query(f"TENANT#{tenant_id}#{kind}", condition,
                                            scan_index_forward=False, limit=limit)
        docs = [as_plain(i.doc) for i in items]
        last = items.last_evaluated_key
        return docs, (last["gsi1sk"]["S"] if last else None)

    def venues_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Venue]:
        docs, last = self._owned(tenant_id, "VENUES", after, limit)
        return Slice([venue_from_doc(d) for d in docs], last)

    # events ---------------------------------------------------------------------------------
    def add_event(self, event: Event, audit: AuditEntry | None = None) -> None:
        self._tx.run(lambda tx: (tx.save(event_item(event),
                                         condition=CatalogItem.pk.does_not_exist()),
                                 add_audit(tx, audit)))

    def event(self, event_id: str) -> Event | None:
        try:
            item = CatalogItem.get(f"EVENT#{event_id}", "EVENT")
        except DoesNotExist:
            return None
        return event_from_doc(as_plain(item.doc))

    def events(self, event_ids: list[str]) -> dict[str, Event]:
        if not event_ids:
            return {}
        items = CatalogItem.batch_get([(f"EVENT#{e}", "EVENT") for e in event_ids])
        return {e.event_id: e for e in (event_from_doc(as_plain(i.doc)) for i in items)}

    def events_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Event]:
        docs, last = self._owned(tenant_id, "EVENTS", after, limit)
        return Slice([event_from_doc(d) for d in docs], last)

    def publish(self, event: Event, audit: AuditEntry | None = None) -> None:
        """The status flip and the first search rows in one transaction; the rest follow in
        batches (search re-reads each hit's status, so a partial index hides nothing)."""
        rows = self._search_rows(event)
        keys = [[r.pk, r.sk] for r in rows if r.kind == SEARCH_ROW]
        doc = {**event_to_doc(event), "search_rows": keys}

        def build(tx):
            tx.update(CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT"),
                      actions=[CatalogItem.status.set(event.status.value),
                               CatalogItem.version.set(event.version), CatalogItem.doc.set(doc)],
                      condition=CatalogItem.status == EventStatus.DRAFT.value)
            for row in rows[:TRANSACTION_ROWS]:
                tx.save(row)
            add_audit(tx, audit)
        try:
            self._tx.run(build)
        except ConditionsFailed:
            return  # published before: publishing is idempotent
        with CatalogItem.batch_write() as batch:
            for row in rows[TRANSACTION_ROWS:]:
                batch.save(row)

    def update_event(self, event: Event, previous: Event, audit: AuditEntry | None = None) -> None:
        """The event, its audit entry and its search-row changes in one transaction when they
        fit (rows beyond that follow in batches). The stored row list keeps stale rows until
        they are deleted, so a crash leaves them for the next change or the cancel to find;
        search re-reads every hit's event meanwhile."""
        old = self._row_keys(event.event_id)
        rows = self._search_rows(event) if event.status == EventStatus.PUBLISHED else []
        new = {(r.pk, r.sk) for r in rows if r.kind == SEARCH_ROW}
        stale = old - new
        changes = [("delete", key) for key in sorted(stale)] + [
            ("save", r) for r in rows if (r.pk, r.sk) not in old]
        now, later = changes[:TRANSACTION_ROWS], changes[TRANSACTION_ROWS:]
        listed = new | {key for kind, key in later if kind == "delete"}

        def build(tx):
            tx.update(CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT"),
                      actions=[CatalogItem.version.set(event.version),
                               CatalogItem.doc.set(self._doc(event, listed))],
                      condition=(CatalogItem.version == previous.version)
                      & (CatalogItem.status == previous.status.value))
            _apply(tx, now)
            add_audit(tx, audit)
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            raise SaleChanged() from e
        if later:
            with CatalogItem.batch_write() as batch:
                for kind, change in later:
                    if kind == "delete":
                        batch.delete(CatalogItem(pk=change[0], sk=change[1]))
                    else:
                        batch.save(change)
            self._forget_rows(event, new)

    def _row_keys(self, event_id: str) -> set[tuple[str, str]]:
        stored = CatalogItem.get(f"EVENT#{event_id}", "EVENT", consistent_read=True)
        return {tuple(k) for k in as_plain(stored.doc).get("search_rows") or []}

    @staticmethod
    def _doc(event: Event, row_keys) -> dict:
        return {**event_to_doc(event), "search_rows": [list(k) for k in sorted(row_keys)]}

    def _forget_rows(self, event: Event, keys) -> None:
        """Drops deleted rows from the stored list, unless the event changed again."""
        try:
            CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT").update(
                actions=[CatalogItem.doc.set(self._doc(event, keys))],
                condition=CatalogItem.version == event.version)
        except UpdateError as e:
            if e.cause_response_code != "ConditionalCheckFailedException":
                raise

    def cancel(self, event: Event, progress: Cancellation | None = None,
               audit: AuditEntry | None = None) -> bool:
        """Flips the event to cancelled with its cancellation's progress record and audit
        entry (one transaction), then deletes its search rows. Search re-reads the event's
        status, so a row left by a crash hides nothing; a retry deletes the rest."""
        keys = self._row_keys(event.event_id)
        keys |= {(r.pk, r.sk) for r in self._search_rows(event) if r.kind == SEARCH_ROW}

        def build(tx):
            tx.update(CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT"),
                      actions=[CatalogItem.status.set(event.status.value),
                               CatalogItem.version.set(event.version),
                               CatalogItem.doc.set(self._doc(event, keys))],
                      condition=CatalogItem.status.is_in(EventStatus.DRAFT.value,
                                                         EventStatus.PUBLISHED.value))
            if progress is not None:
                tx.save(progress_item(progress), condition=CancellationItem.pk.does_not_exist())
                tx.save(MarkerItem(pk=RUNNING_CANCELLATIONS, sk=event.event_id))
            add_audit(tx, audit)
        try:
            self._tx.run(build)
            cancelled = True
        except ConditionsFailed:
            cancelled = False  # cancelled before: only the rows may be left to delete
        with CatalogItem.batch_write() as batch:
            for pk, sk in sorted(keys):
                batch.delete(CatalogItem(pk=pk, sk=sk))
        return cancelled

    # cancellations --------------------------------------------------------------------------
    def cancellation(self, event_id: str) -> Cancellation | None:
        try:
            item = CancellationItem.get(progress_pk(event_id), "CANCELLATION", consistent_read=True)
        except DoesNotExist:
            return None
        return progress_from_item(item, event_id)

    def advance_cancellation(self, progress: Cancellation, expected: Cancellation) -> bool:
        cursor = (CancellationItem.cursor == expected.cursor if expected.cursor is not None
                  else CancellationItem.cursor.does_not_exist())
        actions = [CancellationItem.pass_no.set(progress.pass_no),
                   CancellationItem.pass_starts_at.set(progress.pass_starts_at),
                   CancellationItem.scanned.set(progress.scanned),
                   CancellationItem.status.set(progress.status.value),
                   CancellationItem.cursor.set(progress.cursor) if progress.cursor is not None
                   else CancellationItem.cursor.remove()]
        done = progress.status == CancellationStatus.DONE

        def build(tx):
            tx.update(CancellationItem(pk=progress_pk(progress.event_id), sk="CANCELLATION"),
                      actions=actions,
                      condition=(CancellationItem.pass_no == expected.pass_no)
                      & (CancellationItem.status == CancellationStatus.RUNNING.value) & cursor)
            if done:
                tx.delete(MarkerItem(pk=RUNNING_CANCELLATIONS, sk=progress.event_id))
        try:
            self._tx.run(build)
            return True
        except ConditionsFailed:
            return False

    def count_cancellation_failure(self, event_id: str, booking_id: str) -> bool:
        try:
            CancellationItem(pk=progress_pk(event_id), sk="CANCELLATION").update(
                actions=[CancellationItem.failed_ids.add({booking_id}),
                         CancellationItem.failed.add(1)],
                condition=CancellationItem.pk.exists() & (
                    CancellationItem.failed_ids.does_not_exist()
                    | ~CancellationItem.failed_ids.contains(booking_id)))
            return True
        except UpdateError as e:
            if e.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False

    def running_cancellations(self, limit: int) -> list[str]:
        return [i.sk for i in MarkerItem.query(RUNNING_CANCELLATIONS, limit=limit)]


def _apply(tx, changes) -> None:
    for kind, change in changes:
        if kind == "delete":
            tx.delete(CatalogItem(pk=change[0], sk=change[1]))
        else:
            tx.save(change)


def progress_pk(event_id: str) -> str:
    return f"CANCELLATION#{event_id}"


def progress_item(c: Cancellation) -> CancellationItem:
    return CancellationItem(pk=progress_pk(c.event_id), sk="CANCELLATION", status=c.status.value,
                            tenant_id=c.tenant_id, cancelled_at=c.cancelled_at,
                            bookings_total=c.bookings_total, refunded=c.refunded,
                            failed=c.failed, pass_no=c.pass_no, pass_starts_at=c.pass_starts_at,
                            cursor=c.cursor, scanned=c.scanned)


def progress_from_item(item: CancellationItem, event_id: str) -> Cancellation:
    return Cancellation(event_id, item.tenant_id, item.cancelled_at,
                        CancellationStatus(item.status), int(item.bookings_total or 0),
                        int(item.refunded or 0), int(item.failed or 0), int(item.pass_no or 1),
                        item.pass_starts_at, item.cursor, bool(item.scanned))
