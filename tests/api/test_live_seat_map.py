"""The live seat map over a real WebSocket on the local stack: every kind of seat change
reaches the subscribers of its event (and section) within 2 s of the request that made it,
and no one else; the subscribe handshake carries the seat map's ETag; bad frames get error
frames on a connection that stays open.

The session stack delivers events when a test calls `stack.deliver()` (relay, bus and the
live consumer in the caller's thread, the coalescing window included), so "within 2 s" is
timed from the moment the request returned, through the delivery, to the frame's arrival."""
import contextlib
import json
import time

import pytest
from websockets.sync.client import connect

from support import uid

WITHIN_SECONDS = 2.0


@pytest.fixture
def sockets(stack):
    """Opens WebSocket clients; on teardown closes them and waits for their $disconnect, so
    no connection work spills into the next test's request counts."""
    with contextlib.ExitStack() as opened:
        yield lambda: opened.enter_context(connect(stack.websocket.url, open_timeout=5))
    assert stack.websocket.closed()


def send(ws, **frame) -> None:
    ws.send(json.dumps(frame))


def receive(ws, timeout: float = WITHIN_SECONDS) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def subscribe(ws, event_id, section=None) -> dict:
    send(ws, action="subscribe", event_id=event_id, **({"section": section} if section else {}))
    answer = receive(ws)
    assert answer["type"] == "subscribed", answer
    return answer


def changes(frame) -> dict:
    assert frame["type"] == "seats", frame
    return {c["seat_id"]: c["status"] for c in frame["changes"]}


def nothing_arrives(ws) -> bool:
    """Every push of a delivery has been written before stack.deliver() returns."""
    try:
        ws.recv(timeout=0.2)
    except TimeoutError:
        return True
    return False


class Timed:
    """Times a request from its return, through the delivery, to a subscriber's frame."""

    def __init__(self, stack):
        self.stack = stack

    def after(self, response, expected_status: int):
        assert response.status_code == expected_status, response.content
        self.returned = time.monotonic()
        self.stack.deliver()
        return self

    def frame(self, ws) -> dict:
        remaining = self.returned + WITHIN_SECONDS - time.monotonic()
        return receive(ws, timeout=max(remaining, 0.001))


@pytest.fixture
def timed(stack):
    return Timed(stack)


def test_the_event_page_and_the_seat_map_say_where_to_subscribe(world, http, stack):
    _, _, event = world.on_sale()
    eid = event["event_id"]
    assert stack.websocket.url.startswith("ws://127.0.0.1:")
    assert http.request("GET", f"/events/{eid}").json()["websocket_url"] == stack.websocket.url
    seats = http.request("GET", f"/events/{eid}/seats?section=A").json()
    assert seats["websocket_url"] == stack.websocket.url


def test_a_hold_reaches_subscribers_of_its_event_and_section_within_two_seconds(
        world, sockets, timed):
    _, _, event = world.on_sale()
    whole, section_a = sockets(), sockets()
    subscribe(whole, event["event_id"])
    subscribe(section_a, event["event_id"], "A")
    timed.after(world.hold(world.customer(), event["event_id"], ["A-1-1", "A-1-2"]), 201)
    assert changes(timed.frame(whole)) == {"A-1-1": "held", "A-1-2": "held"}
    assert changes(timed.frame(section_a)) == {"A-1-1": "held", "A-1-2": "held"}


def test_a_release_reaches_subscribers_as_available_within_two_seconds(
        world, http, stack, sockets, timed):
    _, _, event = world.on_sale()
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], ["B-1-4"]).json()
    stack.deliver()
    ws = sockets()
    subscribe(ws, event["event_id"], "B")
    timed.after(http.request("DELETE", f"/bookings/hold/{hold['hold_id']}", token=customer), 204)
    assert changes(timed.frame(ws)) == {"B-1-4": "available"}


def test_a_booking_reaches_subscribers_as_sold_within_two_seconds(world, stack, sockets, timed):
    _, _, event = world.on_sale()
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], ["A-2-1", "A-2-2"]).json()
    stack.deliver()
    ws = sockets()
    subscribe(ws, event["event_id"])
    timed.after(world.book(customer, hold["hold_id"]), 201)
    assert changes(timed.frame(ws)) == {"A-2-1": "sold", "A-2-2": "sold"}


def test_a_cancellation_reaches_subscribers_as_available_within_two_seconds(
        world, http, stack, sockets, timed):
    _, _, event = world.on_sale()
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], ["A-2-5"]).json()
    booking = world.book(customer, hold["hold_id"]).json()
    stack.deliver()
    ws = sockets()
    subscribe(ws, event["event_id"], "A")
    timed.after(http.request("POST", f"/bookings/{booking['booking_id']}/cancel",
                             token=customer), 200)
    assert changes(timed.frame(ws)) == {"A-2-5": "available"}


def test_an_expiry_reaches_subscribers_within_two_seconds_of_the_sweep(
        world, stack, clock, sockets):
    _, _, event = world.on_sale()
    world.hold(world.customer(), event["event_id"], ["B-1-9"], hold_duration_seconds=5)
    stack.deliver()
    ws = sockets()
    subscribe(ws, event["event_id"], "B")
    clock.advance(6)
    swept = stack.sweep()
    assert swept["holds"].get("expired", 0) >= 1, swept
    started = time.monotonic()
    stack.deliver()
    assert changes(receive(ws, WITHIN_SECONDS - (time.monotonic() - started))) == {
        "B-1-9": "available"}


def test_subscribers_of_another_event_or_section_receive_nothing(world, stack, sockets, timed):
    _, _, event = world.on_sale()
    _, _, other = world.on_sale()
    target, other_section, other_event = sockets(), sockets(), sockets()
    subscribe(target, event["event_id"], "A")
    subscribe(other_section, event["event_id"], "B")
    subscribe(other_event, other["event_id"])
    timed.after(world.hold(world.customer(), event["event_id"], ["A-1-7"]), 201)
    assert changes(timed.frame(target)) == {"A-1-7": "held"}
    assert nothing_arrives(other_section) and nothing_arrives(other_event)
    # Both were listening all along: their own changes do reach them.
    world.hold(world.customer(), event["event_id"], ["B-1-1"])
    world.hold(world.customer(), other["event_id"], ["A-1-7"])
    stack.deliver()
    assert changes(receive(other_section)) == {"B-1-1": "held"}
    assert changes(receive(other_event)) == {"A-1-7": "held"}
    assert nothing_arrives(target)


def test_subscribed_carries_the_etag_the_seat_map_has_now(world, http, stack, sockets):
    _, _, event = world.on_sale()
    eid = event["event_id"]
    world.hold(world.customer(), eid, ["A-1-3"])
    stack.deliver()
    ws = sockets()
    answer = subscribe(ws, eid, "A")
    assert answer == {"type": "subscribed", "event_id": eid, "section": "A",
                      "seats_etag": answer["seats_etag"]}
    current = http.request("GET", f"/events/{eid}/seats?section=A",
                           headers={"If-None-Match": answer["seats_etag"]})
    assert current.status_code == 304  # the client's copy is current: no refetch
    whole = subscribe(ws, eid)  # a new section for the same event replaces the subscription
    assert whole["section"] is None
    assert whole["seats_etag"] == http.request("GET", f"/events/{eid}/seats").headers["etag"]
    world.hold(world.customer(), eid, ["A-1-4"])
    stack.deliver()
    assert changes(receive(ws)) == {"A-1-4": "held"}
    stale = http.request("GET", f"/events/{eid}/seats?section=A",
                         headers={"If-None-Match": answer["seats_etag"]})
    assert stale.status_code == 200  # after a change, a resubscribing client knows to refetch
    assert subscribe(ws, eid, "A")["seats_etag"] == stale.headers["etag"]


def test_bad_frames_get_error_frames_and_the_connection_stays_open(world, sockets):
    _, _, event = world.on_sale()
    ws = sockets()
    bad = [("not json", "VALIDATION_ERROR"), ("[1, 2]", "VALIDATION_ERROR"),
           (json.dumps({"action": "dance"}), "VALIDATION_ERROR"),
           (json.dumps({"event_id": event["event_id"]}), "VALIDATION_ERROR"),
           (json.dumps({"action": "subscribe"}), "VALIDATION_ERROR"),
           (json.dumps({"action": "subscribe", "event_id": 7}), "VALIDATION_ERROR"),
           (json.dumps({"action": "subscribe", "event_id": "evt_nope"}), "NOT_FOUND"),
           (json.dumps({"action": "subscribe", "event_id": event["event_id"], "section": "Z"}),
            "VALIDATION_ERROR"),
           (json.dumps({"action": "ping", "extra": True}), "VALIDATION_ERROR"),
           (json.dumps({"action": "ping", "pad": "x" * 5000}), "VALIDATION_ERROR"),
           (b"\x00\x01binary", "VALIDATION_ERROR")]
    for frame, code in bad:
        ws.send(frame)
        answer = receive(ws)
        assert answer["type"] == "error" and answer["error"]["code"] == code, (frame, answer)
        assert answer["error"]["message"] and "Traceback" not in answer["error"]["message"]
    send(ws, action="ping")
    assert receive(ws) == {"type": "pong"}


def test_an_eleventh_subscription_gets_an_error_frame_and_the_ten_keep_working(
        world, http, stack, sockets):
    org = world.organizer()
    venue = world.venue(org)
    events = [world.event(org, venue)["event_id"] for _ in range(11)]
    ws = sockets()
    for eid in events[:10]:
        subscribe(ws, eid)
    send(ws, action="subscribe", event_id=events[10])
    answer = receive(ws)
    assert answer["type"] == "error"
    assert answer["error"]["code"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
    world.hold(world.customer(), events[3], ["A-1-1"])
    world.hold(world.customer(), events[10], ["A-1-1"])
    stack.deliver()
    frame = receive(ws)
    assert frame["event_id"] == events[3] and changes(frame) == {"A-1-1": "held"}
    assert nothing_arrives(ws)
    send(ws, action="unsubscribe", event_id=events[0])
    assert subscribe(ws, events[10])["event_id"] == events[10]


def test_unsubscribing_stops_the_messages(world, stack, sockets):
    _, _, event = world.on_sale()
    ws = sockets()
    subscribe(ws, event["event_id"])
    send(ws, action="unsubscribe", event_id=event["event_id"])
    send(ws, action="ping")
    assert receive(ws) == {"type": "pong"}  # frames of one connection are handled in order
    world.hold(world.customer(), event["event_id"], ["A-1-1"])
    stack.deliver()
    assert nothing_arrives(ws)


def test_a_closed_connection_is_forgotten_with_its_subscriptions(world, stack):
    _, _, event = world.on_sale()
    eid = event["event_id"]
    with connect(stack.websocket.url) as ws:
        subscribe(ws, eid, "A")
        send(ws, action="subscribe", event_id=uid("evt"))  # an unknown one: not kept
        receive(ws)
    assert stack.websocket.closed()
    live = stack.container.live
    assert [s for shard in range(live.store.shards)
            for s in live.store.subscribers(eid, {"A"}, shard)] == []
