"""Venues, their seat layouts, events and price tiers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .money import Money

NAME_PATTERN = re.compile(r"^[A-Za-z0-9]{1,20}$", re.ASCII)
MAX_SEATS_PER_ROW = 200
MAX_SEATS_PER_SECTION = 5_000
MAX_SEATS_PER_VENUE = 100_000


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

    def to_dict(self) -> dict:
        return {"sections": [{"name": s.name, "rows": [[r.name, r.seats] for r in s.rows]}
                             for s in self.sections]}

    @classmethod
    def from_dict(cls, data: dict) -> "Layout":
        return cls(tuple(Section(s["name"], tuple(Row(r[0], int(r[1])) for r in s["rows"]))
                         for s in data["sections"]))


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


def layout_problems(layout: Layout) -> dict[str, str]:
    """The contract's limits on a seat map, as field -> message."""
    problems: dict[str, str] = {}
    names = [s.name for s in layout.sections]
    if len(set(names)) != len(names):
        problems["sections"] = "section names must be unique"
    for i, section in enumerate(layout.sections):
        rows = [r.name for r in section.rows]
        if len(set(rows)) != len(rows):
            problems[f"sections[{i}].rows"] = "row names must be unique within a section"
        if section.capacity > MAX_SEATS_PER_SECTION:
            problems[f"sections[{i}]"] = f"at most {MAX_SEATS_PER_SECTION} seats a section"
    if layout.capacity > MAX_SEATS_PER_VENUE:
        problems["sections"] = f"at most {MAX_SEATS_PER_VENUE} seats a venue"
    return problems


@dataclass(frozen=True)
class Venue:
    venue_id: str
    tenant_id: str
    name: str
    address: str
    city: str
    country: str
    timezone: str
    lat: float
    lng: float
    layout: Layout
    created_at: str

    def to_dict(self) -> dict:
        return {
            "venue_id": self.venue_id, "name": self.name, "address": self.address,
            "city": self.city, "country": self.country, "timezone": self.timezone,
            "location": {"lat": self.lat, "lng": self.lng},
            "capacity": self.layout.capacity,
            "sections": [s.name for s in self.layout.sections],
        }


@dataclass(frozen=True)
class PriceTier:
    tier_id: str
    name: str
    price: Money
    sections: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"tier_id": self.tier_id, "name": self.name, "price": self.price.to_dict(),
                "sections": list(self.sections)}

    @classmethod
    def from_dict(cls, data: dict) -> "PriceTier":
        return cls(data["tier_id"], data["name"], Money.from_dict(data["price"]),
                   tuple(data["sections"]))


def tier_problems(tiers: list[PriceTier], layout: Layout) -> dict[str, str]:
    """Every venue section in exactly one tier, one currency for all tiers."""
    problems: dict[str, str] = {}
    if len({t.price.currency for t in tiers}) > 1:
        problems["price_tiers"] = "all tiers must share one currency"
    venue_sections = {s.name for s in layout.sections}
    seen: dict[str, int] = {}
    for i, tier in enumerate(tiers):
        for name in tier.sections:
            if name not in venue_sections:
                problems[f"price_tiers[{i}].sections"] = f"unknown section {name!r}"
            seen[name] = seen.get(name, 0) + 1
    doubled = sorted(n for n, c in seen.items() if c > 1)
    missing = sorted(venue_sections - set(seen))
    if doubled:
        problems["price_tiers"] = f"sections in more than one tier: {', '.join(doubled)}"
    elif missing:
        problems["price_tiers"] = f"sections in no tier: {', '.join(missing)}"
    return problems


@dataclass
class Event:
    event_id: str
    tenant_id: str
    venue_id: str
    name: str
    description: str
    category: str
    performer: str | None
    starts_at: str
    status: str
    thumbnail_url: str | None
    max_tickets_per_order: int
    price_tiers: list[PriceTier]
    venue: dict
    section_sizes: dict[str, int]
    created_at: str
    published_at: str | None = None
    search_keys: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.price_tiers[0].price.currency

    def tier_for_section(self, section: str) -> PriceTier:
        return next(t for t in self.price_tiers if section in t.sections)

    def is_public(self) -> bool:
        return self.status in ("published", "cancelled")

    def to_dict(self) -> dict:
        return {
            "event_id": self.event_id, "name": self.name, "description": self.description,
            "category": self.category, "performer": self.performer, "starts_at": self.starts_at,
            "status": self.status, "thumbnail_url": self.thumbnail_url,
            "max_tickets_per_order": self.max_tickets_per_order, "venue_id": self.venue_id,
        }

    def price_range(self) -> dict:
        prices = sorted((t.price for t in self.price_tiers), key=lambda m: m.amount)
        return {"min": prices[0].to_dict(), "max": prices[-1].to_dict()}


def availability_label(total: int, available: int) -> str:
    if available <= 0:
        return "sold_out"
    return "limited" if available * 10 <= total else "available"
