"""Domain events are derived from committed state changes, with stable ids for dedupe."""
from chalicelib.domain.events import from_change

SEAT = {"seat_id": "A-1-1", "section": "A", "row": "1", "number": 1, "tier_id": "tier_1",
        "price": {"amount": 5000, "currency": "EUR"}}
HOLD = {"pk": "HOLD#h1", "status": "active", "event_id": "e1", "user_id": "u1",
        "doc": {"hold_id": "h1", "tenant_id": "t1", "seats": [SEAT],
                "total_price": {"amount": 5000, "currency": "EUR"}}}


def test_a_new_hold_is_a_hold_placed_event_with_counts_and_amounts():
    [event] = from_change(None, HOLD, "2026-12-01T00:00:00Z")
    assert event["detail_type"] == "HoldPlaced"
    detail = event["detail"]
    assert detail["tenant_id"] == "t1" and detail["counts"] == {"seats": 1, "by_section": {"A": 1}}
    assert detail["amounts"]["by_tier"] == {"tier_1": {"count": 1, "amount": 5000}}


def test_the_same_change_seen_twice_has_the_same_event_id():
    first = from_change(None, HOLD, "2026-12-01T00:00:00Z")[0]["detail"]["event_id"]
    second = from_change(None, HOLD, "2026-12-01T00:05:00Z")[0]["detail"]["event_id"]
    assert first == second


def test_release_and_expiry_are_events_but_unrelated_updates_are_not():
    released = {**HOLD, "status": "released"}
    assert from_change(HOLD, released, "t")[0]["detail_type"] == "HoldReleased"
    assert from_change(HOLD, {**HOLD, "status": "expired"}, "t")[0]["detail_type"] == "HoldExpired"
    assert from_change(HOLD, {**HOLD, "expires_at": 5}, "t") == []
    assert from_change(HOLD, None, "t") == []
