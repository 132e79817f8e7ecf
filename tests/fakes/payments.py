"""An in-memory payment provider for unit tests: the contract's test payment methods, with
the same answers as the DynamoDB-backed test provider (shared rules in payment_test_methods)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from chalicelib.adapters import payment_test_methods as methods
from chalicelib.services.ports import (AUTHORIZED, CAPTURED, FAILED, REFUNDED,
                                              REQUIRES_ACTION, VOIDED, Authorization)
from chalicelib.domain import errors
from chalicelib.domain.money import Money


@dataclass
class Payment:
    authorization_id: str
    amount: Money
    status: str
    decline_code: str | None = None
    refunded: int = 0
    refund_steps: list[str] = field(default_factory=list)


class InMemoryPaymentProvider:
    """Implements the payment port in one process; never for a deployed stage."""

    def __init__(self):
        self._lock = threading.RLock()
        self._payments: dict[str, Payment] = {}
        self.customer_refs: dict[str, str] = {}

    def authorize(self, booking_id: str, amount: Money, payment_method_id: str,
                  customer_ref: str) -> Authorization:
        with self._lock:
            self.customer_refs.setdefault(booking_id, customer_ref)
            if booking_id not in self._payments:
                status, decline_code = methods.first_answer(payment_method_id)
                self._payments[booking_id] = Payment(
                    methods.authorization_id_for(booking_id), amount, status, decline_code)
            payment = self._payments[booking_id]
            return methods.answer(payment.authorization_id, payment.status, payment.decline_code)

    def forget_customer(self, booking_id: str, authorization_id: str | None,
                        pseudonym: str) -> None:
        with self._lock:
            if booking_id in self.customer_refs:
                self.customer_refs[booking_id] = pseudonym

    def capture(self, booking_id: str, authorization_id: str) -> None:
        with self._lock:
            payment = self._payments.get(booking_id)
            if payment and payment.status == AUTHORIZED:
                payment.status = CAPTURED
            elif not payment or payment.status not in (CAPTURED, REFUNDED):
                raise errors.Conflict("There is no authorization to capture.",
                                      state=payment.status if payment else None)

    def void(self, booking_id: str, authorization_id: str | None) -> None:
        with self._lock:
            payment = self._payments.get(booking_id)
            if payment and payment.status in (AUTHORIZED, REQUIRES_ACTION, FAILED):
                payment.status = VOIDED

    def refund(self, booking_id: str, authorization_id: str, amount: Money | None = None) -> str:
        with self._lock:
            payment = self._payments.get(booking_id)
            if not payment or payment.status not in (CAPTURED, REFUNDED):
                self.void(booking_id, authorization_id)
                return VOIDED
            step = methods.refund_step(amount)
            if step not in payment.refund_steps:
                due = methods.refund_due(payment.amount, payment.refunded, amount)
                if due:
                    payment.refunded += due
                    payment.refund_steps.append(step)
                if payment.refunded == payment.amount.amount:
                    payment.status = REFUNDED
            return "succeeded"

    def state(self, authorization_id: str) -> str:
        with self._lock:
            payment = self._payments.get(methods.booking_of(authorization_id) or "")
            return payment.status if payment else FAILED

    # test helpers ------------------------------------------------------------------------
    def complete_action(self, authorization_id: str) -> None:
        """The customer passed 3-D Secure."""
        self._finish_action(authorization_id, AUTHORIZED)

    def abandon(self, authorization_id: str) -> None:
        """The customer failed or gave up 3-D Secure."""
        self._finish_action(authorization_id, FAILED)

    def _finish_action(self, authorization_id: str, to: str) -> None:
        with self._lock:
            payment = self._payments[methods.booking_of(authorization_id)]
            if payment.status == REQUIRES_ACTION:
                payment.status = to

    def customer_ref(self, booking_id: str) -> str | None:
        with self._lock:
            return self.customer_refs.get(booking_id)

    def captured_total(self, booking_id: str) -> int:
        """What the customer is out of pocket for this booking."""
        with self._lock:
            payment = self._payments.get(booking_id)
            taken = payment and payment.status in (CAPTURED, REFUNDED)
            return payment.amount.amount - payment.refunded if taken else 0

    def refund_count(self, booking_id: str) -> int:
        with self._lock:
            payment = self._payments.get(booking_id)
            return len(payment.refund_steps) if payment else 0
