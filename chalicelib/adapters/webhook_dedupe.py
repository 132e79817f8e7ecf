"""Remembers which Stripe events were handled, so a redelivery (Stripe delivers at least
once) changes nothing. One conditional put per event; TTL only cleans up."""
from __future__ import annotations

import datetime as dt

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from ..domain.clock import SystemClock, epoch
from .bound_models import bound

KEEP = dt.timedelta(days=30)  # Stripe retries a delivery for up to 3 days
SORT_KEY = "STRIPEEVT"


class _StripeEventItem(Model):
    """STRIPEEVT#{event_id} / STRIPEEVT"""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    handled_at = NumberAttribute()
    ttl = NumberAttribute()


class DynamoWebhookDedupe:
    def __init__(self, table: str, region: str = "us-east-1", host: str | None = None,
                 clock=None):
        self._model = bound(_StripeEventItem, table, region, host)
        self._clock = clock or SystemClock()

    def claim(self, stripe_event_id: str) -> bool:
        """True the first time an event id is claimed, False for every duplicate."""
        now = self._clock.now()
        item = self._model(f"STRIPEEVT#{stripe_event_id}", SORT_KEY, handled_at=epoch(now),
                           ttl=epoch(now + KEEP))
        try:
            item.save(condition=self._model.pk.does_not_exist())
            return True
        except PutError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise  # DynamoDB is unwell: a 5xx, and Stripe delivers again later

    def release(self, stripe_event_id: str) -> None:
        """Forgets a claim whose handling failed, so Stripe's next delivery runs it again."""
        self._model(f"STRIPEEVT#{stripe_event_id}", SORT_KEY).delete()
