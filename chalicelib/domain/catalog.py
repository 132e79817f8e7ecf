"""Venues, their seat layouts, events and price tiers."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from . import errors
from .clock import epoch, parse_rfc3339
from .money import Money
from .queue import QueueSettings

NAME_PATTERN = r"^[A-Za-z0-9]{1,20}$"
CATEGORY_PATTERN = r"^[a-z0-9-]{1,40}$"
MAX_SEATS_PER_ROW = 200
MAX_SEATS_PER_SECTION = 5_000
MAX_SEATS_PER_VENUE = 100_000
DEFAULT_TICKETS_PER_ORDER, MAX_TICKETS_PER_ORDER = 8, 50
SEAT_LIST_SECTION_REQUIRED_ABOVE = 5_000
# What PATCH may change: a draft, anything of its creation body; a published event, what
# buyers can live with (a new time is a reschedule). A cancelled event changes no more.
DRAFT_EDITABLE = frozenset({"venue_id", "name", "description", "category", "performer",
                            "starts_at", "thumbnail_url", "max_tickets_per_order",
                            "price_tiers"})
PUBLISHED_EDITABLE = frozenset({"name", "description", "performer", "thumbnail_url",
                                "max_tickets_per_order", "starts_at"})


@dataclass(frozen=True)
class Row:
    name: str
    seats: int


@dataclass(frozen=True)
class Section:
    name: str
    rows: tuple[Row, ...]

    @property
    def capacity(self) -> int:
        return sum(row.seats for row in self.rows)

    def seat_ids(self):
        for row in self.rows:
            for number in range(1, row.seats + 1):
                yield seat_id(self.name, row.name, number)


@dataclass(frozen=True)
class Layout:
    """The immutable seat map of a venue."""

    sections: tuple[Section, ...]

    @property
    def capacity(self) -> int:
        return sum(section.capacity for section in self.sections)

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def contains(self, seat: str) -> bool:
        parts = parse_seat_id(seat)
        if parts is None:
            return False
        section_name, row_name, number = parts
        section = self.section(section_name)
        row = section and next((r for r in section.rows if r.name == row_name), None)
        return bool(row) and 1 <= number <= row.seats

    def problems(self) -> dict[str, str]:
        """The contract's limits on a seat map, as field -> message."""
        found: dict[str, str] = {}
        names = [s.name for s in self.sections]
        if len(set(names)) != len(names):
            found["sections"] = "section names must be unique"
        for i, section in enumerate(self.sections):
            rows = [r.name for r in section.rows]
            if len(set(rows)) != len(rows):
                found[f"sections[{i}].rows"] = "row names must be unique within a section"
            if section.capacity > MAX_SEATS_PER_SECTION:
                found[f"sections[{i}]"] = f"at most {MAX_SEATS_PER_SECTION} seats a section"
        if self.capacity > MAX_SEATS_PER_VENUE:
            found["sections"] = f"at most {MAX_SEATS_PER_VENUE} seats a venue"
        return found


def seat_id(section: str, row: str, number: int) -> str:
    return f"{section}-{row}-{number}"


SEAT_ID_PATTERN = re.compile(r"^([A-Za-z0-9]{1,20})-([A-Za-z0-9]{1,20})-([1-9][0-9]{0,3})$",
                             re.ASCII)


def parse_seat_id(value) -> tuple[str, str, int] | None:
    """Only the canonical ASCII form: '٣' or '３' are digits to Python, not to a seat map."""
    match = SEAT_ID_PATTERN.match(value) if isinstance(value, str) else None
    if match is None or match.end() != len(value):
        return None
    return match.group(1), match.group(2), int(match.group(3))


@dataclass(frozen=True)
class Location:
    lat: float
    lng: float


@dataclass(frozen=True)
class Venue:
    """A venue's public facts; its Layout is kept apart (large, immutable, cached)."""

    venue_id: str
    tenant_id: str
    name: str
    address: str
    city: str
    country: str
    timezone: str
    location: Location
    capacity: int
    sections: tuple[str, ...]
    created_at: str


@dataclass(frozen=True)
class PriceTier:
    tier_id: str
    name: str
    price: Money
    sections: tuple[str, ...]


def tier_problems(tiers: list[PriceTier], layout: Layout) -> dict[str, str]:
    """Every venue section in exactly one tier, one currency for all tiers."""
    problems: dict[str, str] = {}
    if len({t.price.currency for t in tiers}) > 1:
        problems["price_tiers"] = "must all share one currency"
    venue_sections = {s.name for s in layout.sections}
    seen: dict[str, int] = {}
    for i, tier in enumerate(tiers):
        for name in tier.sections:
            if name not in venue_sections:
                problems[f"price_tiers[{i}].sections"] = f"must name sections of the venue (not {name!r})"
            seen[name] = seen.get(name, 0) + 1
    doubled = sorted(n for n, c in seen.items() if c > 1)
    missing = sorted(venue_sections - set(seen))
    if doubled:
        problems["price_tiers"] = f"must put each section in one tier; in more than one: {', '.join(doubled)}"
    elif missing:
        problems["price_tiers"] = f"must cover every section; in no tier: {', '.join(missing)}"
    return problems


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Event:
    event_id: str
    tenant_id: str
    venue_id: str
    name: str
    description: str
    category: str
    performer: str | None
    starts_at: str
    status: EventStatus
    thumbnail_url: str | None
    max_tickets_per_order: int
    price_tiers: tuple[PriceTier, ...]
    venue: Venue
    section_sizes: dict[str, int] = field(hash=False)
    created_at: str = ""
    published_at: str | None = None
    version: int = 1
    queue: QueueSettings | None = None  # the on-sale's waiting room, if it has one

    @property
    def currency(self) -> str:
        return self.price_tiers[0].price.currency

    @property
    def starts_epoch(self) -> int:
        return epoch(parse_rfc3339(self.starts_at))

    @property
    def capacity(self) -> int:
        return sum(self.section_sizes.values())

    def tier_for_section(self, section: str) -> PriceTier:
        return next(t for t in self.price_tiers if section in t.sections)

    def is_public(self) -> bool:
        return self.status in (EventStatus.PUBLISHED, EventStatus.CANCELLED)

    def has_started(self, now: dt.datetime) -> bool:
        return epoch(now) >= self.starts_epoch

    def ensure_on_sale(self, now: dt.datetime) -> None:
        if self.status == EventStatus.CANCELLED:
            raise errors.EventCancelled()
        if self.status != EventStatus.PUBLISHED or self.has_started(now):
            raise errors.EventNotOnSale()

    def published(self, when: str) -> "Event":
        if self.status == EventStatus.CANCELLED:
            raise errors.EventCancelled("A cancelled event cannot be published.")
        if self.status == EventStatus.PUBLISHED:
            return self
        return replace(self, status=EventStatus.PUBLISHED, published_at=when,
                       version=self.version + 1)

    @property
    def queued(self) -> bool:
        return self.queue is not None and self.queue.enabled

    def with_queue(self, settings: QueueSettings) -> "Event":
        """A new version, so a hold that read the old settings is refused and reads again."""
        if self.status == EventStatus.CANCELLED:
            raise errors.EventCancelled()
        return replace(self, queue=settings, version=self.version + 1)

    def cancelled(self) -> "Event":
        if self.status == EventStatus.CANCELLED:
            return self
        return replace(self, status=EventStatus.CANCELLED, version=self.version + 1)

    def ensure_editable(self, fields) -> None:
        """Raises unless every named field may change in this status."""
        if self.status == EventStatus.CANCELLED:
            raise errors.EventCancelled("A cancelled event cannot be changed.")
        allowed = DRAFT_EDITABLE if self.status == EventStatus.DRAFT else PUBLISHED_EDITABLE
        refused = sorted(set(fields) - allowed)
        if refused:
            raise errors.ValidationFailed(
                {name: f"cannot change once the event is {self.status}" for name in refused})

    def changed(self, **values) -> "Event":
        """The event with new values (checked by ensure_editable first) and a new version,
        so holds in flight read it again."""
        return replace(self, **values, version=self.version + 1)

    def same_as(self, other: "Event") -> bool:
        return replace(other, version=self.version) == self

    def is_rescheduled_from(self, before: "Event") -> bool:
        return self.status == EventStatus.PUBLISHED and self.starts_at != before.starts_at

    def price_range(self) -> tuple[Money, Money]:
        prices = sorted((t.price for t in self.price_tiers), key=lambda m: m.amount)
        return prices[0], prices[-1]


def availability_label(total: int, available: int) -> str:
    if available <= 0:
        return "sold_out"
    return "limited" if available * 10 <= total else "available"
