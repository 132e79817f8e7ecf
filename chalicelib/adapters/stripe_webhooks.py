"""Stripe webhooks: checks the signature (SDK) and the timestamp (against our clock), and
turns the payment_intent events the booking flow cares about into a small typed result."""
from __future__ import annotations

import json
from dataclasses import dataclass

import stripe

from ..domain import errors
from ..domain.clock import SystemClock, epoch
from ..services.ports import PaymentEvent

TOLERANCE_SECONDS = 300  # Stripe's own default: a replayed old delivery is refused

# Stripe event type -> what happened to the booking's payment.
OUTCOMES = {
    "payment_intent.amount_capturable_updated": "authorized",  # 3-D Secure passed
    "payment_intent.succeeded": "captured",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "voided",
}


class InvalidWebhookSignature(errors.ValidationFailed):
    """A webhook that Stripe did not sign, was altered, or is too old (answered with 400)."""

    def __init__(self, reason: str):
        super().__init__({"Stripe-Signature": reason}, "The webhook signature is invalid.")


@dataclass(frozen=True)
class StripeWebhookEvent:
    stripe_event_id: str
    booking_id: str
    intent_id: str
    outcome: str  # authorized | captured | failed | voided


class StripeWebhookVerifier:
    def __init__(self, secret: str, clock=None, tolerance_seconds: int = TOLERANCE_SECONDS):
        self._secret, self._clock = secret, clock or SystemClock()
        self._tolerance = tolerance_seconds

    def parse(self, payload: bytes | str,
              signature_header: str | None) -> StripeWebhookEvent | None:
        """The event if it concerns a booking's PaymentIntent; None for events we ignore."""
        self._verify(payload, signature_header)
        try:
            event = json.loads(payload)
            intent = event["data"]["object"]
            return self._map(event["id"], event["type"], intent)
        except (ValueError, KeyError, TypeError) as e:
            raise errors.ValidationFailed({"body": "not a Stripe event"}) from e

    def _verify(self, payload, header: str | None) -> None:
        try:
            # The SDK checks the age against time.time(); the age is checked below instead.
            stripe.WebhookSignature.verify_header(payload, header, self._secret, tolerance=None)
        except stripe.SignatureVerificationError as e:
            raise InvalidWebhookSignature(str(e).split(";")[0]) from e
        timestamps = [int(part[2:]) for part in header.split(",") if part.startswith("t=")]
        if abs(epoch(self._clock.now()) - timestamps[0]) > self._tolerance:
            raise InvalidWebhookSignature("timestamp outside the tolerance zone")

    @staticmethod
    def _map(event_id: str, event_type: str, intent: dict) -> StripeWebhookEvent | None:
        booking_id = (intent.get("metadata") or {}).get("booking_id")
        if event_type not in OUTCOMES or intent.get("object") != "payment_intent" or not booking_id:
            return None
        return StripeWebhookEvent(event_id, booking_id, intent["id"], OUTCOMES[event_type])


class StripeWebhooks:
    """The PaymentWebhooks port on Stripe: verified events, claimed once in DynamoDB."""

    def __init__(self, verifier: StripeWebhookVerifier, dedupe):
        self._verifier, self._dedupe = verifier, dedupe

    def parse(self, payload: bytes, signature: str | None) -> PaymentEvent | None:
        event = self._verifier.parse(payload, signature)
        return PaymentEvent(event.stripe_event_id, event.booking_id) if event else None

    def claim(self, event_id: str) -> bool:
        return self._dedupe.claim(event_id)

    def release(self, event_id: str) -> None:
        self._dedupe.release(event_id)
