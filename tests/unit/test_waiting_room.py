"""The waiting room on the in-memory fakes: join order, one entry per user, admission tokens
bound to user, event and time, the admission rate, honest positions and waits."""
import dataclasses

import pytest

from chalicelib.domain import errors
from chalicelib.domain.queue import AdmissionClaims
from chalicelib.services.commands import ConfigureQueue
from chalicelib.services.ports import LineChanged

PASS = 5  # seconds between admission passes (the local schedule)


def queued_event(world, per_minute=60, seconds=900, enabled=True):
    org, _, event = world.on_sale()
    world.waiting_room.configure(org, event.event_id, ConfigureQueue(enabled, per_minute, seconds))
    return org, event


def join(world, event_id, customer=None):
    customer = customer or world.customer()
    standing, _ = world.waiting_room.join(customer, event_id)
    return customer, standing


def run_passes(world, count):
    for _ in range(count):
        world.clock.advance(PASS)
        world.waiting_room.advance_all()


def me(world, customer, event_id):
    return world.waiting_room.mine(customer, event_id)


def test_entries_are_admitted_in_the_order_they_joined(world):
    _, event = queued_event(world, per_minute=12)  # one admission a pass
    customers = []
    for _ in range(5):
        customers.append(join(world, event.event_id)[0])
        world.clock.advance(0.01)
    admitted_order = []
    for _ in range(6):
        run_passes(world, 1)
        for c in customers:
            if c not in admitted_order and me(world, c, event.event_id).status == "admitted":
                admitted_order.append(c)
    assert admitted_order == customers


def test_joining_again_returns_the_callers_one_entry(world):
    _, event = queued_event(world)
    customer, first = join(world, event.event_id)
    again, created = world.waiting_room.join(customer, event.event_id)
    assert not created and again.entry.queue_id == first.entry.queue_id
    assert again.entry.ticket == first.entry.ticket
    run_passes(world, 1)
    assert world.room_store.line(event.event_id).ranked == 1


def test_a_hold_without_an_admission_token_is_refused_while_the_queue_is_enabled(world):
    _, event = queued_event(world)
    with pytest.raises(errors.QueueAdmissionRequired) as refused:
        world.hold(world.customer(), event.event_id, ["A-1-1"])
    assert refused.value.details == {"queue_url": f"/events/{event.event_id}/queue"}


def test_a_waiting_entry_has_no_token_and_an_admitted_one_holds_with_it(world):
    _, event = queued_event(world)
    customer, standing = join(world, event.event_id)
    assert standing.status == "waiting" and standing.entry.admission_token is None
    run_passes(world, 1)
    admitted = me(world, customer, event.event_id)
    assert admitted.status == "admitted" and admitted.position is None
    hold = world.hold(customer, event.event_id, ["A-1-1"], token=admitted.entry.admission_token)
    assert hold.status == "active"


def test_a_token_of_another_user_or_another_event_is_refused(world):
    _, event = queued_event(world)
    _, other_event = queued_event(world)
    owner, _ = join(world, event.event_id)
    run_passes(world, 1)
    token = me(world, owner, event.event_id).entry.admission_token
    with pytest.raises(errors.QueueAdmissionRequired):
        world.hold(world.customer(), event.event_id, ["A-1-1"], token=token)
    with pytest.raises(errors.QueueAdmissionRequired):
        world.hold(owner, other_event.event_id, ["A-1-1"], token=token)


def test_an_expired_admission_is_refused(world):
    _, event = queued_event(world, seconds=60)
    customer, _ = join(world, event.event_id)
    run_passes(world, 1)
    token = me(world, customer, event.event_id).entry.admission_token
    world.clock.advance(61)
    assert me(world, customer, event.event_id).status == "expired"
    with pytest.raises(errors.QueueAdmissionRequired):
        world.hold(customer, event.event_id, ["A-1-1"], token=token)


def test_a_forged_or_altered_token_is_refused(world):
    _, event = queued_event(world)
    customer, _ = join(world, event.event_id)
    run_passes(world, 1)
    token = me(world, customer, event.event_id).entry.admission_token
    body, mac = token.split(".")
    for forged in ("garbage", body + "." + mac[::-1], "x" * 5000, token + "."):
        with pytest.raises(errors.QueueAdmissionRequired):
            world.hold(customer, event.event_id, ["A-1-1"], token=forged)


def test_a_token_signed_with_another_key_is_refused(world):
    from chalicelib.adapters.keys import KeyRing
    from chalicelib.adapters.tokens import HmacAdmissionSigner
    _, event = queued_event(world)
    customer = world.customer()
    stranger = HmacAdmissionSigner(KeyRing.generate()).sign(
        AdmissionClaims("que-x", event.event_id, customer.sub, 2 ** 40))
    with pytest.raises(errors.QueueAdmissionRequired):
        world.hold(customer, event.event_id, ["A-1-1"], token=stranger)


def test_with_the_queue_disabled_no_token_is_needed(world):
    org, event = queued_event(world)
    world.waiting_room.configure(org, event.event_id, ConfigureQueue(False, 60, 900))
    assert world.hold(world.customer(), event.event_id, ["A-1-1"]).status == "active"
    _, _, plain = world.on_sale()
    assert world.hold(world.customer(), plain.event_id, ["A-1-1"]).status == "active"


def test_the_admission_rate_is_held_pass_after_pass(world):
    _, event = queued_event(world, per_minute=120)  # ten a pass
    for _ in range(100):
        join(world, event.event_id)
    admitted = []
    for _ in range(6):
        run_passes(world, 1)
        admitted.append(world.room_store.line(event.event_id).admitted)
    assert admitted == [10, 20, 30, 40, 50, 60]


def test_an_idle_line_banks_no_burst_of_admissions(world):
    _, event = queued_event(world, per_minute=60)
    world.clock.advance(3600)  # an hour with nobody waiting
    world.waiting_room.advance_all()
    for _ in range(200):
        join(world, event.event_id)
    run_passes(world, 1)
    assert world.room_store.line(event.event_id).admitted <= 60 * 15 // 60 + 1


def test_positions_count_the_waiting_ahead_and_the_wait_follows_the_rate(world):
    _, event = queued_event(world, per_minute=60)  # five a pass
    customers = [join(world, event.event_id)[0] for _ in range(20)]
    run_passes(world, 1)  # ranks all 20, admits the first 5
    last = me(world, customers[-1], event.event_id)
    assert last.position == 15
    assert last.wait_seconds == 15  # three more passes of five
    assert [me(world, c, event.event_id).position for c in customers[5:8]] == [1, 2, 3]
    run_passes(world, 1)
    assert me(world, customers[-1], event.event_id).position == 10


def test_two_passes_at_once_admit_each_entry_once(world):
    _, event = queued_event(world, per_minute=60)
    for _ in range(10):
        join(world, event.event_id)
    run_passes(world, 1)
    line = world.room_store.line(event.event_id)
    stale = dataclasses.replace(line)
    world.clock.advance(PASS)
    world.waiting_room.advance(event.event_id)
    with pytest.raises(LineChanged):
        world.room_store.admit(stale, world.room_store.next_waiting(stale, 5), 0.0, 99)
    assert world.room_store.line(event.event_id).admitted == 10


def test_joining_an_event_without_a_waiting_room_is_a_conflict(world):
    _, _, event = world.on_sale()
    with pytest.raises(errors.Conflict):
        world.waiting_room.join(world.customer(), event.event_id)


def test_another_tenants_organizer_cannot_set_the_waiting_room(world):
    _, _, event = world.on_sale()
    with pytest.raises(errors.NotFound):
        world.waiting_room.configure(world.organizer(), event.event_id,
                                     ConfigureQueue(True, 60, 900))


def test_settings_out_of_range_are_refused(world):
    org, _, event = world.on_sale()
    with pytest.raises(errors.ValidationFailed) as bad:
        world.waiting_room.configure(org, event.event_id, ConfigureQueue(True, 0, 30))
    assert set(bad.value.details["fields"]) == {"admit_per_minute", "admission_seconds"}


def test_the_line_spreads_joiners_over_its_shards(world):
    _, event = queued_event(world)
    shards = {join(world, event.event_id)[1].entry.shard for _ in range(40)}
    assert len(shards) == 4  # build_world's queue_shards: no one index key takes every join
