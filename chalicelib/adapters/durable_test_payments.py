"""The contract's test payment methods with their state in DynamoDB, so every Lambda
instance of a `dev` stage sees the same payments. Every transition is a conditional write."""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, PutError, UpdateError
from pynamodb.models import Model

from ..domain import errors
from ..domain.money import Money
from . import payment_test_methods as methods
from .bound_models import bound
from ..services.ports import (AUTHORIZED, CAPTURED, FAILED, REFUNDED, REQUIRES_ACTION, VOIDED,
                           Authorization)

SORT_KEY = "PAYMENT"


class _PaymentItem(Model):
    """PAYMENT#{booking_id} / PAYMENT: one test payment per booking."""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    authorization_id = UnicodeAttribute()
    status = UnicodeAttribute()
    decline_code = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    customer_ref = UnicodeAttribute(null=True)
    refunded = NumberAttribute(default=0)
    refund_steps = ListAttribute(of=UnicodeAttribute, default=list)


def _refused(e: PynamoDBException) -> bool:
    return e.cause_response_code == "ConditionalCheckFailedException"


class DynamoTestPaymentProvider:
    """Implements the payment port with the contract's test payment methods; no real money."""

    def __init__(self, table: str, region: str = "us-east-1", host: str | None = None):
        self._model = bound(_PaymentItem, table, region, host)

    def authorize(self, booking_id: str, amount: Money, payment_method_id: str,
                  customer_ref: str) -> Authorization:
        item = self._get(booking_id)
        if item is None:
            item = self._record(booking_id, amount, payment_method_id, customer_ref)
        return methods.answer(item.authorization_id, item.status, item.decline_code)

    def _record(self, booking_id: str, amount: Money, payment_method_id: str,
                customer_ref: str):
        status, decline_code = methods.first_answer(payment_method_id)
        item = self._model(f"PAYMENT#{booking_id}", SORT_KEY,
                           authorization_id=methods.authorization_id_for(booking_id),
                           status=status, decline_code=decline_code, amount=amount.amount,
                           currency=amount.currency, customer_ref=customer_ref)
        try:
            item.save(condition=self._model.pk.does_not_exist())
        except PutError as e:
            if not _refused(e):
                raise errors.PaymentProviderError() from e
            item = self._get(booking_id)  # a concurrent retry won: its answer stands
        return item

    def capture(self, booking_id: str, authorization_id: str) -> None:
        if not self._move(booking_id, (AUTHORIZED,), CAPTURED):
            payment = self._get(booking_id)
            if not payment or payment.status not in (CAPTURED, REFUNDED):
                raise errors.Conflict("There is no authorization to capture.",
                                      state=payment.status if payment else None)

    def void(self, booking_id: str, authorization_id: str | None) -> None:
        self._move(booking_id, (AUTHORIZED, REQUIRES_ACTION, FAILED), VOIDED)

    def refund(self, booking_id: str, authorization_id: str, amount: Money | None = None) -> str:
        step = methods.refund_step(amount)
        while True:  # optimistic: the write checks that nobody refunded since the read
            payment = self._get(booking_id)
            if not payment or payment.status not in (CAPTURED, REFUNDED):
                self.void(booking_id, authorization_id)
                return VOIDED
            if step in payment.refund_steps:
                return "succeeded"
            due = methods.refund_due(Money(payment.amount, payment.currency), payment.refunded,
                                     amount)
            if due == 0 or self._add_refund(payment, step, due):
                return "succeeded"

    def state(self, authorization_id: str) -> str:
        payment = self._get(methods.booking_of(authorization_id) or "")
        return payment.status if payment else FAILED

    # test helpers ------------------------------------------------------------------------
    def complete_action(self, authorization_id: str) -> None:
        """The customer passed 3-D Secure."""
        self._move(methods.booking_of(authorization_id), (REQUIRES_ACTION,), AUTHORIZED)

    def abandon(self, authorization_id: str) -> None:
        """The customer failed or gave up 3-D Secure."""
        self._move(methods.booking_of(authorization_id), (REQUIRES_ACTION,), FAILED)

    def customer_ref(self, booking_id: str) -> str | None:
        """Who the payment is kept for (the user id, or the pseudonym after an erasure)."""
        payment = self._get(booking_id)
        return payment.customer_ref if payment else None

    def captured_total(self, booking_id: str) -> int:
        """What the customer is out of pocket for this booking."""
        payment = self._get(booking_id)
        taken = payment and payment.status in (CAPTURED, REFUNDED)
        return payment.amount - payment.refunded if taken else 0

    def refund_count(self, booking_id: str) -> int:
        payment = self._get(booking_id)
        return len(payment.refund_steps) if payment else 0

    # storage -----------------------------------------------------------------------------
    def _get(self, booking_id: str):
        try:
            return self._model.get(f"PAYMENT#{booking_id}", SORT_KEY, consistent_read=True)
        except self._model.DoesNotExist:
            return None
        except PynamoDBException as e:
            raise errors.PaymentProviderError() from e

    def forget_customer(self, booking_id: str, authorization_id: str | None,
                        pseudonym: str) -> None:
        self._update(booking_id, [self._model.customer_ref.set(pseudonym)],
                     self._model.pk.exists())

    def _update(self, booking_id: str, actions, condition) -> bool:
        try:
            self._model(f"PAYMENT#{booking_id}", SORT_KEY).update(actions=actions,
                                                                  condition=condition)
            return True
        except UpdateError as e:
            if _refused(e):
                return False
            raise errors.PaymentProviderError() from e

    def _move(self, booking_id: str, allowed: tuple[str, ...], to: str) -> bool:
        model = self._model
        return self._update(booking_id, [model.status.set(to)],
                            model.pk.exists() & model.status.is_in(*allowed))

    def _add_refund(self, payment, step: str, due: int) -> bool:
        model = self._model
        to = REFUNDED if payment.refunded + due == payment.amount else CAPTURED
        return self._update(
            payment.pk.removeprefix("PAYMENT#"),
            [model.refunded.add(due), model.refund_steps.set(model.refund_steps.append([step])),
             model.status.set(to)],
            (model.refunded == payment.refunded) & model.status.is_in(CAPTURED, REFUNDED))
