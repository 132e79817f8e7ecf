"""PynamoDB models: the only place that knows item shapes. Bound to tables at start-up."""
from __future__ import annotations

from pynamodb.attributes import (BinaryAttribute, BooleanAttribute, MapAttribute,
                                 NumberAttribute, UnicodeAttribute, UnicodeSetAttribute)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


def _meta():
    """A Meta of its own for each model: PynamoDB reads and caches table settings on it."""
    return type("Meta", (), {"table_name": "unbound", "region": "us-east-1"})


class _Base(Model):
    Meta = _meta()
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


def _gsi1():
    """A class per model: PynamoDB stores the owning model on the index's Meta."""
    return type("Gsi1", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "gsi1", "projection": AllProjection()}),
        "gsi1pk": UnicodeAttribute(hash_key=True), "gsi1sk": UnicodeAttribute(range_key=True)})()


def _gsi2():
    return type("Gsi2", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "gsi2", "projection": KeysOnlyProjection()}),
        "gsi2pk": UnicodeAttribute(hash_key=True), "gsi2sk": UnicodeAttribute(range_key=True)})()


# --- catalog table -------------------------------------------------------------------------
class CatalogItem(_Base):
    """Venues, events and search rows; `doc` holds the record, keys hold what is queried."""

    Meta = _meta()

    kind = UnicodeAttribute()
    tenant_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)  # events: bumped on every change (holds check it)
    doc = MapAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_tenant = _gsi1()


class LayoutItem(_Base):
    """A venue's immutable seat map, compressed."""

    Meta = _meta()

    layout = BinaryAttribute(legacy_encoding=False)


# --- booking table -------------------------------------------------------------------------
class SeatStateItem(_Base):
    """A seat that is held or sold; a seat without an item is available."""

    Meta = _meta()

    status = UnicodeAttribute()
    hold_id = UnicodeAttribute(null=True)
    booking_id = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    ttl = NumberAttribute(null=True)


class HoldItem(_Base):
    """A hold (or, with status `refused`, a refusal kept for same-key replays)."""

    Meta = _meta()
    status = UnicodeAttribute()
    user_id = UnicodeAttribute()
    event_id = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    booking_id = UnicodeAttribute(null=True)
    claim_id = UnicodeAttribute(null=True)  # the booking working on this hold
    claim_at = NumberAttribute(null=True)
    tried = UnicodeSetAttribute(null=True)  # bookings whose payment failed on this hold
    doc = MapAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)
    by_user = _gsi1()
    by_sweep = _gsi2()


class BookingItem(_Base):

    Meta = _meta()
    status = UnicodeAttribute()
    user_id = UnicodeAttribute()
    hold_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    capture_pending = BooleanAttribute(default=False)
    doc = MapAttribute()
    checked_in = MapAttribute(default=dict)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_user = _gsi1()
    by_sweep = _gsi2()


class LedgerItem(_Base):
    """One customer's holds (`{hold_id}:{seats}` entries) and booked tickets for one event.
    `in_use` is booked plus every entry, expired-but-unswept ones included."""

    Meta = _meta()

    entries = UnicodeSetAttribute(null=True)
    booked = NumberAttribute(default=0)
    in_use = NumberAttribute(default=0)
    version = NumberAttribute(default=0)


class QueueEntryItem(_Base):
    """One user's place in one event's line. gsi1 keeps the line in order: new entries by
    ticket under `QJOIN#{event}#{shard}`, ranked waiting ones by rank under `QWAIT#...`."""

    Meta = _meta()

    queue_id = UnicodeAttribute()
    status = UnicodeAttribute()
    user_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    ticket = UnicodeAttribute()
    shard = NumberAttribute()
    joined_at = NumberAttribute()
    rank = NumberAttribute(null=True)
    admitted_at = NumberAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    token = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)
    by_line = _gsi1()


class QueueLineItem(_Base):
    """One event's line, written by its settings and the admission job only; enabled lines
    are listed for the job in gsi2 under `QUEUES`."""

    Meta = _meta()

    enabled = BooleanAttribute()
    admit_per_minute = NumberAttribute()
    admission_seconds = NumberAttribute()
    shards = NumberAttribute()
    ranked = NumberAttribute(default=0)
    admitted = NumberAttribute(default=0)
    credit = NumberAttribute(default=0)
    last_pass = NumberAttribute(default=0)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_work = _gsi2()


class RateItem(_Base):
    """Requests of one kind by one user or tenant in one fixed window."""

    Meta = _meta()

    used = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)


# --- projection table ----------------------------------------------------------------------
class CounterItem(_Base):
    """One shard of a counter: availability per section, sales per tier."""

    Meta = _meta()

    held = NumberAttribute(default=0)
    sold = NumberAttribute(default=0)
    revenue = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)


class DedupeItem(_Base):
    """Marks a domain event as already counted."""

    Meta = _meta()

    ttl = NumberAttribute(null=True)


CATALOG_MODELS = (CatalogItem, LayoutItem)
BOOKING_MODELS = (SeatStateItem, HoldItem, BookingItem, LedgerItem, QueueEntryItem,
                  QueueLineItem, RateItem)
PROJECTION_MODELS = (CounterItem, DedupeItem)


def bind_models(settings) -> None:
    """Points every model at its table; PynamoDB caches connections, so reset them."""
    for models, table in ((CATALOG_MODELS, settings.catalog_table),
                          (BOOKING_MODELS, settings.booking_table),
                          (PROJECTION_MODELS, settings.projection_table)):
        for model in models:
            model.Meta.table_name = table
            model.Meta.region = settings.region
            model.Meta.host = settings.dynamodb_endpoint
            model._connection = None
