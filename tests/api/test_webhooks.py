"""Webhooks end to end over the local stack, with a real HTTP receiver on 127.0.0.1: signed
deliveries that verify, retries with growing gaps as the clock moves, the same id on a
duplicate, 410 disabling the hook, and everything scoped to the tenant."""
import contextlib
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chalicelib.api import models
from chalicelib.domain.clock import parse_rfc3339


class Receiver:
    """An organizer's endpoint: records every POST and answers from a script."""

    def __init__(self, script=(), default=200, slow_first: float = 0.0):
        self.script, self.default, self.slow_first = list(script), default, slow_first
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.received.append({"body": body, "headers": dict(self.headers)})
                if receiver.slow_first and len(receiver.received) == 1:
                    time.sleep(receiver.slow_first)
                status = receiver.script.pop(0) if receiver.script else receiver.default
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/boxoffice"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@contextlib.contextmanager
def receiving(**kwargs):
    receiver = Receiver(**kwargs)
    try:
        yield receiver
    finally:
        receiver.stop()


def register(http, org, url, events=("EventPublished",)):
    response = http.request("POST", "/organizer/webhooks", {"url": url, "events": list(events)},
                            token=org)
    assert response.status_code == 201, response.content
    models.WebhookCreated.model_validate(response.json())
    return response.json()


def publish_one(world, stack, org):
    """Publishes an event (EventPublished) and lets the stream, bus and queue run."""
    event = world.event(org, world.venue(org))
    stack.deliver()
    stack.webhook_queue.run_due()
    return event


def verify(secret: str, delivery: dict) -> dict:
    stamp, signed = (p.split("=", 1)[1] for p in delivery["headers"]["Boxoffice-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{stamp}.{delivery['body']}".encode(), hashlib.sha256)
    assert hmac.compare_digest(signed, expected.hexdigest())
    return {"t": int(stamp), **json.loads(delivery["body"])}


def log_of(http, org, hook):
    page = http.request("GET", f"/organizer/webhooks/{hook['webhook_id']}/deliveries", token=org)
    assert page.status_code == 200, page.content
    models.WebhookDeliveryList.model_validate(page.json())
    return page.json()["deliveries"]


def test_a_delivery_is_signed_with_the_secret_and_carries_the_domain_event(world, http, stack):
    org = world.organizer()
    with receiving() as receiver:
        hook = register(http, org, receiver.url)
        event = publish_one(world, stack, org)
    (delivery,) = receiver.received
    body = verify(hook["secret"], delivery)
    assert body["type"] == "EventPublished" and body["data"]["ids"]["event"] == event["event_id"]
    assert body["id"] == body["data"]["event_id"] and body["created_at"] == body["data"]["occurred_at"]
    (logged,) = log_of(http, org, hook)
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == ("succeeded", 1, 200)
    assert logged["event_id"] == body["id"] and logged["next_attempt_at"] is None


def test_a_failing_receiver_gets_retries_with_growing_gaps_and_the_same_id(world, http, stack, clock):
    org = world.organizer()
    with receiving(script=[500, 503, 500]) as receiver:
        hook = register(http, org, receiver.url)
        publish_one(world, stack, org)
        for _ in range(3):
            (pending,) = log_of(http, org, hook)
            assert pending["status"] == "pending"
            assert stack.webhook_queue.run_due() == 0  # not before its time
            clock.advance((parse_rfc3339(pending["next_attempt_at"]) - clock.now()).total_seconds())
            stack.webhook_queue.run_due()
    bodies = [verify(hook["secret"], d) for d in receiver.received]
    stamps = [b["t"] for b in bodies]
    assert [b - a for a, b in zip(stamps, stamps[1:])] == [10, 20, 40]
    assert len({b["id"] for b in bodies}) == 1
    (logged,) = log_of(http, org, hook)
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == ("succeeded", 4, 200)


def test_a_receiver_that_times_out_gets_the_same_delivery_again_with_the_same_id(world, http, stack, clock):
    org = world.organizer()
    webhooks = stack.container.webhooks
    with receiving(slow_first=1.5) as receiver:
        hook = register(http, org, receiver.url)
        webhooks.timeout, saved = 0.5, webhooks.timeout
        try:
            publish_one(world, stack, org)
            (pending,) = log_of(http, org, hook)
            assert (pending["status"], pending["last_status_code"]) == ("pending", None)
            clock.advance(10)
            stack.webhook_queue.run_due()
        finally:
            webhooks.timeout = saved
    first, second = (verify(hook["secret"], d) for d in receiver.received)
    assert first["id"] == second["id"] and second["t"] - first["t"] == 10
    assert log_of(http, org, hook)[0]["status"] == "succeeded"


def test_a_receiver_answering_410_disables_the_webhook(world, http, stack):
    org = world.organizer()
    with receiving(script=[410]) as receiver:
        hook = register(http, org, receiver.url)
        publish_one(world, stack, org)
        publish_one(world, stack, org)
    assert len(receiver.received) == 1
    listed = http.request("GET", "/organizer/webhooks", token=org).json()
    models.WebhookList.model_validate(listed)
    assert [(w["webhook_id"], w["status"]) for w in listed["webhooks"]] == [(hook["webhook_id"], "disabled")]
    assert "secret" not in listed["webhooks"][0]
    assert [d["status"] for d in log_of(http, org, hook)] == ["failed"]


def test_webhooks_are_the_tenants_own_and_deleting_one_is_audited(world, http, stack):
    org, other = world.organizer(), world.organizer()
    hook = register(http, org, "http://127.0.0.1:9/never")
    path = f"/organizer/webhooks/{hook['webhook_id']}"
    assert http.request("GET", path + "/deliveries", token=other).status_code == 404
    assert http.request("DELETE", path, token=other).status_code == 404
    assert http.request("GET", "/organizer/webhooks", token=other).json()["webhooks"] == []
    assert http.request("DELETE", path, token=org).status_code == 204
    assert http.request("DELETE", path, token=org).status_code == 404
    actions = [e["action"] for e in http.request("GET", "/organizer/audit", token=org).json()["entries"]]
    assert actions[:2] == ["webhook.delete", "webhook.create"]


@pytest.mark.parametrize("body, field", [
    ({"url": "http://hooks.example.com/x", "events": ["EventPublished"]}, "url"),
    ({"url": "https://hooks.example.com/x", "events": ["Nope"]}, "events"),
    ({"url": "https://hooks.example.com/x", "events": []}, "events"),
    ({"url": "https://hooks.example.com/x"}, "events"),
])
def test_a_bad_registration_is_400_naming_the_field(world, http, body, field):
    response = http.request("POST", "/organizer/webhooks", body, token=world.organizer())
    assert response.status_code == 400 and field in response.json()["error"]["details"]["fields"]
