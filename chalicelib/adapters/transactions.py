"""Running DynamoDB writes: transactions retried on contention with jittered backoff (never on
a failed condition, which is the answer), and single updates that return the item either way."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass

from botocore.exceptions import ClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

RETRYABLE = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
             "RequestLimitExceeded"}
RETRYABLE_CAUSES = {"TransactionConflictException", "ThrottlingException",
                    "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                    "TransactionInProgressException", "InternalServerError"}


@dataclass
class Failure:
    """The items whose conditions failed, as their old images (raw DynamoDB JSON) by key."""

    failed_keys: list[tuple[str, str]]
    old_items: dict[tuple[str, str], dict]

    def failed(self, prefix: str) -> list[tuple[str, str]]:
        return [k for k in self.failed_keys if k[0].startswith(prefix)]

    def old(self, key: tuple[str, str]) -> dict | None:
        return self.old_items.get(key)


class ConditionsFailed(Exception):
    def __init__(self, failure: Failure):
        super().__init__("transaction conditions failed")
        self.failure = failure


class ConditionFailed(Exception):
    """A single update's condition failed; `old` is the item as it was (None if missing)."""

    def __init__(self, old: dict | None):
        super().__init__("condition failed")
        self.old = old


class TransactionRunner:
    """Builds and commits TransactWriteItems; `build(tx)` adds the actions."""

    def __init__(self, region: str, host: str | None, attempts: int = 6, base_delay: float = 0.02):
        # One connection for all threads: its botocore client is thread-safe and costly to make.
        self._shared = Connection(region=region, host=host)
        self.attempts, self.base_delay = attempts, base_delay

    def connection(self) -> Connection:
        return self._shared

    def run(self, build) -> None:
        for attempt in range(self.attempts):
            try:
                with TransactWrite(connection=self.connection()) as tx:
                    build(tx)
                return
            except TransactWriteError as e:
                reasons = [r for r in (e.cancellation_reasons or []) if r is not None]
                failed = [r for r in reasons if r.code == "ConditionalCheckFailed"]
                if failed:
                    raise ConditionsFailed(_failure(failed)) from e
                retryable = (any(r.code in RETRYABLE for r in reasons)
                             or e.cause_response_code in RETRYABLE_CAUSES)
                if not retryable or attempt == self.attempts - 1:
                    raise
                time.sleep(random.uniform(0, self.base_delay * (2 ** attempt)))

    def update_returning(self, model, hash_key: str, range_key: str, actions, condition) -> dict:
        """One UpdateItem that returns the new item, or raises ConditionFailed with the old
        one (PynamoDB's own update cannot ask DynamoDB for the old item on failure)."""
        connection = self.connection()
        hash_value, range_value = model._serialize_keys(hash_key, range_key)
        kwargs = model._get_connection().get_operation_kwargs(
            hash_key=hash_value, range_key=range_value, actions=actions, condition=condition,
            return_values="ALL_NEW", return_values_on_condition_failure="ALL_OLD")
        try:
            return connection.client.update_item(**kwargs)["Attributes"]
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConditionFailed(e.response.get("Item")) from e
            raise


def _failure(reasons) -> Failure:
    keys, old = [], {}
    for reason in reasons:
        item = reason.raw_item or {}
        if "pk" in item:
            key = (item["pk"]["S"], item.get("sk", {}).get("S", ""))
            keys.append(key)
            old[key] = item
        else:
            keys.append(("", ""))  # the item did not exist
    return Failure(keys, old)


def check(tx, model, hash_key: str, range_key: str, condition) -> None:
    """A ConditionCheck that reports the item it saw on failure, so failures map to keys
    (PynamoDB offers return values for puts and updates only)."""
    tx.condition_check(model, hash_key, range_key, condition=condition)
    tx._condition_check_items[-1]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
