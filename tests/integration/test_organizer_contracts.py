"""The repository contract for the organizer's side, run on the fakes and on DynamoDB alike:
event changes, cancellation progress, the attendee index, refunds counted once, the audit
log and the webhook store."""
import dataclasses
import datetime as dt

import pytest

from chalicelib.domain.audit import AuditAction, AuditEntry
from chalicelib.domain.bookings import RefundReason
from chalicelib.domain.cancellations import Cancellation, CancellationStatus
from chalicelib.domain.clock import epoch, to_rfc3339
from chalicelib.domain.search import parse_search
from chalicelib.domain.webhooks import Delivery, Webhook
from chalicelib.services.ports import BookingChanged, SaleChanged
from support import uid
from test_repository_contracts import a_booking, a_hold, an_event, place, ports  # noqa: F401


@pytest.fixture
def now(clock):
    return clock.now().replace(microsecond=0)


def entry(tenant, at, action=AuditAction.EVENT_UPDATE, resource="event/x", request="req"):
    return AuditEntry(uid("aud"), tenant, to_rfc3339(at), "org-sub", action, resource, request)


def confirmed(inventory, event, now, seats, user=None, booking_id=None):
    """A booking committed the way the booking service commits one."""
    user = user or uid("u")
    hold = place(inventory, event, a_hold(event, now, seats, user=user), now)
    t, booking_id = epoch(now), booking_id or uid("bkg")
    claimed = inventory.claim_hold(hold.hold_id, user, booking_id, t, t - 30)
    booking = a_booking(claimed, now, booking_id=booking_id).authorized("auth").confirmed().captured()
    inventory.commit_booking(booking, claimed, t)
    return booking


def hits(search, event, params):
    found, start = [], to_rfc3339(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    query = parse_search({"q": event.description.split()[0], **params})
    while start is not None:
        page, start = search.find(query, start)
        found += [h.event_id for h in page]
    return found


# --- event changes -------------------------------------------------------------------------
def test_a_change_needs_the_version_it_read_moves_search_rows_and_is_audited(ports, now):
    catalog, word = ports["catalog"], uid("w").replace("-", "")
    event = an_event(catalog, now, days=5, description=f"{word} night")
    later = dataclasses.replace(event.changed(starts_at=to_rfc3339(now + dt.timedelta(days=70)),
                                              name=f"{word} moved"))
    catalog.update_event(later, event, entry(event.tenant_id, now))
    assert catalog.event(event.event_id) == later
    day5 = (now + dt.timedelta(days=6)).date().isoformat()
    assert hits(ports["search"], event, {"date_to": day5}) == []
    assert hits(ports["search"], event, {}) == [event.event_id]
    with pytest.raises(SaleChanged):
        catalog.update_event(event.changed(name="stale"), event, entry(event.tenant_id, now))
    actions = [e.action for e in ports["audit"].entries(event.tenant_id, None, 10).items]
    assert actions.count(AuditAction.EVENT_UPDATE) == 1


# --- cancellation progress -----------------------------------------------------------------
def test_cancelling_stores_its_progress_once_and_the_position_moves_only_from_where_it_was(ports, now):
    catalog = ports["catalog"]
    event = an_event(catalog, now)
    progress = Cancellation.begin(event.event_id, event.tenant_id, now)
    assert catalog.cancel(event.cancelled(), progress, entry(event.tenant_id, now)) is True
    assert catalog.cancel(event.cancelled(), progress, entry(event.tenant_id, now)) is False
    assert catalog.cancellation(event.event_id) == progress
    assert event.event_id in catalog.running_cancellations(1000)
    moved = progress.after_page("page-2")
    assert catalog.advance_cancellation(moved, progress) is True
    assert catalog.advance_cancellation(progress.after_page("elsewhere"), progress) is False
    assert catalog.cancellation(event.event_id).cursor == "page-2"
    done = dataclasses.replace(moved.after_page(None), scanned=True).finished()
    assert catalog.advance_cancellation(done, moved) is True
    assert catalog.cancellation(event.event_id).status == CancellationStatus.DONE
    assert event.event_id not in catalog.running_cancellations(1000)
    assert catalog.advance_cancellation(done, done) is False  # a finished job stays finished


def test_a_booking_the_cancellation_could_not_cancel_counts_once(ports, now):
    catalog = ports["catalog"]
    event = an_event(catalog, now)
    catalog.cancel(event.cancelled(), Cancellation.begin(event.event_id, event.tenant_id, now))
    assert catalog.count_cancellation_failure(event.event_id, "b1") is True
    assert catalog.count_cancellation_failure(event.event_id, "b1") is False
    assert catalog.count_cancellation_failure(event.event_id, "b2") is True
    assert catalog.cancellation(event.event_id).failed == 2


# --- bookings ------------------------------------------------------------------------------
def test_an_events_bookings_with_tickets_are_listed_once_across_pages(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    made = [confirmed(inventory, event, now, (f"A-1-{n}",)).booking_id for n in range(1, 8)]
    hold = place(inventory, event, a_hold(event, now, ("B-1-1",)), now)
    t = epoch(now)
    waiting = uid("bkg")
    claimed = inventory.claim_hold(hold.hold_id, "u1", waiting, t, t - 30)
    inventory.add_booking(a_booking(claimed, now, booking_id=waiting).authorized("a", "s"))
    found, after, pages = [], None, 0
    while True:
        page = inventory.bookings_of_event(event.event_id, after, 2)
        found += [b.booking_id for b in page.items]
        pages += 1
        after = page.after
        if after is None:
            break
    assert sorted(found) == sorted(made) and pages >= 4
    assert inventory.bookings_of_event(uid("evt"), None, 10).items == []


def test_a_cancel_for_the_event_counts_in_its_progress_and_each_refund_is_recorded_once(ports, now):
    catalog, inventory = ports["catalog"], ports["inventory"]
    event = an_event(catalog, now)
    booking = confirmed(inventory, event, now, ("A-2-1",))
    catalog.cancel(event.cancelled(), Cancellation.begin(event.event_id, event.tenant_id, now))
    cancelled = booking.cancelled_with_event()
    inventory.cancel_booking(cancelled, booking)
    with pytest.raises(BookingChanged):
        inventory.cancel_booking(cancelled, booking)
    listed = inventory.bookings_of_event(event.event_id, None, 10).items
    assert [(b.status, b.refund.reason) for b in listed] == [("cancelled", RefundReason.EVENT_CANCELLED)]
    inventory.record_refund(cancelled.refunded())
    with pytest.raises(BookingChanged):
        inventory.record_refund(cancelled.refunded())
    progress = catalog.cancellation(event.event_id)
    assert (progress.bookings_total, progress.refunded) == (1, 1)
    assert inventory.booking(booking.booking_id).refund.status == "succeeded"


def test_a_customers_own_cancel_is_not_counted_and_keeps_its_email(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    booking = confirmed(inventory, event, now, ("A-2-2",))
    inventory.cancel_booking(booking.cancelled(now), booking)
    stored = inventory.booking(booking.booking_id)
    assert stored.refund.reason == RefundReason.CUSTOMER and stored.status == "cancelled"


def test_a_hold_cannot_be_booked_once_its_event_is_cancelled(ports, now):
    catalog, inventory = ports["catalog"], ports["inventory"]
    event = an_event(catalog, now)
    hold = place(inventory, event, a_hold(event, now, ("B-1-5",)), now)
    t = epoch(now)
    claimed = inventory.claim_hold(hold.hold_id, "u1", "b-late", t, t - 30)
    catalog.cancel(event.cancelled())
    with pytest.raises(SaleChanged):
        inventory.commit_booking(a_booking(claimed, now, booking_id="b-late").confirmed(), claimed, t)
    assert inventory.booking("b-late") is None
    assert inventory.hold(hold.hold_id).status == "active"


# --- audit ---------------------------------------------------------------------------------
def test_audit_entries_come_back_newest_first_across_days_and_only_to_their_tenant(ports, now):
    catalog, log, tenant = ports["catalog"], ports["audit"], uid("tenant")
    written = []
    for n in range(7):
        at = now - dt.timedelta(days=9) + dt.timedelta(hours=31 * n)
        made = entry(tenant, at, AuditAction.EVENT_CREATE, f"event/{n}", f"r{n}")
        written.append(made)
        catalog.add_event(dataclasses.replace(an_event(catalog, now, published=False),
                                              event_id=uid("evt")), made)
    catalog.add_event(dataclasses.replace(an_event(catalog, now, published=False),
                                          event_id=uid("evt")), entry(uid("tenant"), now))
    found, after = [], None
    while True:
        page = log.entries(tenant, after, 2)
        found += page.items
        after = page.after
        if after is None:
            break
    assert found == list(reversed(written))
    assert found[0].request_id == "r6" and found[0].action == AuditAction.EVENT_CREATE


def test_a_check_in_and_a_booking_cancel_append_their_entries(ports, now):
    catalog, inventory, log = ports["catalog"], ports["inventory"], ports["audit"]
    event = an_event(catalog, now)
    scanned, refunded = (confirmed(inventory, event, now, (seat,)) for seat in ("A-2-5", "A-2-6"))
    assert inventory.check_in(scanned.booking_id, scanned.tickets[0].ticket_id, "t",
                              entry(event.tenant_id, now, AuditAction.TICKET_CHECK_IN))
    assert not inventory.check_in(scanned.booking_id, scanned.tickets[0].ticket_id, "t",
                                  entry(event.tenant_id, now, AuditAction.TICKET_CHECK_IN))
    inventory.cancel_booking(refunded.cancelled(now, reason=RefundReason.ORGANIZER), refunded,
                             entry(event.tenant_id, now, AuditAction.BOOKING_REFUND))
    actions = [e.action for e in log.entries(event.tenant_id, None, 50).items]
    assert actions.count(AuditAction.TICKET_CHECK_IN) == 1
    assert actions.count(AuditAction.BOOKING_REFUND) == 1


# --- webhooks ------------------------------------------------------------------------------
def a_webhook(store, tenant, created):
    hook = Webhook(uid("whk"), tenant, "https://x.example/", ("EventPublished",), "whsec_s",
                   created)
    store.add_webhook(hook, entry(tenant, dt.datetime.fromisoformat(created.replace("Z", "+00:00")),
                                  AuditAction.WEBHOOK_CREATE))
    return hook


def test_webhooks_are_listed_per_tenant_newest_first_disabled_and_deleted_once(ports, now):
    store, tenant = ports["webhooks"], uid("tenant")
    made = [a_webhook(store, tenant, f"2026-01-0{d}T00:00:00Z") for d in (1, 3, 2)]
    a_webhook(store, uid("tenant"), "2026-01-05T00:00:00Z")
    first = store.webhooks_of(tenant, None, 2)
    rest = store.webhooks_of(tenant, first.after, 2)
    assert [w.webhook_id for w in first.items + rest.items] == [made[1].webhook_id,
                                                                  made[2].webhook_id,
                                                                  made[0].webhook_id]
    assert store.webhook(made[0].webhook_id) == made[0]
    store.disable_webhook(made[0].webhook_id)
    assert store.webhook(made[0].webhook_id).status == "disabled"
    assert store.delete_webhook(made[0], entry(tenant, now, AuditAction.WEBHOOK_DELETE)) is True
    assert store.delete_webhook(made[0], entry(tenant, now, AuditAction.WEBHOOK_DELETE)) is False
    assert store.webhook(made[0].webhook_id) is None
    actions = [e.action for e in ports["audit"].entries(tenant, None, 20).items]
    assert actions.count(AuditAction.WEBHOOK_DELETE) == 1


def test_a_delivery_is_made_once_moved_only_from_its_state_and_listed_newest_first(ports, now):
    store = ports["webhooks"]
    hook = a_webhook(store, uid("tenant"), "2026-01-01T00:00:00Z")
    made = []
    for n in range(5):
        detail = {"event_id": uid("e"), "tenant_id": hook.tenant_id,
                  "occurred_at": to_rfc3339(now), "ids": {}}
        delivery = Delivery.new(uid("dlv"), hook, "EventPublished", detail,
                                now + dt.timedelta(seconds=n))
        assert store.add_delivery(delivery) is True
        assert store.add_delivery(delivery) is False
        made.append(delivery)
    found, after = [], None
    while True:
        page = store.deliveries_of(hook.webhook_id, after, 2)
        found += [d.delivery_id for d in page.items]
        after = page.after
        if after is None:
            break
    assert found == [d.delivery_id for d in reversed(made)]
    first = made[0]
    tried = first.attempted(500, now)
    assert store.save_delivery(tried, first) is True
    assert store.save_delivery(first.attempted(200, now), first) is False
    assert store.delivery(first.delivery_id) == tried
    due_at = lambda at: {d for s in range(store.shards)  # noqa: E731
                         for d in store.deliveries_due(s, to_rfc3339(at), 50)}
    assert first.delivery_id not in due_at(now)
    assert first.delivery_id in due_at(now + dt.timedelta(seconds=10 + 120))
    done = tried.attempted(200, now + dt.timedelta(seconds=10))
    store.save_delivery(done, tried)
    assert first.delivery_id not in due_at(now + dt.timedelta(days=30))
