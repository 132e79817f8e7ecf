"""The outbox: committed item changes, as the table streams carry them, become domain events
with stable ids; writes that change no status (claims, extensions) publish nothing."""
import dataclasses

from chalicelib.adapters.dynamo_models import BookingItem, CatalogItem, HoldItem
from chalicelib.adapters.catalog_store import event_item
from chalicelib.adapters.inventory_mapping import booking_doc, hold_doc
from chalicelib.adapters.stream_events import from_change
from chalicelib.domain import events as ev
from chalicelib.domain.bookings import Booking, BookingStatus, Ticket
from chalicelib.domain.catalog import Event, EventStatus, Location, PriceTier, Venue
from chalicelib.domain.holds import HeldSeat, Hold, HoldStatus
from chalicelib.domain.money import Money

SEAT = HeldSeat("A-1-1", "A", "1", 1, "tier_1", Money(5000, "EUR"))
HOLD = Hold("h1", "u1", "e1", "t1", HoldStatus.ACTIVE, 1000, 1600, (SEAT,), Money(5000, "EUR"))


def image(model, **attrs) -> dict:
    """An item as a NEW_AND_OLD_IMAGES stream record carries it (raw DynamoDB JSON)."""
    return model(**attrs).serialize()


def hold_image(status="active", **extra):
    return image(HoldItem, pk="HOLD#h1", sk="HOLD", status=status, user_id="u1", event_id="e1",
                 expires_at=1600, doc=hold_doc(HOLD), **extra)


def test_a_new_hold_is_a_hold_placed_event_with_counts_amounts_and_seats():
    [event] = from_change(None, hold_image(), "2026-12-01T00:00:00Z")
    assert isinstance(event, ev.HoldPlaced) and event.seats == (SEAT,)
    detail = ev.to_detail(event)
    assert detail["schema_version"] == 1 and detail["tenant_id"] == "t1"
    assert detail["counts"] == {"seats": 1, "by_section": {"A": 1}}
    assert detail["amounts"]["by_tier"] == {"tier_1": {"count": 1, "amount": 5000}}
    assert ev.from_detail("HoldPlaced", detail) == event


def test_the_same_change_seen_twice_has_the_same_event_id():
    first = from_change(None, hold_image(), "2026-12-01T00:00:00Z")[0].event_id
    again = from_change(None, hold_image(), "2026-12-01T00:05:00Z")[0].event_id
    assert first == again


def test_release_and_expiry_are_events_but_claims_and_extensions_are_not():
    placed = hold_image()
    assert isinstance(from_change(placed, hold_image("released"), "t")[0], ev.HoldReleased)
    assert isinstance(from_change(placed, hold_image("expired"), "t")[0], ev.HoldExpired)
    assert from_change(placed, hold_image(claim_id="b1", claim_at=5), "t") == []
    assert from_change(placed, None, "t") == []
    refusal = image(HoldItem, pk="HOLD#h2", sk="HOLD", status="refused", user_id="u1", doc={})
    assert from_change(None, refusal, "t") == []


def test_a_booking_is_confirmed_once_and_failed_attempts_publish_nothing():
    booking = Booking("b1", "u1", "e1", "t1", "h1", BookingStatus.CONFIRMED,
                      (Ticket("k1", SEAT),), Money(5000, "EUR"), "2026-01-01T00:00:00Z", "Show",
                      "2026-12-01T00:00:00Z", confirmation_code="ABCDEFGH")

    def booking_image(b):
        return image(BookingItem, pk="BOOKING#b1", sk="BOOKING", status=b.status.value,
                     user_id="u1", hold_id="h1", event_id="e1", doc=booking_doc(b))
    [confirmed] = from_change(None, booking_image(booking), "t")
    assert isinstance(confirmed, ev.BookingConfirmed) and confirmed.booking_id == "b1"
    cancelled = dataclasses.replace(booking, status=BookingStatus.CANCELLED)
    assert isinstance(from_change(booking_image(booking), booking_image(cancelled), "t")[0],
                      ev.BookingCancelled)
    failed = dataclasses.replace(booking, status=BookingStatus.FAILED)
    assert from_change(None, booking_image(failed), "t") == []


def test_publishing_cancelling_and_rescheduling_an_event_are_events():
    venue = Venue("v1", "t1", "Hall", "1 St", "Porto", "PT", "UTC", Location(1, 2), 10, ("A",), "c")
    draft = Event("e1", "t1", "v1", "Show", "d", "concert", None, "2026-12-01T20:00:00Z",
                  EventStatus.DRAFT, None, 8, (PriceTier("tier_1", "M", Money(1, "EUR"), ("A",)),),
                  venue, {"A": 10}, "c")
    published = draft.published("p")
    moved = dataclasses.replace(published, starts_at="2026-12-02T20:00:00Z", version=3)
    as_image = lambda e: event_item(e).serialize()  # noqa: E731
    assert isinstance(from_change(as_image(draft), as_image(published), "t")[0], ev.EventPublished)
    [rescheduled] = from_change(as_image(published), as_image(moved), "t")
    assert isinstance(rescheduled, ev.EventRescheduled)
    assert (rescheduled.previous_starts_at, rescheduled.starts_at) == (published.starts_at, moved.starts_at)
    assert isinstance(from_change(as_image(moved), as_image(moved.cancelled()), "t")[0],
                      ev.EventCancelled)
    assert from_change(None, image(CatalogItem, pk="SRCH#ALL#2026-12", sk="x", kind="search",
                                   status="published"), "t") == []
