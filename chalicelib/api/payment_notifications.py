"""Notifications from the payment provider (Stripe): signed, each handled once."""
from __future__ import annotations

from ..bootstrap import container
from ..domain import errors
from . import models
from .http import Routes
from .spec import RouteDoc

payment_notifications = Routes(__name__)


@payment_notifications.route("/webhooks/stripe", methods=["POST"], doc=RouteDoc(
    "Stripe's payment notifications", "payments", models.WebhookReceipt,
    errors=("NOT_FOUND", "VALIDATION_ERROR"),
    description="Verifies the Stripe-Signature header, handles each Stripe event once and "
                "moves the booking it names on. 404 on stages that do not use Stripe."))
def stripe_webhook():
    events = container().payment_events
    if events is None:
        raise errors.NotFound("route", "No such route.")
    request = payment_notifications.current_request
    outcome = events.handle(request.raw_body or b"", (request.headers or {}).get("stripe-signature"))
    return {"received": True, "outcome": outcome}
