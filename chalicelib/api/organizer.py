"""Organizer routes, all scoped to the token's tenant."""
from __future__ import annotations

from ..bootstrap import container
from . import models, views
from .auth import jwt_auth
from .http import Routes, body, organizer, page_params, query, request_id
from .replay import once
from .schemas import CheckInIn, EventIn, VenueIn
from .search import PAGE
from .spec import RouteDoc

WRITE_ERRORS = ("IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_KEY_IN_USE")

org = Routes(__name__)


@org.route("/organizer/venues", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Create a venue", "organizer", models.Venue, status=201, request=VenueIn, role="organizer",
    idempotent=True, errors=WRITE_ERRORS))
def create_venue():
    request = org.current_request
    principal = organizer(request)
    data = body(request, VenueIn)
    return once(request, principal, "POST /organizer/venues", data.model_dump(),
                lambda: views.venue(container().catalog.create_venue(principal, data.command(),
                                                                     request_id(request))),
                201)


@org.route("/organizer/venues", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "My venues", "organizer", models.VenueList, role="organizer", query=PAGE,
    errors=("INVALID_CURSOR",)))
def list_venues():
    request = org.current_request
    cursor, limit = page_params(query(request))
    page = container().catalog.venues(organizer(request), cursor, limit)
    return {"venues": [views.venue(v) for v in page.items], "next_cursor": page.next_cursor}


@org.route("/organizer/venues/{venue_id}", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "Read a venue", "organizer", models.Venue, role="organizer", errors=("NOT_FOUND",)))
def get_venue(venue_id):
    return views.venue(container().catalog.venue(organizer(org.current_request), venue_id))


@org.route("/organizer/events", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Create an event (draft)", "organizer", models.Event, status=201, request=EventIn,
    role="organizer", idempotent=True, errors=("NOT_FOUND", *WRITE_ERRORS)))
def create_event():
    request = org.current_request
    principal = organizer(request)
    data = body(request, EventIn)
    return once(request, principal, "POST /organizer/events", data.model_dump(),
                lambda: views.event(container().catalog.create_event(principal, data.command(),
                                                                     request_id(request))),
                201)


@org.route("/organizer/events", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "My events", "organizer", models.EventList, role="organizer", query=PAGE,
    errors=("INVALID_CURSOR",)))
def list_events():
    request = org.current_request
    cursor, limit = page_params(query(request))
    page = container().catalog.events(organizer(request), cursor, limit)
    return {"events": [views.event(e) for e in page.items], "next_cursor": page.next_cursor}


@org.route("/organizer/events/{event_id}", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "Read an event, drafts included", "organizer", models.Event, role="organizer",
    errors=("NOT_FOUND",)))
def get_event(event_id):
    return views.event(container().catalog.owned_event(organizer(org.current_request), event_id))


@org.route("/organizer/events/{event_id}/publish", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Publish an event", "organizer", models.Event, role="organizer", idempotent=True,
    errors=("NOT_FOUND", "EVENT_CANCELLED", *WRITE_ERRORS)))
def publish_event(event_id):
    request = org.current_request
    principal = organizer(request)
    return once(request, principal, f"POST /organizer/events/{event_id}/publish", {},
                lambda: views.event(container().catalog.publish(principal, event_id,
                                                                request_id(request))))


@org.route("/organizer/events/{event_id}/sales", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "Sales figures", "organizer", models.Sales, role="organizer", errors=("NOT_FOUND",)))
def sales(event_id):
    return views.sales(container().projections.sales(organizer(org.current_request), event_id))


@org.route("/organizer/ticket-keys", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "Ticket verification keys", "organizer", models.TicketKeys, role="organizer"))
def ticket_keys():
    organizer(org.current_request)
    return {"keys": container().checkins.keys()}


@org.route("/organizer/events/{event_id}/check-ins", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Check a ticket in", "organizer", models.CheckIn, request=CheckInIn, role="organizer",
    idempotent=True, errors=("NOT_FOUND", "INVALID_TICKET", "ALREADY_CHECKED_IN", "TICKET_VOID",
                             *WRITE_ERRORS)))
def check_in(event_id):
    request = org.current_request
    principal = organizer(request)
    data = body(request, CheckInIn)
    return once(request, principal, f"POST /organizer/events/{event_id}/check-ins",
                data.model_dump(),
                lambda: views.check_in(container().checkins.check_in(
                    principal, event_id, data.ticket_code, request_id(request))))
