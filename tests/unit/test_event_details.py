"""Domain events and their EventBridge details: every type reads back as it was written."""
import pytest

from chalicelib.domain import events as ev
from chalicelib.domain.holds import HeldSeat
from chalicelib.domain.money import Money

SEATS = (HeldSeat("A-1-1", "A", "1", 1, "t1", Money(5000, "EUR")),
         HeldSeat("B-2-3", "B", "2", 3, "t2", Money(2000, "EUR")))
BASE = dict(event_id="x", tenant_id="t", occurred_at="2026-12-01T00:00:00Z")
SEATED = dict(BASE, show_id="e1", user_id="u1", hold_id="h1", seats=SEATS, total=Money(7000, "EUR"))
EXAMPLES = [ev.HoldPlaced(**SEATED), ev.HoldReleased(**SEATED), ev.HoldExpired(**SEATED),
            ev.BookingConfirmed(**SEATED, booking_id="b1"),
            ev.BookingCancelled(**SEATED, booking_id="b1"),
            ev.EventPublished(**BASE, show_id="e1", venue_id="v1"),
            ev.EventCancelled(**BASE, show_id="e1", venue_id="v1"),
            ev.EventRescheduled(**BASE, show_id="e1", venue_id="v1", starts_at="b",
                                previous_starts_at="a")]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.detail_type())
def test_every_event_reads_back_from_its_detail(event):
    detail = ev.to_detail(event)
    assert detail["schema_version"] == event.schema_version == 1
    assert detail["ids"]["event"] == "e1" and detail["tenant_id"] == "t"
    assert ev.from_detail(event.detail_type(), detail) == event


@pytest.mark.parametrize("event", EXAMPLES[:5], ids=lambda e: e.detail_type())
def test_seat_events_count_seats_by_section_and_money_by_tier(event):
    detail = ev.to_detail(event)
    assert detail["counts"] == {"seats": 2, "by_section": {"A": 1, "B": 1}}
    assert detail["amounts"]["by_tier"] == {"t1": {"count": 1, "amount": 5000},
                                            "t2": {"count": 1, "amount": 2000}}


def test_the_class_name_is_the_detail_type_and_unknown_types_are_ignored():
    assert {t.__name__ for t in ev.TYPES.values()} == set(ev.TYPES)
    assert ev.from_detail("SomethingNew", {"event_id": "x"}) is None


def test_ids_are_stable_per_change_and_distinct_per_kind():
    assert ev.event_id_for("HoldPlaced", "h1") == ev.event_id_for("HoldPlaced", "h1")
    assert ev.event_id_for("HoldPlaced", "h1") != ev.event_id_for("HoldReleased", "h1")
