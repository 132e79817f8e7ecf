"""Webhooks (catalog table, listed per tenant on gsi1) and their deliveries (booking table):
each delivery is its own item; a webhook's log is spread over LOG_SHARDS keys of gsi1 (a
page merges them newest first), and pending deliveries wait in the sparse, sharded gsi2
by the time the sweeper should look at them."""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from ..domain.audit import AuditEntry
from ..domain.clock import epoch, parse_rfc3339
from ..domain.webhooks import Delivery, DeliveryStatus, Webhook, WebhookStatus
from ..services.ports import Slice
from .audit_store import add_audit
from .catalog_store import as_plain
from .dynamo_models import DeliveryItem, WebhookItem
from .inventory_mapping import shard_of
from .transactions import ConditionsFailed

LOG_SHARDS = 4
LOG_RETENTION_SECONDS = 30 * 24 * 3600  # TTL cleanup only; the log outlives every retry


def _conditional(error) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def webhook_pk(webhook_id: str) -> str:
    return f"WEBHOOK#{webhook_id}"


def delivery_pk(delivery_id: str) -> str:
    return f"DELIVERY#{delivery_id}"


def webhook_from_item(item: WebhookItem) -> Webhook:
    doc = as_plain(item.doc)
    return Webhook(doc["webhook_id"], item.tenant_id, doc["url"], tuple(doc["events"]),
                   doc["secret"], doc["created_at"], WebhookStatus(item.status))


def delivery_from_item(item: DeliveryItem) -> Delivery:
    doc = as_plain(item.doc)
    code = doc.get("last_status_code")
    return Delivery(doc["delivery_id"], item.webhook_id, doc["tenant_id"], doc["event_id"],
                    doc["type"], doc["body"], doc["created_at"], DeliveryStatus(item.status),
                    int(item.attempts or 0), int(code) if code is not None else None,
                    doc.get("next_attempt_at"), item.due_at)


class DynamoWebhookStore:
    def __init__(self, transactions, shards: int = 8):
        self._tx = transactions
        self._shards = shards

    @property
    def shards(self) -> int:
        return self._shards

    # webhooks ---------------------------------------------------------------------------------
    def add_webhook(self, webhook: Webhook, audit: AuditEntry | None = None) -> None:
        item = WebhookItem(pk=webhook_pk(webhook.webhook_id), sk="WEBHOOK",
                           tenant_id=webhook.tenant_id, status=webhook.status.value,
                           doc={"webhook_id": webhook.webhook_id, "url": webhook.url,
                                "events": list(webhook.events), "secret": webhook.secret,
                                "created_at": webhook.created_at},
                           gsi1pk=f"TENANT#{webhook.tenant_id}#WEBHOOKS",
                           gsi1sk=f"{webhook.created_at}#{webhook.webhook_id}")
        self._tx.run(lambda tx: (tx.save(item, condition=WebhookItem.pk.does_not_exist()),
                                 add_audit(tx, audit)))

    def webhook(self, webhook_id: str) -> Webhook | None:
        try:
            return webhook_from_item(WebhookItem.get(webhook_pk(webhook_id), "WEBHOOK"))
        except DoesNotExist:
            return None

    def webhooks_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Webhook]:
        condition = WebhookItem.gsi1sk < after if after else None
        items = WebhookItem.by_tenant.query(f"TENANT#{tenant_id}#WEBHOOKS", condition,
                                            scan_index_forward=False, limit=limit)
        found = [webhook_from_item(i) for i in items]
        last = items.last_evaluated_key
        return Slice(found, last["gsi1sk"]["S"] if last else None)

    def delete_webhook(self, webhook: Webhook, audit: AuditEntry | None = None) -> bool:
        try:
            self._tx.run(lambda tx: (
                tx.delete(WebhookItem(pk=webhook_pk(webhook.webhook_id), sk="WEBHOOK"),
                          condition=WebhookItem.pk.exists()),
                add_audit(tx, audit)))
            return True
        except ConditionsFailed:
            return False

    def disable_webhook(self, webhook_id: str) -> None:
        try:
            WebhookItem(pk=webhook_pk(webhook_id), sk="WEBHOOK").update(
                actions=[WebhookItem.status.set(WebhookStatus.DISABLED.value)],
                condition=WebhookItem.pk.exists())
        except UpdateError as e:
            if not _conditional(e):
                raise

    # deliveries -------------------------------------------------------------------------------
    def _log_keys(self, d: Delivery) -> dict:
        return {"gsi1pk": f"WEBHOOK#{d.webhook_id}#LOG#{shard_of(d.delivery_id, LOG_SHARDS)}",
                "gsi1sk": f"{d.created_at}#{d.delivery_id}"}

    def _due_keys(self, d: Delivery) -> dict:
        if d.status != DeliveryStatus.PENDING or d.due_at is None:
            return {}
        return {"gsi2pk": f"SWEEP#DELIVERY#{shard_of(d.delivery_id, self._shards)}",
                "gsi2sk": f"{d.due_at}#{d.delivery_id}"}

    @staticmethod
    def _doc(d: Delivery) -> dict:
        return {"delivery_id": d.delivery_id, "tenant_id": d.tenant_id, "event_id": d.event_id,
                "type": d.type, "body": d.body, "created_at": d.created_at,
                "last_status_code": d.last_status_code, "next_attempt_at": d.next_attempt_at}

    def add_delivery(self, delivery: Delivery) -> bool:
        item = DeliveryItem(pk=delivery_pk(delivery.delivery_id), sk="DELIVERY",
                            status=delivery.status.value, webhook_id=delivery.webhook_id,
                            attempts=delivery.attempts, due_at=delivery.due_at,
                            doc=self._doc(delivery),
                            ttl=epoch(parse_rfc3339(delivery.created_at)) + LOG_RETENTION_SECONDS,
                            **self._log_keys(delivery), **self._due_keys(delivery))
        try:
            item.save(condition=DeliveryItem.pk.does_not_exist())
            return True
        except PutError as e:
            if _conditional(e):
                return False
            raise

    def delivery(self, delivery_id: str) -> Delivery | None:
        try:
            return delivery_from_item(DeliveryItem.get(delivery_pk(delivery_id), "DELIVERY",
                                                       consistent_read=True))
        except DoesNotExist:
            return None

    def save_delivery(self, delivery: Delivery, expected: Delivery) -> bool:
        due = self._due_keys(delivery)
        actions = [DeliveryItem.status.set(delivery.status.value),
                   DeliveryItem.attempts.set(delivery.attempts),
                   DeliveryItem.doc.set(self._doc(delivery))]
        actions += ([DeliveryItem.due_at.set(delivery.due_at), DeliveryItem.gsi2pk.set(due["gsi2pk"]),
                     DeliveryItem.gsi2sk.set(due["gsi2sk"])] if due else
                    [DeliveryItem.due_at.remove(), DeliveryItem.gsi2pk.remove(),
                     DeliveryItem.gsi2sk.remove()])
        same_due = (DeliveryItem.due_at == expected.due_at if expected.due_at is not None
                    else DeliveryItem.due_at.does_not_exist())
        try:
            DeliveryItem(pk=delivery_pk(delivery.delivery_id), sk="DELIVERY").update(
                actions=actions,
                condition=(DeliveryItem.status == expected.status.value)
                & (DeliveryItem.attempts == expected.attempts) & same_due)
            return True
        except UpdateError as e:
            if _conditional(e):
                return False
            raise

    def deliveries_of(self, webhook_id: str, after: str | None, limit: int) -> Slice[Delivery]:
        """One read per log shard, merged newest first; `after` is the last position shown."""
        found = []
        for shard in range(LOG_SHARDS):
            condition = DeliveryItem.gsi1sk < after if after else None
            found += DeliveryItem.by_webhook.query(f"WEBHOOK#{webhook_id}#LOG#{shard}", condition,
                                                   scan_index_forward=False, limit=limit + 1)
        found.sort(key=lambda i: i.gsi1sk, reverse=True)
        page = found[:limit]
        return Slice([delivery_from_item(i) for i in page],
                     page[-1].gsi1sk if len(found) > limit else None)

    def deliveries_due(self, shard: int, now: str, limit: int) -> list[str]:
        items = DeliveryItem.by_due.query(f"SWEEP#DELIVERY#{shard}",
                                          DeliveryItem.gsi2sk < f"{now}~", limit=limit)
        return [i.pk.removeprefix("DELIVERY#") for i in items]
