"""Booking: pay once, get tickets; retries never book twice; errors are replayed or not as
the contract says; another customer's booking is invisible."""
import threading
import time

from chalicelib.adapters.payment_test_methods import authorization_id_for
from openapi_check import injected_fault

from support import uid


def code_of(response):
    return response.json()["error"]["code"]


def held(world, max_tickets=8, seats=("A-1-1", "A-1-2")):
    org, venue, event = world.on_sale(max_tickets=max_tickets)
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], list(seats)).json()
    return customer, hold, event


def test_the_idempotency_key_is_required(world, http):
    customer, hold, _ = held(world)
    response = http.request("POST", "/bookings", {"hold_id": hold["hold_id"],
                                                  "payment_method_id": "pm_card_visa"}, token=customer)
    assert response.status_code == 400 and code_of(response) == "IDEMPOTENCY_KEY_REQUIRED"


def test_a_booking_has_signed_tickets_and_the_seats_read_sold(world, http, stack):
    customer, hold, event = held(world)
    booking = world.book(customer, hold["hold_id"]).json()
    ticket = booking["tickets"][0]
    assert ticket["status"] == "valid" and ticket["checked_in_at"] is None
    claims = stack.container.signer.verify(ticket["qr_code"])
    assert claims.ticket_id == ticket["ticket_id"] and claims.event_id == event["event_id"]
    assert http.request("GET", f"/bookings/hold/{hold['hold_id']}", token=customer).json()["status"] == "booked"
    assert set(booking["confirmation_code"]) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def test_a_declined_card_is_replayed_and_leaves_the_hold_active_for_another_card(world, http):
    customer, hold, _ = held(world)
    key = uid("key")
    declined = world.book(customer, hold["hold_id"], "pm_card_chargeDeclined", key=key)
    assert declined.status_code == 402 and code_of(declined) == "PAYMENT_DECLINED"
    replay = world.book(customer, hold["hold_id"], "pm_card_chargeDeclined", key=key)
    assert replay.status_code == 402 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == declined.json()
    assert http.request("GET", f"/bookings/hold/{hold['hold_id']}", token=customer).json()["status"] == "active"
    assert world.book(customer, hold["hold_id"]).status_code == 201


def test_the_same_key_with_another_body_is_422(world):
    customer, hold, _ = held(world)
    key = uid("key")
    world.book(customer, hold["hold_id"], key=key)
    reused = world.book(customer, hold["hold_id"], "pm_card_chargeDeclined", key=key)
    assert reused.status_code == 422 and code_of(reused) == "IDEMPOTENCY_KEY_REUSED"


def test_a_provider_outage_is_502_and_is_not_stored(world, stack):
    customer, hold, _ = held(world)
    key = uid("key")
    first = world.book(customer, hold["hold_id"], "pm_card_providerError", key=key)
    second = world.book(customer, hold["hold_id"], "pm_card_providerError", key=key)
    assert first.status_code == second.status_code == 502
    assert code_of(first) == "PAYMENT_PROVIDER_ERROR" and "idempotent-replayed" not in second.headers
    assert int(first.headers["retry-after"]) >= 1


def test_a_replayed_booking_is_byte_identical_to_the_first_answer(world):
    customer, hold, _ = held(world)
    key = uid("key")
    first = world.book(customer, hold["hold_id"], key=key)
    again = world.book(customer, hold["hold_id"], key=key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"


def test_a_duplicate_while_the_first_is_running_is_409_with_retry_after(world, stack, monkeypatch):
    customer, hold, _ = held(world)
    payments = stack.container.bookings.payments
    real = payments.authorize

    def slow(*args, **kwargs):
        time.sleep(1.0)
        return real(*args, **kwargs)
    monkeypatch.setattr(payments, "authorize", slow)
    key, results = uid("key"), {}
    first = threading.Thread(target=lambda: results.setdefault("first", world.book(customer, hold["hold_id"], key=key)))
    first.start()
    time.sleep(0.3)
    second = world.book(customer, hold["hold_id"], key=key)
    first.join()
    assert results["first"].status_code == 201
    assert second.status_code == 409 and code_of(second) == "IDEMPOTENCY_KEY_IN_USE"
    assert int(second.headers["retry-after"]) >= 1


def test_an_expired_hold_is_410_and_a_booked_one_is_409_under_another_key(world, clock):
    customer, hold, _ = held(world)
    assert world.book(customer, hold["hold_id"]).status_code == 201
    again = world.book(customer, hold["hold_id"])
    assert again.status_code == 409 and code_of(again) == "HOLD_ALREADY_BOOKED"
    customer, hold, _ = held(world)
    clock.advance(601)
    expired = world.book(customer, hold["hold_id"])
    assert expired.status_code == 410 and code_of(expired) == "HOLD_EXPIRED"


def test_another_customers_hold_and_booking_are_404(world, http):
    customer, hold, _ = held(world)
    stranger = world.customer()
    assert world.book(stranger, hold["hold_id"]).status_code == 404
    booking = world.book(customer, hold["hold_id"]).json()
    for method, path in (("GET", f"/bookings/{booking['booking_id']}"),
                         ("POST", f"/bookings/{booking['booking_id']}/cancel")):
        response = http.request(method, path, token=stranger)
        assert response.status_code == 404 and response.json()["error"]["details"] == {"resource": "booking"}


def test_history_is_newest_first_filtered_and_its_cursor_is_tamper_proof(world, http, clock):
    org, venue, event = world.on_sale()
    customer = world.customer()
    ids = []
    for seat in ("A-1-1", "A-1-2", "A-1-3"):
        hold = world.hold(customer, event["event_id"], [seat]).json()
        ids.append(world.book(customer, hold["hold_id"]).json()["booking_id"])
        clock.advance(1)
    http.request("POST", f"/bookings/{ids[0]}/cancel", token=customer)
    first = http.request("GET", "/users/me/bookings?limit=2", token=customer).json()
    assert [b["booking_id"] for b in first["bookings"]] == [ids[2], ids[1]]
    assert first["bookings"][0]["ticket_count"] == 1
    assert first["bookings"][0]["event"]["event_id"] == event["event_id"]
    rest = http.request("GET", f"/users/me/bookings?limit=2&cursor={first['next_cursor']}", token=customer).json()
    assert [b["booking_id"] for b in rest["bookings"]] == [ids[0]]
    cancelled = http.request("GET", "/users/me/bookings?status=cancelled", token=customer).json()
    assert [b["booking_id"] for b in cancelled["bookings"]] == [ids[0]]
    cursor = first["next_cursor"]
    for bad in (cursor[:-1] + ("A" if cursor[-1] != "A" else "B"), "x" + cursor, cursor.split(".")[0]):
        response = http.request("GET", f"/users/me/bookings?cursor={bad}", token=customer)
        assert response.status_code == 400 and code_of(response) == "INVALID_CURSOR"
    stolen = http.request("GET", f"/users/me/bookings?cursor={cursor}", token=world.customer())
    assert code_of(stolen) == "INVALID_CURSOR"
    other_query = http.request("GET", f"/users/me/bookings?status=confirmed&cursor={cursor}", token=customer)
    assert code_of(other_query) == "INVALID_CURSOR"


def test_cancelling_twice_gives_the_same_answer_and_closes_when_the_event_starts(world, http, clock, stack):
    org, venue, event = world.on_sale(days=0.01)  # starts in ~14 minutes
    customer = world.customer()
    booking = world.book(customer, world.hold(customer, event["event_id"], ["A-1-1"]).json()["hold_id"]).json()
    first = http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=customer)
    second = http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=customer)
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert first.json()["refund"]["status"] == "succeeded"
    auth = authorization_id_for(booking["booking_id"])
    assert stack.container.payments.state(auth) == "refunded"
    late = world.book(customer, world.hold(customer, event["event_id"], ["A-1-2"]).json()["hold_id"]).json()
    clock.advance(15 * 60)
    closed = http.request("POST", f"/bookings/{late['booking_id']}/cancel", token=customer)
    assert closed.status_code == 409 and code_of(closed) == "CANCELLATION_CLOSED"


def test_confirmed_and_cancelled_bookings_reach_the_bus_once_each(world, http, stack):
    customer, hold, _ = held(world)
    booking = world.book(customer, hold["hold_id"]).json()
    http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=customer)
    stack.deliver()
    stack.deliver()
    mine = [e for e in stack.bus.published if e["detail"]["ids"].get("booking_id") == booking["booking_id"]]
    assert [e["detail_type"] for e in mine] == ["BookingConfirmed", "BookingCancelled"]
    detail = mine[0]["detail"]
    assert detail["amounts"]["total"] == {"amount": 10000, "currency": "EUR"}
    assert detail["counts"]["seats"] == 2 and detail["tenant_id"] and detail["occurred_at"]


def test_a_failed_capture_still_confirms_and_the_finalizer_collects_later(world, stack, monkeypatch, clock):
    customer, hold, _ = held(world)
    payments = stack.container.bookings.payments

    def down(auth):
        raise RuntimeError("provider unreachable")
    with monkeypatch.context() as m:
        m.setattr(payments, "capture", down)
        booked = world.book(customer, hold["hold_id"])
    assert booked.status_code == 201 and booked.json()["status"] == "confirmed"
    booking_id = booked.json()["booking_id"]
    assert payments.captured_total(booking_id) == 0
    clock.advance(stack.container.settings.booking_grace_seconds + 1)
    stack.sweep()
    assert payments.captured_total(booking_id) == 10000


def test_a_same_key_retry_after_a_late_failure_returns_the_booking(world, stack, monkeypatch):
    customer, hold, _ = held(world)
    inventory = stack.container.bookings.inventory
    real, calls = inventory.save_booking, []

    def flaky(booking, expected):
        if booking.status == "confirmed" and not calls:
            calls.append(booking.booking_id)
            raise RuntimeError("the function timed out after the commit")
        return real(booking, expected)
    monkeypatch.setattr(inventory, "save_booking", flaky)
    key = uid("key")
    with injected_fault():
        first = world.book(customer, hold["hold_id"], key=key)
    assert first.status_code == 500  # not stored, so the retry runs again
    retry = world.book(customer, hold["hold_id"], key=key)
    assert retry.status_code == 201, retry.content
    booking = retry.json()
    assert booking["status"] == "confirmed" and len(booking["tickets"]) == 2
    assert booking["booking_id"] == calls[0]
    assert stack.container.payments.captured_total(booking["booking_id"]) == 10000
    other_key = world.book(customer, hold["hold_id"])
    assert other_key.status_code == 409 and code_of(other_key) == "HOLD_ALREADY_BOOKED"


def test_holds_end_when_the_event_starts_and_cannot_be_booked_after(world, http, clock):
    org, venue, event = world.on_sale(days=0.01)  # ~14 minutes away
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], ["A-1-1"], hold_duration_seconds=1800).json()
    assert hold["expires_at"] == event["starts_at"]
    longer = http.request("POST", f"/bookings/hold/{hold['hold_id']}/extend",
                          {"hold_duration_seconds": 1800}, token=customer).json()
    assert longer["expires_at"] == event["starts_at"]
    other = world.hold(customer, event["event_id"], ["A-1-2"]).json()
    clock.advance(15 * 60)
    late = world.book(customer, other["hold_id"])
    assert late.status_code in (409, 410)
    assert code_of(late) in ("EVENT_NOT_ON_SALE", "HOLD_EXPIRED")


def test_failed_attempts_stay_out_of_the_history_unless_asked_for(world, http):
    customer, hold, _ = held(world)
    declined = world.book(customer, hold["hold_id"], "pm_card_chargeDeclined").json()
    assert declined["error"]["code"] == "PAYMENT_DECLINED"
    booked = world.book(customer, hold["hold_id"]).json()
    listed = http.request("GET", "/users/me/bookings", token=customer).json()["bookings"]
    assert [b["booking_id"] for b in listed] == [booked["booking_id"]]
    failed = http.request("GET", "/users/me/bookings?status=failed", token=customer).json()["bookings"]
    assert len(failed) == 1 and failed[0]["status"] == "failed" and failed[0]["ticket_count"] == 0
    detail = http.request("GET", f"/bookings/{failed[0]['booking_id']}", token=customer).json()
    assert detail["booking"]["tickets"] == [] and detail["booking"]["confirmation_code"] is None
    assert detail["booking"]["failure"]["code"] == "PAYMENT_DECLINED"


def test_racing_bookings_of_one_hold_leave_one_booking_and_no_failed_ones(world, http):
    customer, hold, _ = held(world)
    results = []
    threads = [threading.Thread(target=lambda: results.append(world.book(customer, hold["hold_id"])))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results).count(201) == 1
    assert {r.json()["error"]["code"] for r in results if r.status_code != 201} <= {
        "CONFLICT", "HOLD_ALREADY_BOOKED"}
    for status in ("", "?status=failed"):
        listed = http.request("GET", f"/users/me/bookings{status}", token=customer).json()["bookings"]
        assert len(listed) == (0 if status else 1)


def test_a_booking_takes_at_most_three_requests_one_of_them_the_seat_transaction(
        world, meter, stack, monkeypatch):
    # Counted without the test payment provider's own table writes: Stripe is not DynamoDB.
    from fakes.payments import InMemoryPaymentProvider
    monkeypatch.setattr(stack.container.bookings, "payments", InMemoryPaymentProvider())
    customer, hold, _ = held(world)
    with meter.counting() as counts:
        assert world.book(customer, hold["hold_id"]).status_code == 201
    assert sum(counts.values()) <= 3, counts
    assert counts.get("TransactWriteItems") == 1, counts
