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


def _gsi3():
    return type("Gsi3", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "gsi3", "projection": AllProjection()}),
        "gsi3pk": UnicodeAttribute(hash_key=True), "gsi3sk": UnicodeAttribute(range_key=True)})()


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


class CancellationItem(_Base):
    """An event cancellation's progress. The job moves the position (pass, cursor, status)
    conditionally; the bookings' own transactions add to the counters."""

    Meta = _meta()

    status = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    cancelled_at = UnicodeAttribute()
    bookings_total = NumberAttribute(default=0)
    refunded = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    failed_ids = UnicodeSetAttribute(null=True)
    pass_no = NumberAttribute(default=1)
    pass_starts_at = UnicodeAttribute()
    cursor = UnicodeAttribute(null=True)
    scanned = BooleanAttribute(default=False)


class AuditItem(_Base):
    """One audit entry, in its tenant's partition of the day; never updated."""

    Meta = _meta()

    entry_id = UnicodeAttribute()
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    resource = UnicodeAttribute()
    request_id = UnicodeAttribute(null=True)


class MarkerItem(_Base):
    """An item whose key is the fact: a day on which a tenant has audit entries, an event
    whose cancellation still has work."""

    Meta = _meta()


class WebhookItem(_Base):
    """An organizer's webhook (the signing secret included: the sender needs it)."""

    Meta = _meta()

    tenant_id = UnicodeAttribute()
    status = UnicodeAttribute()
    doc = MapAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_tenant = _gsi1()


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
    refund_status = UnicodeAttribute(null=True)
    doc = MapAttribute()
    checked_in = MapAttribute(default=dict)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)  # sparse: bookings with tickets, by event (attendees)
    gsi3sk = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)  # failed attempts only (docs/privacy.md)
    by_user = _gsi1()
    by_sweep = _gsi2()
    by_event = _gsi3()


class DeliveryItem(_Base):
    """One webhook delivery: the body it sends every time, and its attempts so far."""

    Meta = _meta()

    status = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    due_at = UnicodeAttribute(null=True)
    doc = MapAttribute()
    gsi1pk = UnicodeAttribute(null=True)  # the webhook's delivery log
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)  # sparse: pending deliveries by due time
    gsi2sk = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)
    by_webhook = _gsi1()
    by_due = _gsi2()


class ErasureItem(_Base):
    """A customer's erasure (ERASURE#{marker}): a keyed hash finds it, never the user id,
    which it keeps only while the job has work (then removed)."""

    Meta = _meta()

    status = UnicodeAttribute()
    pseudonym = UnicodeAttribute()
    requested_at = NumberAttribute()
    erased_at = NumberAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)  # ERASED#{day requested}: what token checks load
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)  # sparse: erasures still running
    gsi2sk = UnicodeAttribute(null=True)
    by_day = _gsi1()
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
    gsi2pk = UnicodeAttribute(null=True)  # `QUSER#{user}` / event: a customer's entries
    gsi2sk = UnicodeAttribute(null=True)  # (their export and erasure)
    ttl = NumberAttribute(null=True)
    by_line = _gsi1()
    by_user = _gsi2()


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


# --- live table (WebSocket connections, subscriptions, coalescing windows) -----------------
class ConnectionItem(_Base):
    """A WebSocket connection; `subs` maps event id -> section ('*': the whole event)."""

    Meta = _meta()

    subs = MapAttribute(default=dict)
    ttl = NumberAttribute(null=True)


class SubscriptionItem(_Base):
    """One subscription, in the partition the fan-out queries (sk: the connection id)."""

    Meta = _meta()

    section = UnicodeAttribute(null=True)  # none: the whole event
    ttl = NumberAttribute(null=True)


class PendingChangesItem(_Base):
    """One part of one event's coalescing window: the seats changed in it so far; part 0
    also whether someone flushes it, and when it was closed."""

    Meta = _meta()

    seats = UnicodeSetAttribute(null=True)
    writes = NumberAttribute(null=True)
    claimed = BooleanAttribute(null=True)
    closed = BooleanAttribute(null=True)
    flushed_at = NumberAttribute(null=True)
    ttl = NumberAttribute(null=True)


class WatchItem(_Base):
    """Until when someone may be subscribed to an event."""

    Meta = _meta()

    until = NumberAttribute(null=True)
    ttl = NumberAttribute(null=True)


CATALOG_MODELS = (CatalogItem, LayoutItem, CancellationItem, AuditItem, MarkerItem,
                  WebhookItem)
BOOKING_MODELS = (SeatStateItem, HoldItem, BookingItem, LedgerItem, DeliveryItem, QueueEntryItem,
                  QueueLineItem, RateItem, ErasureItem)
PROJECTION_MODELS = (CounterItem, DedupeItem)
LIVE_MODELS = (ConnectionItem, SubscriptionItem, PendingChangesItem, WatchItem)


def bind_models(settings) -> None:
    """Points every model at its table; PynamoDB caches connections, so reset them."""
    for models, table in ((CATALOG_MODELS, settings.catalog_table),
                          (BOOKING_MODELS, settings.booking_table),
                          (PROJECTION_MODELS, settings.projection_table),
                          (LIVE_MODELS, settings.live_table)):
        for model in models:
            model.Meta.table_name = table
            model.Meta.region = settings.region
            model.Meta.host = settings.dynamodb_endpoint
            model._connection = None
