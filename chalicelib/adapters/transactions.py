"""Running DynamoDB transactions: retry contention with jittered backoff, never a failed condition."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass

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


class ConditionsFailed(Exception):
    def __init__(self, failure: Failure):
        super().__init__("transaction conditions failed")
        self.failure = failure


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
