"""Customer routes: holds, bookings, history, cancellation."""
from __future__ import annotations

from ..bootstrap import container
from ..domain import errors
from ..domain.bookings import BookingStatus
from ..services.commands import BookHold
from . import models, views
from .auth import jwt_auth
from .http import (REPLAYED, Routes, admission_token, body, caller, idempotency_key,
                   json_response, page_params, query)
from .replay import once
from .schemas import BookingIn, ExtendIn, HoldIn
from .search import PAGE
from .spec import Query, RouteDoc

customer = Routes(__name__)


@customer.route("/bookings/hold", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Hold seats (chosen, or best available)", "holds", models.Hold, status=201, request=HoldIn,
    role="customer", idempotent=True,
    headers=(Query("X-Admission-Token", "While the event's waiting room is enabled: the "
                                        "admission_token of your queue entry."),),
    errors=("NOT_FOUND", "SEATS_UNAVAILABLE", "NO_ADJACENT_SEATS", "EVENT_NOT_ON_SALE",
            "EVENT_CANCELLED", "TICKET_LIMIT_EXCEEDED", "QUEUE_ADMISSION_REQUIRED",
            "RATE_LIMITED", "IDEMPOTENCY_KEY_REUSED", "CONFLICT"),
    description="Either seat_ids, or quantity (with optional section or tier_id) for the best "
                "available adjacent seats in one row. At most 30 holds a minute per customer."))
def place_hold():
    # Not `once()`: the hold id is derived from the key instead, so a retry is answered by
    # the same single transaction and a first hold stays at one write.
    request = customer.current_request
    principal, key = caller(request), idempotency_key(request)
    command = body(request, HoldIn).command(key, admission_token(request))
    c = container()
    hold, replayed = c.holds.place(principal, command)
    if replayed:
        return json_response(views.first_hold(hold), 201, REPLAYED)
    return json_response(views.hold(hold, c.clock.now()), 201)


@customer.route("/users/me/holds", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "My active holds", "holds", models.HoldList, role="customer", query=PAGE,
    errors=("INVALID_CURSOR",)))
def my_holds():
    request = customer.current_request
    cursor, limit = page_params(query(request))
    c = container()
    page = c.holds.active_of(caller(request), cursor, limit)
    now = c.clock.now()
    return {"holds": [views.hold(h, now) for h in page.items], "next_cursor": page.next_cursor}


@customer.route("/bookings/hold/{hold_id}", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "Read a hold", "holds", models.Hold, role="customer", errors=("NOT_FOUND",)))
def get_hold(hold_id):
    c = container()
    return views.hold(c.holds.owned(caller(customer.current_request), hold_id), c.clock.now())


@customer.route("/bookings/hold/{hold_id}", methods=["DELETE"], authorizer=jwt_auth, doc=RouteDoc(
    "Release a hold", "holds", None, status=204, role="customer",
    errors=("NOT_FOUND", "HOLD_ALREADY_BOOKED", "CONFLICT")))
def release_hold(hold_id):
    container().holds.release(caller(customer.current_request), hold_id)
    return json_response("", 204)


@customer.route("/bookings/hold/{hold_id}/extend", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Extend a hold", "holds", models.Hold, request=ExtendIn, role="customer", idempotent=True,
    errors=("NOT_FOUND", "HOLD_EXPIRED", "HOLD_ALREADY_BOOKED", "CONFLICT",
            "IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_KEY_IN_USE")))
def extend_hold(hold_id):
    request = customer.current_request
    principal = caller(request)
    data = body(request, ExtendIn)
    c = container()
    return once(request, principal, f"POST /bookings/hold/{hold_id}/extend", data.model_dump(),
                lambda: views.hold(c.holds.extend(principal, hold_id, data.hold_duration_seconds),
                                   c.clock.now()))


@customer.route("/bookings", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Book a hold (pay)", "bookings", models.Booking, status=201, also=(202,), request=BookingIn,
    role="customer", idempotent=True, key_required=True,
    errors=("IDEMPOTENCY_KEY_REQUIRED", "NOT_FOUND", "HOLD_EXPIRED", "HOLD_ALREADY_BOOKED",
            "EVENT_NOT_ON_SALE", "EVENT_CANCELLED", "PAYMENT_DECLINED", "PAYMENT_PROVIDER_ERROR",
            "CONFLICT", "RATE_LIMITED", "IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_KEY_IN_USE"),
    description="202 with status pending when the customer must confirm the payment "
                "(3-D Secure): poll GET /bookings/{booking_id}. At most 20 booking attempts a "
                "minute per customer."))
def book():
    # Not `once()` either: the booking id is derived from the key, and the hold records the
    # attempt, so a booking costs three writes and a retry finds the first outcome.
    request = customer.current_request
    principal, key = caller(request), idempotency_key(request)
    if key is None:
        raise errors.IdempotencyKeyRequired()
    data = body(request, BookingIn)
    receipt = container().bookings.book(principal, BookHold(data.hold_id, data.payment_method_id, key))
    return json_response(views.booking(receipt), 202 if receipt.pending else 201,
                         REPLAYED if receipt.replayed else None)


@customer.route("/bookings/{booking_id}", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "Read a booking with its tickets", "bookings", models.BookingDetails, role="customer",
    errors=("NOT_FOUND",)))
def get_booking(booking_id):
    details = container().bookings.details(caller(customer.current_request), booking_id)
    return views.booking_details(details)


@customer.route("/users/me/bookings", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "My bookings", "bookings", models.BookingList, role="customer",
    query=(Query("status", "pending | confirmed | failed | cancelled (failed attempts are "
                           "listed only when asked for)",
                 {"type": "string", "enum": ["pending", "confirmed", "failed", "cancelled"]}),
           *PAGE), errors=("INVALID_CURSOR",)))
def my_bookings():
    request = customer.current_request
    params = query(request)
    status = params.get("status")
    if status is not None and status not in set(BookingStatus):
        raise errors.ValidationFailed({"status": "must be one of pending, confirmed, failed, cancelled"})
    cursor, limit = page_params(params)
    page = container().bookings.history(caller(request), status, cursor, limit)
    return {"bookings": [views.booking_summary(b) for b in page.items],
            "next_cursor": page.next_cursor}


@customer.route("/bookings/{booking_id}/cancel", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Cancel a booking (refund)", "bookings", models.Cancellation, role="customer",
    idempotent=True, errors=("NOT_FOUND", "CANCELLATION_CLOSED", "CONFLICT",
                             "IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_KEY_IN_USE")))
def cancel_booking(booking_id):
    request = customer.current_request
    principal = caller(request)
    return once(request, principal, f"POST /bookings/{booking_id}/cancel", {},
                lambda: views.cancellation(container().bookings.cancel(principal, booking_id)))
