"""The outbox: committed item changes (table stream images) to the domain events they mean.
Only here do stream images and key prefixes meet the domain."""
from __future__ import annotations

from ..domain import events as ev
from ..domain.bookings import BookingStatus
from ..domain.catalog import EventStatus
from ..domain.holds import HoldStatus
from .catalog_store import as_plain, event_from_doc
from .dynamo_models import BookingItem, CatalogItem, HoldItem
from .inventory_mapping import REFUSED, booking_from_item, hold_from_item

HOLD_ENDINGS = {HoldStatus.RELEASED: ev.HoldReleased, HoldStatus.EXPIRED: ev.HoldExpired}
BOOKING_CHANGES = {BookingStatus.CONFIRMED: ev.BookingConfirmed,
                   BookingStatus.CANCELLED: ev.BookingCancelled}


def events_from_records(records: list[dict], occurred_at: str) -> list[ev.DomainEvent]:
    """records: DynamoDB stream records ({"dynamodb": {"OldImage", "NewImage"}})."""
    found = []
    for record in records:
        data = record.get("dynamodb", {})
        found += from_change(data.get("OldImage"), data.get("NewImage"), occurred_at)
    return found


def _status(image: dict | None) -> str | None:
    return (image or {}).get("status", {}).get("S")


def from_change(old: dict | None, new: dict | None, occurred_at: str) -> list[ev.DomainEvent]:
    """Maps one item's before/after images (raw DynamoDB JSON) to the events it means."""
    if not new or _status(new) in (None, REFUSED):
        return []
    pk = new["pk"]["S"]
    if pk.startswith("EVENT#"):
        return _catalog_events(old, new, occurred_at)
    if _status(new) == _status(old):
        return []
    if pk.startswith("HOLD#"):
        hold = hold_from_item(HoldItem.from_raw_data(new))
        kind = (ev.HoldPlaced if old is None and hold.status == HoldStatus.ACTIVE
                else HOLD_ENDINGS.get(hold.status))
        return [_seats_event(kind, hold.hold_id, hold.tenant_id, occurred_at, hold.event_id,
                             hold.user_id, hold.hold_id, hold.seats, hold.total_price)] if kind else []
    if pk.startswith("BOOKING#"):
        booking = booking_from_item(BookingItem.from_raw_data(new))
        kind = BOOKING_CHANGES.get(booking.status)
        return [_seats_event(kind, booking.booking_id, booking.tenant_id, occurred_at,
                             booking.event_id, booking.user_id, booking.hold_id,
                             tuple(t.seat for t in booking.tickets), booking.total_price,
                             booking_id=booking.booking_id)] if kind else []
    return []


def _seats_event(kind, entity_id, tenant_id, occurred_at, show_id, user_id, hold_id, seats,
                 total, **extra):
    return kind(event_id=ev.event_id_for(kind.detail_type(), entity_id), tenant_id=tenant_id,
                occurred_at=occurred_at, show_id=show_id, user_id=user_id, hold_id=hold_id,
                seats=tuple(seats), total=total, **extra)


def _catalog_events(old: dict | None, new: dict, occurred_at: str) -> list[ev.DomainEvent]:
    after = event_from_doc(as_plain(CatalogItem.from_raw_data(new).doc))
    before = (event_from_doc(as_plain(CatalogItem.from_raw_data(old).doc))
              if old and "doc" in old else None)
    base = {"tenant_id": after.tenant_id, "occurred_at": occurred_at, "show_id": after.event_id,
            "venue_id": after.venue_id}
    if after.status != (before.status if before else None):
        kind = {EventStatus.PUBLISHED: ev.EventPublished,
                EventStatus.CANCELLED: ev.EventCancelled}.get(after.status)
        return [kind(event_id=ev.event_id_for(kind.detail_type(), after.event_id), **base)] if kind else []
    if before and after.status == EventStatus.PUBLISHED and before.starts_at != after.starts_at:
        return [ev.EventRescheduled(
            event_id=ev.event_id_for("EventRescheduled", after.event_id, str(after.version)),
            starts_at=after.starts_at, previous_starts_at=before.starts_at, **base)]
    return []
