"""The live seat map on fakes: subscriptions, coalescing windows on a fake wall clock, seats
read as they are, one message per subscription per window, gone connections dropped."""
import pytest

from chalicelib.domain import errors
from chalicelib.domain import events as ev
from chalicelib.domain.holds import HeldSeat
from chalicelib.domain.live import MAX_CHANGES_PER_MESSAGE, FanOutJob, SeatChange, Window
from chalicelib.domain.money import Money

_ids = iter(range(10 ** 6))


def seats_changed(kind, event, seat_ids, **extra):
    """The domain event the outbox would derive for these seats (only ids and show matter)."""
    tier = event.price_tiers[0]
    held = tuple(HeldSeat(s, s.split("-")[0], s.split("-")[1], int(s.split("-")[2]),
                          tier.tier_id, tier.price) for s in seat_ids)
    return kind(event_id=f"de-{next(_ids)}", tenant_id=event.tenant_id, occurred_at="t",
                show_id=event.event_id, user_id="u", hold_id="h", seats=held,
                total=Money(0, "EUR"), **extra)


def happen(world, domain_event):
    """What the seat-change consumer does with one delivered event."""
    return world.live.handle(domain_event)


def seat_frames(world, connection_id):
    return world.pusher.frames(connection_id, "seats")


def changes_of(frame):
    return {c["seat_id"]: c["status"] for c in frame["changes"]}


def test_a_subscriber_gets_the_seats_of_a_hold_as_held(world):
    customer = world.customer()
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    hold = world.hold(customer, event.event_id, ["A-1-1", "A-1-2"])
    happen(world, seats_changed(ev.HoldPlaced, event, [s.seat_id for s in hold.seats]))
    [frame] = seat_frames(world, "c1")
    assert frame["event_id"] == event.event_id
    assert changes_of(frame) == {"A-1-1": "held", "A-1-2": "held"}


def test_statuses_are_read_as_they_are_so_late_or_reordered_events_cannot_mislead(world):
    customer = world.customer()
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    hold = world.hold(customer, event.event_id, ["A-1-1"])
    world.book(customer, hold.hold_id)
    # The booking's event arrives before the hold's, in another window.
    happen(world, seats_changed(ev.BookingConfirmed, event, ["A-1-1"], booking_id="b"))
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    assert [changes_of(f) for f in seat_frames(world, "c1")] == [{"A-1-1": "sold"}] * 2


def test_releases_cancellations_and_expiries_read_available(world):
    customer = world.customer()
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    released = world.hold(customer, event.event_id, ["A-1-1"])
    world.holds.release(customer, released.hold_id)
    booked = world.hold(customer, event.event_id, ["A-1-2"])
    receipt = world.book(customer, booked.hold_id)
    world.bookings.cancel(customer, receipt.booking.booking_id)
    expiring = world.hold(customer, event.event_id, ["A-1-3"], seconds=5)
    world.clock.advance(6)
    happen(world, seats_changed(ev.HoldReleased, event, ["A-1-1"]))
    happen(world, seats_changed(ev.BookingCancelled, event, ["A-1-2"], booking_id="b"))
    happen(world, seats_changed(ev.HoldExpired, event, [expiring.seats[0].seat_id]))
    seen = {}
    for frame in seat_frames(world, "c1"):
        seen.update(changes_of(frame))
    assert seen == {"A-1-1": "available", "A-1-2": "available", "A-1-3": "available"}


def test_changes_within_one_window_reach_a_subscriber_as_one_message(world):
    customer = world.customer()
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    elected = []
    for seat in ("A-1-1", "A-1-2", "B-1-1"):
        world.hold(customer, event.event_id, [seat])
        elected.append(world.live.record(seats_changed(ev.HoldPlaced, event, [seat])))
    assert [w is not None for w in elected] == [True, False, False]
    world.live.flush_when_due(elected[0])
    [frame] = seat_frames(world, "c1")
    assert changes_of(frame) == {"A-1-1": "held", "A-1-2": "held", "B-1-1": "held"}


def test_a_subscription_gets_at_most_one_message_a_second(world):
    customer = world.customer()
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    sent_at = []
    for n in range(1, 8):
        world.pace.advance(0.3)
        world.hold(customer, event.event_id, [f"A-1-{n}"])
        before = len(seat_frames(world, "c1"))
        happen(world, seats_changed(ev.HoldPlaced, event, [f"A-1-{n}"]))
        if len(seat_frames(world, "c1")) > before:
            sent_at.append(world.pace.time())
    assert len(sent_at) >= 2
    assert all(later - earlier >= 1.0 for earlier, later in zip(sent_at, sent_at[1:]))


def test_a_change_after_its_window_was_flushed_goes_out_in_the_next_window(world):
    customer = world.customer()
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    world.hold(customer, event.event_id, ["A-1-1"])
    first = world.live.record(seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    world.live.flush(first)  # the flusher closed the window before the late change landed
    world.hold(customer, event.event_id, ["A-1-2"])
    late = world.live.record(seats_changed(ev.HoldPlaced, event, ["A-1-2"]))
    assert late.number == first.number + 1
    world.live.flush_when_due(late)
    assert [changes_of(f) for f in seat_frames(world, "c1")] == [{"A-1-1": "held"},
                                                                  {"A-1-2": "held"}]


def test_a_section_subscriber_gets_only_its_section_and_other_events_get_nothing(world):
    customer = world.customer()
    _, _, event = world.on_sale()
    _, _, other = world.on_sale()
    for cid, event_id, section in (("whole", event.event_id, None), ("a", event.event_id, "A"),
                                   ("b", event.event_id, "B"), ("other", other.event_id, None)):
        world.live.connect(cid)
        world.live.subscribe(cid, event_id, section)
    world.hold(customer, event.event_id, ["A-1-1", "A-1-2"])
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1", "A-1-2"]))
    assert changes_of(seat_frames(world, "whole")[0]) == {"A-1-1": "held", "A-1-2": "held"}
    assert changes_of(seat_frames(world, "a")[0]) == {"A-1-1": "held", "A-1-2": "held"}
    assert seat_frames(world, "b") == [] and seat_frames(world, "other") == []


def test_every_shard_is_fanned_out_and_each_subscriber_is_in_exactly_one(world):
    _, _, event = world.on_sale()
    ids = [f"conn-{n}" for n in range(40)]
    for cid in ids:
        world.live.connect(cid)
        world.live.subscribe(cid, event.event_id, None)
    world.hold(world.customer(), event.event_id, ["A-1-1"])
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    assert sorted(job.shard for job in world.fan_out.jobs) == list(range(world.live_store.shards))
    assert sorted(cid for cid, f in world.pusher.sent if f["type"] == "seats") == sorted(ids)


def test_a_connection_holds_at_most_ten_subscriptions_and_resubscribing_is_not_another(world):
    org = world.organizer()
    venue = world.venue(org)
    events = [world.event(org, venue) for _ in range(11)]
    world.live.connect("c1")
    for e in events[:10]:
        world.live.subscribe("c1", e.event_id, None)
    world.live.subscribe("c1", events[0].event_id, "A")  # a new section, the same event
    with pytest.raises(errors.SubscriptionLimitExceeded):
        world.live.subscribe("c1", events[10].event_id, None)
    world.live.unsubscribe("c1", events[1].event_id)
    world.live.subscribe("c1", events[10].event_id, None)
    subscriptions = world.live_store.subscriptions("c1")
    assert len(subscriptions) == 10 and subscriptions[events[0].event_id] == "A"


def test_an_unknown_event_or_section_is_refused_as_the_seat_list_refuses_it(world):
    org, _, event = world.on_sale()
    draft = world.event(org, world.venue(org), publish=False)
    world.live.connect("c1")
    with pytest.raises(errors.NotFound):
        world.live.subscribe("c1", "evt-missing", None)
    with pytest.raises(errors.NotFound):
        world.live.subscribe("c1", draft.event_id, None)
    with pytest.raises(errors.ValidationFailed):
        world.live.subscribe("c1", event.event_id, "Z")
    assert world.live_store.subscriptions("c1") == {}


def test_subscribing_returns_the_seat_map_as_it_is(world):
    _, _, event = world.on_sale()
    world.hold(world.customer(), event.event_id, ["A-1-1"])
    world.live.connect("c1")
    seat_map = world.live.subscribe("c1", event.event_id, "A")
    assert {v.seat.seat_id: str(v.status) for v in seat_map.seats}["A-1-1"] == "held"
    assert {v.seat.section for v in seat_map.seats} == {"A"}


def test_a_connection_that_is_gone_is_dropped_with_its_subscriptions(world):
    _, _, event = world.on_sale()
    for cid in ("stays", "gone"):
        world.live.connect(cid)
        world.live.subscribe(cid, event.event_id, None)
    world.pusher.gone.add("gone")
    world.hold(world.customer(), event.event_id, ["A-1-1"])
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    assert world.live_store.subscriptions("gone") == {}
    assert world.live_store.subscriptions("stays") == {event.event_id: None}
    subscribed = [s.connection_id for shard in range(world.live_store.shards)
                  for s in world.live_store.subscribers(event.event_id, {"A"}, shard)]
    assert subscribed == ["stays"]


def test_a_reply_to_a_gone_connection_drops_it(world):
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    world.pusher.gone.add("c1")
    world.live.reply("c1", {"type": "pong"})
    assert world.live_store.subscriptions("c1") == {}


def test_a_huge_window_is_split_into_messages_under_the_frame_limit(world):
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    changes = tuple(SeatChange(f"A-{r}-{n}", "held") for r in range(1, 30) for n in range(1, 101))
    jobs = [FanOutJob(event.event_id, shard, "2026-11-01T12:00:00Z", part)
            for part in (changes[:MAX_CHANGES_PER_MESSAGE], changes[MAX_CHANGES_PER_MESSAGE:])
            for shard in range(world.live_store.shards)]
    for job in jobs:
        world.live.deliver(job)
    frames = seat_frames(world, "c1")
    assert [len(f["changes"]) for f in frames] == [MAX_CHANGES_PER_MESSAGE,
                                                   len(changes) - MAX_CHANGES_PER_MESSAGE]


def test_a_fan_out_job_survives_the_trip_through_eventbridge():
    job = FanOutJob("evt-1", 3, "2026-11-01T12:00:00Z",
                    (SeatChange("A-1-1", "held"), SeatChange("B-2-3", "sold")))
    assert FanOutJob.from_detail(job.to_detail()) == job
    assert job.sections() == {"A", "B"}


def test_an_event_without_seats_records_nothing(world):
    _, _, event = world.on_sale()
    assert world.live.record(seats_changed(ev.HoldPlaced, event, [])) is None


def test_changes_of_an_event_no_one_watches_cost_no_window_and_no_fan_out(world):
    _, _, watched = world.on_sale()
    _, _, unwatched = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", watched.event_id, None)
    world.hold(world.customer(), unwatched.event_id, ["A-1-1"])
    assert happen(world, seats_changed(ev.HoldPlaced, unwatched, ["A-1-1"])) == []
    assert world.fan_out.jobs == [] and world.pace.slept == []


def test_other_domain_events_are_ignored(world):
    _, venue, event = world.on_sale()
    assert happen(world, ev.EventPublished("p", event.tenant_id, "t", event.event_id,
                                           venue.venue_id)) == []
    assert happen(world, None) == []


def test_a_watched_event_is_remembered_but_an_unwatched_one_is_asked_again(world):
    _, _, event = world.on_sale()
    asked = []
    real = world.live_store.watched
    world.live_store.watched = lambda event_id, now: asked.append(event_id) or real(event_id, now)
    world.hold(world.customer(), event.event_id, ["A-1-1"])
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)  # a subscriber arrives: seen at once
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    assert len(asked) == 2 and len(seat_frames(world, "c1")) == 2


def test_each_message_says_when_its_seats_were_read_to_the_millisecond(world):
    customer = world.customer()
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    for seat in ("A-1-1", "A-1-2"):
        world.clock.advance(0.25)
        world.hold(customer, event.event_id, [seat])
        happen(world, seats_changed(ev.HoldPlaced, event, [seat]))
    first, second = (f["at"] for f in seat_frames(world, "c1"))
    assert first.endswith(".250Z") and second.endswith(".500Z") and first < second


def test_the_first_change_after_a_quiet_second_goes_out_at_once(world):
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    world.hold(world.customer(), event.event_id, ["A-1-1"])
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    assert world.pace.slept == [] and len(seat_frames(world, "c1")) == 1


def test_a_busy_event_waits_for_the_end_of_each_window(world):
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    for seat in ("A-1-1", "A-1-2"):
        world.hold(world.customer(), event.event_id, [seat])
        happen(world, seats_changed(ev.HoldPlaced, event, [seat]))
    [waited] = world.pace.slept
    assert 0 < waited <= 2.0 and len(seat_frames(world, "c1")) == 2


def test_after_a_change_that_went_out_at_once_the_next_waits_one_second_not_two(world):
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    world.pace.now = 1_800_000_000.3  # 0.3 s into a window
    world.hold(world.customer(), event.event_id, ["A-1-1"])
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    world.pace.advance(0.2)
    world.hold(world.customer(), event.event_id, ["A-1-2"])
    happen(world, seats_changed(ev.HoldPlaced, event, ["A-1-2"]))
    assert world.pace.slept == [pytest.approx(0.8)]
    assert len(seat_frames(world, "c1")) == 2


def test_a_window_goes_out_a_second_after_a_late_flush_of_the_one_before(world):
    _, _, event = world.on_sale()
    world.live.connect("c1")
    world.live.subscribe("c1", event.event_id, None)
    world.pace.now = 1_800_000_000.5
    world.hold(world.customer(), event.event_id, ["A-1-1"])
    window = world.live.record(seats_changed(ev.HoldPlaced, event, ["A-1-1"]))
    before = Window(event.event_id, window.number - 1)
    world.live_store.add_changes(before, ["B-1-1"], "another event", 0)  # not flushed yet
    flushed_at = []
    sleep = world.pace.sleep

    def the_window_before_is_flushed_late_meanwhile(seconds):
        sleep(seconds)
        if not flushed_at:
            world.pace.advance(0.7)
            flushed_at.append(world.pace.time())
            world.live.flush(before)
    world.pace.sleep = the_window_before_is_flushed_late_meanwhile
    world.live.flush_when_due(window)
    assert world.pace.slept == [pytest.approx(0.5), pytest.approx(1.0)]  # its end, then +1 s
    assert world.pace.time() == pytest.approx(flushed_at[0] + 1.0)
    assert [changes_of(f) for f in seat_frames(world, "c1")] == [{"B-1-1": "available"},
                                                                  {"A-1-1": "held"}]
