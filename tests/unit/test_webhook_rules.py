"""Webhook rules as pure functions: where a webhook may post, how it signs, when it retries."""
import datetime as dt
import hashlib
import hmac
import json

import pytest

from chalicelib.domain.clock import UTC, parse_rfc3339, to_rfc3339
from chalicelib.domain.webhooks import (MAX_QUEUE_DELAY_SECONDS, Delivery, DeliveryStatus,
                                        Webhook, payload, retry_gap, signature, url_problem)

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DETAIL = {"event_id": "e-1", "tenant_id": "t", "occurred_at": "2026-11-01T12:00:00Z", "ids": {}}


@pytest.mark.parametrize("url, local, allowed", [
    ("https://hooks.example.com/boxoffice", False, True),
    ("http://hooks.example.com/boxoffice", False, False),
    ("http://127.0.0.1:9000/hook", True, True),
    ("http://localhost:9000/hook", True, True),
    ("http://127.0.0.1:9000/hook", False, False),
    ("http://10.0.0.5/hook", True, False),
    ("https://10.0.0.5/hook", False, False),
    ("https://169.254.169.254/latest/meta-data", False, False),
    ("https://127.0.0.1/hook", False, False),
    ("https://user:pw@hooks.example.com/", False, False),
    ("ftp://hooks.example.com/", False, False),
    ("https://hooks.example.com:99999/", False, False),
])
def test_a_webhook_posts_over_https_to_public_hosts_and_to_loopback_only_locally(url, local, allowed):
    assert (url_problem(url, allow_loopback_http=local) is None) is allowed


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_exact_body():
    body = payload("BookingConfirmed", DETAIL)
    header = signature("whsec_x", 1_700_000_000, body)
    t, v1 = (part.split("=", 1)[1] for part in header.split(","))
    expected = hmac.new(b"whsec_x", f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    assert t == "1700000000" and v1 == expected
    assert json.loads(body) == {"id": "e-1", "type": "BookingConfirmed",
                                "created_at": "2026-11-01T12:00:00Z", "data": DETAIL}


def test_retries_wait_ten_seconds_then_twice_as_long_each_time_up_to_six_hours():
    assert [retry_gap(n) for n in range(1, 8)] == [10, 20, 40, 80, 160, 320, 640]
    assert retry_gap(12) == 20480 and retry_gap(13) == retry_gap(40) == 6 * 3600


def a_delivery():
    hook = Webhook("w", "t", "https://x.example", ("BookingConfirmed",), "s", "2026-01-01T00:00:00Z")
    return Delivery.new("d", hook, "BookingConfirmed", DETAIL, NOW)


def test_a_failed_attempt_schedules_the_next_and_a_2xx_or_410_ends_the_delivery():
    first = a_delivery().attempted(500, NOW)
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert first.next_attempt_at == to_rfc3339(NOW + dt.timedelta(seconds=10))
    assert first.queue_delay(NOW) == 10
    done = first.attempted(204, NOW + dt.timedelta(seconds=10))
    assert (done.status, done.attempts, done.next_attempt_at, done.due_at) == ("succeeded", 2, None, None)
    gone = a_delivery().attempted(410, NOW)
    assert gone.status == DeliveryStatus.FAILED and gone.queue_delay(NOW) is None


def test_a_retry_too_far_off_for_the_queue_waits_for_the_sweeper_at_its_time():
    delivery, at = a_delivery(), NOW
    while delivery.queue_delay(at) is not None:
        at = parse_rfc3339(delivery.next_attempt_at)
        delivery = delivery.attempted(None, at)
    gap = (parse_rfc3339(delivery.next_attempt_at) - at).total_seconds()
    assert gap > MAX_QUEUE_DELAY_SECONDS and delivery.due_at == delivery.next_attempt_at


def test_a_delivery_that_keeps_failing_is_given_up_after_72_hours():
    delivery, at, attempts = a_delivery(), NOW, []
    while delivery.status == DeliveryStatus.PENDING:
        at = parse_rfc3339(delivery.next_attempt_at)
        delivery = delivery.attempted(503, at)
        attempts.append(at)
    assert (attempts[-1] - NOW) <= dt.timedelta(hours=72)
    assert (attempts[-1] + dt.timedelta(hours=6) - NOW) > dt.timedelta(hours=72)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == len(attempts)
