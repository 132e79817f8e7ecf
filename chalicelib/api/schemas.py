"""Request bodies, validated with pydantic (Powertools' parser) into per-field messages."""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import (BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr,
                      field_validator)

from ..domain.money import CURRENCIES

Name = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9]{1,20}$")]
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
    seats: StrictInt = Field(ge=1, le=200)


class SectionIn(Strict):
    name: Name
    rows: list[RowIn] = Field(min_length=1, max_length=5000)


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
            raise ValueError("unknown IANA timezone") from e
        return value


class MoneyIn(Strict):
    amount: StrictInt = Field(ge=0, le=100_000_000)
    currency: StrictStr

    @field_validator("currency")
    @classmethod
    def known_currency(cls, value: str) -> str:
        if value not in CURRENCIES:
            raise ValueError("unknown ISO 4217 currency code")
        return value


class TierIn(Strict):
    name: Text
    price: MoneyIn
    sections: list[Name] = Field(min_length=1, max_length=500)


class EventIn(Strict):
    venue_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    name: Text
    description: LongText
    category: Annotated[StrictStr, Field(pattern=r"^[a-z0-9-]{1,40}$")]
    performer: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    starts_at: StrictStr
    thumbnail_url: Annotated[StrictStr, Field(pattern=r"^https?://\S{1,2000}$")] | None = None
    max_tickets_per_order: StrictInt = Field(default=8, ge=1, le=50)
    price_tiers: list[TierIn] = Field(min_length=1, max_length=100)

    @field_validator("starts_at")
    @classmethod
    def rfc3339(cls, value: str) -> str:
        from ..domain.clock import parse_rfc3339
        parse_rfc3339(value)
        return value


SeatId = Annotated[StrictStr, Field(min_length=1, max_length=70)]
IdText = Annotated[StrictStr, Field(min_length=1, max_length=128)]


class HoldIn(Strict):
    event_id: IdText
    seat_ids: list[SeatId] = Field(min_length=1, max_length=50)
    hold_duration_seconds: StrictInt = Field(default=600, ge=5, le=1800)

    @field_validator("seat_ids")
    @classmethod
    def distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("seat ids must be distinct")
        return value


class ExtendIn(Strict):
    hold_duration_seconds: StrictInt = Field(ge=5, le=1800)


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


def field_messages(exc) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in exc.errors():
        path = ""
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = re.sub(r"^Value error, ", "", err["msg"])
        fields.setdefault(path or "body", message)
    return fields
