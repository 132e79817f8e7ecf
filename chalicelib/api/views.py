"""Domain objects as the contract's JSON: the only place that knows the response shapes."""
from __future__ import annotations

import csv
import datetime as dt
import io

from ..domain.audit import AuditEntry
from ..domain.bookings import Booking, BookingStatus
from ..domain.cancellations import Cancellation
from ..domain.catalog import Event, PriceTier, Venue
from ..domain.clock import from_epoch, to_rfc3339
from ..domain.holds import HeldSeat, Hold
from ..domain.money import Money
from ..domain.queue import QueueSettings, QueueStatus
from ..domain.webhooks import Delivery, Webhook
from ..services.availability import AvailabilitySummary
from ..services.bookings import BookingDetails, Receipt
from ..services.catalog import EventPage, SeatMap
from ..services.checkin import CheckIn
from ..services.lifecycle import CancelledEvent
from ..services.privacy import Export
from ..services.projections import SalesReport
from ..services.search import EventSummary
from ..services.waiting_room import Standing


def money(value: Money) -> dict:
    return {"amount": value.amount, "currency": value.currency}


def venue(v: Venue) -> dict:
    return {"venue_id": v.venue_id, "name": v.name, "address": v.address, "city": v.city,
            "country": v.country, "timezone": v.timezone,
            "location": {"lat": v.location.lat, "lng": v.location.lng}, "capacity": v.capacity,
            "sections": list(v.sections)}


def event(e: Event) -> dict:
    return {"event_id": e.event_id, "name": e.name, "description": e.description,
            "category": e.category, "performer": e.performer, "starts_at": e.starts_at,
            "status": str(e.status), "thumbnail_url": e.thumbnail_url,
            "max_tickets_per_order": e.max_tickets_per_order, "venue_id": e.venue_id}


def price_tier(t: PriceTier) -> dict:
    return {"tier_id": t.tier_id, "name": t.name, "price": money(t.price),
            "sections": list(t.sections)}


def availability(s: AvailabilitySummary) -> dict:
    return {"total": s.total, "available": s.available, "held": s.held, "sold": s.sold,
            "sections": [{"section": x.section, "total": x.total, "available": x.available,
                          "min_price": money(x.min_price)} for x in s.sections]}


def event_page(page: EventPage, websocket_url: str | None) -> dict:
    return {"event": event(page.event), "venue": venue(page.event.venue),
            "price_tiers": [price_tier(t) for t in page.event.price_tiers],
            "availability_summary": availability(page.availability),
            "websocket_url": websocket_url}


def event_summary(s: EventSummary) -> dict:
    low, high = s.event.price_range()
    v = s.event.venue
    return {"event_id": s.event.event_id, "name": s.event.name, "category": s.event.category,
            "starts_at": s.event.starts_at,
            "venue": {"venue_id": v.venue_id, "name": v.name, "city": v.city},
            "price_range": {"min": money(low), "max": money(high)},
            "availability": s.availability, "thumbnail_url": s.event.thumbnail_url,
            "distance_km": s.distance_km}


def seat(s: HeldSeat, status: str) -> dict:
    return {"seat_id": s.seat_id, "section": s.section, "row": s.row, "number": s.number,
            "tier_id": s.tier_id, "price": money(s.price), "status": str(status)}


def seat_map(m: SeatMap, websocket_url: str | None) -> dict:
    return {"event_id": m.event_id, "seats": [seat(v.seat, v.status) for v in m.seats],
            "seat_map_url": None, "websocket_url": websocket_url}


def hold(h: Hold, now: dt.datetime) -> dict:
    seat_status = h.seat_status_at(now)
    return {"hold_id": h.hold_id, "event_id": h.event_id, "status": str(h.status_at(now)),
            "created_at": to_rfc3339(from_epoch(h.created_at)),
            "expires_at": to_rfc3339(from_epoch(h.expires_at)),
            "seats": [seat(s, seat_status) for s in h.seats], "total_price": money(h.total_price)}


def first_hold(h: Hold) -> dict:
    """The hold as its creating request answered it (what a same-key retry replays)."""
    return hold(h, from_epoch(h.created_at))


def booking(r: Receipt) -> dict:
    b = r.booking
    tickets = []
    for t in (b.tickets if b.has_tickets() else ()):
        status = b.ticket_status(t)
        tickets.append({"ticket_id": t.ticket_id,
                        "seat": seat(t.seat, "available" if status == "void" else "sold"),
                        "price": money(t.seat.price), "status": str(status),
                        "checked_in_at": b.checked_in.get(t.ticket_id), "qr_code": r.codes[t.ticket_id]})
    view = {"booking_id": b.booking_id, "status": str(b.status), "event_id": b.event_id,
            "hold_id": b.hold_id, "tickets": tickets, "total_price": money(b.total_price),
            "confirmation_code": b.confirmation_code if b.has_tickets() else None,
            "created_at": b.created_at}
    if b.status == BookingStatus.FAILED and b.failure:
        view["failure"] = {"code": b.failure.code, "message": b.failure.message}
    if b.status == BookingStatus.PENDING and b.action_secret:
        view["next_action"] = {"type": "confirm_payment", "client_secret": b.action_secret}
    return view


def booking_details(d: BookingDetails) -> dict:
    view = booking(d.receipt)
    return {"booking": view, "tickets": view["tickets"],
            "event": event_summary(d.event) if d.event else None,
            "venue": venue(d.event.event.venue) if d.event else None}


def booking_summary(b: Booking) -> dict:
    return {"booking_id": b.booking_id, "status": str(b.status),
            "event": {"event_id": b.event_id, "name": b.event_name, "starts_at": b.event_starts_at},
            "ticket_count": len(b.tickets) if b.has_tickets() else 0,
            "total_price": money(b.total_price), "created_at": b.created_at}


def cancellation(r: Receipt) -> dict:
    refund = r.booking.refund
    return {"booking": booking(r),
            "refund": {"amount": money(refund.amount), "status": str(refund.status)}}


def check_in(c: CheckIn) -> dict:
    return {"ticket_id": c.ticket.ticket_id, "seat": seat(c.ticket.seat, "sold"),
            "checked_in_at": c.checked_in_at}


def sales(r: SalesReport) -> dict:
    return {"event_id": r.event_id, "tickets_sold": r.tickets_sold,
            "tickets_held": r.tickets_held, "tickets_available": r.tickets_available,
            "revenue": money(r.revenue),
            "by_tier": [{"tier_id": t.tier_id, "name": t.name, "sold": t.sold,
                         "revenue": money(t.revenue)} for t in r.by_tier],
            "updated_at": r.updated_at, "lag_seconds": r.lag_seconds}


def queue_settings(event_id: str, s: QueueSettings) -> dict:
    return {"event_id": event_id, "enabled": s.enabled, "admit_per_minute": s.admit_per_minute,
            "admission_seconds": s.admission_seconds}


def queue_entry(standing: Standing) -> dict:
    entry = standing.entry
    admitted = standing.status == QueueStatus.ADMITTED
    when = lambda t: to_rfc3339(from_epoch(t)) if t is not None else None  # noqa: E731
    return {"queue_id": entry.queue_id, "event_id": entry.event_id, "status": str(standing.status),
            "position": standing.position, "estimated_wait_seconds": standing.wait_seconds,
            "admission_token": entry.admission_token if admitted else None,
            "admitted_at": when(entry.admitted_at), "expires_at": when(entry.expires_at)}


def refunds(c: Cancellation) -> dict:
    return {"bookings_total": c.bookings_total, "refunded": c.refunded, "failed": c.failed,
            "status": str(c.status)}


def cancelled_event(c: CancelledEvent) -> dict:
    return {"event": event(c.event), "refunds": refunds(c.refunds)}


def attendee(b: Booking) -> dict:
    return {"booking_id": b.booking_id, "confirmation_code": b.confirmation_code,
            "user_id": b.user_id, "email": b.customer_email, "status": str(b.status),
            "tickets": [{"ticket_id": t.ticket_id, "seat_id": t.seat.seat_id,
                         "status": str(b.ticket_status(t)),
                         "checked_in_at": b.checked_in.get(t.ticket_id)} for t in b.tickets]}


ATTENDEE_COLUMNS = ("booking_id", "confirmation_code", "user_id", "email", "booking_status",
                    "ticket_id", "seat_id", "section", "row", "number", "tier_id", "price",
                    "currency", "ticket_status", "checked_in_at")


def attendees_csv(bookings: list[Booking], with_header: bool) -> str:
    """One row per ticket (RFC 4180). Cells that a spreadsheet would run as a formula are
    prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if with_header:
        writer.writerow(ATTENDEE_COLUMNS)
    for b in bookings:
        for t in b.tickets:
            writer.writerow([_cell(v) for v in (
                b.booking_id, b.confirmation_code, b.user_id, b.customer_email, str(b.status),
                t.ticket_id, t.seat.seat_id, t.seat.section, t.seat.row, t.seat.number,
                t.seat.tier_id, t.seat.price.amount, t.seat.price.currency,
                str(b.ticket_status(t)), b.checked_in.get(t.ticket_id))])
    return out.getvalue()


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def webhook_created(w: Webhook) -> dict:
    return {"webhook_id": w.webhook_id, "url": w.url, "events": list(w.events),
            "secret": w.secret}


def webhook(w: Webhook) -> dict:
    return {"webhook_id": w.webhook_id, "url": w.url, "events": list(w.events),
            "status": str(w.status), "created_at": w.created_at}


def delivery(d: Delivery) -> dict:
    return {"delivery_id": d.delivery_id, "event_id": d.event_id, "type": d.type,
            "status": str(d.status), "attempts": d.attempts,
            "last_status_code": d.last_status_code, "next_attempt_at": d.next_attempt_at,
            "created_at": d.created_at}


def audit_entry(e: AuditEntry) -> dict:
    return {"at": e.at, "actor": e.actor, "action": str(e.action), "resource": e.resource,
            "request_id": e.request_id}


def export(x: Export) -> dict:
    p = x.principal
    return {"user": {"user_id": p.sub, "email": p.email, "roles": list(p.roles),
                     "tenant_id": p.tenant_id},
            "holds": [hold(h, x.generated_at) for h in x.holds],
            "bookings": [exported_booking(r) for r in x.bookings],
            "check_ins": [{"booking_id": c.booking_id, "ticket_id": c.ticket_id,
                           "seat_id": c.seat_id, "event_id": c.event_id,
                           "checked_in_at": c.checked_in_at} for c in x.check_ins],
            "queue_entries": [exported_entry(e, x.generated_at) for e in x.queue_entries],
            "generated_at": to_rfc3339(x.generated_at)}


def exported_entry(e, now) -> dict:
    when = lambda t: to_rfc3339(from_epoch(t)) if t is not None else None  # noqa: E731
    return {"queue_id": e.queue_id, "event_id": e.event_id, "status": str(e.status_at(now)),
            "joined_at": when(e.joined_at), "admitted_at": when(e.admitted_at),
            "expires_at": when(e.expires_at)}


def exported_booking(r: Receipt) -> dict:
    b = r.booking
    refund = b.refund
    return {**booking(r), "email": b.customer_email, "payment_method_id": b.payment_method_id,
            "event": {"event_id": b.event_id, "name": b.event_name,
                      "starts_at": b.event_starts_at},
            "refund": ({"amount": money(refund.amount), "status": str(refund.status),
                        "reason": str(refund.reason)} if refund else None)}
