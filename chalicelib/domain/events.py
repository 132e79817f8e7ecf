"""Domain events: what happened, as typed facts. The class name is the EventBridge
detail-type; `to_detail` gives the detail every consumer reads, and `from_detail` reads it back."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import ClassVar

from .holds import HeldSeat
from .money import Money

NAMESPACE = uuid.UUID("6f1c0b1e-7d0e-4c8e-9a55-5b0c1f0e2a10")
SOURCE = "boxoffice"


def event_id_for(kind: str, entity_id: str, *qualifiers: str) -> str:
    """The same state change always yields the same id, so a redelivery dedupes."""
    return str(uuid.uuid5(NAMESPACE, ":".join((kind, entity_id, *qualifiers))))


@dataclass(frozen=True)
class DomainEvent:
    schema_version: ClassVar[int] = 1

    event_id: str
    tenant_id: str
    occurred_at: str

    @classmethod
    def detail_type(cls) -> str:
        return cls.__name__


@dataclass(frozen=True)
class SeatsChanged(DomainEvent):
    """A change of status of some seats of one show, by one customer."""

    show_id: str
    user_id: str
    hold_id: str
    seats: tuple[HeldSeat, ...]
    total: Money

    def by_section(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for seat in self.seats:
            counts[seat.section] = counts.get(seat.section, 0) + 1
        return counts

    def by_tier(self) -> dict[str, dict]:
        tiers: dict[str, dict] = {}
        for seat in self.seats:
            tier = tiers.setdefault(seat.tier_id, {"count": 0, "amount": 0})
            tier["count"] += 1
            tier["amount"] += seat.price.amount
        return tiers


@dataclass(frozen=True)
class HoldPlaced(SeatsChanged):
    pass


@dataclass(frozen=True)
class HoldReleased(SeatsChanged):
    pass


@dataclass(frozen=True)
class HoldExpired(SeatsChanged):
    pass


@dataclass(frozen=True)
class BookingConfirmed(SeatsChanged):
    booking_id: str = ""


@dataclass(frozen=True)
class BookingCancelled(SeatsChanged):
    booking_id: str = ""


@dataclass(frozen=True)
class EventPublished(DomainEvent):
    show_id: str
    venue_id: str


@dataclass(frozen=True)
class EventCancelled(DomainEvent):
    show_id: str
    venue_id: str


@dataclass(frozen=True)
class EventRescheduled(DomainEvent):
    show_id: str
    venue_id: str
    starts_at: str = ""
    previous_starts_at: str = ""


TYPES: dict[str, type[DomainEvent]] = {t.detail_type(): t for t in (
    HoldPlaced, HoldReleased, HoldExpired, BookingConfirmed, BookingCancelled, EventPublished,
    EventCancelled, EventRescheduled)}


def _seat_dict(seat: HeldSeat) -> dict:
    return {"seat_id": seat.seat_id, "section": seat.section, "row": seat.row,
            "number": seat.number, "tier_id": seat.tier_id, "price": seat.price.to_dict()}


def to_detail(event: DomainEvent) -> dict:
    """The EventBridge detail of an event (documented in docs/events/)."""
    detail = {"event_id": event.event_id, "schema_version": event.schema_version,
              "tenant_id": event.tenant_id, "occurred_at": event.occurred_at}
    if isinstance(event, SeatsChanged):
        ids = {"event": event.show_id, "hold_id": event.hold_id, "user_id": event.user_id}
        if getattr(event, "booking_id", ""):
            ids["booking_id"] = event.booking_id
        detail.update(ids=ids,
                      counts={"seats": len(event.seats), "by_section": event.by_section()},
                      amounts={"total": event.total.to_dict(), "by_tier": event.by_tier()},
                      seats=[_seat_dict(s) for s in event.seats])
    else:
        detail["ids"] = {"event": event.show_id, "venue_id": event.venue_id}
        if isinstance(event, EventRescheduled):
            detail["starts_at"] = event.starts_at
            detail["previous_starts_at"] = event.previous_starts_at
    return detail


def from_detail(detail_type: str, detail: dict) -> DomainEvent | None:
    """Reads a delivered detail back into its event; None for a type this code does not know."""
    kind = TYPES.get(detail_type)
    if kind is None:
        return None
    base = {"event_id": detail["event_id"], "tenant_id": detail["tenant_id"],
            "occurred_at": detail["occurred_at"]}
    ids = detail["ids"]
    if issubclass(kind, SeatsChanged):
        seats = tuple(HeldSeat(s["seat_id"], s["section"], s["row"], int(s["number"]),
                               s["tier_id"], Money.from_dict(s["price"]))
                      for s in detail.get("seats", []))
        extra = {"booking_id": ids.get("booking_id", "")} if issubclass(
            kind, (BookingConfirmed, BookingCancelled)) else {}
        return kind(**base, show_id=ids["event"], user_id=ids["user_id"], hold_id=ids["hold_id"],
                    seats=seats, total=Money.from_dict(detail["amounts"]["total"]), **extra)
    extra = ({"starts_at": detail.get("starts_at", ""),
              "previous_starts_at": detail.get("previous_starts_at", "")}
             if kind is EventRescheduled else {})
    return kind(**base, show_id=ids["event"], venue_id=ids["venue_id"], **extra)
