"""Stripe webhooks: signatures (SDK), tolerance against our clock, event mapping on Stripe's
documented payloads, dedupe per Stripe event id (moto), and a real delivery by localstripe."""
from __future__ import annotations

import json
import queue
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from chalicelib.adapters.stripe_payments import StripePaymentProvider
from chalicelib.adapters.stripe_webhooks import (InvalidWebhookSignature, StripeWebhookEvent,
                                                 StripeWebhookVerifier)
from chalicelib.adapters.webhook_dedupe import DynamoWebhookDedupe
from chalicelib.domain import errors
from chalicelib.domain.clock import FixedClock, SystemClock, epoch
from chalicelib.domain.money import Money
from chalicelib.local.localstripe import API_KEY

SECRET = "whsec_test_boxoffice"


def stripe_event(event_type: str, booking_id: str | None = "bkg_1", event_id: str = "evt_1",
                 **intent_fields) -> str:
    """An event as Stripe's docs show it (API 2024+), around a PaymentIntent."""
    intent = {"id": "pi_3Ox", "object": "payment_intent", "amount": 5000,
              "amount_capturable": 5000, "currency": "eur", "status": "requires_capture",
              "capture_method": "manual", "livemode": False,
              "metadata": {"booking_id": booking_id} if booking_id else {}, **intent_fields}
    return json.dumps({"id": event_id, "object": "event", "api_version": "2024-06-20",
                       "created": 1700000000, "livemode": False, "pending_webhooks": 1,
                       "request": {"id": "req_1", "idempotency_key": "bkg_1:authorize"},
                       "type": event_type, "data": {"object": intent}})


@pytest.fixture
def clock():
    return FixedClock()


def signed(payload: str, clock, secret: str = SECRET, seconds_ago: int = 0) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=epoch(clock.now()) - seconds_ago)


@pytest.mark.parametrize("event_type, outcome", [
    ("payment_intent.amount_capturable_updated", "authorized"),
    ("payment_intent.succeeded", "captured"),
    ("payment_intent.payment_failed", "failed"),
    ("payment_intent.canceled", "voided"),
])
def test_a_signed_payment_intent_event_tells_what_happened_to_the_booking(clock, event_type,
                                                                            outcome):
    payload = stripe_event(event_type, event_id="evt_9")
    event = StripeWebhookVerifier(SECRET, clock).parse(payload, signed(payload, clock))
    assert event == StripeWebhookEvent("evt_9", "bkg_1", "pi_3Ox", outcome)


def test_an_event_signed_with_another_secret_is_refused(clock):
    payload = stripe_event("payment_intent.succeeded")
    with pytest.raises(InvalidWebhookSignature):
        StripeWebhookVerifier(SECRET, clock).parse(payload, signed(payload, clock, "whsec_other"))


def test_a_body_changed_after_signing_is_refused(clock):
    payload = stripe_event("payment_intent.succeeded")
    header = signed(payload, clock)
    with pytest.raises(InvalidWebhookSignature):
        StripeWebhookVerifier(SECRET, clock).parse(payload.replace("5000", "1"), header)


def test_a_delivery_older_than_five_minutes_is_refused(clock):
    payload = stripe_event("payment_intent.succeeded")
    header = signed(payload, clock)
    clock.advance(300)
    assert StripeWebhookVerifier(SECRET, clock).parse(payload, header) is not None
    clock.advance(1)
    with pytest.raises(InvalidWebhookSignature) as refused:
        StripeWebhookVerifier(SECRET, clock).parse(payload, header)
    assert refused.value.code == "VALIDATION_ERROR"  # the route answers 400


@pytest.mark.parametrize("header", [None, "", "t=abc,v1=00", "v1=deadbeef"])
def test_a_missing_or_malformed_signature_header_is_refused(clock, header):
    with pytest.raises(InvalidWebhookSignature):
        StripeWebhookVerifier(SECRET, clock).parse(stripe_event("payment_intent.succeeded"),
                                                   header)


def test_events_the_booking_flow_does_not_use_are_ignored(clock):
    verifier = StripeWebhookVerifier(SECRET, clock)
    for payload in (stripe_event("payment_intent.created"),
                    stripe_event("payment_intent.succeeded", booking_id=None)):
        assert verifier.parse(payload, signed(payload, clock)) is None


def test_a_signed_body_that_is_not_a_stripe_event_is_a_validation_error(clock):
    payload = json.dumps({"hello": "world"})
    with pytest.raises(errors.ValidationFailed):
        StripeWebhookVerifier(SECRET, clock).parse(payload, signed(payload, clock))


# dedupe ----------------------------------------------------------------------------------
@pytest.fixture
def dedupe(booking_table, clock):
    return DynamoWebhookDedupe(booking_table.name, booking_table.region, booking_table.endpoint,
                               clock)


def test_a_stripe_event_is_claimed_once_however_often_it_is_delivered(dedupe):
    event_id = f"evt_{uuid.uuid4().hex}"
    assert dedupe.claim(event_id) is True
    assert [dedupe.claim(event_id) for _ in range(3)] == [False, False, False]
    assert dedupe.claim(f"evt_{uuid.uuid4().hex}") is True


def test_a_released_claim_is_handled_again_on_the_next_delivery(dedupe):
    event_id = f"evt_{uuid.uuid4().hex}"
    dedupe.claim(event_id)
    dedupe.release(event_id)
    assert dedupe.claim(event_id) is True


def test_a_claim_is_kept_thirty_days_then_left_to_ttl(dedupe, booking_table, clock):
    import boto3
    event_id = f"evt_{uuid.uuid4().hex}"
    dedupe.claim(event_id)
    item = boto3.client("dynamodb", region_name=booking_table.region,
                        endpoint_url=booking_table.endpoint).get_item(
        TableName=booking_table.name,
        Key={"pk": {"S": f"STRIPEEVT#{event_id}"}, "sk": {"S": "STRIPEEVT"}})["Item"]
    assert int(item["ttl"]["N"]) == epoch(clock.now()) + 30 * 24 * 3600


# a real delivery ------------------------------------------------------------------------
@pytest.fixture
def receiver(localstripe):
    """A webhook endpoint on loopback, registered in localstripe for the test's duration."""
    deliveries: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            deliveries.put((body, self.headers.get("Stripe-Signature")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    localstripe.register_webhook("boxoffice-test", f"http://127.0.0.1:{server.server_port}",
                                 SECRET, ["payment_intent.succeeded",
                                          "payment_intent.payment_failed"])
    yield deliveries
    # localstripe cannot unregister: point the endpoint at an event type it never sends.
    localstripe.register_webhook("boxoffice-test", "http://127.0.0.1:9", SECRET, ["none.none"])
    server.shutdown()


def delivered_for(deliveries: queue.Queue, booking_id: str) -> StripeWebhookEvent:
    verifier = StripeWebhookVerifier(SECRET, SystemClock())
    while True:  # localstripe delivers about a second after the change
        body, header = deliveries.get(timeout=15)
        event = verifier.parse(body, header)
        if event and event.booking_id == booking_id:
            return event


def test_localstripe_delivers_signed_events_that_verify_and_name_the_booking(localstripe,
                                                                            receiver):
    provider = StripePaymentProvider(API_KEY, api_base=localstripe.url, max_network_retries=0)
    paid, declined = f"bkg_{uuid.uuid4().hex[:12]}", f"bkg_{uuid.uuid4().hex[:12]}"
    auth = provider.authorize(paid, Money(5000, "EUR"), "pm_card_visa", "c")
    provider.capture(paid, auth.authorization_id)
    with pytest.raises(errors.PaymentDeclined):
        provider.authorize(declined, Money(5000, "EUR"), "pm_card_chargeDeclined", "c")
    captured = delivered_for(receiver, paid)
    assert (captured.intent_id, captured.outcome) == (auth.authorization_id, "captured")
    assert captured.stripe_event_id.startswith("evt_")
    assert delivered_for(receiver, declined).outcome == "failed"
