"""What only the Stripe adapter does: the idempotency keys it sends, its answers when Stripe
cannot be reached, and Stripe's documented payloads that localstripe never produces (served
by a canned server on loopback)."""
from __future__ import annotations

import json
import socket
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from chalicelib.adapters.stripe_payments import StripePaymentProvider
from chalicelib.domain import errors
from chalicelib.domain.money import Money
from payment_harness import LocalStripeHarness

PRICE = Money(5000, "EUR")


class RecordingClient(stripe.RequestsClient):
    """The SDK's own HTTP client, noting each request's Idempotency-Key."""

    def __init__(self):
        super().__init__(timeout=10)
        self.calls: list[tuple[str, str, str | None]] = []

    def request(self, method, url, headers, post_data=None):
        self.calls.append((method, urllib.parse.urlparse(url).path,
                           (headers or {}).get("Idempotency-Key")))
        return super().request(method, url, headers, post_data)


class CannedStripe:
    """Answers each (method, path) with a queued documented Stripe response."""

    def __init__(self):
        self.answers: dict[tuple[str, str], list[tuple[int, dict]]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode() or query)
                canned.requests.append((self.command, path, form))
                status, body = canned.answers[(self.command, path)].pop(0)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, method: str, path: str, status: int, body: dict) -> None:
        self.answers.setdefault((method, path), []).append((status, body))


@pytest.fixture
def canned():
    server = CannedStripe()
    yield server
    server.server.shutdown()


def booking_id() -> str:
    return f"bkg_{uuid.uuid4().hex[:16]}"


def intent(intent_id="pi_3Ox", status="requires_capture", **extra) -> dict:
    """A PaymentIntent as Stripe's API reference shows it (the fields the adapter reads)."""
    return {"id": intent_id, "object": "payment_intent", "amount": 5000, "currency": "eur",
            "status": status, "capture_method": "manual", "client_secret": f"{intent_id}_secret_x",
            "created": 1700000000, "latest_charge": None, "last_payment_error": None,
            "next_action": None, "metadata": {"booking_id": "bkg_1"}, "livemode": False, **extra}


def test_each_step_sends_an_idempotency_key_made_of_the_booking_and_the_step(localstripe):
    recorder = RecordingClient()
    provider = LocalStripeHarness(localstripe, http_client=recorder).provider
    paid, voided = booking_id(), booking_id()
    auth = provider.authorize(paid, PRICE, "pm_card_visa", "cust-1")
    provider.capture(paid, auth.authorization_id)
    provider.refund(paid, auth.authorization_id, Money(2000, "EUR"))
    provider.refund(paid, auth.authorization_id)
    provider.void(voided, provider.authorize(voided, PRICE, "pm_card_visa", "c").authorization_id)
    keys = [key for method, _, key in recorder.calls if method == "post"]
    assert keys == [f"{paid}:authorize", f"{paid}:capture", f"{paid}:refund:2000",
                    f"{paid}:refund:full", f"{voided}:authorize", f"{voided}:cancel"]


def test_a_booking_authorized_twice_has_one_payment_intent_at_stripe(localstripe):
    harness, booking = LocalStripeHarness(localstripe), booking_id()
    for _ in range(3):
        harness.provider.authorize(booking, PRICE, "pm_card_visa", "cust-1")
    assert len(harness.intents_of(booking)) == 1


def test_a_capture_refused_before_3ds_is_not_replayed_once_the_customer_passed(localstripe):
    recorder = RecordingClient()
    harness, booking = LocalStripeHarness(localstripe, http_client=recorder), booking_id()
    auth = harness.provider.authorize(booking, PRICE, "pm_card_threeDSecure2Required", "c")
    with pytest.raises(errors.Conflict):
        harness.provider.capture(booking, auth.authorization_id)
    harness.complete_action(auth.authorization_id)
    harness.provider.capture(booking, auth.authorization_id)
    assert harness.captured_total(booking) == PRICE.amount
    captures = [key for _, path, key in recorder.calls if path.endswith("/capture")]
    assert captures[:2] == [f"{booking}:capture", f"{booking}:capture"]  # the 2nd: a replay
    assert len(captures) == 3 and captures[2] != f"{booking}:capture"


def test_an_unreachable_stripe_is_a_provider_error_at_every_step():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    provider = StripePaymentProvider("sk_test_x", api_base=closed, max_network_retries=0)
    steps = [lambda: provider.authorize("bkg_1", PRICE, "pm_card_visa", "c"),
             lambda: provider.capture("bkg_1", "pi_1"), lambda: provider.void("bkg_1", None),
             lambda: provider.refund("bkg_1", "pi_1"), lambda: provider.state("pi_1")]
    for step in steps:
        with pytest.raises(errors.PaymentProviderError):
            step()


def test_a_decline_carries_stripes_decline_code(canned):
    canned.answer("POST", "/v1/payment_intents", 402, {"error": {
        "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "payment_intent": intent(status="requires_payment_method")}})
    provider = StripePaymentProvider("sk_test_x", api_base=canned.url, max_network_retries=0)
    with pytest.raises(errors.PaymentDeclined) as declined:
        provider.authorize("bkg_1", PRICE, "pm_card_visa", "c")
    assert declined.value.details == {"decline_code": "insufficient_funds"}
    assert declined.value.message == "Your card has insufficient funds."


def test_rate_limiting_is_a_provider_error(canned):
    canned.answer("POST", "/v1/payment_intents", 429, {"error": {
        "type": "invalid_request_error", "code": "rate_limit",
        "message": "Too many requests hit the API too quickly."}})
    provider = StripePaymentProvider("sk_test_x", api_base=canned.url, max_network_retries=0)
    with pytest.raises(errors.PaymentProviderError):
        provider.authorize("bkg_1", PRICE, "pm_card_visa", "c")


def test_3ds_with_a_return_url_hands_the_client_the_redirect(canned):
    canned.answer("POST", "/v1/payment_intents", 200, intent(
        status="requires_action", next_action={"type": "redirect_to_url", "redirect_to_url": {
            "url": "https://hooks.stripe.com/3d_secure_2/hosted?x=1",
            "return_url": "https://boxoffice.example/return"}}))
    provider = StripePaymentProvider("sk_test_x", api_base=canned.url, max_network_retries=0,
                                     return_url="https://boxoffice.example/return")
    auth = provider.authorize("bkg_1", PRICE, "pm_card_threeDSecure2Required", "c")
    assert (auth.status, auth.client_secret) == ("requires_action", "pi_3Ox_secret_x")
    assert auth.next_action_url == "https://hooks.stripe.com/3d_secure_2/hosted?x=1"
    sent = canned.requests[0][2]
    assert sent["return_url"] == ["https://boxoffice.example/return"]
    assert sent["capture_method"] == ["manual"] and sent["confirm"] == ["true"]
    assert sent["metadata[booking_id]"] == ["bkg_1"]


def test_a_refund_stripe_has_not_settled_yet_is_pending(canned):
    canned.answer("GET", "/v1/payment_intents/pi_3Ox", 200, intent(status="succeeded"))
    canned.answer("POST", "/v1/refunds", 200, {
        "id": "re_1", "object": "refund", "amount": 5000, "currency": "eur",
        "payment_intent": "pi_3Ox", "status": "pending"})
    provider = StripePaymentProvider("sk_test_x", api_base=canned.url, max_network_retries=0)
    assert provider.refund("bkg_1", "pi_3Ox") == "pending"


def test_void_with_a_lost_id_cancels_every_uncaptured_intent_search_finds(canned):
    canned.answer("GET", "/v1/payment_intents/search", 200, {
        "object": "search_result", "has_more": False, "next_page": None,
        "url": "/v1/payment_intents/search",
        "data": [intent("pi_new", created=1700000100), intent("pi_old", created=1700000000)]})
    for intent_id in ("pi_old", "pi_new"):
        canned.answer("POST", f"/v1/payment_intents/{intent_id}/cancel", 200,
                      intent(intent_id, status="canceled"))
    provider = StripePaymentProvider("sk_test_x", api_base=canned.url, max_network_retries=0)
    provider.void("bkg_1", None)
    search = canned.requests[0]
    assert search[2]["query"] == ["metadata['booking_id']:'bkg_1'"]
    assert [path for _, path, _ in canned.requests[1:]] == [
        "/v1/payment_intents/pi_old/cancel", "/v1/payment_intents/pi_new/cancel"]
