"""Holding seats: all or nothing, idempotent, within the ticket limit, expiring by the clock."""
import threading

import pytest

from chalicelib.domain.identity import Principal
from chalicelib.services.commands import HoldSeats
from support import uid


def code_of(response):
    return response.json()["error"]["code"]


def test_a_hold_takes_every_seat_or_none_and_names_every_seat_that_was_taken(world, http):
    org, venue, event = world.on_sale()
    eid = event["event_id"]
    assert world.hold(world.customer(), eid, ["A-1-1", "A-1-3"]).status_code == 201
    refused = world.hold(world.customer(), eid, ["A-1-1", "A-1-2", "A-1-3"])
    assert refused.status_code == 409 and code_of(refused) == "SEATS_UNAVAILABLE"
    assert refused.json()["error"]["details"]["unavailable_seat_ids"] == ["A-1-1", "A-1-3"]
    available = http.request("GET", f"/events/{eid}/seats?section=A&status=available").json()
    assert "A-1-2" in {s["seat_id"] for s in available["seats"]}


def test_validation_names_unknown_and_duplicate_seats(world):
    org, venue, event = world.on_sale()
    customer = world.customer()
    unknown = world.hold(customer, event["event_id"], ["A-1-1", "Z-9-9", "A-1-11"])
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"]["unknown_seat_ids"] == ["Z-9-9", "A-1-11"]
    lookalikes = world.hold(customer, event["event_id"], ["A-1-\uff13", "A-1-\u0663"])
    assert lookalikes.status_code == 400
    assert lookalikes.json()["error"]["details"]["unknown_seat_ids"] == ["A-1-\uff13", "A-1-\u0663"]
    duplicate = world.hold(customer, event["event_id"], ["A-1-1", "A-1-1"])
    assert duplicate.status_code == 400 and "seat_ids" in duplicate.json()["error"]["details"]["fields"]
    assert world.hold(customer, event["event_id"], []).status_code == 400


def test_holds_on_missing_draft_or_started_events_are_refused(world, clock):
    customer = world.customer()
    assert world.hold(customer, uid("evt"), ["A-1-1"]).status_code == 404
    org, venue, draft = world.on_sale(publish=False)
    assert world.hold(customer, draft["event_id"], ["A-1-1"]).status_code == 404
    org, venue, soon = world.on_sale(days=0.001)  # starts in ~86 s
    clock.advance(90)
    started = world.hold(customer, soon["event_id"], ["A-1-1"])
    assert started.status_code == 409 and code_of(started) == "EVENT_NOT_ON_SALE"


def test_a_retry_with_the_same_key_returns_the_same_hold_not_a_409_against_itself(world):
    org, venue, event = world.on_sale()
    customer, key = world.customer(), uid("key")
    first = world.hold(customer, event["event_id"], ["A-2-1"], key=key)
    again = world.hold(customer, event["event_id"], ["A-2-1"], key=key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    other_body = world.hold(customer, event["event_id"], ["A-2-2"], key=key)
    assert other_body.status_code == 422 and code_of(other_body) == "IDEMPOTENCY_KEY_REUSED"


def test_the_ticket_limit_counts_live_holds_and_a_single_oversized_request(world):
    org, venue, event = world.on_sale(max_tickets=4)
    customer = world.customer()
    too_many = world.hold(customer, event["event_id"], [f"A-1-{i}" for i in range(1, 6)])
    assert too_many.status_code == 422 and code_of(too_many) == "TICKET_LIMIT_EXCEEDED"
    assert world.hold(customer, event["event_id"], ["A-1-1", "A-1-2", "A-1-3"]).status_code == 201
    over = world.hold(customer, event["event_id"], ["A-1-4", "A-1-5"])
    assert over.status_code == 422
    assert world.hold(customer, event["event_id"], ["A-1-4"]).status_code == 201


def test_two_concurrent_holds_by_one_customer_cannot_both_slip_under_the_limit(world, http):
    org, venue, event = world.on_sale(max_tickets=4)
    customer = world.customer()
    results = []

    def hold(seats):
        results.append(world.hold(customer, event["event_id"], seats).status_code)
    threads = [threading.Thread(target=hold, args=(s,)) for s in
               (["A-1-1", "A-1-2", "A-1-3"], ["B-1-1", "B-1-2", "B-1-3"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 422]


def test_release_frees_the_seats_at_once_and_is_idempotent(world, http):
    org, venue, event = world.on_sale(max_tickets=2)
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], ["A-1-1", "A-1-2"]).json()
    assert http.request("DELETE", f"/bookings/hold/{hold['hold_id']}", token=customer).status_code == 204
    assert http.request("DELETE", f"/bookings/hold/{hold['hold_id']}", token=customer).status_code == 204
    assert http.request("GET", f"/bookings/hold/{hold['hold_id']}", token=customer).json()["status"] == "released"
    # the limit counts it no more, and the seats are free for anyone
    assert world.hold(customer, event["event_id"], ["A-1-1", "A-1-2"]).status_code == 201


def test_another_customers_hold_is_404_on_every_route(world, http):
    org, venue, event = world.on_sale()
    hold = world.hold(world.customer(), event["event_id"], ["A-1-1"]).json()
    stranger = world.customer()
    for method, path, body in (("GET", f"/bookings/hold/{hold['hold_id']}", None),
                               ("DELETE", f"/bookings/hold/{hold['hold_id']}", None),
                               ("POST", f"/bookings/hold/{hold['hold_id']}/extend",
                                {"hold_duration_seconds": 60})):
        response = http.request(method, path, body, token=stranger)
        assert response.status_code == 404 and response.json()["error"]["details"] == {"resource": "hold"}


def test_extend_moves_the_expiry_and_is_clamped_and_refused_once_expired(world, http, clock):
    org, venue, event = world.on_sale()
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], ["A-1-1"], hold_duration_seconds=60).json()
    clock.advance(50)
    longer = http.request("POST", f"/bookings/hold/{hold['hold_id']}/extend",
                          {"hold_duration_seconds": 1800}, token=customer)
    assert longer.status_code == 200
    from chalicelib.domain.clock import parse_rfc3339
    created = parse_rfc3339(hold["created_at"])
    assert (parse_rfc3339(longer.json()["expires_at"]) - created).total_seconds() == 1800
    clock.advance(1800)
    expired = http.request("POST", f"/bookings/hold/{hold['hold_id']}/extend",
                           {"hold_duration_seconds": 60}, token=customer)
    assert expired.status_code == 410 and code_of(expired) == "HOLD_EXPIRED"


def test_expiry_needs_no_sweep_and_the_sweep_then_leaves_the_new_hold_alone(world, http, clock, stack):
    org, venue, event = world.on_sale()
    eid = event["event_id"]
    first, second = world.customer(), world.customer()
    old = world.hold(first, eid, ["B-1-5", "B-1-6"], hold_duration_seconds=120).json()
    assert world.hold(second, eid, ["B-1-5"]).status_code == 409
    clock.advance(120)
    seats = http.request("GET", f"/events/{eid}/seats?section=B").json()["seats"]
    assert {s["seat_id"]: s["status"] for s in seats}["B-1-5"] == "available"
    assert http.request("GET", f"/bookings/hold/{old['hold_id']}", token=first).json()["status"] == "expired"
    new = world.hold(second, eid, ["B-1-5"])
    assert new.status_code == 201
    stack.sweep()
    stack.sweep()  # running it twice changes nothing more
    assert http.request("GET", f"/bookings/hold/{new.json()['hold_id']}", token=second).json()["status"] == "active"
    seats = http.request("GET", f"/events/{eid}/seats?section=B").json()["seats"]
    status = {s["seat_id"]: s["status"] for s in seats}
    assert status["B-1-5"] == "held" and status["B-1-6"] == "available"
    stack.deliver()
    kinds = [e["detail_type"] for e in stack.bus.published if e["detail"]["ids"].get("hold_id") == old["hold_id"]]
    assert kinds == ["HoldPlaced", "HoldExpired"]


def test_my_holds_lists_only_active_holds_newest_first(world, http, clock):
    org, venue, event = world.on_sale()
    customer = world.customer()
    short = world.hold(customer, event["event_id"], ["A-1-1"], hold_duration_seconds=5).json()
    clock.advance(1)
    a = world.hold(customer, event["event_id"], ["A-1-2"]).json()
    clock.advance(1)
    b = world.hold(customer, event["event_id"], ["A-1-3"]).json()
    clock.advance(5)
    listed = http.request("GET", "/users/me/holds", token=customer).json()
    assert [h["hold_id"] for h in listed["holds"]] == [b["hold_id"], a["hold_id"]]
    assert short["hold_id"] not in [h["hold_id"] for h in listed["holds"]]


def test_a_hold_with_a_warm_cache_is_one_request_a_single_transaction(world, meter):
    org, venue, event = world.on_sale()
    customer = world.customer()
    world.hold(customer, event["event_id"], ["A-2-9"])  # warms the event and layout cache
    with meter.counting() as counts:
        assert world.hold(customer, event["event_id"], ["A-2-1", "A-2-2"], key=uid()).status_code == 201
    assert counts == {"TransactWriteItems": 1}, counts
    with meter.counting() as counts:  # a new customer's first hold costs the same
        assert world.hold(world.customer(), event["event_id"], ["A-2-3"]).status_code == 201
    assert counts == {"TransactWriteItems": 1}, counts


class InjectFaults:
    """Answers the next `times` TransactWriteItems calls with a given error, then lets them pass."""

    def __init__(self, stack, code, reasons, times):
        self.client = stack.container.inventory._tx.connection().client
        self.code, self.reasons, self.left, self.calls = code, reasons, times, 0

    def __call__(self, **kwargs):
        self.calls += 1
        if self.left <= 0:
            return None
        self.left -= 1
        from botocore.awsrequest import AWSResponse
        error = {"Error": {"Code": self.code, "Message": "injected"},
                 "ResponseMetadata": {"HTTPStatusCode": 400}}
        if self.reasons:
            error["CancellationReasons"] = [{"Code": self.reasons}]
        return AWSResponse("http://fault", 400, {}, None), error

    def __enter__(self):
        self.client.meta.events.register("before-call.dynamodb.TransactWriteItems", self)
        return self

    def __exit__(self, *exc):
        self.client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", self)


@pytest.mark.parametrize("code, reason", [("TransactionCanceledException", "TransactionConflict"),
                                          ("ThrottlingException", None),
                                          ("ProvisionedThroughputExceededException", None)])
def test_contention_and_throttling_are_retried_with_backoff(world, stack, code, reason):
    org, venue, event = world.on_sale()
    principal = Principal(uid("cust"), None, ("customer",), None)
    with InjectFaults(stack, code, reason, times=2) as faults:
        hold, replayed = stack.container.holds.place(principal, HoldSeats(event["event_id"], ("A-1-1",), 60))
    assert hold.status == "active" and not replayed
    assert faults.calls >= 3


def test_a_failed_condition_is_the_answer_and_is_never_retried(world, stack):
    org, venue, event = world.on_sale()
    world.hold(world.customer(), event["event_id"], ["A-1-1"])
    principal = Principal(uid("cust"), None, ("customer",), None)
    from chalicelib.domain import errors
    with InjectFaults(stack, "x", None, times=0) as faults:
        with pytest.raises(errors.SeatsUnavailable):
            stack.container.holds.place(principal, HoldSeats(event["event_id"], ("A-1-1",), 60))
    assert faults.calls == 1


def test_a_same_key_retry_replays_the_first_body_even_after_an_extension(world, http, clock):
    org, venue, event = world.on_sale()
    customer, key = world.customer(), uid("key")
    first = world.hold(customer, event["event_id"], ["B-1-9"], key=key, hold_duration_seconds=60)
    clock.advance(10)
    http.request("POST", f"/bookings/hold/{first.json()['hold_id']}/extend",
                 {"hold_duration_seconds": 600}, token=customer)
    clock.advance(100)
    again = world.hold(customer, event["event_id"], ["B-1-9"], key=key, hold_duration_seconds=60)
    assert again.status_code == 201 and again.json() == first.json()


def test_a_404_is_replayed_under_the_same_key_after_the_event_is_published(world, http):
    org, venue, draft = world.on_sale(publish=False)
    customer, key = world.customer(), uid("key")
    first = world.hold(customer, draft["event_id"], ["A-1-1"], key=key)
    assert first.status_code == 404
    assert http.request("POST", f"/organizer/events/{draft['event_id']}/publish",
                        token=org).status_code == 200
    again = world.hold(customer, draft["event_id"], ["A-1-1"], key=key)
    assert again.status_code == 404 and again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert world.hold(customer, draft["event_id"], ["A-1-1"], key=uid("key")).status_code == 201
