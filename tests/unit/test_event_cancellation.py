"""Cancelling an event, on the fakes: off sale at once, and a job that cancels and refunds
every confirmed booking exactly once, however often it is killed or run twice at once."""
import random
import threading
import time

import pytest

from chalicelib.adapters.payment_test_methods import authorization_id_for
from chalicelib.domain import errors
from chalicelib.domain.cancellations import SETTLE_SECONDS, Cancellation
from chalicelib.domain.catalog import Row, Section
from chalicelib.domain.search import parse_search
from chalicelib.jobs.sweeper import finish_bookings
from chalicelib.services.ids import derived_id

BIG = tuple(Section(name, tuple(Row(str(r), 50) for r in range(1, 11))) for name in ("A", "B"))


class Killed(BaseException):
    """The job's Lambda died here: nothing in the code gets to handle it."""


def sold(world, count, **event):
    """An event with `count` confirmed, captured one-seat bookings by as many customers."""
    org = world.organizer()
    show = world.event(org, world.venue(org, sections=BIG), **event)
    seats = [f"{s}-{r}-{n}" for s in "AB" for r in range(1, 11) for n in range(1, 51)]
    receipts = []
    for seat in seats[:count]:
        customer = world.customer(email=f"{seat.lower()}@example.com")
        receipts.append(world.book(customer, world.hold(customer, show.event_id, [seat]).hold_id))
    return org, show, [r.booking for r in receipts]


def finish(world, event_id, max_rounds=500):
    """Runs the job as the sweeper would, letting the clock pass while it waits."""
    for _ in range(max_rounds):
        outcome = world.cancellations.run(event_id, time.monotonic() + 60)
        if outcome == "done":
            return world.catalog_store.cancellation(event_id)
        if outcome == "waiting":
            world.clock.advance(SETTLE_SECONDS)
        if outcome == "settling":
            world.clock.advance(120)
            finish_bookings(world.inventory, world.bookings, world.clock, 60)
    raise AssertionError("the cancellation never finished")


def refunded_once_each(world, bookings):
    return {world.payments.refund_count(b.booking_id) for b in bookings} == {1} and all(
        world.inventory.booking(b.booking_id).status == "cancelled" for b in bookings)


def test_a_cancelled_event_leaves_search_and_sale_in_the_same_request(world):
    org, show, _ = sold(world, 2, category="opera")
    done = world.lifecycle.cancel(org, show.event_id, "req-cancel")
    assert done.event.status == "cancelled" and done.refunds.status == "running"
    with pytest.raises(errors.EventCancelled):
        world.hold(world.customer(), show.event_id, ["A-5-5"])
    assert world.search.find(parse_search({"category": "opera"}), None).items == []


def test_the_request_refunds_a_first_page_and_the_job_finishes_after_the_index_settles(world):
    org, show, bookings = sold(world, 30)
    first = world.lifecycle.cancel(org, show.event_id).refunds
    assert (first.bookings_total, first.refunded) == (25, 25)  # one bounded page
    assert world.cancellations.run(show.event_id, time.monotonic() + 60) == "waiting"
    world.clock.advance(SETTLE_SECONDS)
    final = finish(world, show.event_id)
    assert (final.bookings_total, final.refunded, final.failed, final.status) == (30, 30, 0, "done")
    assert refunded_once_each(world, bookings)
    assert all(world.payments.captured_total(b.booking_id) == 0 for b in bookings)
    assert world.lifecycle.cancel(org, show.event_id).refunds == final  # again: the state


def test_bookings_the_customer_cancelled_before_are_left_alone_and_used_tickets_count_as_failed(world):
    org, show, bookings = sold(world, 4)
    mine = bookings[0]
    world.bookings.cancel(world.customer(mine.user_id), mine.booking_id)
    scanned = bookings[1]
    code = world.bookings.receipt(scanned).codes[scanned.tickets[0].ticket_id]
    world.checkins.check_in(org, show.event_id, code)
    world.lifecycle.cancel(org, show.event_id)
    final = finish(world, show.event_id)
    assert (final.bookings_total, final.refunded, final.failed) == (2, 2, 1)
    assert world.inventory.booking(scanned.booking_id).status == "confirmed"
    assert world.inventory.booking(mine.booking_id).refund.reason == "customer"
    assert world.payments.refund_count(mine.booking_id) == 1


def test_a_draft_or_an_unsold_event_is_cancelled_with_nothing_to_refund(world):
    org = world.organizer()
    draft = world.event(org, world.venue(org), publish=False)
    world.lifecycle.cancel(org, draft.event_id)
    final = finish(world, draft.event_id)
    assert (final.bookings_total, final.status) == (0, "done")


def test_a_hold_placed_before_the_cancellation_cannot_be_paid_after_it(world):
    org, show, _ = sold(world, 1)
    customer = world.customer()
    hold = world.hold(customer, show.event_id, ["B-1-1"])
    world.lifecycle.cancel(org, show.event_id)
    with pytest.raises(errors.EventCancelled):
        world.book(customer, hold.hold_id, key="pay-1")
    attempt = derived_id("bkg", customer.sub, "pay-1")
    assert world.payments.state(authorization_id_for(attempt)) == "voided"
    assert world.inventory.booking(attempt) is None
    assert world.inventory.hold(hold.hold_id).claim is None


def test_a_payment_confirmed_after_the_cancellation_fails_without_a_charge(world):
    org, show, _ = sold(world, 1)
    customer = world.customer()
    hold = world.hold(customer, show.event_id, ["B-1-2"])
    pending = world.book(customer, hold.hold_id, pm="pm_card_threeDSecure2Required").booking
    world.lifecycle.cancel(org, show.event_id)
    world.payments.complete_action(pending.authorization_id)
    assert world.bookings.finalize(pending.booking_id) == "failed"
    booking = world.inventory.booking(pending.booking_id)
    assert booking.failure.code == "EVENT_CANCELLED"
    assert world.payments.state(pending.authorization_id) == "voided"


def test_refunds_the_provider_failed_are_finished_by_the_finalizer_and_then_counted(world, monkeypatch):
    org, show, bookings = sold(world, 3)
    real = world.payments.refund
    monkeypatch.setattr(world.payments, "refund", lambda *a, **k: (_ for _ in ()).throw(
        errors.PaymentProviderError()))
    world.lifecycle.cancel(org, show.event_id)
    world.clock.advance(SETTLE_SECONDS)
    assert world.cancellations.run(show.event_id, time.monotonic() + 60) == "settling"
    monkeypatch.setattr(world.payments, "refund", real)
    final = finish(world, show.event_id)
    assert (final.bookings_total, final.refunded, final.status) == (3, 3, "done")
    assert refunded_once_each(world, bookings)


def test_two_jobs_at_once_refund_every_booking_exactly_once(world):
    org, show, bookings = sold(world, 120)
    world.catalog_store.cancel(show.cancelled(), Cancellation.begin(
        show.event_id, show.tenant_id, world.clock.now()))  # no first page from a request
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        for _ in range(40):
            world.cancellations.step(show.event_id)
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    world.clock.advance(SETTLE_SECONDS)
    final = finish(world, show.event_id)
    assert (final.bookings_total, final.refunded) == (120, 120)
    assert refunded_once_each(world, bookings)


def install_killer(monkeypatch, world, kill_at: dict, log: list):
    """Wraps every step the job takes. kill_at maps a call, counted overall (an int) or per
    step (a (step, n) pair), to dying 'before' or 'after' its work."""
    calls = {"all": 0}
    steps = [(world.inventory, "bookings_of_event"), (world.inventory, "cancel_booking"),
             (world.payments, "refund"), (world.inventory, "record_refund"),
             (world.catalog_store, "advance_cancellation")]
    for obj, name in steps:
        real = getattr(obj, name)

        def wrapped(*args, _real=real, _name=name, **kwargs):
            calls["all"] += 1
            calls[_name] = calls.get(_name, 0) + 1
            when = kill_at.get(calls["all"]) or kill_at.get((_name, calls[_name]))
            if when == "before":
                log.append((calls["all"], _name, "before"))
                raise Killed(_name)
            result = _real(*args, **kwargs)
            if when == "after":
                log.append((calls["all"], _name, "after"))
                raise Killed(_name)
            return result
        monkeypatch.setattr(obj, name, wrapped)


def random_kills(seed: int) -> dict:
    """About 1,550 wrapped calls make the whole job: kill it at 8 of them, spread over it."""
    rng = random.Random(seed)
    return {n: rng.choice(("before", "after")) for n in sorted(rng.sample(range(1, 1500), 8))}


AROUND_THE_POSITION = {("advance_cancellation", 2): "after", ("advance_cancellation", 5): "before",
                       ("bookings_of_event", 9): "before", ("cancel_booking", 300): "after",
                       ("record_refund", 301): "before", ("advance_cancellation", 21): "after"}


@pytest.mark.parametrize("plan", ["seed 16", "seed 17", "seed 18", "around the position"])
def test_500_bookings_are_refunded_exactly_once_however_often_the_job_is_killed(
        world, monkeypatch, capsys, plan):
    org, show, bookings = sold(world, 500)
    kill_at = AROUND_THE_POSITION if plan == "around the position" else random_kills(int(plan[5:]))
    log: list = []
    install_killer(monkeypatch, world, kill_at, log)
    runs, kills = 0, 0
    try:
        world.lifecycle.cancel(org, show.event_id)
    except Killed:
        kills += 1
    for _ in range(2000):
        runs += 1
        try:
            outcome = world.cancellations.run(show.event_id, time.monotonic() + 60)
        except Killed:
            kills += 1
            continue
        if outcome == "done":
            break
        if outcome == "waiting":
            world.clock.advance(SETTLE_SECONDS)
    final = world.catalog_store.cancellation(show.event_id)
    counts = [world.payments.refund_count(b.booking_id) for b in bookings]
    with capsys.disabled():
        print(f"\n[kill test, {plan}] kill points (call#, step, when): {log}")
        print(f"[kill test, {plan}] runs={runs} kills={kills} progress=({final.bookings_total}, "
              f"{final.refunded}, {final.failed}, {final.status}) refunds per booking: "
              f"min={min(counts)} max={max(counts)} total={sum(counts)}")
    assert kills == len(kill_at) == len(log)
    assert final.status == "done" and (final.bookings_total, final.refunded, final.failed) == (500, 500, 0)
    assert counts == [1] * 500 and refunded_once_each(world, bookings)
