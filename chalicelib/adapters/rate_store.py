"""Fixed-window rate counters in the booking table: one item per subject, kind and window
(`RATE#{scope}#{subject}` / window start), so no two users or tenants share a key. The buy
path adds its counter to the write it makes anyway; this module gives it the action."""
from __future__ import annotations

from pynamodb.exceptions import UpdateError

from ..services.ports import OverLimit, RateCheck
from .dynamo_models import RateItem


def rate_key(check: RateCheck) -> tuple[str, str]:
    return f"RATE#{check.scope}#{check.subject}", f"{check.window:012d}"


def add_to_transaction(tx, check: RateCheck) -> None:
    """One more action in the caller's transaction: count the request if the window has room."""
    pk, sk = rate_key(check)
    tx.update(RateItem(pk=pk, sk=sk), actions=_count(check), condition=_room(check),
              return_values="ALL_OLD")


def is_rate_key(pk: str) -> bool:
    return pk.startswith("RATE#")


def _count(check: RateCheck) -> list:
    return [RateItem.used.add(1), RateItem.ttl.set(check.window + 2 * check.seconds)]


def _room(check: RateCheck):
    return RateItem.pk.does_not_exist() | (RateItem.used < check.limit)


class DynamoRateCounter:
    """One conditional UpdateItem per request, answering how many remain."""

    def forget(self, scope: str, subject: str) -> None:
        """Deletes a subject's windows (an erased customer's id is in their keys); at most a
        few, since each lives two minutes (TTL)."""
        for item in RateItem.query(f"RATE#{scope}#{subject}"):
            item.delete()

    def consume(self, check: RateCheck) -> int:
        pk, sk = rate_key(check)
        try:
            item = RateItem(pk=pk, sk=sk)
            item.update(actions=_count(check), condition=_room(check))
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                raise OverLimit(check) from e
            raise
        return max(0, check.limit - int(item.used))
