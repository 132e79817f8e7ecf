"""One harness per payment provider, so the contract suite can play the customer's side
(3-D Secure) and read what the customer paid, whatever the provider."""
from __future__ import annotations

from chalicelib.adapters.durable_test_payments import DynamoTestPaymentProvider
from chalicelib.adapters.stripe_payments import StripePaymentProvider
from chalicelib.local.localstripe import API_KEY
from fakes.payments import InMemoryPaymentProvider


class DoubleHarness:
    """The test providers carry their own helpers."""

    def __init__(self, provider):
        self.provider = provider

    def complete_action(self, authorization_id: str) -> None:
        self.provider.complete_action(authorization_id)

    def abandon(self, authorization_id: str) -> None:
        self.provider.abandon(authorization_id)

    def captured_total(self, booking_id: str) -> int:
        return self.provider.captured_total(booking_id)

    def refund_count(self, booking_id: str) -> int:
        return self.provider.refund_count(booking_id)

    def customer_ref(self, booking_id: str) -> str | None:
        return self.provider.customer_ref(booking_id)


class LocalStripeHarness:
    """Reads localstripe's own records (its list endpoint), not the adapter's answers."""

    def __init__(self, server, **adapter_options):
        self.server = server
        self.provider = StripePaymentProvider(API_KEY, api_base=server.url,
                                              max_network_retries=0, **adapter_options)

    def intents_of(self, booking_id: str) -> list[dict]:
        listed = self.server.get("/v1/payment_intents", limit=10000).json()["data"]
        return [i for i in listed if i["metadata"].get("booking_id") == booking_id]

    def customer_ref(self, booking_id: str) -> str | None:
        refs = {i["metadata"].get("customer_ref") for i in self.intents_of(booking_id)}
        return refs.pop() if len(refs) == 1 else None

    def complete_action(self, authorization_id: str) -> None:
        self._authenticate(authorization_id, True)

    def abandon(self, authorization_id: str) -> None:
        self._authenticate(authorization_id, False)

    def _authenticate(self, intent_id: str, success: bool) -> None:
        intent = self.server.get(f"/v1/payment_intents/{intent_id}").json()
        self.server.authenticate(intent_id, intent["client_secret"], success)

    def _charges(self, booking_id: str) -> list[dict]:
        return [i["latest_charge"] for i in self.intents_of(booking_id) if i["latest_charge"]]

    def captured_total(self, booking_id: str) -> int:
        return sum(c["amount"] - c["amount_refunded"] for c in self._charges(booking_id)
                   if c["captured"] and c["status"] == "succeeded")

    def refund_count(self, booking_id: str) -> int:
        return sum(len(c["refunds"]["data"]) for c in self._charges(booking_id))


def in_memory() -> DoubleHarness:
    return DoubleHarness(InMemoryPaymentProvider())


def dynamodb(table) -> DoubleHarness:
    return DoubleHarness(DynamoTestPaymentProvider(table.name, table.region,
                                                         table.endpoint))
