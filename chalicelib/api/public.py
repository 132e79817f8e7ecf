"""Public routes: health, dev tokens (local stage), event pages and seat maps."""
from __future__ import annotations

from ..bootstrap import container
from ..domain import errors
from ..domain.clock import from_epoch, to_rfc3339
from ..domain.holds import SeatStatus
from ..services.ids import request_hash
from . import models, views
from .http import Routes, body, cached, json_response, query
from .schemas import DevTokenIn
from .spec import Query, RouteDoc

public = Routes(__name__)


def etag_of(body) -> str:
    return f'"{request_hash(body)[:32]}"'


@public.route("/health", methods=["GET"], doc=RouteDoc(
    "Health check", "public", models.Health, description="On every stage."))
def health():
    return {"status": "ok"}


@public.route("/dev/token", methods=["POST"], doc=RouteDoc(
    "Issue a local-stage token", "local stage", models.DevToken, request=DevTokenIn,
    errors=("NOT_FOUND", "UNAUTHORIZED"),
    description="Local stage only (404 on deployed stages): a JWT signed with the stage's key. "
                "401 for a user id whose account was erased."))
def dev_token():
    issuer = container().token_issuer
    if issuer is None:
        raise errors.NotFound("route", "No such route.")
    data = body(public.current_request, DevTokenIn)
    token, expires = issuer.issue(data.sub, data.email, data.roles, data.tenant_id)
    return json_response({"token": token, "expires_at": to_rfc3339(from_epoch(expires))})


@public.route("/events/{event_id}", methods=["GET"], doc=RouteDoc(
    "The event page", "events", models.EventPage, errors=("NOT_FOUND",), cached=True,
    description="Unknown or unpublished event: 404. Cache-Control: public, max-age=30."))
def event_page(event_id):
    page = views.event_page(container().catalog.event_page(event_id),
                            container().settings.websocket_url)
    return cached(public.current_request, page, etag_of(page), "public, max-age=30")


@public.route("/events/{event_id}/seats", methods=["GET"], doc=RouteDoc(
    "The seat map", "events", models.SeatMap, errors=("NOT_FOUND",), cached=True,
    query=(Query("section", "One section; required above 5,000 seats."),
           Query("status", "available | held | sold",
                 {"type": "string", "enum": ["available", "held", "sold"]}))))
def event_seats(event_id):
    params = query(public.current_request)
    status = params.get("status")
    if status is not None and status not in set(SeatStatus):
        raise errors.ValidationFailed({"status": "must be one of available, held, sold"})
    seats = views.seat_map(container().catalog.seats(event_id, params.get("section"), status),
                           container().settings.websocket_url)
    return cached(public.current_request, seats, etag_of(seats), "no-cache")
