"""An organizer's sales figures: net of cancellations, each booking counted once however
often and in whatever order its events arrive."""
import threading
import uuid

import pytest
from support import uid

from app import count_domain_event
from chalicelib.domain.events import from_detail
from chalicelib.services.ports import TierSales


def book(world, customer, event_id, seats):
    hold = world.hold(customer, event_id, seats)
    assert hold.status_code == 201, hold.content
    booked = world.book(customer, hold.json()["hold_id"])
    assert booked.status_code == 201, booked.content
    return booked.json()


def cancel(http, customer, booking):
    answer = http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=customer)
    assert answer.status_code == 200, answer.content


def sales_of(http, org, event_id):
    answer = http.request("GET", f"/organizer/events/{event_id}/sales", token=org)
    assert answer.status_code == 200, answer.content
    return answer.json()


def counts(figures):
    return figures["tickets_sold"], figures["tickets_held"], figures["tickets_available"]


def by_tier_name(figures):
    return {t["name"]: (t["sold"], t["revenue"]["amount"]) for t in figures["by_tier"]}


def test_sales_count_confirmed_seats_net_of_cancellations_per_tier(world, http, stack):
    org, _, event = world.on_sale()
    eid = event["event_id"]
    alice, bob, carol = world.customer(), world.customer(), world.customer()
    book(world, alice, eid, ["A-1-1", "A-1-2", "B-1-1"])
    cancel(http, bob, book(world, bob, eid, ["A-2-1", "A-2-2"]))
    assert world.hold(carol, eid, ["B-1-5"]).status_code == 201
    stack.deliver()

    figures = sales_of(http, org, eid)
    assert figures["event_id"] == eid
    assert counts(figures) == (3, 1, 30 - 3 - 1)
    assert figures["revenue"] == {"amount": 2 * 5000 + 2000, "currency": "EUR"}
    assert by_tier_name(figures) == {"Main": (2, 10000), "Cheap": (1, 2000)}
    assert figures["updated_at"].endswith("Z")


def test_a_new_event_has_no_sales_yet(world, http):
    org, _, event = world.on_sale()
    figures = sales_of(http, org, event["event_id"])
    assert counts(figures) == (0, 0, 30)
    assert figures["revenue"] == {"amount": 0, "currency": "EUR"}
    assert by_tier_name(figures) == {"Main": (0, 0), "Cheap": (0, 0)}


def test_another_tenants_sales_are_not_found_and_customers_are_forbidden(world, http):
    _, _, event = world.on_sale()
    path = f"/organizer/events/{event['event_id']}/sales"
    stranger = http.request("GET", path, token=world.organizer())
    assert stranger.status_code == 404
    assert stranger.json()["error"]["details"]["resource"] == "event"
    assert http.request("GET", path, token=world.customer()).status_code == 403


@pytest.fixture
def withheld_events(stack, monkeypatch):
    """Collects the domain events the stack would deliver, so a test can deliver them itself."""
    stack.deliver()
    caught = []
    monkeypatch.setattr(stack.bus, "_subscribers",
                        [lambda kind, detail: caught.append({"detail_type": kind, "detail": detail})])
    return caught


def as_eventbridge(event):
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": event["detail_type"],
            "source": "boxoffice", "account": "123456789012",
            "time": event["detail"]["occurred_at"], "region": "us-east-1", "resources": [],
            "detail": event["detail"]}


def deliver_at_once(event, copies=3):
    """Several Lambda invocations of the same event racing, as at-least-once delivery allows."""
    threads = [threading.Thread(target=count_domain_event, args=(as_eventbridge(event), None))
               for _ in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)


def recount(http, sold_bookings, holds):
    """The figures straight from the bookings and holds, as their owners see them."""
    sold, revenue, held = {}, {}, 0
    for customer, booking_id in sold_bookings:
        booking = http.request("GET", f"/bookings/{booking_id}", token=customer).json()["booking"]
        if booking["status"] == "confirmed":
            for ticket in booking["tickets"]:
                tier = ticket["seat"]["tier_id"]
                sold[tier] = sold.get(tier, 0) + 1
                revenue[tier] = revenue.get(tier, 0) + ticket["price"]["amount"]
    for customer, hold_id in holds:
        hold = http.request("GET", f"/bookings/hold/{hold_id}", token=customer).json()
        held += len(hold["seats"]) if hold["status"] == "active" else 0
    return {"tickets_sold": sum(sold.values()), "tickets_held": held,
            "tickets_available": 30 - sum(sold.values()) - held,
            "revenue": sum(revenue.values()),
            "by_tier": {tier: (sold[tier], revenue[tier]) for tier in sold}}


def test_duplicate_and_reordered_delivery_leaves_the_figures_equal_to_a_recount(
        world, http, stack, withheld_events):
    org, _, event = world.on_sale()
    eid = event["event_id"]
    bookings, holds = [], []
    for n, seats in enumerate((["A-1-1", "A-1-2"], ["A-1-3", "B-1-1"], ["B-1-2"], ["A-2-1"])):
        customer = world.customer()
        booking = book(world, customer, eid, seats)
        bookings.append((customer, booking["booking_id"]))
        if n % 2:
            cancel(http, customer, booking)
    for seats, keep in ((["B-1-7", "B-1-8"], True), (["A-2-9"], False)):
        customer = world.customer()
        hold = world.hold(customer, eid, seats).json()
        holds.append((customer, hold["hold_id"]))
        if not keep:
            released = http.request("DELETE", f"/bookings/hold/{hold['hold_id']}", token=customer)
            assert released.status_code == 204
    stack.deliver()
    ours = [e for e in withheld_events if e["detail"]["ids"].get("event") == eid]
    kinds = [e["detail_type"] for e in ours]
    assert kinds.count("BookingConfirmed") == 4 and kinds.count("BookingCancelled") == 2

    # Newest first, so every cancellation and release arrives before what it undoes, two
    # copies at once; then everything (other tests' events too) once more in order.
    for event in reversed(withheld_events):
        deliver_at_once(event, copies=2)
    for event in withheld_events:
        count_domain_event(as_eventbridge(event), None)

    figures, expected = sales_of(http, org, eid), recount(http, bookings, holds)
    assert expected["tickets_sold"] == 3 and expected["tickets_held"] == 2
    assert {k: figures[k] for k in ("tickets_sold", "tickets_held", "tickets_available")} == {
        k: expected[k] for k in ("tickets_sold", "tickets_held", "tickets_available")}
    assert figures["revenue"]["amount"] == expected["revenue"]
    assert {t["tier_id"]: (t["sold"], t["revenue"]["amount"])
            for t in figures["by_tier"] if t["sold"]} == expected["by_tier"]


def test_a_redelivered_booking_is_counted_once(world, http, stack):
    org, _, event = world.on_sale()
    customer = world.customer()
    book(world, customer, event["event_id"], ["A-1-9"])
    stack.deliver()
    before = sales_of(http, org, event["event_id"])
    confirmed = next(e for e in reversed(stack.bus.published)
                     if e["detail_type"] == "BookingConfirmed"
                     and e["detail"]["ids"]["event"] == event["event_id"])
    projections = stack.container.projections
    assert projections.handle(from_detail(confirmed["detail_type"], confirmed["detail"])) is False
    deliver_at_once(confirmed, copies=5)
    after = sales_of(http, org, event["event_id"])
    assert (after["tickets_sold"], after["revenue"]) == (before["tickets_sold"], before["revenue"])
    assert after["revenue"] == {"amount": 5000, "currency": "EUR"} and after["tickets_sold"] == 1


def test_a_fifty_seat_booking_over_fifty_sections_and_tiers_is_counted_in_full(world, http, stack):
    # 50 sections and 50 tiers: more counter changes than one transaction may carry.
    org = world.organizer()
    venue = world.venue(org, sections=[{"name": f"S{n}", "rows": [{"name": "1", "seats": 1}]}
                                       for n in range(1, 51)])
    event = world.event(org, venue, publish=False, max_tickets=50, price_tiers=[
        {"name": f"Tier {n}", "price": {"amount": 100 * n, "currency": "EUR"},
         "sections": [f"S{n}"]} for n in range(1, 51)])
    published = http.request("POST", f"/organizer/events/{event['event_id']}/publish", token=org)
    assert published.status_code == 200, published.content
    customer = world.customer()
    book(world, customer, event["event_id"], [f"S{n}-1-1" for n in range(1, 51)])
    stack.deliver()
    stack.deliver()  # a redelivery changes nothing

    figures = sales_of(http, org, event["event_id"])
    assert counts(figures) == (50, 0, 0)
    assert figures["revenue"]["amount"] == sum(100 * n for n in range(1, 51))


def test_a_delivery_that_dies_between_parts_is_finished_by_the_redelivery(stack, monkeypatch):
    store, key, now = stack.container.projection_store, uid("evt"), stack.container.clock.now()
    tiers = {f"tier_{n}": TierSales(1, 100) for n in range(150)}
    real_run, runs = store._tx.run, []

    def times_out_on_the_second_part(build):
        runs.append(build)
        if len(runs) == 2:
            raise TimeoutError("the Lambda ran out of time")
        real_run(build)

    monkeypatch.setattr(store._tx, "run", times_out_on_the_second_part)
    with pytest.raises(TimeoutError):
        store.apply_once(key, {}, tiers, key, now)
    monkeypatch.undo()

    assert store.apply_once(key, {}, tiers, key, now) is True
    assert store.apply_once(key, {}, dict(reversed(tiers.items())), key, now) is False
    totals = store.counters(key).by_tier
    assert len(totals) == 150 and set(totals.values()) == {TierSales(1, 100)}
