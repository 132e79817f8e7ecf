"""Waiting-room routes: the organizer sets an on-sale's line up, customers join and wait."""
from __future__ import annotations

from ..bootstrap import container
from . import models, views
from .auth import jwt_auth
from .http import Routes, body, caller, json_response, organizer
from .schemas import QueueIn
from .spec import RouteDoc

queue = Routes(__name__)


@queue.route("/organizer/events/{event_id}/queue", methods=["PUT"], authorizer=jwt_auth,
             doc=RouteDoc("Set up the on-sale's waiting room", "waiting room",
                          models.QueueSettings, request=QueueIn, role="organizer",
                          errors=("NOT_FOUND", "EVENT_CANCELLED", "CONFLICT"),
                          description="While enabled, holds need an admission token; entries "
                                      "are admitted in join order at admit_per_minute."))
def configure_queue(event_id):
    request = queue.current_request
    settings = container().waiting_room.configure(organizer(request), event_id,
                                                  body(request, QueueIn).command())
    return views.queue_settings(event_id, settings)


@queue.route("/events/{event_id}/queue", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Join the waiting room", "waiting room", models.QueueEntry, status=201, also=(200,),
    role="customer", errors=("NOT_FOUND", "EVENT_NOT_ON_SALE", "EVENT_CANCELLED", "CONFLICT"),
    description="201 with a new entry; 200 with your existing one (one entry per user). "
                "409 CONFLICT when the event has no waiting room enabled."))
def join_queue(event_id):
    standing, created = container().waiting_room.join(caller(queue.current_request), event_id)
    return json_response(views.queue_entry(standing), 201 if created else 200)


@queue.route("/events/{event_id}/queue/me", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "My place in the waiting room", "waiting room", models.QueueEntry, role="customer",
    errors=("NOT_FOUND",)))
def my_queue_entry(event_id):
    standing = container().waiting_room.mine(caller(queue.current_request), event_id)
    return views.queue_entry(standing)
