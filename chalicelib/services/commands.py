"""What callers ask the services to do, as plain values (the API parses requests into these)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.catalog import Location, Section
from ..domain.money import Money


@dataclass(frozen=True)
class NewVenue:
    name: str
    address: str
    city: str
    country: str
    location: Location
    timezone: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class NewTier:
    name: str
    price: Money
    sections: tuple[str, ...]


@dataclass(frozen=True)
class NewEvent:
    venue_id: str
    name: str
    description: str
    category: str
    performer: str | None
    starts_at: str
    thumbnail_url: str | None
    max_tickets_per_order: int
    price_tiers: tuple[NewTier, ...]


@dataclass(frozen=True)
class HoldSeats:
    """Either `seat_ids`, or `quantity` (best available, optionally in one section or tier)."""

    event_id: str
    seat_ids: tuple[str, ...]
    seconds: int
    idempotency_key: str | None = None
    quantity: int | None = None
    section: str | None = None
    tier_id: str | None = None
    admission_token: str | None = None

    @property
    def best_available(self) -> bool:
        return self.quantity is not None


@dataclass(frozen=True)
class ConfigureQueue:
    enabled: bool
    admit_per_minute: int
    admission_seconds: int


@dataclass(frozen=True)
class BookHold:
    hold_id: str
    payment_method_id: str
    idempotency_key: str


@dataclass(frozen=True)
class EventChanges:
    """The fields a PATCH names, with their new values (price_tiers as NewTier tuples)."""

    fields: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class NewWebhook:
    url: str
    events: tuple[str, ...]
