"""Booking-table items to domain objects and back; the table's key scheme lives here."""
from __future__ import annotations

import hashlib

from ..domain.bookings import (Booking, BookingStatus, Failure, Refund, RefundReason,
                               RefundStatus, Ticket)
from ..domain.holds import BookingClaim, HeldSeat, Hold, HoldStatus, SeatState, SeatStatus
from ..domain.clock import epoch, parse_rfc3339
from ..domain.money import Money
from .catalog_store import as_plain

# Retention (docs/privacy.md): holds 90 days after they end, kept refusals a day, failed
# payment attempts 30 days after they were made. Deleted by DynamoDB's TTL (within ~2 days).
RECORD_TTL_SECONDS = 90 * 24 * 3600
REFUSAL_TTL_SECONDS = 24 * 3600
FAILED_BOOKING_TTL_SECONDS = 30 * 24 * 3600
REFUSED = "refused"


def hold_pk(hold_id: str) -> str:
    return f"HOLD#{hold_id}"


def booking_pk(booking_id: str) -> str:
    return f"BOOKING#{booking_id}"


def seat_pk(event_id: str, section: str) -> str:
    return f"SEATS#{event_id}#{section}"


def ledger_pk(event_id: str, user_id: str) -> str:
    return f"LEDGER#{event_id}#{user_id}"


def user_holds_pk(user_id: str) -> str:
    return f"USER#{user_id}#HOLDS"


def user_bookings_pk(user_id: str, failed: bool = False) -> str:
    """Failed payment attempts live apart, so the history lists them only when asked."""
    return f"USER#{user_id}#BOOKINGS" + ("#FAILED" if failed else "")


ATTENDEE_SHARDS = 4


def event_bookings_pk(event_id: str, shard: int) -> str:
    return f"EVENT#{event_id}#BOOKINGS#{shard}"


def event_bookings_keys(booking: Booking) -> dict:
    """The attendee index's keys: only bookings that have (or had) tickets are listed."""
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED):
        return {}
    return {"gsi3pk": event_bookings_pk(booking.event_id,
                                        shard_of(booking.booking_id, ATTENDEE_SHARDS)),
            "gsi3sk": f"{booking.created_at}#{booking.booking_id}"}


def failed_booking_ttl(booking: Booking) -> int | None:
    """A failed payment attempt is kept for same-key replays and support, then deleted."""
    if booking.status != BookingStatus.FAILED:
        return None
    return epoch(parse_rfc3339(booking.created_at)) + FAILED_BOOKING_TTL_SECONDS


def shard_of(key: str, shards: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % shards


def ledger_entry(hold: Hold) -> str:
    return f"{hold.hold_id}:{hold.seat_count}"


def parse_entries(entries) -> dict[str, int]:
    parsed = {}
    for entry in entries or ():
        hold_id, _, count = entry.rpartition(":")
        parsed[hold_id] = int(count)
    return parsed


def seat_to_doc(seat: HeldSeat) -> dict:
    return {"seat_id": seat.seat_id, "section": seat.section, "row": seat.row,
            "number": seat.number, "tier_id": seat.tier_id, "price": seat.price.to_dict()}


def seat_from_doc(doc: dict) -> HeldSeat:
    return HeldSeat(doc["seat_id"], doc["section"], doc["row"], int(doc["number"]),
                    doc["tier_id"], Money.from_dict(doc["price"]))


def seat_state_from_item(item) -> SeatState:
    return SeatState(item.sk, SeatStatus(item.status), item.hold_id, item.booking_id,
                     int(item.expires_at) if item.expires_at is not None else None)


def hold_doc(hold: Hold) -> dict:
    return {"hold_id": hold.hold_id, "tenant_id": hold.tenant_id, "created_at": hold.created_at,
            "seats": [seat_to_doc(s) for s in hold.seats],
            "total_price": hold.total_price.to_dict(), "request_hash": hold.request_hash,
            "event_name": hold.event_name, "event_starts_at": hold.event_starts_at,
            "first_expires_at": hold.first_expires_at}


def hold_from_item(item) -> Hold:
    doc = as_plain(item.doc)
    claim = (BookingClaim(item.claim_id, int(item.claim_at or 0)) if item.claim_id else None)
    return Hold(hold_id=doc["hold_id"], user_id=item.user_id, event_id=item.event_id,
                tenant_id=doc["tenant_id"], status=HoldStatus(item.status),
                created_at=int(doc["created_at"]), expires_at=int(item.expires_at),
                seats=tuple(seat_from_doc(s) for s in doc["seats"]),
                total_price=Money.from_dict(doc["total_price"]),
                request_hash=doc.get("request_hash", ""), booking_id=item.booking_id,
                event_name=doc.get("event_name", ""),
                event_starts_at=doc.get("event_starts_at", ""),
                first_expires_at=int(doc.get("first_expires_at", 0)), claim=claim,
                tried=frozenset(item.tried or ()))


def booking_doc(booking: Booking) -> dict:
    return {
        "booking_id": booking.booking_id, "tenant_id": booking.tenant_id,
        "tickets": [{"ticket_id": t.ticket_id, "seat": seat_to_doc(t.seat)}
                    for t in booking.tickets],
        "total_price": booking.total_price.to_dict(),
        "confirmation_code": booking.confirmation_code, "created_at": booking.created_at,
        "event_name": booking.event_name, "event_starts_at": booking.event_starts_at,
        "payment_method_id": booking.payment_method_id,
        "authorization_id": booking.authorization_id,
        "failure": ({"code": booking.failure.code, "message": booking.failure.message,
                     "details": booking.failure.details} if booking.failure else None),
        "refund": ({"amount": booking.refund.amount.to_dict(), "status": str(booking.refund.status),
                    "reason": str(booking.refund.reason)} if booking.refund else None),
        "request_hash": booking.request_hash, "action_secret": booking.action_secret,
        "customer_email": booking.customer_email,
    }


def booking_from_item(item) -> Booking:
    doc = as_plain(item.doc)
    failure, refund = doc.get("failure"), doc.get("refund")
    return Booking(
        booking_id=doc["booking_id"], user_id=item.user_id, event_id=item.event_id,
        tenant_id=doc["tenant_id"], hold_id=item.hold_id, status=BookingStatus(item.status),
        tickets=tuple(Ticket(t["ticket_id"], seat_from_doc(t["seat"])) for t in doc["tickets"]),
        total_price=Money.from_dict(doc["total_price"]), created_at=doc["created_at"],
        event_name=doc["event_name"], event_starts_at=doc["event_starts_at"],
        confirmation_code=doc.get("confirmation_code"),
        payment_method_id=doc.get("payment_method_id", ""),
        authorization_id=doc.get("authorization_id"),
        capture_pending=bool(item.capture_pending),
        failure=(Failure(failure["code"], failure["message"], failure.get("details") or {})
                 if failure else None),
        checked_in=dict(as_plain(item.checked_in) or {}),
        refund=(Refund(Money.from_dict(refund["amount"]), RefundStatus(refund["status"]),
                       RefundReason(refund.get("reason") or RefundReason.CUSTOMER))
                if refund else None),
        request_hash=doc.get("request_hash", ""), action_secret=doc.get("action_secret"),
        customer_email=doc.get("customer_email"))
