"""Organizer webhooks: register, list, delete, and read a webhook's delivery log."""
from __future__ import annotations

from ..bootstrap import container
from . import models, views
from .auth import jwt_auth
from .http import Routes, body, json_response, organizer, page_params, query, request_id
from .replay import once
from .schemas import WebhookIn
from .search import PAGE
from .spec import RouteDoc

webhooks = Routes(__name__)

SIGNING = ("Each delivery POSTs {\"id\", \"type\", \"created_at\", \"data\"} (data: the domain "
           "event's detail) with header Boxoffice-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "
           "\"<t>.<body>\" keyed with the secret>. At least once: the same id on every retry; "
           "a non-2xx answer or no answer within 10 s is retried after 10 s, 20 s, 40 s, ... "
           "(at most 6 h apart) for 72 h. A 410 answer disables the webhook.")


@webhooks.route("/organizer/webhooks", methods=["POST"], authorizer=jwt_auth, doc=RouteDoc(
    "Register a webhook", "webhooks", models.WebhookCreated, status=201, request=WebhookIn,
    role="organizer", idempotent=True,
    errors=("CONFLICT", "IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_KEY_IN_USE"),
    description="url: https (http to 127.0.0.1 only on the local stage); events: detail-types "
                "(HoldPlaced, HoldReleased, HoldExpired, BookingConfirmed, BookingCancelled, "
                "EventPublished, EventCancelled, EventRescheduled). The secret is shown only "
                "in this answer. At most 20 webhooks a tenant (409 CONFLICT). " + SIGNING))
def create_webhook():
    request = webhooks.current_request
    principal = organizer(request)
    data = body(request, WebhookIn)
    return once(request, principal, "POST /organizer/webhooks", data.model_dump(),
                lambda: views.webhook_created(container().webhooks.register(
                    principal, data.command(), request_id(request))), 201)


@webhooks.route("/organizer/webhooks", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "My webhooks", "webhooks", models.WebhookList, role="organizer", query=PAGE,
    errors=("INVALID_CURSOR",)))
def list_webhooks():
    request = webhooks.current_request
    cursor, limit = page_params(query(request))
    page = container().webhooks.webhooks(organizer(request), cursor, limit)
    return {"webhooks": [views.webhook(w) for w in page.items], "next_cursor": page.next_cursor}


@webhooks.route("/organizer/webhooks/{webhook_id}", methods=["DELETE"], authorizer=jwt_auth, doc=RouteDoc(
    "Delete a webhook", "webhooks", None, status=204, role="organizer", errors=("NOT_FOUND",),
    description="Deliveries still pending are abandoned (status failed)."))
def delete_webhook(webhook_id):
    request = webhooks.current_request
    container().webhooks.delete(organizer(request), webhook_id, request_id(request))
    return json_response("", 204)


@webhooks.route("/organizer/webhooks/{webhook_id}/deliveries", methods=["GET"], authorizer=jwt_auth,
                doc=RouteDoc("A webhook's delivery log", "webhooks", models.WebhookDeliveryList,
                             role="organizer", query=PAGE, errors=("NOT_FOUND", "INVALID_CURSOR"),
                             description="Newest first; kept 30 days. " + SIGNING))
def deliveries(webhook_id):
    request = webhooks.current_request
    cursor, limit = page_params(query(request))
    page = container().webhooks.deliveries(organizer(request), webhook_id, cursor, limit)
    return {"deliveries": [views.delivery(d) for d in page.items],
            "next_cursor": page.next_cursor}
