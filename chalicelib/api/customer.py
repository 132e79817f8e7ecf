"""Customer routes: holds, bookings, history, cancellation."""
from __future__ import annotations

from ..bootstrap import container
from ..domain import errors
from .http import Routes, body, caller, idempotency_key, json_response, page_params, query
from .auth import jwt_auth
from .replay import REPLAYED, once
from .schemas import BookingIn, ExtendIn, HoldIn

customer = Routes(__name__)

@customer.route("/bookings/hold", methods=["POST"], authorizer=jwt_auth)
def place_hold():
    # Not `once()`: the hold id is derived from the key instead, so a retry is answered by
    # the same single transaction and a first hold stays at one write.
    request = customer.current_request
    principal, key = caller(request), idempotency_key(request)
    data = body(request, HoldIn)
    hold, replayed = container().holds.place(principal, data.event_id, data.seat_ids,
                                             data.hold_duration_seconds, key)
    if replayed:
        return json_response(hold.first_response(), 201, REPLAYED)
    return json_response(hold.to_dict(container().clock.now()), 201)


@customer.route("/users/me/holds", methods=["GET"], authorizer=jwt_auth)
def my_holds():
    request = customer.current_request
    cursor, limit = page_params(query(request))
    page = container().holds.active_of(caller(request), cursor, limit)
    now = container().clock.now()
    return {"holds": [h.to_dict(now) for h in page.items], "next_cursor": page.next_cursor}


@customer.route("/bookings/hold/{hold_id}", methods=["GET"], authorizer=jwt_auth)
def get_hold(hold_id):
    hold = container().holds.owned(caller(customer.current_request), hold_id)
    return hold.to_dict(container().clock.now())


@customer.route("/bookings/hold/{hold_id}", methods=["DELETE"], authorizer=jwt_auth)
def release_hold(hold_id):
    container().holds.release(caller(customer.current_request), hold_id)
    return json_response("", 204)


@customer.route("/bookings/hold/{hold_id}/extend", methods=["POST"], authorizer=jwt_auth)
def extend_hold(hold_id):
    request = customer.current_request
    principal = caller(request)
    data = body(request, ExtendIn)
    c = container()
    return once(request, principal, f"POST /bookings/hold/{hold_id}/extend", data.model_dump(),
                lambda: c.holds.extend(principal, hold_id, data.hold_duration_seconds)
                .to_dict(c.clock.now()))


@customer.route("/bookings", methods=["POST"], authorizer=jwt_auth)
def book():
    request = customer.current_request
    principal, key = caller(request), idempotency_key(request)
    if key is None:
        raise errors.IdempotencyKeyRequired()
    data = body(request, BookingIn)
    return once(request, principal, "POST /bookings", data.model_dump(),
                lambda: container().bookings.book(principal, data.hold_id, data.payment_method_id,
                                                  key),
                201)


@customer.route("/bookings/{booking_id}", methods=["GET"], authorizer=jwt_auth)
def get_booking(booking_id):
    c = container()
    booking = c.bookings.owned(caller(customer.current_request), booking_id)
    view = c.bookings.view(booking)
    event = c.catalog_store.event(booking.event_id)
    return {"booking": view, "tickets": view["tickets"],
            "event": c.search.summary(event) if event else None,
            "venue": event.venue if event else None}


@customer.route("/users/me/bookings", methods=["GET"], authorizer=jwt_auth)
def my_bookings():
    request = customer.current_request
    params = query(request)
    status = params.get("status")
    if status is not None and status not in ("pending", "confirmed", "failed", "cancelled"):
        raise errors.ValidationFailed({"status": "one of pending, confirmed, failed, cancelled"})
    cursor, limit = page_params(params)
    page = container().bookings.history(caller(request), status, cursor, limit)
    return {"bookings": page.items, "next_cursor": page.next_cursor}


@customer.route("/bookings/{booking_id}/cancel", methods=["POST"], authorizer=jwt_auth)
def cancel_booking(booking_id):
    request = customer.current_request
    principal = caller(request)
    return once(request, principal, f"POST /bookings/{booking_id}/cancel", {},
                lambda: container().bookings.cancel(principal, booking_id))

