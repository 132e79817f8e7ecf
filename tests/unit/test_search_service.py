"""Search pages, on the in-memory index: order, filters, cursors and availability labels."""
import pytest

from chalicelib.domain import errors
from chalicelib.domain.search import parse_search


def every_page(world, params):
    found, cursor = [], None
    for _ in range(50):
        page = world.search.find(parse_search(params), cursor)
        found += [s.event.event_id for s in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return found
    raise AssertionError("no last page")


def test_results_come_in_start_order_across_pages_of_any_size(world):
    org = world.organizer()
    venue = world.venue(org)
    made = [world.event(org, venue, days=d, category="jazz").event_id for d in (9, 3, 6, 1, 12)]
    expected = [made[i] for i in (3, 1, 2, 0, 4)]
    for limit in ("1", "2", "5"):
        assert every_page(world, {"category": "jazz", "limit": limit}) == expected


def test_drafts_and_cancelled_events_are_left_out(world):
    org = world.organizer()
    venue = world.venue(org)
    kept = world.event(org, venue, category="folk").event_id
    world.event(org, venue, category="folk", publish=False)
    gone = world.event(org, venue, category="folk").event_id
    world.lifecycle.cancel(org, gone)
    assert every_page(world, {"category": "folk"}) == [kept]


def test_words_places_and_dates_filter_results(world):
    org = world.organizer()
    porto, far = world.venue(org), world.venue(org, lat=60.0, lng=10.0)
    near = world.event(org, porto, name="Fado Night", days=5).event_id
    world.event(org, far, name="Fado Night", days=5)
    world.event(org, porto, name="Rock Night", days=40)
    assert every_page(world, {"q": "fado", "location": "41.15,-8.61"}) == [near]
    page = world.search.find(parse_search({"q": "fado", "location": "41.15,-8.61"}), None)
    assert page.items[0].distance_km == 0.0
    date_to = world.clock.now().date().isoformat()
    assert every_page(world, {"q": "night", "date_to": date_to}) == []


def test_availability_labels_follow_the_counters(world):
    from chalicelib.domain.events import HoldPlaced
    from chalicelib.domain.holds import HeldSeat
    from chalicelib.domain.money import Money
    org = world.organizer()
    event = world.event(org, world.venue(org), category="opera")
    seats = tuple(HeldSeat(f"A-1-{n}", "A", "1", n, "tier_1", Money(1, "EUR")) for n in range(1, 10))
    world.projections.handle(HoldPlaced("e1", event.tenant_id, "t", event.event_id, "u", "h",
                                        seats, Money(9, "EUR")))
    assert world.search.find(parse_search({"category": "opera"}), None).items[0].availability == "available"
    more = tuple(HeldSeat(f"A-2-{n}", "A", "2", n, "tier_1", Money(1, "EUR")) for n in range(1, 20))
    world.projections.handle(HoldPlaced("e2", event.tenant_id, "t", event.event_id, "u", "h2",
                                        more, Money(19, "EUR")))
    assert world.search.find(parse_search({"category": "opera"}), None).items[0].availability == "limited"


def test_a_cursor_works_only_for_the_query_that_issued_it(world):
    org = world.organizer()
    venue = world.venue(org)
    for d in (1, 2, 3):
        world.event(org, venue, days=d, category="indie")
    page = world.search.find(parse_search({"category": "indie", "limit": "1"}), None)
    with pytest.raises(errors.InvalidCursor):
        world.search.find(parse_search({"category": "pop", "limit": "1"}), page.next_cursor)
    assert world.search.find(parse_search({"category": "indie", "limit": "2"}), page.next_cursor).items
