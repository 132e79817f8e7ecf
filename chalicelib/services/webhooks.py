"""Webhooks: organizers register endpoints; a consumer of domain events turns each event into
one delivery per interested webhook and queues it; a worker sends it, signed, and schedules
retries with exponential backoff for 72 hours; the sweeper queues what the queue cannot hold
(or lost). Nothing is ever sent from a request."""
from __future__ import annotations

import secrets
import threading
import time

from ..domain import errors
from ..domain.audit import AuditAction
from ..domain.clock import epoch, to_rfc3339
from ..domain.events import TYPES
from ..domain.identity import Principal
from ..domain.webhooks import (MAX_WEBHOOKS_PER_TENANT, SIGNATURE_HEADER, TIMEOUT_SECONDS,
                               Delivery, DeliveryStatus, GONE, Webhook, WebhookStatus,
                               signature, url_problem)
from .audit import Auditor
from .commands import NewWebhook
from .ids import derived_id, new_id
from .paging import Page

SUBSCRIBERS_TTL_SECONDS = 10  # a warm consumer re-reads a tenant's webhooks this often
PAGE = 50


class WebhookService:
    def __init__(self, store, queue, sender, paging, clock, allow_loopback_http: bool = False,
                 timeout: float = TIMEOUT_SECONDS):
        self.store, self.queue, self.sender, self.paging, self.clock = store, queue, sender, paging, clock
        self.allow_loopback_http, self.timeout = allow_loopback_http, timeout
        self.auditor = Auditor(clock)
        self._subscribers: dict[str, tuple[int, list[Webhook]]] = {}
        self._lock = threading.Lock()

    # registration -----------------------------------------------------------------------------
    def register(self, principal: Principal, command: NewWebhook,
                 request_id: str | None = None) -> Webhook:
        """The secret is returned here once; later reads never show it."""
        problem = url_problem(command.url, self.allow_loopback_http)
        if problem:
            raise errors.ValidationFailed({"url": problem})
        unknown = sorted(set(command.events) - set(TYPES))
        if unknown:
            raise errors.ValidationFailed({"events": f"unknown event types: {', '.join(unknown)}; "
                                                     f"known: {', '.join(sorted(TYPES))}"})
        if len(self.store.webhooks_of(principal.tenant_id, None, MAX_WEBHOOKS_PER_TENANT).items) \
                >= MAX_WEBHOOKS_PER_TENANT:
            raise errors.Conflict(f"A tenant has at most {MAX_WEBHOOKS_PER_TENANT} webhooks; "
                                  "delete one first.")
        webhook = Webhook(new_id("whk"), principal.tenant_id, command.url, tuple(command.events),
                          f"whsec_{secrets.token_urlsafe(32)}", to_rfc3339(self.clock.now()))
        self.store.add_webhook(webhook, self.auditor.entry(
            principal, AuditAction.WEBHOOK_CREATE, "webhook", webhook.webhook_id, request_id))
        self._forget(principal.tenant_id)
        return webhook

    def webhooks(self, principal: Principal, cursor: str | None, limit: int) -> Page:
        return self.paging.page(f"webhooks:{principal.tenant_id}", cursor,
                                lambda after: self.store.webhooks_of(principal.tenant_id, after, limit))

    def owned(self, principal: Principal, webhook_id: str) -> Webhook:
        webhook = self.store.webhook(webhook_id)
        if webhook is None or webhook.tenant_id != principal.tenant_id:
            raise errors.NotFound("webhook")
        return webhook

    def delete(self, principal: Principal, webhook_id: str, request_id: str | None = None) -> None:
        """Deliveries still pending are abandoned when their turn comes."""
        webhook = self.owned(principal, webhook_id)
        self.store.delete_webhook(webhook, self.auditor.entry(
            principal, AuditAction.WEBHOOK_DELETE, "webhook", webhook_id, request_id))
        self._forget(principal.tenant_id)

    def deliveries(self, principal: Principal, webhook_id: str, cursor: str | None,
                   limit: int) -> Page:
        self.owned(principal, webhook_id)
        return self.paging.page(f"deliveries:{principal.tenant_id}:{webhook_id}", cursor,
                                lambda after: self.store.deliveries_of(webhook_id, after, limit))

    # the consumer: domain events in, deliveries queued ----------------------------------------
    def fan_out(self, detail_type: str, detail: dict) -> int:
        """One delivery per interested webhook of the event's tenant. A redelivered domain
        event finds its deliveries made (same ids) and queues nothing twice."""
        tenant_id = detail.get("tenant_id")
        if detail_type not in TYPES or not tenant_id or not detail.get("event_id"):
            return 0
        now, queued = self.clock.now(), 0
        for webhook in self._interested(tenant_id, detail_type):
            delivery = Delivery.new(derived_id("dlv", webhook.webhook_id, detail["event_id"]),
                                    webhook, detail_type, detail, now)
            if self.store.add_delivery(delivery):
                self.queue.send(delivery.delivery_id, 0)
                queued += 1
        return queued

    def _interested(self, tenant_id: str, detail_type: str) -> list[Webhook]:
        now = epoch(self.clock.now())
        with self._lock:
            cached = self._subscribers.get(tenant_id)
        if cached is None or cached[0] <= now:
            hooks = self.store.webhooks_of(tenant_id, None, MAX_WEBHOOKS_PER_TENANT).items
            cached = (now + SUBSCRIBERS_TTL_SECONDS, hooks)
            with self._lock:
                self._subscribers[tenant_id] = cached
        return [w for w in cached[1] if w.wants(detail_type)]

    def _forget(self, tenant_id: str) -> None:
        with self._lock:
            self._subscribers.pop(tenant_id, None)

    # the worker: one attempt ------------------------------------------------------------------
    def attempt(self, delivery_id: str) -> str:
        """Sends a due delivery once and records the outcome: 'succeeded', 'failed', 'pending'
        (a retry is scheduled), or why nothing was sent."""
        delivery = self.store.delivery(delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return "settled"
        if not delivery.is_due(self.clock.now()):
            return "early"  # a duplicate message; the real turn (or the sweeper) comes later
        webhook = self.store.webhook(delivery.webhook_id)
        if webhook is None or webhook.status != WebhookStatus.ACTIVE:
            self.store.save_delivery(delivery.abandoned(), delivery)
            return "abandoned"
        sent_at = epoch(self.clock.now())
        code = self.sender.post(webhook.url, delivery.body, {
            SIGNATURE_HEADER: signature(webhook.secret, sent_at, delivery.body),
            "Boxoffice-Event-Type": delivery.type}, self.timeout)
        outcome = delivery.attempted(code, self.clock.now())
        if not self.store.save_delivery(outcome, delivery):
            return "raced"
        if code == GONE:
            self.store.disable_webhook(webhook.webhook_id)
            self._forget(webhook.tenant_id)
        self._queue_retry(outcome)
        return str(outcome.status)

    def _queue_retry(self, delivery: Delivery) -> None:
        delay = delivery.queue_delay(self.clock.now())
        if delay is not None:
            self.queue.send(delivery.delivery_id, delay)

    # the sweeper: what the queue cannot hold, or lost -----------------------------------------
    def requeue_due(self, seconds: float) -> dict:
        deadline, outcomes = time.monotonic() + seconds, {}
        now = self.clock.now()
        for shard in range(self.store.shards):
            for delivery_id in self.store.deliveries_due(shard, to_rfc3339(now), PAGE):
                if time.monotonic() >= deadline:
                    return outcomes
                outcome = self._requeue(delivery_id, now)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return outcomes

    def _requeue(self, delivery_id: str, now) -> str:
        delivery = self.store.delivery(delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.PENDING or delivery.due_at is None \
                or delivery.due_at > to_rfc3339(now):
            return "skipped"
        moved = delivery.requeued(now)
        if not self.store.save_delivery(moved, delivery):
            return "raced"
        self.queue.send(delivery_id, delivery.queue_delay(now) or 0)
        return "queued"
