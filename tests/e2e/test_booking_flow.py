"""The whole customer journey over the real local HTTP stack."""
from support import uid


def test_hold_book_read_history_cancel_frees_the_seats(world, http, stack):
    org, venue, event = world.on_sale()
    eid = event["event_id"]
    alice = world.customer()

    hold = world.hold(alice, eid, ["A-1-1", "A-1-2"])
    assert hold.status_code == 201, hold.content
    hold = hold.json()
    assert hold["status"] == "active" and hold["total_price"] == {"amount": 10000, "currency": "EUR"}
    seats = http.request("GET", f"/events/{eid}/seats?section=A").json()["seats"]
    assert {s["seat_id"]: s["status"] for s in seats}["A-1-1"] == "held"

    key = uid("key")
    booked = world.book(alice, hold["hold_id"], key=key)
    assert booked.status_code == 201, booked.content
    booking = booked.json()
    assert booking["status"] == "confirmed" and len(booking["tickets"]) == 2
    assert 6 <= len(booking["confirmation_code"]) <= 10

    again = world.book(alice, hold["hold_id"], key=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["booking_id"] == booking["booking_id"]

    read = http.request("GET", f"/bookings/{booking['booking_id']}", token=alice).json()
    assert read["booking"]["status"] == "confirmed" and read["event"]["event_id"] == eid
    history = http.request("GET", "/users/me/bookings", token=alice).json()
    assert [b["booking_id"] for b in history["bookings"]] == [booking["booking_id"]]

    seats = http.request("GET", f"/events/{eid}/seats?section=A&status=sold").json()["seats"]
    assert {s["seat_id"] for s in seats} == {"A-1-1", "A-1-2"}

    cancelled = http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=alice)
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert body["booking"]["status"] == "cancelled"
    assert all(t["status"] == "void" for t in body["booking"]["tickets"])
    assert body["refund"]["amount"] == {"amount": 10000, "currency": "EUR"}
    seats = http.request("GET", f"/events/{eid}/seats?section=A&status=available").json()["seats"]
    assert {"A-1-1", "A-1-2"} <= {s["seat_id"] for s in seats}
    bob = world.customer()
    assert world.hold(bob, eid, ["A-1-1"]).status_code == 201
