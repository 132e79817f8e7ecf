"""Webhook deliveries to SQS: the worker Lambda (`@app.on_sqs_message`) sends them. SQS
holds a message back at most 15 minutes; longer retries wait in the delivery log for the
sweeper (domain/webhooks.py MAX_QUEUE_DELAY_SECONDS)."""
from __future__ import annotations

import json
import threading

from ..domain.webhooks import MAX_QUEUE_DELAY_SECONDS


class SqsDeliveryQueue:
    def __init__(self, client, queue_name: str):
        self._client, self._name = client, queue_name
        self._url: str | None = None
        self._lock = threading.Lock()

    def _queue_url(self) -> str:
        """Resolved once per Lambda from the stage's queue name (no URL in the settings)."""
        with self._lock:
            if self._url is None:
                self._url = self._client.get_queue_url(QueueName=self._name)["QueueUrl"]
            return self._url

    def send(self, delivery_id: str, delay_seconds: int = 0) -> None:
        self._client.send_message(QueueUrl=self._queue_url(),
                                  MessageBody=json.dumps({"delivery_id": delivery_id}),
                                  DelaySeconds=max(0, min(int(delay_seconds), MAX_QUEUE_DELAY_SECONDS)))


def delivery_ids(records) -> list[str]:
    """The delivery ids in a batch of SQS messages (each body as `send` wrote it)."""
    return [json.loads(body)["delivery_id"] for body in records]
