"""Venues and events in the catalog table."""
from __future__ import annotations

import functools
import json
import zlib

from pynamodb.exceptions import UpdateError

from ..domain.catalog import Event, Layout, PriceTier, Venue
from .dynamo_models import CatalogItem, LayoutItem
from .transactions import ConditionsFailed


def as_plain(value):
    """PynamoDB raw maps come back as MapAttribute objects and floats; make plain data."""
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    return value


def venue_to_doc(venue: Venue) -> dict:
    doc = venue.to_dict()
    doc.update(tenant_id=venue.tenant_id, created_at=venue.created_at)
    return doc


class DynamoCatalogRepository:
    def __init__(self, transactions):
        self._tx = transactions

    # venues ---------------------------------------------------------------------------------
    def add_venue(self, venue: Venue) -> None:
        layout = zlib.compress(json.dumps(venue.layout.to_dict(), separators=(",", ":")).encode())
        item = CatalogItem(pk=f"VENUE#{venue.venue_id}", sk="VENUE", kind="venue",
                           tenant_id=venue.tenant_id, doc=venue_to_doc(venue),
                           gsi1pk=f"TENANT#{venue.tenant_id}#VENUES",
                           gsi1sk=f"{venue.created_at}#{venue.venue_id}")
        layout_item = LayoutItem(pk=f"VENUE#{venue.venue_id}", sk="LAYOUT", layout=layout)
        self._tx.run(lambda tx: (tx.save(item, condition=CatalogItem.pk.does_not_exist()),
                                 tx.save(layout_item, condition=LayoutItem.pk.does_not_exist())))

    def venue_doc(self, venue_id: str) -> dict | None:
        try:
            item = CatalogItem.get(f"VENUE#{venue_id}", "VENUE")
        except CatalogItem.DoesNotExist:
            return None
        return as_plain(item.doc)

    @functools.lru_cache(maxsize=256)
    def layout(self, venue_id: str) -> Layout:
        """Layouts never change, so a warm Lambda reads each once."""
        item = LayoutItem.get(f"VENUE#{venue_id}", "LAYOUT")
        return Layout.from_dict(json.loads(zlib.decompress(item.layout)))

    def list_by_tenant(self, tenant_id: str, kind: str, after: str | None, limit: int):
        """Newest first; returns (docs, last_key) where last_key continues the listing."""
        condition = CatalogItem.gsi1sk < after if after else None
        items = CatalogItem.by_tenant.query(f"TENANT#{tenant_id}#{kind}", condition,
                                            scan_index_forward=False, limit=limit)
        docs = [as_plain(i.doc) for i in items]
        last = items.last_evaluated_key
        return docs, (last["gsi1sk"]["S"] if last else None)

    # events ---------------------------------------------------------------------------------
    def add_event(self, event: Event) -> None:
        CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT", kind="event",
                    tenant_id=event.tenant_id, status=event.status, doc=event_to_doc(event),
                    gsi1pk=f"TENANT#{event.tenant_id}#EVENTS",
                    gsi1sk=f"{event.created_at}#{event.event_id}").save(
            condition=CatalogItem.pk.does_not_exist())

    def event(self, event_id: str) -> Event | None:
        try:
            item = CatalogItem.get(f"EVENT#{event_id}", "EVENT")
        except CatalogItem.DoesNotExist:
            return None
        return event_from_doc(as_plain(item.doc))

    def mark_published(self, event: Event, search_entries: list[CatalogItem]) -> None:
        """Flips draft to published and writes the search entries in one transaction each
        batch; an event that is already published is left as it is."""
        doc = event_to_doc(event)

        def build(tx):
            tx.update(CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT"),
                      actions=[CatalogItem.status.set("published"), CatalogItem.doc.set(doc)],
                      condition=CatalogItem.status == "draft")
            for entry in search_entries[:99]:
                tx.save(entry)
        try:
            self._tx.run(build)
        except ConditionsFailed:
            return  # published before: publishing is idempotent
        rest = search_entries[99:]
        with CatalogItem.batch_write() as batch:
            for entry in rest:
                batch.save(entry)

    def mark_cancelled(self, event: Event, search_keys: list[tuple[str, str]]) -> None:
        """Flips the event to cancelled, then deletes its search rows. Search re-reads the
        event's status, so a row left by a crash hides nothing; a retry deletes the rest."""
        event.status = "cancelled"
        try:
            CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT").update(
                actions=[CatalogItem.status.set("cancelled"),
                         CatalogItem.doc.set(event_to_doc(event))],
                condition=CatalogItem.status.is_in("draft", "published"))
        except UpdateError as e:
            if e.cause_response_code != "ConditionalCheckFailedException":
                raise
        with CatalogItem.batch_write() as batch:
            for pk, sk in search_keys:
                batch.delete(CatalogItem(pk=pk, sk=sk))


def event_to_doc(event: Event) -> dict:
    return {
        **event.to_dict(), "tenant_id": event.tenant_id,
        "price_tiers": [t.to_dict() for t in event.price_tiers], "venue": event.venue,
        "section_sizes": event.section_sizes, "created_at": event.created_at,
        "published_at": event.published_at, "search_keys": event.search_keys,
    }


def event_from_doc(doc: dict) -> Event:
    return Event(
        event_id=doc["event_id"], tenant_id=doc["tenant_id"], venue_id=doc["venue_id"],
        name=doc["name"], description=doc["description"], category=doc["category"],
        performer=doc.get("performer"), starts_at=doc["starts_at"], status=doc["status"],
        thumbnail_url=doc.get("thumbnail_url"),
        max_tickets_per_order=int(doc["max_tickets_per_order"]),
        price_tiers=[PriceTier.from_dict(t) for t in doc["price_tiers"]], venue=doc["venue"],
        section_sizes={k: int(v) for k, v in doc["section_sizes"].items()},
        created_at=doc["created_at"], published_at=doc.get("published_at"),
        search_keys=list(doc.get("search_keys") or []),
    )

