"""Export and erasure on the fakes: what a customer gets back, what an erasure moves to the
pseudonym, what blocks it, and that the job is idempotent and resumable."""
import logging

import pytest

from chalicelib import log_privacy
from chalicelib.domain import errors
from chalicelib.domain.bookings import BookingStatus
from chalicelib.domain.privacy import STRAGGLER_SECONDS, ErasureStatus


def customer_with_history(world):
    org, _, show = world.on_sale()
    fan = world.customer(email="fan@example.com")
    world.holds.release(fan, world.hold(fan, show.event_id, ["A-1-1"]).hold_id)
    booked = world.book(fan, world.hold(fan, show.event_id, ["A-1-2", "A-1-3"]).hold_id).booking
    retried = world.hold(fan, show.event_id, ["B-1-1"])
    with pytest.raises(errors.PaymentDeclined):
        world.book(fan, retried.hold_id, "pm_card_chargeDeclined")
    return org, show, fan, booked


def test_the_export_lists_holds_bookings_and_failed_attempts(world):
    _, _, fan, booked = customer_with_history(world)
    export = world.privacy.export(fan)
    assert {str(h.status) for h in export.holds} == {"released", "booked", "active"}
    statuses = sorted(str(r.booking.status) for r in export.bookings)
    assert statuses == ["confirmed", "failed"]
    assert all(r.booking.customer_email == "fan@example.com" for r in export.bookings)
    assert export.check_ins == []


def test_an_upcoming_booking_blocks_the_erasure_and_names_itself(world):
    _, _, fan, booked = customer_with_history(world)
    with pytest.raises(errors.ErasureBlocked) as blocked:
        world.privacy.erase(fan, cancel_upcoming=False)
    assert blocked.value.details == {"booking_ids": [booked.booking_id]}
    assert world.personal_data.erasures_running(10) == []


def test_cancel_upcoming_refunds_the_booking_before_erasing(world):
    _, _, fan, booked = customer_with_history(world)
    erasure = world.privacy.erase(fan, cancel_upcoming=True)
    kept = world.inventory.booking(booked.booking_id)
    assert kept.status == BookingStatus.CANCELLED and kept.user_id == erasure.pseudonym
    assert world.payments.refund_count(booked.booking_id) == 1


def test_an_erasure_moves_everything_to_the_pseudonym_and_ends_the_token(world):
    _, show, fan, _ = customer_with_history(world)
    erasure = world.privacy.erase(fan, cancel_upcoming=True)
    assert world.personal_data.hold_ids_of(fan.sub, 100) == []
    assert world.personal_data.booking_ids_of(fan.sub, 100) == []
    assert world.inventory.ledger(show.event_id, fan.sub).booked == 0
    assert all(b.customer_email is None and b.payment_method_id == ""
               for b in world.inventory.bookings_of(erasure.pseudonym, None, None, 100).items)
    assert set(world.payments.customer_refs.values()) == {erasure.pseudonym}
    with pytest.raises(errors.Unauthorized):
        world.privacy.ensure_not_erased(fan)
    world.privacy.ensure_not_erased(world.customer())  # others are untouched


def test_the_job_finishes_only_after_stragglers_could_have_written(world):
    fan = world.customer()
    erasure = world.privacy.erase(fan, cancel_upcoming=False)
    assert world.privacy.run(erasure.marker, 5) == "running"
    world.clock.advance(STRAGGLER_SECONDS)
    assert world.privacy.run_all(5) == {"erased": 1}
    done = world.personal_data.erasure(erasure.marker)
    assert done.status == ErasureStatus.ERASED and done.user_id is None
    entry = [e for e in world.audit_log.all() if e.action == "user.erase"]
    assert [(e.tenant_id, e.actor, e.resource) for e in entry] == [
        ("boxoffice", erasure.pseudonym, f"user/{erasure.pseudonym}")]
    assert world.privacy.run_all(5) == {}  # nothing left to run: the job ran once


def test_a_hold_placed_by_a_straggler_after_the_first_pass_is_moved_by_the_next(world):
    _, show, fan, _ = customer_with_history(world)
    erasure = world.privacy.erase(fan, cancel_upcoming=True)
    late = world.hold(fan, show.event_id, ["A-2-5"])  # its request passed the token check before
    world.clock.advance(STRAGGLER_SECONDS)
    assert world.privacy.run(erasure.marker, 5) == "erased"
    assert world.inventory.hold(late.hold_id).user_id == erasure.pseudonym


def test_a_pass_that_loses_races_leaves_the_job_running_and_the_next_pass_finishes(world):
    _, _, fan, _ = customer_with_history(world)
    world.personal_data.refuse_next_moves = 2
    erasure = world.privacy.erase(fan, cancel_upcoming=True)
    world.clock.advance(STRAGGLER_SECONDS)
    assert world.personal_data.hold_ids_of(fan.sub, 100) != []
    assert world.privacy.run(erasure.marker, 5) == "erased"
    assert world.personal_data.hold_ids_of(fan.sub, 100) == []


def test_erasing_twice_keeps_the_first_request(world):
    fan = world.customer()
    first = world.privacy.erase(fan, cancel_upcoming=False)
    assert world.privacy.erase(fan, cancel_upcoming=False) == first


def test_the_sales_figures_do_not_move_when_a_past_customer_is_erased(world):
    org, show, fan, booked = customer_with_history(world)
    world.bookings.cancel(fan, booked.booking_id)
    before = world.inventory.bookings_of_event(show.event_id, None, 100).items
    world.privacy.erase(fan, cancel_upcoming=False)
    after = world.inventory.bookings_of_event(show.event_id, None, 100).items
    assert [(b.booking_id, b.status, b.total_price) for b in before] == [
        (b.booking_id, b.status, b.total_price) for b in after]


def test_log_records_never_carry_an_email_address(caplog):
    logger = logging.getLogger("boxoffice.test")
    handler = logging.StreamHandler()
    records = []
    handler.emit = records.append
    handler.addFilter(log_privacy.RedactEmails())
    logger.addHandler(handler)
    try:
        logger.warning("booking for %s", "jane.doe+x@mail.example.org",
                       extra={"who": {"email": "a@b.io"}})
        try:
            raise ValueError("bad address joe@example.com")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = " ".join(f"{r.getMessage()} {r.who if hasattr(r, 'who') else ''} {r.exc_text or ''}"
                    for r in records)
    assert "@" not in text.replace("[email]", "")
    assert "booking for [email]" in text and "ValueError: bad address [email]" in text


def test_a_process_checks_tokens_in_memory_and_sees_other_erasures_within_the_window(world):
    from chalicelib.domain.privacy import NOT_ERASED_SECONDS
    from chalicelib.services.privacy import RecentErasures
    loads, erased, now = [], {}, [0.0]

    def load(day):
        loads.append(day)
        return {m for m, d in erased.items() if d == day}
    recent = RecentErasures(load, world.clock, lambda: now[0])
    assert not recent.erased("m") and not recent.erased("other")
    assert len(loads) == 2  # yesterday and today, once for every token checked meanwhile
    erased["m"] = world.clock.now().date().isoformat()  # another process erased the user
    now[0] += NOT_ERASED_SECONDS - 0.1
    assert not recent.erased("m")
    now[0] += 0.2
    assert recent.erased("m") and len(loads) == 4
    recent.remember("mine")
    assert recent.erased("mine")  # this process's own erasure: at once


def test_the_finished_job_closes_the_account_so_token_checks_need_only_recent_erasures(world):
    from chalicelib.domain.privacy import MAX_TOKEN_SECONDS
    fan = world.customer()
    erasure = world.privacy.erase(fan, cancel_upcoming=False)
    assert world.accounts.closed == []  # the job still needs the id
    world.clock.advance(STRAGGLER_SECONDS)
    world.privacy.run(erasure.marker, 5)
    assert world.accounts.closed == [fan.sub]  # no token is issued for it again
    world.clock.advance(MAX_TOKEN_SECONDS + 24 * 3600)
    loaded = world.personal_data.erased_on(world.clock.now().date().isoformat())
    assert erasure.marker not in loaded  # every token issued before it has expired by now


def test_waiting_room_entries_are_exported_and_move_to_the_pseudonym_keeping_their_place(world):
    from chalicelib.services.commands import ConfigureQueue
    org, _, show = world.on_sale()
    world.waiting_room.configure(org, show.event_id, ConfigureQueue(True, 60, 900))
    fan, other = world.customer(email="fan@example.com"), world.customer()
    world.waiting_room.join(fan, show.event_id)
    world.waiting_room.join(other, show.event_id)
    world.clock.advance(5)
    world.waiting_room.advance_all()
    [entry] = world.privacy.export(fan).queue_entries
    assert (entry.event_id, entry.user_id) == (show.event_id, fan.sub)
    erasure = world.privacy.erase(fan, cancel_upcoming=False)
    assert world.room_store.entries_of_user(fan.sub, 10) == []
    [moved] = world.room_store.entries_of_user(erasure.pseudonym, 10)
    assert (moved.ticket, moved.rank, moved.status) == (entry.ticket, entry.rank, entry.status)
    assert entry.admission_token and moved.admission_token is None  # bound to the old id


def test_an_erasure_drops_the_customers_rate_windows(world):
    from chalicelib.services.rate_limits import HOLDS, RateLimits
    _, show, fan, _ = customer_with_history(world)
    check = RateLimits().check(HOLDS, fan.sub, world.clock.now())
    world.rates.consume(check)
    erasure = world.privacy.erase(fan, cancel_upcoming=True)
    world.clock.advance(STRAGGLER_SECONDS)
    assert world.privacy.run(erasure.marker, 5) == "erased"
    assert not [key for key in world.rates.used if fan.sub in key]
