"""The contract's test payment methods, in memory (state lives in one process, like a
provider's test mode): for unit tests and the local stack only, never a deployed stage."""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from ..domain import errors
from ..domain.money import Money
from ..services.ports import Authorization

APPROVE, DECLINE, PROVIDER_ERROR = "pm_card_visa", "pm_card_chargeDeclined", "pm_card_providerError"
THREE_D_SECURE = "pm_card_threeDSecure2Required"


@dataclass
class Payment:
    authorization_id: str
    booking_id: str
    amount: int
    currency: str
    status: str  # requires_action|authorized|captured|voided|refunded|failed
    refunds: int = 0


class InMemoryPaymentProvider:
    def __init__(self):
        self._lock = threading.Lock()
        self._payments: dict[str, Payment] = {}
        self._by_booking: dict[str, str] = {}

    def authorize(self, booking_id: str, amount: Money, payment_method_id: str,
                  customer_ref: str) -> Authorization:
        with self._lock:
            if booking_id in self._by_booking:
                payment = self._payments[self._by_booking[booking_id]]
                return Authorization(payment.authorization_id, "requires_action"
                                     if payment.status == "requires_action" else "authorized")
        if payment_method_id == DECLINE:
            raise errors.PaymentDeclined("Your card was declined.", decline_code="card_declined")
        if payment_method_id == PROVIDER_ERROR:
            raise errors.PaymentProviderError()
        if payment_method_id not in (APPROVE, THREE_D_SECURE):
            raise errors.PaymentDeclined("Unknown payment method.",
                                         decline_code="invalid_payment_method")
        status = "requires_action" if payment_method_id == THREE_D_SECURE else "authorized"
        with self._lock:
            auth = f"auth_{uuid.uuid4().hex[:20]}"
            self._payments[auth] = Payment(auth, booking_id, amount.amount, amount.currency, status)
            self._by_booking[booking_id] = auth
        return Authorization(auth, status, client_secret=f"{auth}_secret"
                             if status == "requires_action" else None)

    def _move(self, authorization_id: str | None, allowed: set[str], to: str) -> str:
        with self._lock:
            payment = self._payments.get(authorization_id or "")
            if payment is None:
                return "voided"
            if payment.status in allowed:
                payment.status = to
                if to == "refunded":
                    payment.refunds += 1
            return payment.status

    def capture(self, booking_id: str, authorization_id: str) -> None:
        self._move(authorization_id, {"authorized"}, "captured")

    def void(self, booking_id: str, authorization_id: str | None) -> None:
        with self._lock:
            authorization_id = authorization_id or self._by_booking.get(booking_id)
        self._move(authorization_id, {"authorized", "requires_action"}, "voided")

    def refund(self, booking_id: str, authorization_id: str, amount: Money | None = None) -> str:
        """Refunds a capture, or voids an authorization never captured."""
        if self._move(authorization_id, {"authorized", "requires_action"}, "voided") == "voided":
            return "succeeded"
        self._move(authorization_id, {"captured"}, "refunded")
        return "succeeded"

    def state(self, authorization_id: str) -> str:
        with self._lock:
            payment = self._payments.get(authorization_id)
            return payment.status if payment else "voided"

    # test helpers -----------------------------------------------------------------------------
    def complete_action(self, authorization_id: str) -> None:
        self._move(authorization_id, {"requires_action"}, "authorized")

    def abandon(self, authorization_id: str) -> None:
        self._move(authorization_id, {"requires_action"}, "failed")

    def authorization_for(self, booking_id: str) -> str | None:
        with self._lock:
            return self._by_booking.get(booking_id)

    def captured_total(self, booking_id: str) -> int:
        """What the customer is out of pocket for this booking (captured, not refunded)."""
        with self._lock:
            auth = self._by_booking.get(booking_id)
            payment = self._payments.get(auth) if auth else None
            return payment.amount if payment and payment.status == "captured" else 0

    def refund_count(self, booking_id: str) -> int:
        with self._lock:
            auth = self._by_booking.get(booking_id)
            return self._payments[auth].refunds if auth else 0
