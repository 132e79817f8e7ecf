"""Request bodies, validated with pydantic (Powertools' parser) into per-field messages."""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt,
                      StrictStr, field_validator)

from ..domain import catalog as limits
from ..domain import holds as hold_limits
from ..domain import queue as queue_limits
from ..domain.catalog import Location as LocationValue
from ..domain.catalog import Row, Section
from ..domain.money import CURRENCIES, Money
from ..services import commands

Name = Annotated[StrictStr, Field(pattern=limits.NAME_PATTERN)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=200)]
LongText = Annotated[StrictStr, Field(max_length=5000)]
Number = StrictInt | StrictFloat


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(Strict):
    lat: Number = Field(ge=-90, le=90)
    lng: Number = Field(ge=-180, le=180)

    @field_validator("lat", "lng")
    @classmethod
    def centimetres(cls, value: float) -> float:
        """Seven decimals is about a centimetre; DynamoDB cannot store numbers below 1e-130."""
        return round(float(value), 7)


class RowIn(Strict):
    name: Name
    seats: StrictInt = Field(ge=1, le=limits.MAX_SEATS_PER_ROW)


class SectionIn(Strict):
    name: Name
    rows: list[RowIn] = Field(min_length=1, max_length=limits.MAX_SEATS_PER_SECTION)


class VenueIn(Strict):
    name: Text
    address: Text
    city: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    country: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")]
    location: Location
    timezone: Annotated[StrictStr, Field(min_length=1, max_length=64)] = "UTC"
    sections: list[SectionIn] = Field(min_length=1, max_length=500)

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError("must be an IANA timezone such as Europe/Lisbon") from e
        return value

    def command(self) -> commands.NewVenue:
        return commands.NewVenue(
            self.name, self.address, self.city, self.country,
            LocationValue(self.location.lat, self.location.lng), self.timezone,
            tuple(Section(s.name, tuple(Row(r.name, r.seats) for r in s.rows))
                  for s in self.sections))


class MoneyIn(Strict):
    amount: StrictInt = Field(ge=0, le=100_000_000)
    currency: StrictStr

    @field_validator("currency")
    @classmethod
    def known_currency(cls, value: str) -> str:
        if value not in CURRENCIES:
            raise ValueError("must be an ISO 4217 currency code such as EUR")
        return value


class TierIn(Strict):
    name: Text
    price: MoneyIn
    sections: list[Name] = Field(min_length=1, max_length=500)


class EventIn(Strict):
    venue_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    name: Text
    description: LongText
    category: Annotated[StrictStr, Field(pattern=limits.CATEGORY_PATTERN)]
    performer: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    starts_at: StrictStr
    thumbnail_url: Annotated[StrictStr, Field(pattern=r"^https?://\S{1,2000}$")] | None = None
    max_tickets_per_order: StrictInt = Field(default=limits.DEFAULT_TICKETS_PER_ORDER, ge=1,
                                             le=limits.MAX_TICKETS_PER_ORDER)
    price_tiers: list[TierIn] = Field(min_length=1, max_length=100)

    @field_validator("starts_at")
    @classmethod
    def rfc3339(cls, value: str) -> str:
        from ..domain.clock import parse_rfc3339
        parse_rfc3339(value)
        return value

    def command(self) -> commands.NewEvent:
        return commands.NewEvent(
            self.venue_id, self.name, self.description, self.category, self.performer,
            self.starts_at, self.thumbnail_url, self.max_tickets_per_order,
            tuple(commands.NewTier(t.name, Money(t.price.amount, t.price.currency),
                                   tuple(t.sections)) for t in self.price_tiers))


NOT_NULL = ("venue_id", "name", "description", "category", "starts_at", "max_tickets_per_order",
            "price_tiers")


class EventPatchIn(Strict):
    """Only the fields sent change; `performer` and `thumbnail_url` may be set to null."""

    venue_id: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None
    name: Text | None = None
    description: LongText | None = None
    category: Annotated[StrictStr, Field(pattern=limits.CATEGORY_PATTERN)] | None = None
    performer: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    starts_at: StrictStr | None = None
    thumbnail_url: Annotated[StrictStr, Field(pattern=r"^https?://\S{1,2000}$")] | None = None
    max_tickets_per_order: StrictInt | None = Field(default=None, ge=1,
                                                    le=limits.MAX_TICKETS_PER_ORDER)
    price_tiers: list[TierIn] | None = Field(default=None, min_length=1, max_length=100)

    @field_validator(*NOT_NULL)
    @classmethod
    def not_null(cls, value):
        if value is None:
            raise ValueError("may not be null")
        return value

    @field_validator("starts_at")
    @classmethod
    def rfc3339(cls, value: str) -> str:
        return EventIn.rfc3339(value)

    def command(self) -> commands.EventChanges:
        fields = {name: getattr(self, name) for name in self.model_fields_set}
        if "price_tiers" in fields:
            fields["price_tiers"] = tuple(
                commands.NewTier(t.name, Money(t.price.amount, t.price.currency), tuple(t.sections))
                for t in self.price_tiers)
        return commands.EventChanges(fields)


class WebhookIn(Strict):
    url: Annotated[StrictStr, Field(min_length=1, max_length=2048)]
    events: list[Annotated[StrictStr, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=20)

    @field_validator("events")
    @classmethod
    def distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("event types must be distinct")
        return value

    def command(self) -> commands.NewWebhook:
        return commands.NewWebhook(self.url, tuple(self.events))


SeatId = Annotated[StrictStr, Field(min_length=1, max_length=70)]
IdText = Annotated[StrictStr, Field(min_length=1, max_length=128)]


class HoldIn(Strict):
    """Either `seat_ids`, or `quantity` for best available (optionally in one section or
    tier): exactly one of the two."""

    event_id: IdText
    seat_ids: list[SeatId] | None = Field(default=None, min_length=1,
                                          max_length=hold_limits.MAX_SEATS_PER_HOLD)
    quantity: StrictInt | None = Field(default=None, ge=1, le=hold_limits.MAX_SEATS_PER_HOLD)
    section: Name | None = None
    tier_id: IdText | None = None
    hold_duration_seconds: StrictInt = Field(default=hold_limits.DEFAULT_HOLD_SECONDS,
                                             ge=hold_limits.MIN_HOLD_SECONDS,
                                             le=hold_limits.MAX_HOLD_SECONDS)

    @field_validator("seat_ids")
    @classmethod
    def distinct(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("must not repeat a seat")
        return value

    def command(self, key: str | None, token: str | None) -> commands.HoldSeats:
        from ..domain import errors
        if (self.seat_ids is None) == (self.quantity is None):
            field = "seat_ids" if self.seat_ids is None else "quantity"
            raise errors.ValidationFailed({field: "give either seat_ids or quantity, not both"})
        if self.seat_ids is not None and (self.section or self.tier_id):
            raise errors.ValidationFailed({"section" if self.section else "tier_id":
                                           "only with quantity (best available)"})
        return commands.HoldSeats(self.event_id, tuple(self.seat_ids or ()),
                                  self.hold_duration_seconds, key, self.quantity, self.section,
                                  self.tier_id, token)


class QueueIn(Strict):
    enabled: StrictBool
    admit_per_minute: StrictInt = Field(ge=queue_limits.MIN_ADMIT_PER_MINUTE,
                                        le=queue_limits.MAX_ADMIT_PER_MINUTE)
    admission_seconds: StrictInt = Field(default=queue_limits.DEFAULT_ADMISSION_SECONDS,
                                         ge=queue_limits.MIN_ADMISSION_SECONDS,
                                         le=queue_limits.MAX_ADMISSION_SECONDS)

    def command(self) -> commands.ConfigureQueue:
        return commands.ConfigureQueue(self.enabled, self.admit_per_minute,
                                       self.admission_seconds)


class ExtendIn(Strict):
    hold_duration_seconds: StrictInt = Field(ge=hold_limits.MIN_HOLD_SECONDS,
                                             le=hold_limits.MAX_HOLD_SECONDS)


class BookingIn(Strict):
    hold_id: IdText
    payment_method_id: IdText


class CheckInIn(Strict):
    ticket_code: Annotated[StrictStr, Field(min_length=1, max_length=4096)]


class DevTokenIn(Strict):
    sub: Annotated[StrictStr, Field(min_length=1, max_length=128)]
    email: Annotated[StrictStr, Field(max_length=254)] | None = None
    roles: list[Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]] = Field(
        default_factory=lambda: ["customer"], max_length=10)
    tenant_id: Annotated[StrictStr, Field(min_length=1, max_length=128)] | None = None


# Live seat map frames (client -> server, over WebSocket).
EventId = Annotated[StrictStr, Field(min_length=1, max_length=128)]


class SubscribeIn(Strict):
    action: Literal["subscribe"]
    event_id: EventId
    section: Name | None = None


class UnsubscribeIn(Strict):
    action: Literal["unsubscribe"]
    event_id: EventId


class PingIn(Strict):
    action: Literal["ping"]


FRAMES = {"subscribe": SubscribeIn, "unsubscribe": UnsubscribeIn, "ping": PingIn}


# pydantic's error types in the project's voice: every message completes "<field> ..."
MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this request",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "string_too_short": "must be at least {min_length} characters",
    "string_too_long": "must be at most {max_length} characters",
    "string_pattern_mismatch": "must match {pattern}",
    "string_unicode": "must be valid text",
    "too_short": "must hold at least {min_length} items",
    "too_long": "must hold at most {max_length} items",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "finite_number": "must be a finite number",
    "literal_error": "must be one of {expected}",
    "enum": "must be one of {expected}",
}


def message_of(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error":  # our own validators, already in this voice
        return str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    template = MESSAGES.get(kind)
    if template is None:
        return "is invalid"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return "is invalid"


def field_messages(exc) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in exc.errors():
        path = ""
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        fields.setdefault((path or "body")[:100], message_of(err))
    return fields
