"""Webhooks: an organizer's endpoint, the domain events it wants, and each delivery with its
retry schedule. Deliveries are at least once; a delivery keeps its id (the domain event's id)
however often it is sent, so receivers dedupe on it."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import urlsplit

from .clock import epoch, parse_rfc3339, to_rfc3339

MAX_WEBHOOKS_PER_TENANT = 20
MAX_URL_LENGTH = 2048
TIMEOUT_SECONDS = 10
RETRY_FOR_SECONDS = 72 * 3600
FIRST_RETRY_SECONDS = 10
MAX_RETRY_GAP_SECONDS = 6 * 3600
# A queue can hold a message back at most this long (SQS DelaySeconds); later retries wait
# in the delivery log and the scheduled sweeper hands them to the queue when they are due.
MAX_QUEUE_DELAY_SECONDS = 900
# When a queued delivery has not been attempted this long after it was due (a lost message,
# a crashed consumer), the sweeper queues it again.
RESCUE_AFTER_SECONDS = 120
SIGNATURE_HEADER = "Boxoffice-Signature"
GONE = 410


class WebhookStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # the receiver answered 410 Gone


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Webhook:
    webhook_id: str
    tenant_id: str
    url: str
    events: tuple[str, ...]
    secret: str
    created_at: str
    status: WebhookStatus = WebhookStatus.ACTIVE

    def wants(self, detail_type: str) -> bool:
        return self.status == WebhookStatus.ACTIVE and detail_type in self.events


def url_problem(url: str, allow_loopback_http: bool) -> str | None:
    """Why a webhook may not post to `url` (None when it may): https to a public host, or,
    on the local stage only, http to this machine."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "not a valid URL"
    if len(url) > MAX_URL_LENGTH or not host or parts.username or parts.password:
        return "must be an absolute URL without credentials, at most 2048 characters"
    loopback = is_loopback(host)
    if parts.scheme == "http" and allow_loopback_http and loopback:
        return None
    if parts.scheme != "https":
        return ("must use https (or http to 127.0.0.1 on the local stage)" if allow_loopback_http
                else "must use https")
    if loopback and allow_loopback_http:
        return None
    if loopback or is_private_address(host):
        return "must point at a public host"
    return None


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_private_address(host: str) -> bool:
    """An IP literal no webhook may reach from a deployed stage (private, link-local, ...)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def signature(secret: str, timestamp: int, body: str) -> str:
    """The Boxoffice-Signature header: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def retry_gap(failures: int) -> int:
    """Seconds before the next attempt after `failures` failed ones: 10 s, doubling, at most 6 h."""
    return min(FIRST_RETRY_SECONDS * 2 ** (failures - 1), MAX_RETRY_GAP_SECONDS)


def payload(detail_type: str, detail: dict) -> str:
    """The body every attempt of a delivery sends, byte for byte. Without the customer's user
    id: a delivery log outlives an erasure, and organizers find buyers through the attendees
    list (which follows it)."""
    data = {**detail}
    if isinstance(data.get("ids"), dict) and "user_id" in data["ids"]:
        data["ids"] = {k: v for k, v in data["ids"].items() if k != "user_id"}
    return json.dumps({"id": detail["event_id"], "type": detail_type,
                       "created_at": detail["occurred_at"], "data": data},
                      separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    webhook_id: str
    tenant_id: str
    event_id: str  # the domain event's id: the body's "id"
    type: str
    body: str
    created_at: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_status_code: int | None = None
    next_attempt_at: str | None = None
    due_at: str | None = None  # when the sweeper should queue it (None: nothing to do)

    @classmethod
    def new(cls, delivery_id: str, webhook: Webhook, detail_type: str, detail: dict,
            now: dt.datetime) -> "Delivery":
        at = to_rfc3339(now)
        return cls(delivery_id, webhook.webhook_id, webhook.tenant_id, detail["event_id"],
                   detail_type, payload(detail_type, detail), at, next_attempt_at=at,
                   due_at=_later(now, RESCUE_AFTER_SECONDS))

    def is_due(self, now: dt.datetime) -> bool:
        return (self.status == DeliveryStatus.PENDING and self.next_attempt_at is not None
                and parse_rfc3339(self.next_attempt_at) <= now)

    def attempted(self, status_code: int | None, now: dt.datetime) -> "Delivery":
        """The outcome of one attempt (status_code None: timeout or no connection)."""
        attempts = self.attempts + 1
        if status_code is not None and 200 <= status_code < 300:
            return self._ended(DeliveryStatus.SUCCEEDED, attempts, status_code)
        if status_code == GONE:
            return self._ended(DeliveryStatus.FAILED, attempts, status_code)
        gap = retry_gap(attempts)
        retry_at = now + dt.timedelta(seconds=gap)
        if epoch(retry_at) > epoch(parse_rfc3339(self.created_at)) + RETRY_FOR_SECONDS:
            return self._ended(DeliveryStatus.FAILED, attempts, status_code)
        return replace(self, attempts=attempts, last_status_code=status_code,
                       next_attempt_at=to_rfc3339(retry_at), due_at=self._due(retry_at, gap))

    def abandoned(self) -> "Delivery":
        """The webhook was deleted or disabled: nothing more will be sent."""
        return self._ended(DeliveryStatus.FAILED, self.attempts, self.last_status_code)

    def requeued(self, now: dt.datetime) -> "Delivery":
        """The sweeper handed it to the queue; it looks again if no attempt follows."""
        start = max(now, parse_rfc3339(self.next_attempt_at or self.created_at))
        return replace(self, due_at=_later(start, RESCUE_AFTER_SECONDS))

    def queue_delay(self, now: dt.datetime) -> int | None:
        """How long the queue should hold it back, or None when the wait is too long for a
        queue (the sweeper queues it when due)."""
        if self.status != DeliveryStatus.PENDING or self.next_attempt_at is None:
            return None
        wait = max(0, epoch(parse_rfc3339(self.next_attempt_at)) - epoch(now))
        return wait if wait <= MAX_QUEUE_DELAY_SECONDS else None

    def _ended(self, status: DeliveryStatus, attempts: int, code: int | None) -> "Delivery":
        return replace(self, status=status, attempts=attempts, last_status_code=code,
                       next_attempt_at=None, due_at=None)

    @staticmethod
    def _due(retry_at: dt.datetime, gap: int) -> str:
        queued = gap <= MAX_QUEUE_DELAY_SECONDS
        return _later(retry_at, RESCUE_AFTER_SECONDS) if queued else to_rfc3339(retry_at)


def _later(moment: dt.datetime, seconds: int) -> str:
    return to_rfc3339(moment + dt.timedelta(seconds=seconds))
