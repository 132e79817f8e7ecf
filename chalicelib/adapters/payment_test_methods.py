"""The contract's test payment methods and the refund arithmetic that both test providers
(DynamoDB-backed and in-memory) share, so they cannot drift apart."""
from __future__ import annotations

from ..domain import errors
from ..domain.money import Money
from ..services.ports import AUTHORIZED, REQUIRES_ACTION, Authorization

APPROVE = "pm_card_visa"
DECLINE = "pm_card_chargeDeclined"
PROVIDER_ERROR = "pm_card_providerError"
THREE_D_SECURE = "pm_card_threeDSecure2Required"

# The authorization id carries the booking id, so `state(authorization_id)` is one GetItem.
_PREFIX = "tpay_"


def authorization_id_for(booking_id: str) -> str:
    return _PREFIX + booking_id


def booking_of(authorization_id: str) -> str | None:
    return authorization_id[len(_PREFIX):] if authorization_id.startswith(_PREFIX) else None


def first_answer(payment_method_id: str) -> tuple[str, str | None]:
    """(status, decline_code) the test method gets; a provider outage raises (nothing kept)."""
    if payment_method_id == PROVIDER_ERROR:
        raise errors.PaymentProviderError()
    if payment_method_id == APPROVE:
        return AUTHORIZED, None
    if payment_method_id == THREE_D_SECURE:
        return REQUIRES_ACTION, None
    if payment_method_id == DECLINE:
        return "failed", "card_declined"
    return "failed", "invalid_payment_method"


def answer(authorization_id: str, status: str, decline_code: str | None) -> Authorization:
    """What authorize returns for a recorded attempt: a booking's first answer is final."""
    if decline_code:
        message = ("Your card was declined." if decline_code == "card_declined"
                   else "The payment method is not one of the test payment methods.")
        raise errors.PaymentDeclined(message, decline_code=decline_code)
    if status == REQUIRES_ACTION:
        return Authorization(authorization_id, REQUIRES_ACTION,
                             client_secret=f"{authorization_id}_secret_test")
    return Authorization(authorization_id, AUTHORIZED)


def refund_step(amount: Money | None) -> str:
    return "full" if amount is None else str(amount.amount)


def refund_due(paid: Money, refunded: int, requested: Money | None) -> int:
    """How much this refund step gives back: the rest when full, else what was asked."""
    remaining = paid.amount - refunded
    if requested is None:
        return remaining
    if requested.currency != paid.currency or requested.amount <= 0:
        raise errors.Conflict("A refund must be a positive amount in the payment's currency.",
                              currency=paid.currency)
    if requested.amount > remaining:
        raise errors.Conflict("The refund is larger than what is left to refund.",
                              refundable=remaining)
    return requested.amount
