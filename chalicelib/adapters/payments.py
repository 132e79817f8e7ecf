"""Payment providers behind one port: authorize, capture, void, refund (all idempotent)."""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from ..domain import errors


@dataclass
class Payment:
    authorization_id: str
    booking_id: str
    amount: int
    currency: str
    status: str  # authorized|captured|voided|refunded


class TestPaymentProvider:
    """The contract's test payment methods, for the local and test stages only.

    State lives in memory (like a provider's test mode): it survives a crashed request in the
    same process, which is what the crash-injection tests need.
    """

    APPROVE, DECLINE, PROVIDER_ERROR = "pm_card_visa", "pm_card_chargeDeclined", "pm_card_providerError"

    def __init__(self):
        self._lock = threading.Lock()
        self._payments: dict[str, Payment] = {}
        self._by_booking: dict[str, str] = {}

    def authorize(self, booking_id: str, amount: int, currency: str, payment_method_id: str) -> str:
        with self._lock:
            if booking_id in self._by_booking:
                return self._by_booking[booking_id]
        if payment_method_id == self.DECLINE:
            raise errors.PaymentDeclined("Your card was declined.", decline_code="card_declined")
        if payment_method_id == self.PROVIDER_ERROR:
            raise errors.PaymentProviderError()
        if payment_method_id != self.APPROVE:
            raise errors.PaymentDeclined("Unknown payment method.", decline_code="invalid_payment_method")
        with self._lock:
            auth = f"auth_{uuid.uuid4().hex[:20]}"
            self._payments[auth] = Payment(auth, booking_id, amount, currency, "authorized")
            self._by_booking[booking_id] = auth
            return auth

    def _move(self, authorization_id: str, allowed: set[str], to: str) -> str:
        with self._lock:
            payment = self._payments[authorization_id]
            if payment.status in allowed:
                payment.status = to
            return payment.status

    def capture(self, authorization_id: str) -> str:
        return self._move(authorization_id, {"authorized"}, "captured")

    def void(self, authorization_id: str) -> str:
        return self._move(authorization_id, {"authorized"}, "voided")

    def refund(self, authorization_id: str) -> str:
        """Refunds a capture, or voids an authorization never captured."""
        if self._move(authorization_id, {"authorized"}, "voided") == "voided":
            return "voided"
        return self._move(authorization_id, {"captured"}, "refunded")

    def authorization_for(self, booking_id: str) -> str | None:
        with self._lock:
            return self._by_booking.get(booking_id)

    def payment(self, authorization_id: str) -> Payment:
        with self._lock:
            return self._payments[authorization_id]

    def captured_total(self, booking_id: str) -> int:
        """What the customer is out of pocket for this booking (captured, not refunded)."""
        with self._lock:
            auth = self._by_booking.get(booking_id)
            payment = self._payments.get(auth) if auth else None
            return payment.amount if payment and payment.status == "captured" else 0
