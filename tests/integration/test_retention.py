"""Retention as docs/privacy.md promises it: every personal record that is not an accounting
record carries a TTL computed from the injected clock (DynamoDB's TTL deletes it, late)."""
import yaml

from chalicelib.adapters import idempotency
from chalicelib.adapters.dynamo_models import BookingItem, DeliveryItem, HoldItem
from chalicelib.adapters.inventory_mapping import booking_pk, hold_pk
from chalicelib.adapters.webhook_store import delivery_pk
from chalicelib.domain.clock import epoch, parse_rfc3339, to_rfc3339
from chalicelib.domain.webhooks import Delivery, Webhook
from chalicelib.local.stack import TEMPLATE
from chalicelib.services.ids import derived_id

from support import uid

DAY = 24 * 3600


def failed_attempt(world, http, token, event_id, seat):
    hold = world.hold(token, event_id, [seat]).json()
    assert world.book(token, hold["hold_id"], "pm_card_chargeDeclined").status_code == 402
    page = http.request("GET", "/users/me/bookings?status=failed", token=token).json()
    return next(b for b in page["bookings"] if b["created_at"])["booking_id"], hold


def test_a_failed_payment_attempt_is_kept_thirty_days_from_when_the_clock_says_it_failed(world, http, clock):
    _, _, event = world.on_sale()
    token = world.customer()
    booking_id, _ = failed_attempt(world, http, token, event["event_id"], "A-1-1")
    failed_at = epoch(clock.now())
    assert BookingItem.get(booking_pk(booking_id), "BOOKING").ttl == failed_at + 30 * DAY
    clock.advance(3600)
    later, _ = failed_attempt(world, http, world.customer(), event["event_id"], "A-1-2")
    assert BookingItem.get(booking_pk(later), "BOOKING").ttl == failed_at + 3600 + 30 * DAY


def test_a_confirmed_booking_is_an_accounting_record_without_a_ttl(world, http):
    _, _, event = world.on_sale()
    token = world.customer()
    hold = world.hold(token, event["event_id"], ["A-1-3"]).json()
    booking = world.book(token, hold["hold_id"]).json()
    assert BookingItem.get(booking_pk(booking["booking_id"]), "BOOKING").ttl is None


def test_a_hold_is_kept_ninety_days_after_it_ends_and_a_refusal_one_day(world, clock):
    _, _, event = world.on_sale()
    token = world.customer()
    hold = world.hold(token, event["event_id"], ["B-1-1"], hold_duration_seconds=60).json()
    expires = epoch(parse_rfc3339(hold["expires_at"]))
    assert HoldItem.get(hold_pk(hold["hold_id"]), "HOLD").ttl == expires + 90 * DAY
    sub, key = uid("cust"), uid("key")
    other = world.issuer.issue(sub, None, ["customer"], None)[0]
    assert world.hold(other, uid("evt"), ["B-1-1"], key=key).status_code == 404  # a kept answer
    refusal = HoldItem.get(hold_pk(derived_id("hld", sub, key)), "HOLD")
    assert (refusal.status, refusal.ttl) == ("refused", epoch(clock.now()) + DAY)


def test_webhook_delivery_logs_are_kept_thirty_days_from_when_the_clock_made_them(stack, clock):
    webhook = Webhook(uid("whk"), uid("tenant"), "https://example.com/h", ("HoldPlaced",), "s",
                      to_rfc3339(clock.now()))
    detail = {"event_id": uid("evt"), "occurred_at": to_rfc3339(clock.now()), "tenant_id": "t"}
    delivery = Delivery.new(uid("dlv"), webhook, "HoldPlaced", detail, clock.now())
    assert stack.container.webhook_store.add_delivery(delivery)
    item = DeliveryItem.get(delivery_pk(delivery.delivery_id), "DELIVERY")
    assert item.ttl == epoch(clock.now()) + 30 * DAY


def test_idempotency_records_expire_after_a_day_and_every_table_has_ttl_on():
    assert idempotency.KEEP_SECONDS == DAY
    tables = {name: spec["Properties"] for name, spec in
              yaml.load(TEMPLATE.read_text(), Loader=_Loader)["Resources"].items()
              if spec["Type"] == "AWS::DynamoDB::Table"}
    ttl = {name: props["TimeToLiveSpecification"] for name, props in tables.items()}
    assert ttl["IdempotencyTable"] == {"AttributeName": "expiration", "Enabled": True}
    assert ttl["BookingTable"] == {"AttributeName": "ttl", "Enabled": True}


class _Loader(yaml.SafeLoader):
    """Reads CloudFormation's short tags (!Sub, !Ref, ...) as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
