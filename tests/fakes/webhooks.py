"""In-memory webhooks and deliveries, a queue that records what it was given, and a sender
that answers from a script (the unit tier opens no sockets)."""
from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field

from chalicelib.domain.webhooks import Delivery, DeliveryStatus, Webhook, WebhookStatus
from chalicelib.services.ports import Slice

from .audit import InMemoryAuditLog


class InMemoryWebhookStore:
    def __init__(self, audit: InMemoryAuditLog | None = None, shards: int = 4):
        self._lock = threading.Lock()
        self.audit = audit or InMemoryAuditLog()
        self._shards = shards
        self._webhooks: dict[str, Webhook] = {}
        self._deliveries: dict[str, Delivery] = {}

    @property
    def shards(self) -> int:
        return self._shards

    def add_webhook(self, webhook: Webhook, audit=None) -> None:
        with self._lock:
            if webhook.webhook_id in self._webhooks:
                raise KeyError(webhook.webhook_id)
            self._webhooks[webhook.webhook_id] = webhook
            self.audit.append(audit)

    def webhook(self, webhook_id: str) -> Webhook | None:
        with self._lock:
            return self._webhooks.get(webhook_id)

    def webhooks_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Webhook]:
        key = lambda w: f"{w.created_at}#{w.webhook_id}"  # noqa: E731
        with self._lock:
            mine = sorted((w for w in self._webhooks.values() if w.tenant_id == tenant_id),
                          key=key, reverse=True)
        mine = [w for w in mine if after is None or key(w) < after]
        return Slice(mine[:limit], key(mine[limit - 1]) if len(mine) > limit else None)

    def delete_webhook(self, webhook: Webhook, audit=None) -> bool:
        with self._lock:
            if self._webhooks.pop(webhook.webhook_id, None) is None:
                return False
            self.audit.append(audit)
            return True

    def disable_webhook(self, webhook_id: str) -> None:
        with self._lock:
            found = self._webhooks.get(webhook_id)
            if found:
                self._webhooks[webhook_id] = Webhook(**{**found.__dict__,
                                                        "status": WebhookStatus.DISABLED})

    def add_delivery(self, delivery: Delivery) -> bool:
        with self._lock:
            if delivery.delivery_id in self._deliveries:
                return False
            self._deliveries[delivery.delivery_id] = delivery
            return True

    def delivery(self, delivery_id: str) -> Delivery | None:
        with self._lock:
            return self._deliveries.get(delivery_id)

    def save_delivery(self, delivery: Delivery, expected: Delivery) -> bool:
        with self._lock:
            stored = self._deliveries.get(delivery.delivery_id)
            if stored is None or (stored.status, stored.attempts, stored.due_at) != (
                    expected.status, expected.attempts, expected.due_at):
                return False
            self._deliveries[delivery.delivery_id] = delivery
            return True

    def deliveries_of(self, webhook_id: str, after: str | None, limit: int) -> Slice[Delivery]:
        key = lambda d: f"{d.created_at}#{d.delivery_id}"  # noqa: E731
        with self._lock:
            mine = sorted((d for d in self._deliveries.values() if d.webhook_id == webhook_id),
                          key=key, reverse=True)
        mine = [d for d in mine if after is None or key(d) < after]
        return Slice(mine[:limit], key(mine[limit - 1]) if len(mine) > limit else None)

    def deliveries_due(self, shard: int, now: str, limit: int) -> list[str]:
        with self._lock:
            due = sorted((d.due_at, d.delivery_id) for d in self._deliveries.values()
                         if d.status == DeliveryStatus.PENDING and d.due_at and d.due_at <= now
                         and zlib.crc32(d.delivery_id.encode()) % self._shards == shard)
        return [i for _, i in due[:limit]]


@dataclass
class RecordingQueue:
    """What was queued, with its delay; tests hand messages to the worker themselves."""

    sent: list[tuple[str, int]] = field(default_factory=list)

    def send(self, delivery_id: str, delay_seconds: int = 0) -> None:
        self.sent.append((delivery_id, delay_seconds))

    def take(self) -> list[tuple[str, int]]:
        taken, self.sent = self.sent, []
        return taken


@dataclass
class ScriptedSender:
    """Answers each post with the next scripted status (None: a timeout), then `default`."""

    script: list = field(default_factory=list)
    default: int | None = 200
    posts: list[dict] = field(default_factory=list)

    def post(self, url: str, body: str, headers: dict[str, str], timeout: float) -> int | None:
        self.posts.append({"url": url, "body": body, "headers": dict(headers), "timeout": timeout})
        return self.script.pop(0) if self.script else self.default
