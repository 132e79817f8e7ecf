"""The payment provider's notifications move waiting bookings on at once; the sweeper polls
the same bookings anyway, so a lost notification only delays them."""
from __future__ import annotations


class PaymentEvents:
    """Handles each genuine notification once, by finishing the booking it names."""

    def __init__(self, webhooks, bookings):
        self.webhooks, self.bookings = webhooks, bookings

    def handle(self, payload: bytes, signature: str | None) -> str:
        event = self.webhooks.parse(payload, signature)
        if event is None:
            return "ignored"
        if not self.webhooks.claim(event.event_id):
            return "duplicate"
        try:
            return self.bookings.finalize(event.booking_id)
        except BaseException:
            self.webhooks.release(event.event_id)  # the provider delivers again; run it then
            raise
