"""The counters fed by the table streams agree with the tables themselves, even when bookings
race their own release while the stream relay is polling: a transaction that fails must
leave no stream record, and the relay must neither skip nor invent one."""
import threading
import uuid
from urllib.parse import urlencode

from support import HttpClient

from chalicelib.domain.catalog import availability_label

USERS, ROUNDS = 10, 15


def test_bookings_racing_their_release_leave_sales_summary_search_and_seat_map_agreeing(
        world, stack, http):
    org = world.organizer()
    venue = world.venue(org, sections=[{"name": "A", "rows": [
        {"name": str(r), "seats": USERS} for r in range(1, ROUNDS + 1)]}])
    category = "race-" + uuid.uuid4().hex[:8]
    event = world.event(org, venue, category=category)
    eid = event["event_id"]
    stack.deliver()

    # The relay polls while the race runs, as it does under `make run`.
    racing = threading.Event()
    relay_errors = []

    def relay_like_make_run():
        while not racing.is_set():
            try:
                stack.relay.poll()
            except Exception as e:  # noqa: BLE001 - reported by the assertion below
                relay_errors.append(e)
    relay = threading.Thread(target=relay_like_make_run, daemon=True)
    relay.start()
    outcomes = {"booked": 0, "released": 0}
    try:
        for round_number in range(1, ROUNDS + 1):
            holds = []
            for i in range(1, USERS + 1):
                customer = world.customer()
                placed = world.hold(customer, eid, [f"A-{round_number}-{i}"])
                assert placed.status_code == 201, placed.content
                holds.append((customer, placed.json()["hold_id"]))
            barrier = threading.Barrier(2 * USERS)
            answers = []

            def book(customer, hold_id):
                client = HttpClient(stack.url)
                barrier.wait()
                answers.append(("book", client.request(
                    "POST", "/bookings", {"hold_id": hold_id, "payment_method_id": "pm_card_visa"},
                    token=customer, headers={"Idempotency-Key": uuid.uuid4().hex}).status_code))

            def release(customer, hold_id):
                client = HttpClient(stack.url)
                barrier.wait()
                answers.append(("release", client.request(
                    "DELETE", f"/bookings/hold/{hold_id}", token=customer).status_code))
            threads = [threading.Thread(target=work, args=hold)
                       for hold in holds for work in (book, release)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert all(status < 500 for _, status in answers), answers
            outcomes["booked"] += sum(1 for kind, s in answers if kind == "book" and s == 201)
            outcomes["released"] += sum(1 for kind, s in answers if kind == "release" and s == 204)
    finally:
        racing.set()
        relay.join()
    assert not relay_errors, relay_errors
    stack.deliver()

    def relayed(kind):
        return {e["detail"]["event_id"] for e in list(stack.bus.published)
                if e["detail_type"] == kind and e["detail"]["ids"].get("event") == eid}
    published = {kind: len(relayed(kind))
                 for kind in ("HoldPlaced", "HoldReleased", "BookingConfirmed")}
    assert published == {"HoldPlaced": USERS * ROUNDS, "HoldReleased": outcomes["released"],
                         "BookingConfirmed": outcomes["booked"]}, "events invented or lost"

    seat_map = http.request("GET", f"/events/{eid}/seats").json()["seats"]
    sold = sum(1 for s in seat_map if s["status"] == "sold")
    held = sum(1 for s in seat_map if s["status"] == "held")
    total = len(seat_map)
    assert total == USERS * ROUNDS and held == 0
    assert sold == outcomes["booked"], outcomes

    summary = http.request("GET", f"/events/{eid}").json()["availability_summary"]
    assert (summary["sold"], summary["held"], summary["available"]) == (sold, 0, total - sold)

    sales = http.request("GET", f"/organizer/events/{eid}/sales", token=org).json()
    assert (sales["tickets_sold"], sales["tickets_held"], sales["tickets_available"]) == (
        sold, 0, total - sold)
    assert sales["revenue"]["amount"] == sold * 5000

    found = http.request("GET", "/events?" + urlencode({"category": category})).json()["events"]
    assert [e["availability"] for e in found if e["event_id"] == eid] == [
        availability_label(total, total - sold)]
