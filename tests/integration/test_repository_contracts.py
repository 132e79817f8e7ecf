"""One contract per repository port, run against the in-memory fake and against DynamoDB (moto):
the fakes the unit tests trust must answer exactly as the real adapters do."""
import dataclasses
import datetime as dt

import pytest

from chalicelib.adapters.live_store import DynamoLiveStore
from chalicelib.adapters.transactions import TransactionRunner
from chalicelib.domain import errors
from chalicelib.domain.bookings import Booking, BookingStatus, Failure, Ticket
from chalicelib.domain.catalog import (Event, EventStatus, Layout, Location, PriceTier, Row,
                                       Section, Venue)
from chalicelib.domain.clock import epoch, to_rfc3339
from chalicelib.domain.holds import BookingClaim, HeldSeat, Hold, HoldStatus
from chalicelib.domain.live import Subscription, Window
from chalicelib.domain.money import Money
from chalicelib.domain.search import parse_search
from chalicelib.services.ports import (BookingChanged, ClaimRefused, CommitRefused, HoldIdTaken,
                                       HoldNotActive, LedgerChanged, LedgerFull, LimitCheck,
                                       LineChanged, Refusal, SaleChanged, SaleGuard,
                                       SectionCounts, TierSales, WindowClosed)
from chalicelib.adapters.audit_store import DynamoAuditLog
from fakes.catalog import InMemoryCatalog, InMemorySearchIndex
from fakes.inventory import InMemoryInventory
from fakes.live import InMemoryLiveStore
from fakes.privacy import InMemoryPersonalData
from fakes.projections import InMemoryProjections
from fakes.webhooks import InMemoryWebhookStore
from support import uid

LAYOUT = Layout((Section("A", (Row("1", 10), Row("2", 10))), Section("B", (Row("1", 10),))))
EUR = lambda n: Money(n, "EUR")  # noqa: E731


@pytest.fixture(params=["memory", "dynamo"])
def ports(request):
    if request.param == "memory":
        catalog = InMemoryCatalog()
        inventory = InMemoryInventory(catalog)
        return dict(catalog=catalog, inventory=inventory,
                    projections=InMemoryProjections(), search=InMemorySearchIndex(catalog),
                    audit=catalog.audit, webhooks=InMemoryWebhookStore(catalog.audit),
                    personal=InMemoryPersonalData(inventory, catalog.audit))
    c = request.getfixturevalue("stack").container
    return dict(catalog=c.catalog_store, inventory=c.inventory, projections=c.projection_store,
                search=c.search_index, audit=DynamoAuditLog(), webhooks=c.webhook_store,
                personal=c.privacy.store)


@pytest.fixture
def now(clock):
    return clock.now().replace(microsecond=0)


def a_venue(catalog, created="2026-01-01T00:00:00Z", tenant="t1", lat=41.15, lng=-8.61):
    venue = Venue(uid("ven"), tenant, "Hall", "1 St", "Porto", "PT", "UTC", Location(lat, lng),
                  LAYOUT.capacity, ("A", "B"), created)
    catalog.add_venue(venue, LAYOUT)
    return venue


def an_event(catalog, now, venue=None, days=10.0, published=True, **fields):
    venue = venue or a_venue(catalog)
    values = dict(event_id=uid("evt"), tenant_id=venue.tenant_id, venue_id=venue.venue_id,
                  name="Show", description="A show.", category="concert", performer=None,
                  starts_at=to_rfc3339(now + dt.timedelta(days=days)), status=EventStatus.DRAFT,
                  thumbnail_url=None, max_tickets_per_order=8,
                  price_tiers=(PriceTier("tier_1", "Main", EUR(5000), ("A", "B")),), venue=venue,
                  section_sizes={"A": 20, "B": 10}, created_at=to_rfc3339(now))
    values.update(fields)
    event = Event(**values)
    catalog.add_event(event)
    if published:
        catalog.publish(event.published(to_rfc3339(now)))
        event = catalog.event(event.event_id)
    return event


def a_hold(event, now, seats=("A-1-1", "A-1-2"), user="u1", seconds=600, hold_id=None):
    held = tuple(HeldSeat(s, s.split("-")[0], s.split("-")[1], int(s.split("-")[2]), "tier_1",
                          EUR(5000)) for s in seats)
    return Hold(hold_id or uid("hld"), user, event.event_id, event.tenant_id, HoldStatus.ACTIVE,
                epoch(now), epoch(now) + seconds, held, EUR(5000 * len(seats)), "hash",
                event_name=event.name, event_starts_at=event.starts_at)


def place(inventory, event, hold, now, cap=8):
    inventory.place_hold(hold, SaleGuard(event.event_id, event.version, epoch(now)),
                         LimitCheck(cap=cap - hold.seat_count))
    return hold


def a_booking(hold, now, status=BookingStatus.PENDING, booking_id=None):
    return Booking(booking_id or uid("bkg"), hold.user_id, hold.event_id, hold.tenant_id,
                   hold.hold_id, status, tuple(Ticket(uid("tkt"), s) for s in hold.seats),
                   hold.total_price, to_rfc3339(now), hold.event_name, hold.event_starts_at,
                   payment_method_id="pm_card_visa", request_hash="h")


def statuses(inventory, event, now):
    return {s: st.status_at(now) for s, st in inventory.seat_states(event.event_id, "A").items()}


# --- catalog -------------------------------------------------------------------------------
def test_catalog_keeps_venues_layouts_and_events_as_given(ports, now):
    catalog = ports["catalog"]
    venue = a_venue(catalog)
    assert catalog.venue(venue.venue_id) == venue and catalog.layout(venue.venue_id) == LAYOUT
    draft = an_event(catalog, now, venue, published=False)
    assert catalog.event(draft.event_id) == draft
    assert catalog.venue("ven-none") is None and catalog.event("evt-none") is None
    assert catalog.events([draft.event_id, "evt-none"]) == {draft.event_id: draft}


def test_catalog_publishes_once_and_cancels_for_good(ports, now):
    catalog = ports["catalog"]
    event = an_event(catalog, now)
    assert event.status == EventStatus.PUBLISHED and event.version == 2
    catalog.publish(dataclasses.replace(event, name="Changed", version=9))
    assert catalog.event(event.event_id) == event  # publishing twice changes nothing
    catalog.cancel(event.cancelled())
    catalog.cancel(event.cancelled())
    assert catalog.event(event.event_id).status == EventStatus.CANCELLED


def test_catalog_lists_a_tenants_own_newest_first_in_complete_pages(ports, now):
    catalog, tenant = ports["catalog"], uid("tenant")
    made = [a_venue(catalog, created=f"2026-01-0{d}T00:00:00Z", tenant=tenant).venue_id
            for d in (1, 3, 2)]
    a_venue(catalog, tenant=uid("tenant"))
    first = catalog.venues_of(tenant, None, 2)
    rest = catalog.venues_of(tenant, first.after, 2)
    assert [v.venue_id for v in first.items + rest.items] == [made[1], made[2], made[0]]
    assert rest.after is None


# --- search --------------------------------------------------------------------------------
def test_search_finds_published_events_in_order_with_every_filter(ports, now):
    catalog, search, word = ports["catalog"], ports["search"], uid("w").replace("-", "")
    near, far = a_venue(catalog), a_venue(catalog, lat=-33.9, lng=151.2)
    made = {name: an_event(catalog, now, venue, days=days, description=f"{word} {name}",
                           published=published).event_id
            for name, venue, days, published in (
                ("b", near, 3, True), ("a", near, 1, True), ("far", far, 2, True),
                ("draft", near, 4, False), ("late", near, 90, True))}
    catalog.cancel(catalog.event(made["late"]).cancelled())

    def all_hits(params):
        query, found, start = parse_search({"q": word, **params}), [], to_rfc3339(now)
        while start is not None:
            hits, start = search.find(query, start)
            found += [h.event_id for h in hits]
        return found
    assert all_hits({"limit": "1"}) == [made["a"], made["far"], made["b"]]
    assert all_hits({"location": "41.15,-8.61"}) == [made["a"], made["b"]]
    assert all_hits({"date_to": to_rfc3339(now + dt.timedelta(days=2, hours=1))}) == [
        made["a"], made["far"]]


# --- holds ---------------------------------------------------------------------------------
def test_a_hold_takes_free_seats_and_a_clash_names_every_taken_seat_and_writes_nothing(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    first = place(inventory, event, a_hold(event, now, ("A-1-1", "A-1-3")), now)
    clash = a_hold(event, now, ("A-1-1", "A-1-2", "A-1-3"), user="u2")
    with pytest.raises(errors.SeatsUnavailable) as refused:
        place(inventory, event, clash, now)
    assert refused.value.details["unavailable_seat_ids"] == ["A-1-1", "A-1-3"]
    assert statuses(inventory, event, now) == {"A-1-1": "held", "A-1-3": "held"}
    assert inventory.hold(clash.hold_id) is None and inventory.hold(first.hold_id) == first
    assert inventory.ledger(event.event_id, "u2").holds == {}


def test_seat_states_of_named_seats_across_sections_leave_out_available_ones(ports, now):
    inventory = ports["inventory"]
    event = an_event(ports["catalog"], now)
    place(inventory, event, a_hold(event, now, seats=("A-1-1", "B-1-2")), now)
    found = inventory.seat_states_of(event.event_id, ["A-1-1", "A-1-2", "B-1-2", "B-1-3"])
    assert {seat: state.status_at(now) for seat, state in found.items()} == {
        "A-1-1": "held", "B-1-2": "held"}
    assert inventory.seat_states_of(event.event_id, []) == {}


def test_a_seat_whose_hold_expired_is_free_by_the_clock(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    place(inventory, event, a_hold(event, now, ("A-2-1",), seconds=60), now)
    later = now + dt.timedelta(seconds=60)
    place(inventory, event, a_hold(event, later, ("A-2-1",), user="u2"), later)
    assert statuses(inventory, event, later)["A-2-1"] == "held"


def test_a_used_hold_id_reports_the_first_hold_or_refusal(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    first = place(inventory, event, a_hold(event, now), now)
    with pytest.raises(HoldIdTaken) as taken:
        place(inventory, event, a_hold(event, now, ("B-1-1",), hold_id=first.hold_id), now)
    assert taken.value.existing == first
    refusal = Refusal(uid("hld"), "u1", "hash", "NOT_FOUND", "Event not found.",
                      {"resource": "event"}, epoch(now))
    inventory.refuse_hold(refusal)
    with pytest.raises(HoldIdTaken) as again:
        place(inventory, event, a_hold(event, now, ("B-1-2",), hold_id=refusal.hold_id), now)
    assert again.value.existing == refusal and inventory.hold(refusal.hold_id) is None
    with pytest.raises(HoldIdTaken):
        inventory.refuse_hold(refusal)


def test_a_hold_is_refused_when_the_event_changed_since_it_was_read(ports, now):
    catalog, inventory = ports["catalog"], ports["inventory"]
    event = an_event(catalog, now)
    catalog.cancel(event.cancelled())
    hold = a_hold(event, now)
    with pytest.raises(SaleChanged):
        place(inventory, event, hold, now)
    assert inventory.hold(hold.hold_id) is None and statuses(inventory, event, now) == {}


def test_the_ledger_bound_and_version_decide_and_count_every_hold(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    place(inventory, event, a_hold(event, now, ("A-1-1", "A-1-2", "A-1-3")), now, cap=4)
    with pytest.raises(LedgerFull):
        place(inventory, event, a_hold(event, now, ("A-1-4", "A-1-5")), now, cap=4)
    ledger = inventory.ledger(event.event_id, "u1")
    assert sum(ledger.holds.values()) == 3 and ledger.version >= 1
    guard = SaleGuard(event.event_id, event.version, epoch(now))
    with pytest.raises(LedgerChanged):
        inventory.place_hold(a_hold(event, now, ("A-1-6",)), guard, LimitCheck(version=ledger.version + 5))
    exact = a_hold(event, now, ("A-1-6",))
    inventory.place_hold(exact, guard, LimitCheck(version=ledger.version))
    assert inventory.ledger(event.event_id, "u1").holds[exact.hold_id] == 1
    with pytest.raises(LedgerChanged):
        inventory.place_hold(a_hold(event, now, ("B-1-9",), user="nobody"), guard, LimitCheck(version=3))


def test_extend_moves_the_seats_expiry_and_an_ended_hold_cannot_be_extended(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    hold = place(inventory, event, a_hold(event, now, seconds=60), now)
    inventory.extend_hold(hold, hold.expires_at + 300, epoch(now))
    later = now + dt.timedelta(seconds=120)
    assert statuses(inventory, event, later) == {"A-1-1": "held", "A-1-2": "held"}
    assert inventory.hold(hold.hold_id).expires_at == hold.expires_at + 300
    with pytest.raises(HoldNotActive):
        inventory.extend_hold(hold, hold.expires_at + 900, epoch(now) + 400)


def test_ending_a_hold_frees_its_seats_once_and_expiry_waits_for_the_clock(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    hold = place(inventory, event, a_hold(event, now, seconds=60), now)
    expired = dataclasses.replace(hold, status=HoldStatus.EXPIRED)
    assert inventory.end_hold(expired, epoch(now)) is False  # not yet expired
    released = dataclasses.replace(hold, status=HoldStatus.RELEASED)
    assert inventory.end_hold(released, epoch(now)) is True
    assert inventory.end_hold(released, epoch(now)) is False
    assert statuses(inventory, event, now) == {}
    assert inventory.hold(hold.hold_id).status == HoldStatus.RELEASED
    assert inventory.ledger(event.event_id, "u1").holds == {}


def test_a_customers_active_holds_come_newest_first_in_complete_pages(ports, now):
    inventory, event, user = ports["inventory"], an_event(ports["catalog"], now), uid("u")
    made = []
    for n in range(1, 5):
        at = now + dt.timedelta(seconds=n)
        made.append(place(inventory, event, a_hold(event, at, (f"A-2-{n}",), user=user,
                                                   seconds=5 if n == 1 else 600), at).hold_id)
    later = epoch(now) + 10
    found, after = [], None
    while True:
        page = inventory.active_holds_of(user, after, 2, later)
        found += [h.hold_id for h in page.items]
        after = page.after
        if after is None:
            break
    assert found == list(reversed(made[1:]))


def test_the_sweeper_finds_every_hold_due_across_shards(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    due = [place(inventory, event, a_hold(event, now, (f"B-1-{n}",), user=f"u{n}", seconds=30), now).hold_id
           for n in range(1, 6)]
    later = epoch(now) + 30
    found = {h for s in range(inventory.shards) for h in inventory.holds_to_sweep(s, later, 50)}
    assert set(due) <= found
    assert not set(due) & {h for s in range(inventory.shards)
                           for h in inventory.holds_to_sweep(s, epoch(now), 50)}


# --- bookings ------------------------------------------------------------------------------
def test_a_claim_is_exclusive_while_in_flight_and_can_be_taken_over_once_stale(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    hold = place(inventory, event, a_hold(event, now), now)
    t = epoch(now)
    claimed = inventory.claim_hold(hold.hold_id, "u1", "b1", t, t - 30)
    assert claimed.claim == BookingClaim("b1", t) and claimed.seats == hold.seats
    with pytest.raises(ClaimRefused) as busy:
        inventory.claim_hold(hold.hold_id, "u1", "b2", t + 5, t + 5 - 30)
    assert busy.value.hold.claim.booking_id == "b1"
    assert inventory.claim_hold(hold.hold_id, "u1", "b2", t + 31, t + 1).claim.booking_id == "b2"
    with pytest.raises(ClaimRefused) as missing:
        inventory.claim_hold("hld-none", "u1", "b3", t, t - 30)
    assert missing.value.hold is None
    with pytest.raises(ClaimRefused) as foreign:
        inventory.claim_hold(hold.hold_id, "u2", "b3", t + 62, t + 32)
    assert foreign.value.hold.user_id == "u1"


def test_a_failed_attempt_is_kept_apart_and_frees_the_hold_for_another_attempt(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    user = uid("u")
    hold = place(inventory, event, a_hold(event, now, user=user), now)
    t = epoch(now)
    hold = inventory.claim_hold(hold.hold_id, user, "bf", t, t - 30)
    failed = a_booking(hold, now, booking_id=uid("bkg")).failed(Failure("PAYMENT_DECLINED", "No."))
    inventory.record_failed_booking(failed, hold)
    inventory.record_failed_booking(failed, hold)
    assert inventory.booking(failed.booking_id) == failed
    assert failed.booking_id in inventory.hold(hold.hold_id).tried
    assert [b.booking_id for b in inventory.bookings_of(user, "failed", None, 10).items] == [failed.booking_id]
    assert inventory.bookings_of(user, None, None, 10).items == []
    with pytest.raises(ClaimRefused):
        inventory.claim_hold(hold.hold_id, user, failed.booking_id, t + 40, t + 10)


def test_commit_sells_the_seats_and_stores_the_booking_only_for_the_claimant(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    hold = place(inventory, event, a_hold(event, now), now)
    t = epoch(now)
    claimed = inventory.claim_hold(hold.hold_id, "u1", "b-other", t, t - 30)
    booking = a_booking(claimed, now).authorized("auth").confirmed()
    with pytest.raises(CommitRefused):
        inventory.commit_booking(booking, claimed, t)
    claimed = inventory.claim_hold(hold.hold_id, "u1", booking.booking_id, t + 31, t + 1)
    inventory.commit_booking(booking, claimed, t + 31)
    assert inventory.booking(booking.booking_id) == booking
    assert inventory.hold(hold.hold_id).status == HoldStatus.BOOKED
    assert inventory.hold(hold.hold_id).booking_id == booking.booking_id
    assert set(statuses(inventory, event, now).values()) == {"sold"}
    ledger = inventory.ledger(event.event_id, "u1")
    assert (ledger.booked, ledger.holds) == (2, {})
    with pytest.raises(CommitRefused):
        inventory.commit_booking(booking, claimed, t + 31)


def test_an_expired_hold_cannot_be_committed(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    hold = place(inventory, event, a_hold(event, now, seconds=60), now)
    t = epoch(now)
    claimed = inventory.claim_hold(hold.hold_id, "u1", "b1", t, t - 30)
    with pytest.raises(CommitRefused):
        inventory.commit_booking(a_booking(claimed, now, booking_id="b1").confirmed(), claimed, t + 60)
    assert inventory.booking("b1") is None and statuses(inventory, event, now) != {}


def test_a_waiting_booking_is_listed_for_the_finalizer_and_commits_later(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    hold = place(inventory, event, a_hold(event, now), now)
    t = epoch(now)
    booking_id = uid("bkg")
    claimed = inventory.claim_hold(hold.hold_id, "u1", booking_id, t, t - 30)
    waiting = a_booking(claimed, now, booking_id=booking_id).authorized("auth", "secret")
    inventory.add_booking(waiting)
    assert inventory.booking(booking_id) == waiting
    later = to_rfc3339(now + dt.timedelta(seconds=1))
    assert booking_id in {b for s in range(inventory.shards) for b in inventory.bookings_to_finish(s, later, 50)}
    with pytest.raises(ClaimRefused):  # the waiting booking keeps the hold
        inventory.claim_hold(hold.hold_id, "u1", "b2", t + 100, t + 70)
    confirmed = waiting.confirmed()
    inventory.commit_booking(confirmed, inventory.hold(hold.hold_id), t + 100)
    assert inventory.booking(booking_id).status == BookingStatus.CONFIRMED


def test_saving_a_booking_needs_it_unchanged_and_settled_ones_leave_the_finalizer(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    hold = place(inventory, event, a_hold(event, now), now)
    t = epoch(now)
    booking_id = uid("bkg")
    claimed = inventory.claim_hold(hold.hold_id, "u1", booking_id, t, t - 30)
    booking = a_booking(claimed, now, booking_id=booking_id).authorized("auth").confirmed()
    inventory.commit_booking(booking, claimed, t)
    later = to_rfc3339(now + dt.timedelta(seconds=1))
    due = lambda: {b for s in range(inventory.shards) for b in inventory.bookings_to_finish(s, later, 50)}  # noqa: E731
    assert booking_id in due()
    inventory.save_booking(booking.captured(), booking)
    assert booking_id not in due()
    with pytest.raises(BookingChanged):
        inventory.save_booking(booking.captured(), booking)


def test_cancel_frees_the_seats_unless_a_ticket_was_scanned_first(ports, now):
    inventory, event = ports["inventory"], an_event(ports["catalog"], now)
    bookings = []
    for seats in (("A-1-1",), ("A-1-2",)):
        hold = place(inventory, event, a_hold(event, now, seats), now)
        t = epoch(now)
        booking_id = uid("bkg")
        claimed = inventory.claim_hold(hold.hold_id, "u1", booking_id, t, t - 30)
        booking = a_booking(claimed, now, booking_id=booking_id).authorized("a").confirmed().captured()
        inventory.commit_booking(booking, claimed, t)
        bookings.append(booking)
    scanned, kept = bookings
    assert inventory.check_in(scanned.booking_id, scanned.tickets[0].ticket_id, "t1") is True
    assert inventory.check_in(scanned.booking_id, scanned.tickets[0].ticket_id, "t2") is False
    assert inventory.booking(scanned.booking_id).checked_in == {scanned.tickets[0].ticket_id: "t1"}
    with pytest.raises(BookingChanged):
        inventory.cancel_booking(scanned.cancelled(now), scanned)
    inventory.cancel_booking(kept.cancelled(now), kept)
    assert statuses(inventory, event, now) == {"A-1-1": "sold"}
    assert inventory.ledger(event.event_id, "u1").booked == 1
    assert inventory.check_in(kept.booking_id, kept.tickets[0].ticket_id, "t3") is False


# --- projections ---------------------------------------------------------------------------
def test_counters_count_each_event_once_even_past_a_transactions_size(ports, now):
    store, show = ports["projections"], uid("evt")
    sections = {f"S{n}": SectionCounts(held=-1, sold=1) for n in range(60)}
    tiers = {f"tier_{n}": TierSales(1, 100) for n in range(60)}
    assert store.apply_once(uid("e"), sections, tiers, show, now) is True
    key = uid("e")
    assert store.apply_once(key, {"S0": SectionCounts(held=2)}, {}, show, now) is True
    assert store.apply_once(key, {"S0": SectionCounts(held=2)}, {}, show, now) is False
    counters = store.counters(show)
    assert counters.by_section["S0"] == SectionCounts(1, 1) and len(counters.by_tier) == 60
    assert set(counters.by_tier.values()) == {TierSales(1, 100)}
    assert store.availability(show)["S1"] == SectionCounts(-1, 1)
    assert counters.updated_at == to_rfc3339(now)


# --- live seat map -------------------------------------------------------------------------
@pytest.fixture(params=["memory", "dynamo", "dynamo-one-part"])
def live(request):
    """The fake; DynamoDB spread over shards and parts as on AWS; and as the local stage
    runs it (one shard, one part: no claim item)."""
    if request.param == "memory":
        return InMemoryLiveStore()
    c = request.getfixturevalue("stack").container
    one = request.param == "dynamo-one-part"
    return DynamoLiveStore(TransactionRunner("us-east-1", c.settings.dynamodb_endpoint),
                           1 if one else 4, 1 if one else 4)


def everyone(live, event_id, sections):
    return sorted((s.connection_id, s.section) for shard in range(live.shards)
                  for s in live.subscribers(event_id, sections, shard))


def test_subscriptions_are_found_by_section_and_each_in_exactly_one_shard(live):
    show, other = uid("evt"), uid("evt")
    conns = [uid("conn") for _ in range(12)]
    for n, cid in enumerate(conns):
        live.connect(cid, 10 ** 10)
        live.subscribe(Subscription(cid, show, [None, "A", "B"][n % 3]), 10, 10 ** 10)
    live.subscribe(Subscription(conns[0], other, "A"), 10, 10 ** 10)
    expected = sorted((cid, [None, "A", "B"][n % 3]) for n, cid in enumerate(conns))
    assert everyone(live, show, {"A", "B"}) == expected
    assert everyone(live, show, {"A"}) == [e for e in expected if e[1] != "B"]
    assert everyone(live, other, {"B"}) == []
    assert live.subscriptions(conns[0]) == {show: None, other: "A"}
    assert live.subscriptions(uid("conn")) == {}


def test_a_connection_watches_at_most_limit_events_and_may_change_a_section(live):
    cid = uid("conn")
    shows = [uid("evt") for _ in range(4)]
    live.connect(cid, 10 ** 10)
    for show in shows[:3]:
        live.subscribe(Subscription(cid, show, None), 3, 10 ** 10)
    live.subscribe(Subscription(cid, shows[0], "A"), 3, 10 ** 10)
    with pytest.raises(errors.SubscriptionLimitExceeded):
        live.subscribe(Subscription(cid, shows[3], None), 3, 10 ** 10)
    assert everyone(live, shows[0], {"A"}) == [(cid, "A")]
    assert everyone(live, shows[0], {"B"}) == []  # the whole-event subscription was replaced
    live.unsubscribe(cid, shows[1])
    live.unsubscribe(cid, shows[1])
    live.subscribe(Subscription(cid, shows[3], "B"), 3, 10 ** 10)
    assert live.subscriptions(cid) == {shows[0]: "A", shows[2]: None, shows[3]: "B"}
    assert everyone(live, shows[1], {"A"}) == []


def test_a_disconnected_connection_is_forgotten_everywhere_and_twice_is_fine(live):
    cid, show = uid("conn"), uid("evt")
    live.connect(cid, 10 ** 10)
    live.subscribe(Subscription(cid, show, "A"), 10, 10 ** 10)
    live.disconnect(cid)
    live.disconnect(cid)
    assert live.subscriptions(cid) == {} and everyone(live, show, {"A"}) == []


def test_an_event_is_watched_at_least_until_its_latest_subscription_expires(live):
    show, cid, later = uid("evt"), uid("conn"), uid("conn")
    assert live.watched(show, 1_000) is False
    live.connect(cid, 5_000)
    live.subscribe(Subscription(cid, show, None), 10, 5_000)
    live.connect(later, 9_000)
    live.subscribe(Subscription(later, show, "A"), 10, 9_000)
    assert live.watched(show, 4_999) is True and live.watched(show, 8_999) is True
    assert live.watched(show, 9_000 + 2 * 3600) is False  # an adapter may round up, not more


def test_a_window_elects_one_flusher_and_takes_no_change_once_closed(live):
    show = uid("evt")
    window = Window(show, 100)
    elected = [live.add_changes(window, [f"A-1-{n}", "A-1-1"], uid("de"), 10 ** 10)
               for n in range(1, 13)]
    assert elected.count(True) == 1 and elected[0] is True
    assert live.close_window(window, 10 ** 10, 100.25) == {f"A-1-{n}" for n in range(1, 13)}
    with pytest.raises(WindowClosed):
        live.add_changes(window, ["B-1-1"], uid("de"), 10 ** 10)
    assert live.add_changes(Window(show, 101), ["B-1-1"], uid("de"), 10 ** 10) is True
    assert live.close_window(Window(show, 102), 10 ** 10, 103.5) == set()
    assert [live.window_state(Window(show, n)) for n in (99, 100, 101, 102)] == [
        (False, None), (True, 100.25), (True, None), (False, 103.5)]


# --- waiting rooms and rate counters ---------------------------------------------------------
@pytest.fixture(params=["memory", "dynamo"])
def rooms(request):
    """A catalog, its waiting rooms and the rate counters, as the fake and as DynamoDB."""
    if request.param == "memory":
        from fakes.rates import InMemoryRateCounter
        from fakes.waiting_room import InMemoryWaitingRoom
        catalog = InMemoryCatalog()
        rates = InMemoryRateCounter()
        return dict(catalog=catalog, room=InMemoryWaitingRoom(catalog), rates=rates,
                    inventory=InMemoryInventory(catalog, rates=rates))
    from chalicelib.adapters.rate_store import DynamoRateCounter
    c = request.getfixturevalue("stack").container
    return dict(catalog=c.catalog_store, room=c.waiting_room_store, rates=DynamoRateCounter(),
                inventory=c.inventory)


def a_line(rooms, now, per_minute=60, shards=2):
    from chalicelib.domain.queue import QueueSettings
    event = an_event(rooms["catalog"], now)
    rooms["room"].configure(event.with_queue(QueueSettings(True, per_minute, 900, shards)),
                            event.version, epoch(now))
    return rooms["catalog"].event(event.event_id)


def an_entry(event, user, ticket, shard):
    from chalicelib.domain.queue import QueueEntry
    return QueueEntry(f"que-{user}", event.event_id, user, ticket, shard, 1)


def test_a_waiting_room_setting_bumps_the_events_version_and_needs_it_unchanged(rooms, now):
    from chalicelib.domain.queue import QueueSettings
    event = a_line(rooms, now)
    assert event.queued and event.queue.admit_per_minute == 60
    stale = event.with_queue(QueueSettings(False, 60, 900, 2))
    with pytest.raises(SaleChanged):
        rooms["room"].configure(stale, event.version - 1, epoch(now))
    assert rooms["room"].lines_to_advance().count(event.event_id) == 1
    rooms["room"].configure(stale, event.version, epoch(now))
    assert event.event_id not in rooms["room"].lines_to_advance()
    assert rooms["room"].line(event.event_id).settings.enabled is False


def test_one_entry_per_user_and_a_second_join_gets_the_first_back(rooms, now):
    event = a_line(rooms, now)
    first = an_entry(event, "u1", "0001", 0)
    assert rooms["room"].join(first) is None
    again = rooms["room"].join(dataclasses.replace(first, ticket="0009"))
    assert again.ticket == "0001" and rooms["room"].entry(event.event_id, "u1").ticket == "0001"
    assert rooms["room"].entry(event.event_id, "nobody") is None


def test_a_customers_entries_move_under_a_pseudonym_keeping_their_place(rooms, now):
    event, fan, other, anon = a_line(rooms, now), uid("fan"), uid("other"), uid("anon")
    for user, ticket in ((fan, "0001"), (other, "0002")):
        rooms["room"].join(an_entry(event, user, ticket, 0))
    assert [e.event_id for e in rooms["room"].entries_of_user(fan, 10)] == [event.event_id]
    line = rooms["room"].line(event.event_id)
    line = rooms["room"].rank(line, rooms["room"].arrivals(line, 10))
    assert rooms["room"].move_entry(event.event_id, fan, anon)
    assert rooms["room"].entry(event.event_id, fan) is None
    assert rooms["room"].entries_of_user(fan, 10) == []
    moved = rooms["room"].entry(event.event_id, anon)
    assert (moved.user_id, moved.ticket, moved.rank) == (anon, "0001", 1)
    assert [e.user_id for e in rooms["room"].entries_of_user(anon, 10)] == [anon]
    assert [e.user_id for e in rooms["room"].next_waiting(line, 10)] == [anon, other]
    assert rooms["room"].move_entry(event.event_id, fan, anon)  # again: nothing to do


def test_arrivals_come_in_ticket_order_across_shards_and_are_ranked_once(rooms, now):
    event = a_line(rooms, now)
    for user, ticket, shard in (("u3", "0003", 1), ("u1", "0001", 0), ("u2", "0002", 1),
                                ("u4", "0004", 0)):
        rooms["room"].join(an_entry(event, user, ticket, shard))
    line = rooms["room"].line(event.event_id)
    arrivals = rooms["room"].arrivals(line, 3)
    assert [e.user_id for e in arrivals] == ["u1", "u2", "u3"]
    line = rooms["room"].rank(line, arrivals)
    assert line.ranked == 3
    assert [e.user_id for e in rooms["room"].arrivals(line, 10)] == ["u4"]
    assert [(e.user_id, e.rank) for e in rooms["room"].next_waiting(line, 10)] == [
        ("u1", 1), ("u2", 2), ("u3", 3)]
    with pytest.raises(LineChanged):
        rooms["room"].rank(dataclasses.replace(line, ranked=0), rooms["room"].arrivals(line, 1))


def test_admission_stores_tokens_and_moves_the_count_only_from_the_line_as_read(rooms, now):
    event = a_line(rooms, now)
    for i in range(3):
        rooms["room"].join(an_entry(event, f"u{i}", f"000{i}", i % 2))
    line = rooms["room"].line(event.event_id)
    line = rooms["room"].rank(line, rooms["room"].arrivals(line, 10))
    first = [e.admitted(epoch(now), 900, f"token-{e.user_id}")
             for e in rooms["room"].next_waiting(line, 2)]
    moved = rooms["room"].admit(line, first, 0.5, epoch(now) + 5)
    assert (moved.admitted, moved.credit, moved.last_pass) == (2, 0.5, epoch(now) + 5)
    stored = rooms["room"].entry(event.event_id, "u0")
    assert stored.status == "admitted" and stored.admission_token == "token-u0"
    assert stored.expires_at == epoch(now) + 900
    assert [e.user_id for e in rooms["room"].next_waiting(moved, 10)] == ["u2"]
    with pytest.raises(LineChanged):  # a second pass that read the line before this one
        rooms["room"].admit(line, [], 0.0, epoch(now) + 5)
    assert rooms["room"].line(event.event_id).admitted == 2


def test_a_rate_counter_counts_to_its_limit_per_subject_and_window(rooms, now):
    from chalicelib.services.ports import OverLimit, RateCheck
    check = RateCheck("holds", uid("user"), 600, 2)
    assert [rooms["rates"].consume(check), rooms["rates"].consume(check)] == [1, 0]
    with pytest.raises(OverLimit):
        rooms["rates"].consume(check)
    assert rooms["rates"].consume(dataclasses.replace(check, window=660)) == 1
    assert rooms["rates"].consume(dataclasses.replace(check, subject=uid("user"))) == 1


def test_forgetting_a_subject_drops_every_window_of_it_and_only_its(rooms):
    from chalicelib.services.ports import OverLimit, RateCheck
    mine, theirs = RateCheck("holds", uid("user"), 600, 1), RateCheck("holds", uid("user"), 600, 1)
    for check in (mine, dataclasses.replace(mine, window=660), theirs):
        rooms["rates"].consume(check)
    rooms["rates"].forget("holds", mine.subject)
    assert rooms["rates"].consume(mine) == 0 and rooms["rates"].consume(
        dataclasses.replace(mine, window=660)) == 0  # counted afresh
    with pytest.raises(OverLimit):
        rooms["rates"].consume(theirs)


def test_a_hold_counts_in_the_customers_window_and_over_it_writes_nothing(rooms, now):
    from chalicelib.services.ports import OverLimit, RateCheck
    event = an_event(rooms["catalog"], now)
    inventory, user = rooms["inventory"], uid("user")
    rate = RateCheck("holds", user, 600, 1)
    guard = SaleGuard(event.event_id, event.version, epoch(now))
    inventory.place_hold(a_hold(event, now, ("A-1-1",), user=user), guard, LimitCheck(cap=7), rate)
    late = a_hold(event, now, ("A-1-2",), user=user)
    with pytest.raises(OverLimit):
        inventory.place_hold(late, guard, LimitCheck(cap=7), rate)
    assert inventory.hold(late.hold_id) is None
    assert "A-1-2" not in statuses(inventory, event, now)


# --- personal data -------------------------------------------------------------------------
def a_customer_with_everything(ports, now):
    """A released hold, a refused request, a booked hold and a failed attempt."""
    inventory, event, user = ports["inventory"], an_event(ports["catalog"], now), uid("u")
    t = epoch(now)
    released = place(inventory, event, a_hold(event, now, ("A-1-1",), user=user), now)
    inventory.end_hold(dataclasses.replace(released, status=HoldStatus.RELEASED), t)
    refused = uid("hld")
    inventory.refuse_hold(Refusal(refused, user, "hash", "SEATS_UNAVAILABLE", "Taken.", {}, t))
    hold = place(inventory, event, a_hold(event, now, ("A-2-1", "A-2-2"), user=user), now)
    failed_id, booking_id = uid("bkg"), uid("bkg")
    retried = inventory.claim_hold(hold.hold_id, user, failed_id, t, t - 30)
    failed = dataclasses.replace(a_booking(retried, now, booking_id=failed_id),
                                 customer_email="u@example.com")
    failed = failed.failed(Failure("PAYMENT_DECLINED", "No."))
    inventory.record_failed_booking(failed, retried)
    claimed = inventory.claim_hold(hold.hold_id, user, booking_id, t, t - 30)
    booking = dataclasses.replace(a_booking(claimed, now, booking_id=booking_id),
                                  customer_email="u@example.com").authorized("auth").confirmed()
    inventory.commit_booking(booking, claimed, t)
    return event, user, {released.hold_id, refused, hold.hold_id}, {failed.booking_id,
                                                                     booking.booking_id}


def test_personal_data_lists_every_hold_refusal_and_booking_of_a_user(ports, now):
    personal = ports["personal"]
    _, user, holds, bookings = a_customer_with_everything(ports, now)
    assert set(personal.hold_ids_of(user, 100)) == holds
    assert set(personal.booking_ids_of(user, 100)) == bookings
    listed = personal.holds_of(user, None, 1)
    rest = personal.holds_of(user, listed.after, 10)
    assert len(listed.items + rest.items) == 2 and rest.after is None  # refusals are no holds


def test_pseudonymising_moves_holds_bookings_and_the_ledger_and_forgets_the_email(ports, now):
    personal, inventory = ports["personal"], ports["inventory"]
    event, user, holds, bookings = a_customer_with_everything(ports, now)
    ledger = inventory.ledger(event.event_id, user)
    for hold_id in holds:
        assert personal.pseudonymise_hold(hold_id, user, "anon_1")
        assert personal.pseudonymise_hold(hold_id, user, "anon_1")  # again: nothing to do
    for booking_id in bookings:
        assert personal.pseudonymise_booking(booking_id, user, "anon_1")
    assert personal.hold_ids_of(user, 100) == [] and personal.booking_ids_of(user, 100) == []
    assert set(personal.hold_ids_of("anon_1", 100)) == holds
    moved = [inventory.booking(b) for b in bookings]
    assert {(b.user_id, b.customer_email, b.payment_method_id) for b in moved} == {("anon_1", None, "")}
    assert {b.status for b in moved} == {BookingStatus.CONFIRMED, BookingStatus.FAILED}
    assert inventory.ledger(event.event_id, user) == type(ledger)()
    after = inventory.ledger(event.event_id, "anon_1")
    assert (after.booked, after.holds) == (ledger.booked, ledger.holds)
    assert [b.booking_id for b in inventory.bookings_of("anon_1", "failed", None, 10).items] == [
        b.booking_id for b in moved if b.status == BookingStatus.FAILED]


def test_an_erasure_request_is_kept_once_and_finished_once(ports, now):
    from chalicelib.domain.audit import PLATFORM_TENANT, AuditAction, AuditEntry
    from chalicelib.domain.privacy import Erasure, ErasureStatus
    personal, marker = ports["personal"], uid("mark")
    first = Erasure(marker, "anon_x", epoch(now), user_id="u-1")
    assert personal.request_erasure(first) == first
    assert personal.request_erasure(Erasure(marker, "anon_y", epoch(now) + 5, user_id="u-1")) == first
    assert marker in personal.erasures_running(100)
    assert marker in personal.erased_on(first.day) and marker not in personal.erased_on("2001-01-01")
    done = first.finished(now)
    entry = AuditEntry(uid("aud"), PLATFORM_TENANT, to_rfc3339(now), "anon_x",
                       AuditAction.USER_ERASE, "user/anon_x", None)
    assert personal.finish_erasure(done, entry)
    assert not personal.finish_erasure(done, entry)
    stored = personal.erasure(marker, consistent=True)
    assert (stored.status, stored.user_id) == (ErasureStatus.ERASED, None)
    assert marker not in personal.erasures_running(100)
    assert personal.erasure(uid("mark")) is None


def test_a_booking_stored_again_from_a_stale_read_is_pseudonymised_again(ports, now):
    personal, inventory = ports["personal"], ports["inventory"]
    _, user, _, bookings = a_customer_with_everything(ports, now)
    confirmed = next(b for b in map(inventory.booking, bookings) if b.status == BookingStatus.CONFIRMED)
    assert personal.pseudonymise_booking(confirmed.booking_id, user, "anon_1")
    inventory.save_booking(confirmed.captured(), confirmed)  # the finalizer read it before
    assert personal.pseudonymise_booking(confirmed.booking_id, user, "anon_1")
    assert confirmed.booking_id not in personal.booking_ids_of(user, 100)
    again = inventory.booking(confirmed.booking_id)
    assert (again.user_id, again.customer_email, again.capture_pending) == ("anon_1", None, False)


def test_a_ledger_written_again_under_the_old_key_is_moved(ports, now):
    personal, inventory = ports["personal"], ports["inventory"]
    event, user, holds, bookings = a_customer_with_everything(ports, now)
    for hold_id in holds:
        personal.pseudonymise_hold(hold_id, user, "anon_1")
    late = place(inventory, event, a_hold(event, now, ("B-1-9",), user=user), now)
    assert inventory.ledger(event.event_id, user).holds == {late.hold_id: 1}
    assert personal.move_ledger(event.event_id, user, "anon_1")
    assert personal.move_ledger(event.event_id, user, "anon_1")
    assert inventory.ledger(event.event_id, user).holds == {}
    assert late.hold_id in inventory.ledger(event.event_id, "anon_1").holds
