"""The contract's response bodies as models: the OpenAPI document is generated from these and
the route table (api/spec.py), and the API tests check every answer against that document.
Views build plain dicts (cheap on the hot path); these models describe them exactly."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    # Schemas are built on first use (the OpenAPI tool, tests), never at a Lambda's cold start.
    model_config = ConfigDict(extra="forbid", defer_build=True)


Timestamp = str  # RFC 3339 UTC, e.g. 2026-12-01T20:00:00Z


class Money(Body):
    amount: int = Field(description="Minor units (cents).", examples=[15000])
    currency: str = Field(description="ISO 4217 code.", examples=["EUR"])


class ErrorDetail(Body):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    code: str = Field(examples=["SEATS_UNAVAILABLE"])
    message: str
    details: dict = Field(default_factory=dict, description="Machine-readable context; may be empty.")


class Error(Body):
    error: ErrorDetail


class Health(Body):
    status: Literal["ok"]


class DevToken(Body):
    token: str
    expires_at: Timestamp


class LatLng(Body):
    lat: float
    lng: float


class Venue(Body):
    venue_id: str
    name: str
    address: str
    city: str
    country: str
    timezone: str
    location: LatLng
    capacity: int
    sections: list[str]


class Event(Body):
    event_id: str
    name: str
    description: str
    category: str
    performer: str | None
    starts_at: Timestamp
    status: Literal["draft", "published", "cancelled"]
    thumbnail_url: str | None
    max_tickets_per_order: int
    venue_id: str


class PriceTier(Body):
    tier_id: str
    name: str
    price: Money
    sections: list[str]


class SectionAvailability(Body):
    section: str
    total: int
    available: int
    min_price: Money


class AvailabilitySummary(Body):
    total: int
    available: int
    held: int
    sold: int
    sections: list[SectionAvailability]


def _websocket_url_field():
    return Field(description=(
        "Where to subscribe to this event's live seat map (docs/live-seat-map.md): the "
        "WebSocket API's wss:// stage URL; ws://127.0.0.1:<port> on the local stack. Null only "
        "where no WebSocket server runs (then poll GET /events/{event_id}/seats with "
        "If-None-Match)."), examples=["wss://abc123.execute-api.eu-west-1.amazonaws.com/v1"])


class EventPage(Body):
    event: Event
    venue: Venue
    price_tiers: list[PriceTier]
    availability_summary: AvailabilitySummary
    websocket_url: str | None = _websocket_url_field()


class VenueRef(Body):
    venue_id: str
    name: str
    city: str


class PriceRange(Body):
    min: Money
    max: Money


class EventSummary(Body):
    event_id: str
    name: str
    category: str
    starts_at: Timestamp
    venue: VenueRef
    price_range: PriceRange
    availability: Literal["available", "limited", "sold_out"]
    thumbnail_url: str | None
    distance_km: float | None


class EventSearch(Body):
    events: list[EventSummary]
    next_cursor: str | None


class Seat(Body):
    seat_id: str = Field(examples=["A-12-7"])
    section: str
    row: str
    number: int
    tier_id: str
    price: Money
    status: Literal["available", "held", "sold"]


class SeatMap(Body):
    event_id: str
    seats: list[Seat]
    seat_map_url: str | None
    websocket_url: str | None = _websocket_url_field()


class Hold(Body):
    hold_id: str
    event_id: str
    status: Literal["active", "expired", "released", "booked"]
    created_at: Timestamp
    expires_at: Timestamp
    seats: list[Seat]
    total_price: Money


class HoldList(Body):
    holds: list[Hold]
    next_cursor: str | None


class Ticket(Body):
    ticket_id: str
    seat: Seat
    price: Money
    status: Literal["valid", "void", "checked_in"]
    checked_in_at: Timestamp | None
    qr_code: str = Field(description="EdDSA-signed JWT a door scanner verifies offline.")


class Failure(Body):
    code: str
    message: str


class NextAction(Body):
    type: Literal["confirm_payment"]
    client_secret: str = Field(description="Hand to Stripe.js (handleNextAction) to finish 3-D Secure.")


class Booking(Body):
    booking_id: str
    status: Literal["pending", "confirmed", "failed", "cancelled"]
    event_id: str
    hold_id: str
    tickets: list[Ticket]
    total_price: Money
    confirmation_code: str | None = Field(description="6-10 chars A-Z0-9; null until confirmed.")
    created_at: Timestamp
    failure: Failure | None = Field(default=None, description="Only on failed bookings.")
    next_action: NextAction | None = Field(default=None, description="Only while pending on the customer.")


class BookingDetails(Body):
    booking: Booking
    tickets: list[Ticket]
    event: EventSummary | None
    venue: Venue | None


class EventRef(Body):
    event_id: str
    name: str
    starts_at: Timestamp


class BookingSummary(Body):
    booking_id: str
    status: Literal["pending", "confirmed", "failed", "cancelled"]
    event: EventRef
    ticket_count: int
    total_price: Money
    created_at: Timestamp


class BookingList(Body):
    bookings: list[BookingSummary]
    next_cursor: str | None


class Refund(Body):
    amount: Money
    status: Literal["succeeded", "pending"]


class Cancellation(Body):
    booking: Booking
    refund: Refund


class VenueList(Body):
    venues: list[Venue]
    next_cursor: str | None


class EventList(Body):
    events: list[Event]
    next_cursor: str | None


class TierSales(Body):
    tier_id: str
    name: str
    sold: int
    revenue: Money


class Sales(Body):
    event_id: str
    tickets_sold: int
    tickets_held: int
    tickets_available: int
    revenue: Money
    by_tier: list[TierSales]
    updated_at: Timestamp = Field(description="When the newest event the figures count happened.")
    lag_seconds: int = Field(ge=0, description="Age of that event: how far the figures may trail "
                             "the sales (they follow the event stream).")


class TicketKey(Body):
    kid: str
    alg: Literal["EdDSA"]
    crv: Literal["Ed25519"]
    public_key: str = Field(description="Raw public key, base64url.")
    public_key_pem: str


class TicketKeys(Body):
    keys: list[TicketKey]


class CheckIn(Body):
    ticket_id: str
    seat: Seat
    checked_in_at: Timestamp


class QueueSettings(Body):
    event_id: str
    enabled: bool
    admit_per_minute: int
    admission_seconds: int = Field(description="How long an admission token lets its holder hold seats.")


class QueueEntry(Body):
    queue_id: str
    event_id: str
    status: Literal["waiting", "admitted", "expired"]
    position: int | None = Field(description="1-based among those not admitted yet: entries that "
                                             "joined before you and wait, plus you. Null once "
                                             "admitted, and for the few seconds until the "
                                             "admission job has placed a new entry.")
    estimated_wait_seconds: int | None = Field(description="Until the pass that should admit you "
                                                           "(0 once admitted; null while position is).")
    admission_token: str | None = Field(description="Send as X-Admission-Token on POST /bookings/hold.")
    admitted_at: Timestamp | None
    expires_at: Timestamp | None


class WebhookReceipt(Body):
    received: Literal[True]
    outcome: str = Field(description="What the notification did: ignored, duplicate, or the "
                                     "booking's status after it.")


class RefundProgress(Body):
    bookings_total: int = Field(description="Confirmed bookings the cancellation has cancelled "
                                            "so far (final once status is done).")
    refunded: int = Field(description="Of those, refunds the payment provider confirmed.")
    failed: int = Field(description="Confirmed bookings it could not cancel: a ticket was "
                                    "already checked in.")
    status: Literal["running", "done"]


class EventCancellation(Body):
    event: Event
    refunds: RefundProgress


class AttendeeTicket(Body):
    ticket_id: str
    seat_id: str
    status: Literal["valid", "void", "checked_in"]
    checked_in_at: Timestamp | None


class Attendee(Body):
    booking_id: str
    confirmation_code: str | None
    user_id: str
    email: str | None = Field(description="The customer's email when they booked, if their "
                                          "token carried one.")
    status: Literal["confirmed", "cancelled"]
    tickets: list[AttendeeTicket]


class AttendeeList(Body):
    attendees: list[Attendee]
    next_cursor: str | None


class WebhookCreated(Body):
    webhook_id: str
    url: str
    events: list[str]
    secret: str = Field(description="Signs every delivery (Boxoffice-Signature); shown only here.")


class Webhook(Body):
    webhook_id: str
    url: str
    events: list[str]
    status: Literal["active", "disabled"] = Field(
        description="disabled: the receiver answered 410 Gone; nothing more is sent.")
    created_at: Timestamp


class WebhookList(Body):
    webhooks: list[Webhook]
    next_cursor: str | None


class WebhookDelivery(Body):
    delivery_id: str
    event_id: str = Field(description="The domain event's id: the body's `id`, the same on "
                                      "every attempt.")
    type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    last_status_code: int | None = Field(description="null: never attempted, or the last "
                                                     "attempt timed out or found no server.")
    next_attempt_at: Timestamp | None
    created_at: Timestamp


class WebhookDeliveryList(Body):
    deliveries: list[WebhookDelivery]
    next_cursor: str | None


class AuditEntry(Body):
    at: Timestamp
    actor: str = Field(description="The token's sub.")
    action: str = Field(examples=["event.publish"])
    resource: str = Field(examples=["event/evt_0123456789abcdef0123"])
    request_id: str | None = Field(description="The X-Request-Id of the request that did it.")


class AuditList(Body):
    entries: list[AuditEntry]
    next_cursor: str | None


class ExportUser(Body):
    user_id: str = Field(description="The token's sub.")
    email: str | None = Field(description="The token's email (Boxoffice keeps it only on "
                                          "bookings, as it was when booked).")
    roles: list[str]
    tenant_id: str | None


class ExportRefund(Body):
    amount: Money
    status: Literal["pending", "succeeded"]
    reason: Literal["customer", "organizer", "event_cancelled"]


class ExportBooking(Booking):
    email: str | None = Field(description="The email the booking was made with.")
    payment_method_id: str = Field(description="The payment method it was paid with.")
    event: EventRef
    refund: ExportRefund | None


class ExportCheckIn(Body):
    booking_id: str
    ticket_id: str
    seat_id: str
    event_id: str
    checked_in_at: Timestamp


class ExportQueueEntry(Body):
    queue_id: str
    event_id: str
    status: Literal["waiting", "admitted", "expired"]
    joined_at: Timestamp
    admitted_at: Timestamp | None
    expires_at: Timestamp | None


class Export(Body):
    user: ExportUser
    holds: list[Hold] = Field(description="Every hold, whatever its status.")
    bookings: list[ExportBooking] = Field(description="Every booking with its tickets, failed "
                                                      "payment attempts included.")
    check_ins: list[ExportCheckIn]
    queue_entries: list[ExportQueueEntry] = Field(description="Every waiting-room entry.")
    generated_at: Timestamp


class ErasureAccepted(Body):
    status: Literal["erasing"]
