"""Organizer routes after an event's creation: change it, cancel it (refunding everyone),
see who is coming, refund one booking, read the audit trail. All scoped to the token's
tenant: another tenant's resources answer 404."""
from __future__ import annotations

from urllib.parse import urlencode

from chalice import Response

from ..bootstrap import container
from . import models, views
from .auth import jwt_auth
from .http import Routes, body, organizer, page_params, query, request_id, wants_csv
from .replay import once
from .schemas import EventPatchIn
from .search import PAGE
from .spec import RouteDoc

WRITE_ERRORS = ("IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_KEY_IN_USE")

changes = Routes(__name__)


@changes.route("/organizer/events/{event_id}", methods=["PATCH"], authorizer=jwt_auth, doc=RouteDoc(
    "Change an event", "organizer", models.Event, request=EventPatchIn, role="organizer",
    errors=("NOT_FOUND", "EVENT_CANCELLED", "CONFLICT"),
    description="Send only the fields to change. A draft may change any field of its creation "
                "body; a published event only name, description, performer, thumbnail_url, "
                "max_tickets_per_order and starts_at (other fields: 400 naming the field). "
                "A new starts_at on a published event is a reschedule: search lists it at the "
                "new time, holds never outlive the new start, and EventRescheduled is emitted. "
                "A lower max_tickets_per_order applies to new holds; tickets already held or "
                "booked stay. 409 CONFLICT when another change got there first."))
def change_event(event_id):
    request = changes.current_request
    principal = organizer(request)
    data = body(request, EventPatchIn)
    return views.event(container().lifecycle.change(principal, event_id, data.command(),
                                                     request_id(request)))


@changes.route("/organizer/events/{event_id}/cancel", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Cancel an event and refund every booking", "organizer", models.EventCancellation,
    status=202, role="organizer", idempotent=True, errors=("NOT_FOUND", *WRITE_ERRORS),
    description="The event leaves search and sale at once (holds: 409 EVENT_CANCELLED). A job "
                "cancels and refunds every confirmed booking; follow it with GET "
                "/organizer/events/{event_id}/cancellation. Cancelling again answers with the "
                "current state."))
def cancel_event(event_id):
    request = changes.current_request
    principal = organizer(request)
    return once(request, principal, f"POST /organizer/events/{event_id}/cancel", {},
                lambda: views.cancelled_event(container().lifecycle.cancel(
                    principal, event_id, request_id(request))), 202)


@changes.route("/organizer/events/{event_id}/cancellation", methods=["GET"], authorizer=jwt_auth,
               doc=RouteDoc("Refund progress of a cancelled event", "organizer",
                            models.RefundProgress, role="organizer", errors=("NOT_FOUND",),
                            description="404 (resource cancellation) while the event is not "
                                        "cancelled."))
def cancellation(event_id):
    return views.refunds(container().lifecycle.cancellation(organizer(changes.current_request),
                                                            event_id))


@changes.route("/organizer/events/{event_id}/attendees", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "Who is coming", "organizer", models.AttendeeList, role="organizer", query=PAGE,
    errors=("NOT_FOUND", "INVALID_CURSOR"), alternates=("text/csv",),
    description="Bookings with tickets (confirmed and cancelled), a page at a time. With "
                "`Accept: text/csv`: one row per ticket; each response is one page, the first "
                "with a header row, and while more follow a `Link: <attendees?cursor=...>; "
                "rel=\"next\"` header gives the next page (relative to this URL). Concatenating "
                "the pages in order gives the whole file."))
def attendees(event_id):
    request = changes.current_request
    cursor, limit = page_params(query(request))
    page = container().attendees.attendees(organizer(request), event_id, cursor, limit)
    if not wants_csv(request):
        return {"attendees": [views.attendee(b) for b in page.items],
                "next_cursor": page.next_cursor}
    headers = {"Content-Type": "text/csv; charset=utf-8"}
    if page.next_cursor:
        link = urlencode({"cursor": page.next_cursor, "limit": limit})
        headers["Link"] = f'<attendees?{link}>; rel="next"'
    return Response(views.attendees_csv(page.items, with_header=cursor is None), status_code=200,
                    headers=headers)


@changes.route("/organizer/bookings/{booking_id}/refund", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Refund one booking", "organizer", models.Cancellation, role="organizer", idempotent=True,
    errors=("NOT_FOUND", "CANCELLATION_CLOSED", "CONFLICT", *WRITE_ERRORS),
    description="As the customer's own cancel: seats free and tickets void at once, the money "
                "back; refunding again answers the same. 409 CANCELLATION_CLOSED once the event "
                "started or a ticket was checked in."))
def refund_booking(booking_id):
    request = changes.current_request
    principal = organizer(request)
    return once(request, principal, f"POST /organizer/bookings/{booking_id}/refund", {},
                lambda: views.cancellation(container().attendees.refund(
                    principal, booking_id, request_id(request))))


@changes.route("/organizer/audit", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "The tenant's audit trail", "organizer", models.AuditList, role="organizer", query=PAGE,
    errors=("INVALID_CURSOR",),
    description="Every organizer write (venue.create, event.create, event.update, "
                "event.publish, event.cancel, booking.refund, webhook.create, webhook.delete, "
                "ticket.check_in), newest first. Append-only: no route changes an entry."))
def audit():
    request = changes.current_request
    cursor, limit = page_params(query(request))
    page = container().audit.entries(organizer(request), cursor, limit)
    return {"entries": [views.audit_entry(e) for e in page.items], "next_cursor": page.next_cursor}
