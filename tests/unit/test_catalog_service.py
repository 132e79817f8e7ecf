"""Venues and events, on the in-memory fakes: validation, tenant isolation, publishing, pages."""
import pytest

from chalicelib.domain import errors
from chalicelib.domain.catalog import Row, Section
from chalicelib.domain.money import Money
from chalicelib.services.commands import NewTier


def test_a_venue_counts_its_seats_and_names_its_sections(world):
    org = world.organizer()
    venue = world.venue(org)
    assert venue.capacity == 30 and venue.sections == ("A", "B")
    assert world.catalog.venue(org, venue.venue_id) == venue


def test_a_venue_over_the_limits_is_refused_field_by_field(world):
    org = world.organizer()
    huge = tuple(Section(f"S{i}", tuple(Row(str(r), 200) for r in range(26))) for i in range(20))
    with pytest.raises(errors.ValidationFailed) as bad:
        world.venue(org, sections=huge)
    assert "sections[0]" in bad.value.details["fields"]
    twins = (Section("A", (Row("1", 5), Row("1", 5))), Section("A", (Row("1", 5),)))
    with pytest.raises(errors.ValidationFailed) as bad:
        world.venue(org, sections=twins)
    assert {"sections", "sections[0].rows"} <= set(bad.value.details["fields"])


def test_another_tenants_venue_and_event_are_not_found(world):
    org, venue, event = world.on_sale(publish=False)
    stranger = world.organizer()
    with pytest.raises(errors.NotFound):
        world.catalog.venue(stranger, venue.venue_id)
    with pytest.raises(errors.NotFound):
        world.catalog.owned_event(stranger, event.event_id)
    with pytest.raises(errors.NotFound):
        world.event(stranger, venue)
    with pytest.raises(errors.NotFound):
        world.catalog.publish(stranger, event.event_id)


def test_an_event_must_start_in_the_future_with_every_section_in_one_tier(world):
    org = world.organizer()
    venue = world.venue(org)
    with pytest.raises(errors.ValidationFailed) as past:
        world.event(org, venue, days=-1)
    assert "starts_at" in past.value.details["fields"]
    for tiers, message in (
            ((NewTier("x", Money(1, "EUR"), ("A",)),), "in no tier: B"),
            ((NewTier("x", Money(1, "EUR"), ("A", "B")), NewTier("y", Money(1, "EUR"), ("B",))),
             "in more than one: B"),
            ((NewTier("x", Money(1, "EUR"), ("A",)), NewTier("y", Money(1, "USD"), ("B",))),
             "must all share one currency")):
        with pytest.raises(errors.ValidationFailed) as bad:
            world.event(org, venue, price_tiers=tiers)
        assert message in bad.value.details["fields"]["price_tiers"]


def test_publishing_makes_an_event_public_and_publishing_again_changes_nothing(world):
    org, venue, draft = world.on_sale(publish=False)
    with pytest.raises(errors.NotFound):
        world.catalog.event_page(draft.event_id)
    first = world.catalog.publish(org, draft.event_id)
    again = world.catalog.publish(org, draft.event_id)
    assert first == again and first.status == "published" and first.version == draft.version + 1
    page = world.catalog.event_page(draft.event_id)
    assert page.availability.total == 30 and page.availability.available == 30


def test_a_cancelled_event_keeps_its_page_and_cannot_be_published_again(world):
    org, venue, event = world.on_sale()
    assert world.lifecycle.cancel(org, event.event_id).event.status == "cancelled"
    assert world.catalog.event_page(event.event_id).event.status == "cancelled"
    assert world.catalog.publish(org, event.event_id).status == "cancelled"


def test_the_seat_map_shows_held_and_sold_seats_by_the_clock(world):
    _, _, event = world.on_sale()
    customer = world.customer()
    world.hold(customer, event.event_id, ["A-1-1"], seconds=60)
    world.book(customer, world.hold(customer, event.event_id, ["A-1-2"]).hold_id)
    seats = {v.seat.seat_id: v.status for v in world.catalog.seats(event.event_id, "A", None).seats}
    assert (seats["A-1-1"], seats["A-1-2"], seats["A-1-3"]) == ("held", "sold", "available")
    world.clock.advance(60)
    held = world.catalog.seats(event.event_id, "A", "held").seats
    assert held == []
    with pytest.raises(errors.ValidationFailed):
        world.catalog.seats(event.event_id, "Z", None)


def test_a_big_venue_needs_a_section_to_list_seats(world):
    org = world.organizer()
    sections = tuple(Section(f"S{i}", tuple(Row(str(r), 200) for r in range(25)))
                     for i in range(2))
    venue = world.venue(org, sections=sections)
    event = world.event(org, venue)
    with pytest.raises(errors.ValidationFailed) as bad:
        world.catalog.seats(event.event_id, None, None)
    assert bad.value.details["fields"]["section"].startswith("is required")
    assert len(world.catalog.seats(event.event_id, "S1", None).seats) == 5000


def test_organizer_lists_are_newest_first_and_paged_within_the_tenant(world):
    org = world.organizer()
    made = []
    for _ in range(3):
        made.append(world.venue(org).venue_id)
        world.clock.advance(1)
    world.venue(world.organizer())
    first = world.catalog.venues(org, None, 2)
    rest = world.catalog.venues(org, first.next_cursor, 2)
    assert [v.venue_id for v in first.items + rest.items] == list(reversed(made))
    with pytest.raises(errors.InvalidCursor):
        world.catalog.venues(world.organizer(), first.next_cursor, 2)
