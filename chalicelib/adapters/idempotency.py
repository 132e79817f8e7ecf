"""Idempotency-Key handling on Powertools' Idempotency utility (DynamoDB persistence)."""
from __future__ import annotations

import boto3
from aws_lambda_powertools.utilities.idempotency import (DynamoDBPersistenceLayer,
                                                         IdempotencyConfig, idempotent_function)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError, IdempotencyValidationError)

from ..domain import errors

KEEP_SECONDS = 24 * 3600


class PowertoolsIdempotency:
    """Runs `operation()` at most once per (caller, route, key); replays its stored outcome.

    The operation returns an outcome dict {"status", "body"}: final answers are stored and
    replayed, while raised errors (validation, conflicts in flight, 5xx) are forgotten so a
    retry runs again.
    """

    def __init__(self, table: str, region: str, endpoint: str | None):
        client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint)
        self._store = DynamoDBPersistenceLayer(table_name=table, boto3_client=client)

    def run(self, *, caller: str, route: str, key: str, body, operation, lambda_context=None):
        config = IdempotencyConfig(
            event_key_jmespath="[caller, route, key]", payload_validation_jmespath="body",
            expires_after_seconds=KEEP_SECONDS, raise_on_no_idempotency_key=True,
            response_hook=lambda response, record: {**response, "replayed": True})
        if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
            config.register_lambda_context(lambda_context)

        def outcome(request):
            return {**operation(), "replayed": False}
        wrapped = idempotent_function(outcome, data_keyword_argument="request",
                                      persistence_store=self._store, config=config,
                                      key_prefix=f"boxoffice#{route}")
        try:
            return wrapped(request={"caller": caller, "route": route, "key": key, "body": body})
        except IdempotencyValidationError as e:
            raise errors.IdempotencyKeyReused() from e
        except IdempotencyAlreadyInProgressError as e:
            raise errors.IdempotencyKeyInUse() from e
