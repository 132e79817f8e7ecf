"""The cancellation job on DynamoDB (moto): killed at random points and run twice at once, it
still cancels and refunds every booking exactly once; the outbox says so per booking."""
import random
import threading
import time

from chalicelib.domain.cancellations import SETTLE_SECONDS, Cancellation
from chalicelib.domain.catalog import Location, Row, Section
from chalicelib.domain.clock import to_rfc3339
from chalicelib.domain.identity import Principal
from chalicelib.domain.money import Money
from chalicelib.services.commands import HoldSeats, NewEvent, NewTier, NewVenue, BookHold
from support import uid


class Killed(BaseException):
    """The job's Lambda died here."""


def sold(c, count):
    import datetime as dt
    org = Principal(uid("org"), None, ("organizer",), uid("tenant"))
    venue = c.catalog.create_venue(org, NewVenue(
        "Hall", "1 St", "Porto", "PT", Location(41.1, -8.6), "UTC",
        (Section("A", tuple(Row(str(r), 10) for r in range(1, 7))),)))
    event = c.catalog.create_event(org, NewEvent(
        venue.venue_id, "Show", "A show.", "concert", None,
        to_rfc3339(c.clock.now() + dt.timedelta(days=5)), None, 8,
        (NewTier("Main", Money(4000, "EUR"), ("A",)),)))
    event = c.catalog.publish(org, event.event_id)
    bookings = []
    for n in range(count):
        customer = Principal(uid("cust"), f"c{n}@example.com", ("customer",), None)
        seat = f"A-{n // 10 + 1}-{n % 10 + 1}"
        hold, _ = c.holds.place(customer, HoldSeats(event.event_id, (seat,), 600))
        bookings.append(c.bookings.book(customer, BookHold(hold.hold_id, "pm_card_visa",
                                                           uid("key"))).booking)
    return org, event, bookings


def run_to_the_end(c, clock, event_id, on_kill=lambda: None):
    runs = kills = 0
    for _ in range(500):
        runs += 1
        try:
            outcome = c.cancellations.run(event_id, time.monotonic() + 60)
        except Killed:
            kills += 1
            on_kill()
            continue
        if outcome == "done":
            return runs, kills
        if outcome == "waiting":
            clock.advance(SETTLE_SECONDS)
    raise AssertionError("the job never finished")


def test_a_job_killed_at_random_points_refunds_every_booking_exactly_once(stack, clock, monkeypatch,
                                                                          capsys, seed=4):
    # The unit tier kills the job over 500 bookings; moto copies its tables on every
    # transaction, so here 20 bookings (about 65 steps) and 5 kills.
    c = stack.container
    org, event, bookings = sold(c, 20)
    rng = random.Random(seed)
    kill_at = {n: rng.choice(("before", "after")) for n in rng.sample(range(1, 62), 5)}
    calls, log = [0], []
    for obj, name in ((c.inventory, "bookings_of_event"), (c.inventory, "cancel_booking"),
                      (c.payments, "refund"), (c.inventory, "record_refund"),
                      (c.catalog_store, "advance_cancellation")):
        real = getattr(obj, name)

        def wrapped(*args, _real=real, _name=name, **kwargs):
            calls[0] += 1
            when = kill_at.get(calls[0])
            if when == "before":
                log.append((calls[0], _name, when))
                raise Killed(_name)
            result = _real(*args, **kwargs)
            if when == "after":
                log.append((calls[0], _name, when))
                raise Killed(_name)
            return result
        monkeypatch.setattr(obj, name, wrapped)
    c.catalog_store.cancel(event.cancelled(), Cancellation.begin(event.event_id, event.tenant_id,
                                                                 clock.now()))
    runs, kills = run_to_the_end(c, clock, event.event_id)
    final = c.catalog_store.cancellation(event.event_id)
    counts = [c.payments.refund_count(b.booking_id) for b in bookings]
    with capsys.disabled():
        print(f"\n[moto kill test, seed {seed}] kill points: {log}; runs={runs} kills={kills} "
              f"progress=({final.bookings_total}, {final.refunded}, {final.failed}, "
              f"{final.status}) refunds: total={sum(counts)} max={max(counts)}")
    assert kills == len(kill_at)
    assert (final.bookings_total, final.refunded, final.failed, final.status) == (20, 20, 0, "done")
    assert counts == [1] * 20
    assert {c.inventory.booking(b.booking_id).status for b in bookings} == {"cancelled"}


def test_two_jobs_at_once_on_dynamodb_refund_each_booking_once_and_the_outbox_says_so(stack, clock):
    c = stack.container
    org, event, bookings = sold(c, 12)
    c.catalog_store.cancel(event.cancelled(), Cancellation.begin(event.event_id, event.tenant_id,
                                                                 clock.now()))
    barrier = threading.Barrier(2)
    errors = []

    def run():
        barrier.wait()
        try:
            for _ in range(3):
                c.cancellations.step(event.event_id)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    clock.advance(SETTLE_SECONDS)
    run_to_the_end(c, clock, event.event_id)
    assert [c.payments.refund_count(b.booking_id) for b in bookings] == [1] * 12
    stack.deliver()
    published = [e for e in stack.bus.published
                 if e["detail"]["ids"].get("event") == event.event_id]
    cancelled = [e["detail"]["ids"]["booking_id"] for e in published
                 if e["detail_type"] == "BookingCancelled"]
    assert sorted(cancelled) == sorted(b.booking_id for b in bookings)
    assert [e["detail_type"] for e in published].count("EventCancelled") == 1
