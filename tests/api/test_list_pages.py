"""Every list page does bounded work: a customer with a long history still gets each page of
holds or bookings in a few reads, shorter pages with a cursor when filters drop items."""
import dataclasses

from chalicelib.adapters.dynamo_models import BookingItem, HoldItem
from chalicelib.adapters.inventory_mapping import booking_doc, hold_doc
from chalicelib.domain.bookings import Booking, BookingStatus, Ticket
from chalicelib.domain.clock import from_epoch, to_rfc3339
from chalicelib.domain.holds import HeldSeat, Hold, HoldStatus
from chalicelib.domain.money import Money
from support import uid

SEAT = HeldSeat("A-1-1", "A", "1", 1, "tier_1", Money(5000, "EUR"))


def history(user: str, count: int, now: int):
    """`count` released holds and cancelled bookings, written straight to the table."""
    with HoldItem.batch_write() as batch:
        for n in range(count):
            hold = Hold(uid("hld"), user, "evt-old", "t", HoldStatus.RELEASED, now - 10_000 + n,
                        now - 9_000 + n, (SEAT,), SEAT.price)
            batch.save(HoldItem(pk=f"HOLD#{hold.hold_id}", sk="HOLD", status="released",
                                user_id=user, event_id="evt-old", expires_at=hold.expires_at,
                                doc=hold_doc(hold), gsi1pk=f"USER#{user}#HOLDS",
                                gsi1sk=f"{to_rfc3339(from_epoch(hold.created_at))}#{hold.hold_id}"))
    with BookingItem.batch_write() as batch:
        for n in range(count):
            booking = Booking(uid("bkg"), user, "evt-old", "t", "h", BookingStatus.CANCELLED,
                              (Ticket("k", SEAT),), SEAT.price,
                              to_rfc3339(from_epoch(now - 10_000 + n)), "Old", "2026-01-01T00:00:00Z")
            batch.save(BookingItem(pk=f"BOOKING#{booking.booking_id}", sk="BOOKING",
                                   status="cancelled", user_id=user, hold_id="h",
                                   event_id="evt-old", doc=booking_doc(booking),
                                   gsi1pk=f"USER#{user}#BOOKINGS",
                                   gsi1sk=f"{booking.created_at}#{booking.booking_id}"))


def test_a_long_history_costs_each_page_a_few_reads(world, http, meter, stack):
    customer_id = uid("cust")
    token = world.customer(customer_id)
    org, venue, event = world.on_sale()
    history(customer_id, 300, int(stack.container.clock.now().timestamp()))
    live = []
    for seat in ("A-1-1", "A-1-2"):
        live.append(world.hold(token, event["event_id"], [seat]).json()["hold_id"])
        stack.container.clock.advance(1)  # newest first needs them a second apart
    for path in ("/users/me/holds?limit=1", "/users/me/bookings?status=confirmed&limit=1"):
        found, cursor, pages = [], None, 0
        while pages < 200:
            with meter.counting() as counts:
                page = http.request("GET", path + (f"&cursor={cursor}" if cursor else ""), token=token)
            assert page.status_code == 200, page.content
            assert counts.get("Query", 0) <= 3 and sum(counts.values()) <= 3, counts
            body = page.json()
            found += body.get("holds", body.get("bookings", []))
            cursor, pages = body["next_cursor"], pages + 1
            if cursor is None:
                break
        assert cursor is None
        if "holds" in path:
            assert [h["hold_id"] for h in found] == list(reversed(live))
        else:
            assert found == []
