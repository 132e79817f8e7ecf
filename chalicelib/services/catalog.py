"""Organizers set up venues and events; anyone reads published event pages and seat maps."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import errors
from ..domain.audit import AuditAction
from ..domain.catalog import (SEAT_LIST_SECTION_REQUIRED_ABOVE, Event, EventStatus, Layout,
                              PriceTier, Venue, parse_seat_id, tier_problems)
from ..domain.clock import parse_rfc3339, to_rfc3339
from ..domain.holds import HeldSeat, SeatStatus, seat_status
from ..domain.identity import Principal
from .audit import Auditor
from .availability import Availability, AvailabilitySummary
from .commands import NewEvent, NewVenue
from .ids import new_id
from .paging import Page


@dataclass(frozen=True)
class EventPage:
    event: Event
    availability: AvailabilitySummary


@dataclass(frozen=True)
class SeatView:
    seat: HeldSeat
    status: SeatStatus


@dataclass(frozen=True)
class SeatMap:
    event_id: str
    seats: list[SeatView]


class CatalogService:
    """Venues and events: the organizer's side and the public pages."""

    def __init__(self, catalog, inventory, availability: Availability, paging, clock):
        self.catalog, self.inventory, self.availability = catalog, inventory, availability
        self.paging, self.clock = paging, clock
        self.auditor = Auditor(clock)

    # organizer: venues ------------------------------------------------------------------------
    def create_venue(self, principal: Principal, command: NewVenue,
                     request_id: str | None = None) -> Venue:
        layout = Layout(command.sections)
        problems = layout.problems()
        if problems:
            raise errors.ValidationFailed(problems)
        venue = Venue(new_id("ven"), principal.tenant_id, command.name, command.address,
                      command.city, command.country, command.timezone, command.location,
                      layout.capacity, tuple(s.name for s in layout.sections),
                      to_rfc3339(self.clock.now()))
        self.catalog.add_venue(venue, layout, self.auditor.entry(
            principal, AuditAction.VENUE_CREATE, "venue", venue.venue_id, request_id))
        return venue

    def venue(self, principal: Principal, venue_id: str) -> Venue:
        venue = self.catalog.venue(venue_id)
        if not venue or venue.tenant_id != principal.tenant_id:
            raise errors.NotFound("venue")
        return venue

    def venues(self, principal: Principal, cursor: str | None, limit: int) -> Page:
        return self._owned_page(principal, "venues", self.catalog.venues_of, cursor, limit)

    def events(self, principal: Principal, cursor: str | None, limit: int) -> Page:
        return self._owned_page(principal, "events", self.catalog.events_of, cursor, limit)

    def _owned_page(self, principal, kind, read, cursor, limit) -> Page:
        scope = f"organizer-{kind}:{principal.tenant_id}"
        after = self.paging.decode(cursor, scope).get("after") if cursor else None
        found = read(principal.tenant_id, after, limit)
        return Page(found.items, self.paging.encode({"after": found.after}, scope)
                    if found.after else None)

    # organizer: events ------------------------------------------------------------------------
    def create_event(self, principal: Principal, command: NewEvent,
                     request_id: str | None = None) -> Event:
        venue = self.venue(principal, command.venue_id)
        starts_at = self.future_start(command.starts_at)
        layout = self.catalog.layout(venue.venue_id)
        tiers = priced_tiers(command.price_tiers, layout)
        event = Event(
            event_id=new_id("evt"), tenant_id=principal.tenant_id, venue_id=venue.venue_id,
            name=command.name, description=command.description, category=command.category,
            performer=command.performer, starts_at=to_rfc3339(starts_at),
            status=EventStatus.DRAFT, thumbnail_url=command.thumbnail_url,
            max_tickets_per_order=command.max_tickets_per_order, price_tiers=tiers, venue=venue,
            section_sizes={s.name: s.capacity for s in layout.sections},
            created_at=to_rfc3339(self.clock.now()))
        self.catalog.add_event(event, self.auditor.entry(
            principal, AuditAction.EVENT_CREATE, "event", event.event_id, request_id))
        return event

    def future_start(self, text: str):
        starts_at = parse_rfc3339(text)
        if starts_at <= self.clock.now():
            raise errors.ValidationFailed({"starts_at": "must be in the future"})
        return starts_at

    def owned_event(self, principal: Principal, event_id: str) -> Event:
        event = self.catalog.event(event_id)
        if not event or event.tenant_id != principal.tenant_id:
            raise errors.NotFound("event")
        return event

    def publish(self, principal: Principal, event_id: str, request_id: str | None = None) -> Event:
        event = self.owned_event(principal, event_id)
        if event.status == EventStatus.DRAFT:
            self.catalog.publish(event.published(to_rfc3339(self.clock.now())), self.auditor.entry(
                principal, AuditAction.EVENT_PUBLISH, "event", event_id, request_id))
            event = self.catalog.event(event_id)
        return event

    # public -----------------------------------------------------------------------------------
    def public_event(self, event_id: str) -> Event:
        event = self.catalog.event(event_id)
        if not event or not event.is_public():
            raise errors.NotFound("event")
        return event

    def event_page(self, event_id: str) -> EventPage:
        event = self.public_event(event_id)
        return EventPage(event, self.availability.summary(event))

    def seat_list_sections(self, event_id: str, section: str | None) -> tuple[Event, list]:
        """The event and the sections its seat list covers, refused as the seat list is."""
        event = self.public_event(event_id)
        layout = self.catalog.layout(event.venue_id)
        if section is not None and layout.section(section) is None:
            raise errors.ValidationFailed({"section": "must name a section of this venue"})
        if section is None and layout.capacity > SEAT_LIST_SECTION_REQUIRED_ABOVE:
            raise errors.ValidationFailed({"section": "is required: the venue has more than "
                                                      f"{SEAT_LIST_SECTION_REQUIRED_ABOVE} seats"})
        return event, [layout.section(section)] if section else list(layout.sections)

    def seats(self, event_id: str, section: str | None, status: str | None) -> SeatMap:
        event, sections = self.seat_list_sections(event_id, section)
        now = self.clock.now()
        seats = []
        for sec in sections:
            tier = event.tier_for_section(sec.name)
            states = self.inventory.seat_states(event_id, sec.name)
            for sid in sec.seat_ids():
                current = seat_status(states.get(sid), now)
                if status and current != status:
                    continue
                _, row, number = parse_seat_id(sid)
                seats.append(SeatView(HeldSeat(sid, sec.name, row, number, tier.tier_id,
                                               tier.price), current))
        return SeatMap(event_id, seats)


def priced_tiers(new_tiers, layout: Layout) -> tuple[PriceTier, ...]:
    """Tiers from a request, checked against the venue: every section in exactly one tier,
    one currency."""
    tiers = tuple(PriceTier(f"tier_{i + 1}", t.name, t.price, t.sections)
                  for i, t in enumerate(new_tiers))
    problems = tier_problems(list(tiers), layout)
    if problems:
        raise errors.ValidationFailed(problems)
    return tiers
