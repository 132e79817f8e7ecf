"""The payment port, as services/ports.py will declare it (the adapters here implement it).

A copy so these adapters can be built and tested before the ports refactor lands; once
`chalicelib/services/ports.py` has `Authorization` and `PaymentProvider`, import them from
there and delete this module."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.money import Money

# What `state()` answers; the finalizer decides from these alone.
REQUIRES_ACTION, AUTHORIZED, CAPTURED = "requires_action", "authorized", "captured"
VOIDED, REFUNDED, FAILED = "voided", "refunded", "failed"


@dataclass(frozen=True)
class Authorization:
    authorization_id: str
    status: str  # AUTHORIZED | REQUIRES_ACTION
    client_secret: str | None = None
    next_action_url: str | None = None


class PaymentProvider(Protocol):
    """Authorizes at booking, captures after the seats are committed; every step idempotent."""

    def authorize(self, booking_id: str, amount: Money, payment_method_id: str,
                  customer_ref: str) -> Authorization: ...

    def capture(self, booking_id: str, authorization_id: str) -> None: ...

    def void(self, booking_id: str, authorization_id: str | None) -> None: ...

    def refund(self, booking_id: str, authorization_id: str,
               amount: Money | None = None) -> str: ...

    def state(self, authorization_id: str) -> str: ...
