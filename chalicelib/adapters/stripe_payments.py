"""Payments on Stripe (official SDK): a PaymentIntent per booking with manual capture.

Every call carries an idempotency key derived from the booking and the step, so a retried
step replays Stripe's first answer instead of charging, capturing or refunding twice."""
from __future__ import annotations

import stripe

from ..domain import errors
from ..domain.money import Money
from ..services.ports import (AUTHORIZED, CAPTURED, FAILED, REFUNDED, REQUIRES_ACTION, VOIDED,
                           Authorization)

# Stripe's PaymentIntent status -> the port's state ("processing": not decided yet, keep asking).
STATES = {"requires_action": REQUIRES_ACTION, "processing": REQUIRES_ACTION,
          "requires_capture": AUTHORIZED, "succeeded": CAPTURED, "canceled": VOIDED,
          "requires_payment_method": FAILED, "requires_confirmation": FAILED}
UNCAPTURED = ("requires_capture", "requires_action", "requires_payment_method",
              "requires_confirmation", "processing")


def idempotency_key(booking_id: str, step: str) -> dict:
    return {"idempotency_key": f"{booking_id}:{step}"}


def declined(error, message: str | None) -> errors.PaymentDeclined:
    """From a CardError's error object, or an intent's last_payment_error."""
    code = getattr(error, "decline_code", None) or getattr(error, "code", None) or "card_declined"
    return errors.PaymentDeclined(message or "The payment was declined.", decline_code=code)


class StripePaymentProvider:
    """Implements the payment port on Stripe; `api_base` points it at localstripe locally."""

    def __init__(self, api_key: str, api_base: str | None = None, max_network_retries: int = 2,
                 http_client=None, return_url: str | None = None):
        client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries, http_client=http_client)
        self._intents, self._refunds = client.v1.payment_intents, client.v1.refunds
        self._return_url = return_url

    def authorize(self, booking_id: str, amount: Money, payment_method_id: str,
                  customer_ref: str) -> Authorization:
        params = {"amount": amount.amount, "currency": amount.currency.lower(),
                  "payment_method": payment_method_id, "payment_method_types": ["card"],
                  "capture_method": "manual", "confirm": True,
                  "metadata": {"booking_id": booking_id, "customer_ref": customer_ref}}
        if self._return_url:
            params["return_url"] = self._return_url
        try:
            intent = self._intents.create(params, idempotency_key(booking_id, "authorize"))
        except stripe.IdempotencyError:
            intent = self._first_intent_of(booking_id)  # authorized before with other details
        except stripe.CardError as e:
            raise declined(e.error, e.user_message) from e
        except stripe.InvalidRequestError as e:  # an unknown payment method, say: bad input
            raise errors.PaymentDeclined("The payment method was not accepted.",
                                         decline_code="invalid_payment_method") from e
        except stripe.StripeError as e:
            raise errors.PaymentProviderError() from e
        return self._authorization(intent)

    def capture(self, booking_id: str, authorization_id: str) -> None:
        status = self._act(self._intents.capture, booking_id, authorization_id, "capture",
                           retry_while=("requires_capture",))
        if status != "succeeded":
            raise errors.Conflict("There is no authorization to capture.",
                                  state=STATES.get(status, FAILED))

    def void(self, booking_id: str, authorization_id: str | None) -> None:
        """Cancels the booking's uncaptured intents; a captured one is refunded, not voided."""
        for intent_id in [authorization_id] if authorization_id else self._intents_of(booking_id):
            self._act(self._intents.cancel, booking_id, intent_id, "cancel",
                      retry_while=UNCAPTURED)

    def _act(self, action, booking_id: str, intent_id: str, step: str, retry_while) -> str:
        """Captures or cancels; returns the intent's Stripe status afterwards.

        Stripe replays a key's first answer for 24 h, even an error (say, a capture tried
        before 3-D Secure finished). Capture and cancel act at most once on an intent anyway,
        so when the keyed call fails and the intent still waits, one call under a fresh key
        (the SDK makes one) decides."""
        for options in (idempotency_key(booking_id, step), None):
            try:
                return action(intent_id, options=options).status
            except (stripe.InvalidRequestError, stripe.IdempotencyError):
                status = self._status(intent_id)
            except stripe.StripeError as e:
                raise errors.PaymentProviderError() from e
            if status not in retry_while:
                return status
        raise errors.PaymentProviderError()

    def refund(self, booking_id: str, authorization_id: str, amount: Money | None = None) -> str:
        intent = self._retrieve(authorization_id)
        if intent.status != "succeeded":  # never captured: release it instead
            if intent.status != "canceled":
                self.void(booking_id, authorization_id)
            return VOIDED
        params = {"payment_intent": authorization_id, "metadata": {"booking_id": booking_id}}
        if amount is not None:
            if amount.currency.lower() != intent.currency.lower():
                raise errors.Conflict("A refund must be in the payment's currency.")
            params["amount"] = amount.amount
        step = f"refund:{amount.amount if amount else 'full'}"
        try:
            refund = self._refunds.create(params, idempotency_key(booking_id, step))
        except stripe.InvalidRequestError as e:
            if e.code == "charge_already_refunded":
                return "succeeded"
            raise errors.Conflict(e.user_message or "The refund was refused.",
                                  stripe_code=e.code) from e
        except stripe.StripeError as e:
            raise errors.PaymentProviderError() from e
        if refund.status in ("failed", "canceled"):
            raise errors.PaymentProviderError("The refund failed at the provider.")
        return "succeeded" if refund.status == "succeeded" else "pending"

    def state(self, authorization_id: str) -> str:
        intent = self._retrieve(authorization_id, expand=["latest_charge"])
        charge = intent.latest_charge
        if intent.status == "succeeded" and charge and getattr(charge, "refunded", False):
            return REFUNDED
        return STATES.get(intent.status, FAILED)

    # lookups -----------------------------------------------------------------------------
    def _authorization(self, intent) -> Authorization:
        if intent.status == "requires_payment_method":  # found after a decline: still declined
            error = intent.last_payment_error
            raise declined(error, getattr(error, "message", None))
        if intent.status in ("requires_action", "processing"):
            redirect = getattr(intent.next_action or {}, "redirect_to_url", None)
            return Authorization(intent.id, REQUIRES_ACTION, client_secret=intent.client_secret,
                                 next_action_url=getattr(redirect, "url", None))
        return Authorization(intent.id, AUTHORIZED)

    def forget_customer(self, booking_id: str, authorization_id: str | None,
                        pseudonym: str) -> None:
        for intent_id in ([authorization_id] if authorization_id else self._intents_of(booking_id)):
            try:
                self._intents.update(intent_id, {"metadata": {"customer_ref": pseudonym}})
            except stripe.StripeError as e:
                raise errors.PaymentProviderError() from e

    def _retrieve(self, intent_id: str, expand: list[str] | None = None):
        try:
            return self._intents.retrieve(intent_id, {"expand": expand} if expand else None)
        except stripe.StripeError as e:
            raise errors.PaymentProviderError() from e

    def _status(self, intent_id: str) -> str:
        return self._retrieve(intent_id).status

    def _intents_of(self, booking_id: str) -> list[str]:
        """The booking's intents, by metadata (Stripe's search: indexed within about a minute)."""
        quoted = booking_id.replace("\\", "\\\\").replace("'", "\\'")
        try:
            found = self._intents.search({"query": f"metadata['booking_id']:'{quoted}'",
                                          "limit": 10})
        except stripe.StripeError as e:
            raise errors.PaymentProviderError() from e
        return [intent.id for intent in sorted(found.data, key=lambda i: i.created)]

    def _first_intent_of(self, booking_id: str):
        found = self._intents_of(booking_id)
        if not found:
            raise errors.PaymentProviderError("The booking's payment is not visible yet; retry.")
        return self._retrieve(found[0])

