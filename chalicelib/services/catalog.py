"""Organizers set up venues and events; anyone reads published event pages and seat maps."""
from __future__ import annotations


from ..domain import errors
from ..domain.catalog import (Event, Layout, PriceTier, Row, Section, Venue, availability_label,
                              layout_problems, parse_seat_id, tier_problems)
from ..domain.clock import parse_rfc3339, to_rfc3339
from ..domain.holds import seat_status
from ..domain.money import Money
from .ids import new_id, request_hash
from .paging import Page

SEAT_LIST_SECTION_REQUIRED_ABOVE = 5_000


def etag_of(body) -> str:
    return f'"{request_hash(body)[:32]}"'


class CatalogService:
    def __init__(self, catalog, inventory, projections, search_index, paging, clock):
        self.catalog, self.inventory, self.projections = catalog, inventory, projections
        self.search_index, self.paging, self.clock = search_index, paging, clock

    # organizer: venues ------------------------------------------------------------------------
    def create_venue(self, principal, data) -> dict:
        layout = Layout(tuple(Section(s.name, tuple(Row(r.name, r.seats) for r in s.rows))
                              for s in data.sections))
        problems = layout_problems(layout)
        if problems:
            raise errors.ValidationFailed(problems)
        venue = Venue(new_id("ven"), principal.tenant_id, data.name, data.address, data.city,
                      data.country, data.timezone, data.location.lat, data.location.lng, layout,
                      to_rfc3339(self.clock.now()))
        self.catalog.add_venue(venue)
        return venue.to_dict()

    def venue(self, principal, venue_id: str) -> dict:
        doc = self.catalog.venue_doc(venue_id)
        if not doc or doc.get("tenant_id") != principal.tenant_id:
            raise errors.NotFound("venue")
        return _public_venue(doc)

    def list_owned(self, principal, kind: str, cursor: str | None, limit: int) -> Page:
        scope = f"organizer-{kind}:{principal.tenant_id}"
        after = self.paging.decode(cursor, scope).get("after") if cursor else None
        docs, last = self.catalog.list_by_tenant(principal.tenant_id, kind.upper(), after, limit)
        view = _public_venue if kind == "venues" else _event_view
        return Page([view(d) for d in docs],
                    self.paging.encode({"after": last}, scope) if last else None)

    # organizer: events ------------------------------------------------------------------------
    def create_event(self, principal, data) -> dict:
        venue_doc = self.catalog.venue_doc(data.venue_id)
        if not venue_doc or venue_doc.get("tenant_id") != principal.tenant_id:
            raise errors.NotFound("venue")
        starts_at = parse_rfc3339(data.starts_at)
        if starts_at <= self.clock.now():
            raise errors.ValidationFailed({"starts_at": "must be in the future"})
        layout = self.catalog.layout(data.venue_id)
        tiers = [PriceTier(f"tier_{i + 1}", t.name, Money(t.price.amount, t.price.currency),
                           tuple(t.sections)) for i, t in enumerate(data.price_tiers)]
        problems = tier_problems(tiers, layout)
        if problems:
            raise errors.ValidationFailed(problems)
        event = Event(
            event_id=new_id("evt"), tenant_id=principal.tenant_id, venue_id=data.venue_id,
            name=data.name, description=data.description, category=data.category,
            performer=data.performer, starts_at=to_rfc3339(starts_at), status="draft",
            thumbnail_url=data.thumbnail_url, max_tickets_per_order=data.max_tickets_per_order,
            price_tiers=tiers, venue=_public_venue(venue_doc),
            section_sizes={s.name: s.capacity for s in layout.sections},
            created_at=to_rfc3339(self.clock.now()))
        self.catalog.add_event(event)
        return event.to_dict()

    def owned_event(self, principal, event_id: str) -> Event:
        event = self.catalog.event(event_id)
        if not event or event.tenant_id != principal.tenant_id:
            raise errors.NotFound("event")
        return event

    def publish(self, principal, event_id: str) -> dict:
        event = self.owned_event(principal, event_id)
        if event.status == "draft":
            event.status, event.published_at = "published", to_rfc3339(self.clock.now())
            self.catalog.mark_published(event, self.search_index.entries_for(event))
            event = self.catalog.event(event_id)
        return event.to_dict()

    # public -----------------------------------------------------------------------------------
    def public_event(self, event_id: str) -> Event:
        event = self.catalog.event(event_id)
        if not event or not event.is_public():
            raise errors.NotFound("event")
        return event

    def event_page(self, event_id: str) -> dict:
        event = self.public_event(event_id)
        return {"event": event.to_dict(), "venue": event.venue,
                "price_tiers": [t.to_dict() for t in event.price_tiers],
                "availability_summary": self.availability_summary(event)}

    def availability_summary(self, event: Event) -> dict:
        counts = self.projections.counters(f"AVAIL#{event.event_id}")
        sections, held_total, sold_total = [], 0, 0
        for name, size in event.section_sizes.items():
            held = max(0, counts.get(name, {}).get("held", 0))
            sold = max(0, counts.get(name, {}).get("sold", 0))
            held_total, sold_total = held_total + held, sold_total + sold
            sections.append({"section": name, "total": size,
                             "available": max(0, size - held - sold),
                             "min_price": event.tier_for_section(name).price.to_dict()})
        total = sum(event.section_sizes.values())
        return {"total": total, "available": max(0, total - held_total - sold_total),
                "held": held_total, "sold": sold_total, "sections": sections}

    def availability(self, event: Event) -> str:
        summary = self.availability_summary(event)
        return availability_label(summary["total"], summary["available"])

    def seats(self, event_id: str, section: str | None, status: str | None) -> dict:
        event = self.public_event(event_id)
        layout = self.catalog.layout(event.venue_id)
        if section is not None and layout.section(section) is None:
            raise errors.ValidationFailed({"section": f"no section {section!r} at this venue"})
        if section is None and layout.capacity > SEAT_LIST_SECTION_REQUIRED_ABOVE:
            raise errors.ValidationFailed({"section": "required: the venue has more than "
                                                      f"{SEAT_LIST_SECTION_REQUIRED_ABOVE} seats"})
        now = self.clock.now()
        seats = []
        for sec in ([layout.section(section)] if section else layout.sections):
            tier = event.tier_for_section(sec.name)
            states = self.inventory.seat_states(event_id, sec.name)
            for sid in sec.seat_ids():
                current = seat_status(states.get(sid), now)
                if status and current != status:
                    continue
                _, row, number = parse_seat_id(sid)
                seats.append({"seat_id": sid, "section": sec.name, "row": row, "number": number,
                              "tier_id": tier.tier_id, "price": tier.price.to_dict(),
                              "status": current})
        return {"event_id": event_id, "seats": seats, "seat_map_url": None}


def _public_venue(doc: dict) -> dict:
    return {k: doc[k] for k in ("venue_id", "name", "address", "city", "country", "timezone",
                                "location", "capacity", "sections")}


def _event_view(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("event_id", "name", "description", "category", "performer",
                                    "starts_at", "status", "thumbnail_url",
                                    "max_tickets_per_order", "venue_id")}
