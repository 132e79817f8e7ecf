"""Organizer routes, all scoped to the token's tenant."""
from __future__ import annotations

from ..bootstrap import container
from . import views
from .auth import jwt_auth
from .http import Routes, body, organizer, page_params, query
from .replay import once
from .schemas import CheckInIn, EventIn, VenueIn

org = Routes(__name__)


@org.route("/organizer/venues", methods=["POST"], authorizer=jwt_auth)
def create_venue():
    request = org.current_request
    principal = organizer(request)
    data = body(request, VenueIn)
    return once(request, principal, "POST /organizer/venues", data.model_dump(),
                lambda: views.venue(container().catalog.create_venue(principal, data.command())),
                201)


@org.route("/organizer/venues", methods=["GET"], authorizer=jwt_auth)
def list_venues():
    request = org.current_request
    cursor, limit = page_params(query(request))
    page = container().catalog.venues(organizer(request), cursor, limit)
    return {"venues": [views.venue(v) for v in page.items], "next_cursor": page.next_cursor}


@org.route("/organizer/venues/{venue_id}", methods=["GET"], authorizer=jwt_auth)
def get_venue(venue_id):
    return views.venue(container().catalog.venue(organizer(org.current_request), venue_id))


@org.route("/organizer/events", methods=["POST"], authorizer=jwt_auth)
def create_event():
    request = org.current_request
    principal = organizer(request)
    data = body(request, EventIn)
    return once(request, principal, "POST /organizer/events", data.model_dump(),
                lambda: views.event(container().catalog.create_event(principal, data.command())),
                201)


@org.route("/organizer/events", methods=["GET"], authorizer=jwt_auth)
def list_events():
    request = org.current_request
    cursor, limit = page_params(query(request))
    page = container().catalog.events(organizer(request), cursor, limit)
    return {"events": [views.event(e) for e in page.items], "next_cursor": page.next_cursor}


@org.route("/organizer/events/{event_id}", methods=["GET"], authorizer=jwt_auth)
def get_event(event_id):
    return views.event(container().catalog.owned_event(organizer(org.current_request), event_id))


@org.route("/organizer/events/{event_id}/publish", methods=["POST"], authorizer=jwt_auth)
def publish_event(event_id):
    request = org.current_request
    principal = organizer(request)
    return once(request, principal, f"POST /organizer/events/{event_id}/publish", {},
                lambda: views.event(container().catalog.publish(principal, event_id)))


@org.route("/organizer/events/{event_id}/sales", methods=["GET"], authorizer=jwt_auth)
def sales(event_id):
    return views.sales(container().projections.sales(organizer(org.current_request), event_id))


@org.route("/organizer/ticket-keys", methods=["GET"], authorizer=jwt_auth)
def ticket_keys():
    organizer(org.current_request)
    return {"keys": container().checkins.keys()}


@org.route("/organizer/events/{event_id}/check-ins", methods=["POST"], authorizer=jwt_auth)
def check_in(event_id):
    request = org.current_request
    principal = organizer(request)
    data = body(request, CheckInIn)
    return once(request, principal, f"POST /organizer/events/{event_id}/check-ins",
                data.model_dump(),
                lambda: views.check_in(container().checkins.check_in(principal, event_id,
                                                                     data.ticket_code)))
