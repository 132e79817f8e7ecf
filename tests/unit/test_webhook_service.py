"""Webhooks on the fakes: registration rules, one delivery per interested webhook and domain
event, signed attempts, retries that grow and move to the sweeper, 410 disabling the hook."""
import hashlib
import hmac
import json

import pytest

from chalicelib.domain import errors
from chalicelib.domain.clock import parse_rfc3339
from chalicelib.domain.webhooks import MAX_QUEUE_DELAY_SECONDS
from chalicelib.services.commands import NewWebhook

URL = "https://hooks.example.com/boxoffice"


def detail(tenant, event_id="evt-e1", kind="tenant"):
    return {"event_id": event_id, "tenant_id": tenant, "occurred_at": "2026-11-01T12:00:00Z",
            "schema_version": 1, "ids": {"event": "show-1", "venue_id": "v"}, "kind": kind}


def hooked(world, events=("EventPublished",), url=URL):
    org = world.organizer()
    return org, world.webhooks.register(org, NewWebhook(url, tuple(events)), "req-1")


def deliver_queued(world):
    """The worker handles every queued message whose delay has passed."""
    outcomes = []
    for delivery_id, _ in world.queue.take():
        outcomes.append(world.webhooks.attempt(delivery_id))
    return outcomes


def test_registration_refuses_plain_http_private_hosts_and_unknown_types(world):
    org = world.organizer()
    for url in ("http://hooks.example.com/", "http://127.0.0.1:9000/", "https://10.1.2.3/"):
        with pytest.raises(errors.ValidationFailed) as refused:
            world.webhooks.register(org, NewWebhook(url, ("EventPublished",)))
        assert "url" in refused.value.details["fields"]
    with pytest.raises(errors.ValidationFailed) as unknown:
        world.webhooks.register(org, NewWebhook(URL, ("EventPublished", "SeatsStolen")))
    assert "SeatsStolen" in unknown.value.details["fields"]["events"]


def test_a_new_webhook_gets_a_secret_and_belongs_to_its_tenant_only(world):
    org, hook = hooked(world)
    assert hook.secret.startswith("whsec_") and len(hook.secret) > 30
    assert [w.webhook_id for w in world.webhooks.webhooks(org, None, 10).items] == [hook.webhook_id]
    other = world.organizer()
    with pytest.raises(errors.NotFound):
        world.webhooks.owned(other, hook.webhook_id)
    with pytest.raises(errors.NotFound):
        world.webhooks.delete(other, hook.webhook_id)
    assert world.webhooks.webhooks(other, None, 10).items == []


def test_a_tenant_has_at_most_twenty_webhooks(world):
    org = world.organizer()
    for _ in range(20):
        world.webhooks.register(org, NewWebhook(URL, ("EventPublished",)))
    with pytest.raises(errors.Conflict):
        world.webhooks.register(org, NewWebhook(URL, ("EventPublished",)))


def test_each_domain_event_makes_one_delivery_per_interested_webhook_of_its_tenant(world):
    org, wanted = hooked(world, ("EventPublished", "BookingConfirmed"))
    world.webhooks.register(org, NewWebhook(URL, ("HoldPlaced",)))
    _, foreign = hooked(world, ("EventPublished",))
    assert world.webhooks.fan_out("EventPublished", detail(org.tenant_id)) == 1
    assert world.webhooks.fan_out("EventPublished", detail(org.tenant_id)) == 0  # redelivered
    queued = world.queue.take()
    assert len(queued) == 1 and queued[0][1] == 0
    delivery = world.webhook_store.delivery(queued[0][0])
    assert delivery.webhook_id == wanted.webhook_id and delivery.event_id == "evt-e1"
    assert world.webhook_store.deliveries_of(foreign.webhook_id, None, 5).items == []


def test_an_attempt_posts_the_body_signed_with_the_webhooks_secret(world):
    org, hook = hooked(world)
    world.webhooks.fan_out("EventPublished", detail(org.tenant_id))
    assert deliver_queued(world) == ["succeeded"]
    post = world.sender.posts[0]
    t, v1 = (p.split("=", 1)[1] for p in post["headers"]["Boxoffice-Signature"].split(","))
    assert int(t) == int(world.clock.now().timestamp())
    assert hmac.compare_digest(v1, hmac.new(hook.secret.encode(), f"{t}.{post['body']}".encode(),
                                            hashlib.sha256).hexdigest())
    assert json.loads(post["body"])["id"] == "evt-e1" and post["timeout"] == 10
    logged = world.webhooks.deliveries(org, hook.webhook_id, None, 10).items
    assert [(d.status, d.attempts, d.last_status_code) for d in logged] == [("succeeded", 1, 200)]


def test_a_failing_receiver_is_retried_with_growing_gaps_and_the_same_body(world):
    org, _ = hooked(world)
    world.sender.script, world.sender.default = [500, None, 503], 200
    world.webhooks.fan_out("EventPublished", detail(org.tenant_id))
    gaps = []
    outcomes = deliver_queued(world)
    for _ in range(3):
        (delivery_id, delay), = world.queue.sent
        gaps.append(delay)
        assert world.webhooks.attempt(delivery_id) == "early"  # not yet: nothing is sent
        world.clock.advance(delay)
        outcomes += deliver_queued(world)
    assert gaps == [10, 20, 40] and outcomes == ["pending", "pending", "pending", "succeeded"]
    assert len({p["body"] for p in world.sender.posts}) == 1 and len(world.sender.posts) == 4


def test_retries_beyond_the_queues_limit_are_queued_by_the_sweeper_when_due(world):
    org, hook = hooked(world)
    world.sender.default = 500
    world.webhooks.fan_out("EventPublished", detail(org.tenant_id))
    while world.queue.sent:
        (delivery_id, delay), = world.queue.take()
        world.clock.advance(delay)
        world.webhooks.attempt(delivery_id)
    delivery = world.webhook_store.delivery(delivery_id)
    wait = (parse_rfc3339(delivery.next_attempt_at) - world.clock.now()).total_seconds()
    assert wait > MAX_QUEUE_DELAY_SECONDS and delivery.status == "pending"
    assert world.webhooks.requeue_due(5) == {} and world.queue.sent == []
    world.clock.advance(wait)
    assert world.webhooks.requeue_due(5) == {"queued": 1}
    assert world.webhooks.requeue_due(5) == {}  # queued once, not every minute
    world.sender.default = 200
    assert deliver_queued(world) == ["succeeded"]


def test_a_lost_message_is_queued_again_by_the_sweeper(world):
    org, _ = hooked(world)
    world.webhooks.fan_out("EventPublished", detail(org.tenant_id))
    world.queue.take()  # the message never reaches the worker
    world.clock.advance(60)
    assert world.webhooks.requeue_due(5) == {}
    world.clock.advance(60)
    assert world.webhooks.requeue_due(5) == {"queued": 1}
    assert deliver_queued(world) == ["succeeded"]


def test_a_receiver_answering_410_disables_its_webhook_and_nothing_more_is_sent(world):
    org, hook = hooked(world)
    world.sender.script = [410]
    world.webhooks.fan_out("EventPublished", detail(org.tenant_id, "evt-a"))
    assert deliver_queued(world) == ["failed"]
    assert world.webhooks.owned(org, hook.webhook_id).status == "disabled"
    assert world.webhooks.fan_out("EventPublished", detail(org.tenant_id, "evt-b")) == 0
    assert len(world.sender.posts) == 1


def test_a_deleted_webhooks_pending_deliveries_are_abandoned_unsent(world):
    org, hook = hooked(world)
    world.webhooks.fan_out("EventPublished", detail(org.tenant_id))
    world.webhooks.delete(org, hook.webhook_id, "req-del")
    assert deliver_queued(world) == ["abandoned"] and world.sender.posts == []
    with pytest.raises(errors.NotFound):
        world.webhooks.deliveries(org, hook.webhook_id, None, 10)


def test_two_workers_with_the_same_message_record_one_attempt(world):
    org, hook = hooked(world)
    world.webhooks.fan_out("EventPublished", detail(org.tenant_id))
    (delivery_id, _), = world.queue.take()
    first = world.webhook_store.delivery(delivery_id)
    assert world.webhooks.attempt(delivery_id) == "succeeded"
    assert world.webhook_store.save_delivery(first.attempted(200, world.clock.now()), first) is False
    assert world.webhooks.attempt(delivery_id) == "settled"
    assert world.webhook_store.delivery(delivery_id).attempts == 1
