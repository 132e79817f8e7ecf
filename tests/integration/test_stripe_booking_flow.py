"""The booking flow on Stripe (localstripe) and DynamoDB (moto): authorize at booking, capture
after the commit, 3-D Secure through the 202 pending path, Stripe's notifications handled
once, and the finalizer polling so a lost notification changes nothing."""
import hashlib
import hmac
import json

import pytest

from chalicelib.adapters.stripe_payments import StripePaymentProvider
from chalicelib.adapters.stripe_webhooks import StripeWebhooks, StripeWebhookVerifier
from chalicelib.adapters.webhook_dedupe import DynamoWebhookDedupe
from chalicelib.domain import errors
from chalicelib.domain.clock import epoch
from chalicelib.domain.identity import Principal
from chalicelib.local.localstripe import API_KEY
from chalicelib.services.bookings import BookingService
from chalicelib.services.commands import BookHold, HoldSeats
from chalicelib.services.payment_events import PaymentEvents
from payment_harness import LocalStripeHarness
from support import uid

SECRET = "whsec_boxoffice_flow_test"


@pytest.fixture
def shop(stack, localstripe):
    """The stack's holds and tables, with bookings paid through Stripe."""
    c = stack.container
    stripe = StripePaymentProvider(API_KEY, api_base=localstripe.url, max_network_retries=0)
    bookings = BookingService(c.inventory, c.catalog_store, c.bookings.availability, stripe,
                              c.signer, c.bookings.paging, c.clock)
    webhooks = StripeWebhooks(StripeWebhookVerifier(SECRET, c.clock),
                              DynamoWebhookDedupe(c.settings.booking_table, c.settings.region,
                                                  c.settings.dynamodb_endpoint, c.clock))
    return c, bookings, PaymentEvents(webhooks, bookings), LocalStripeHarness(localstripe)


def held(world, c, seats=("A-1-1", "A-1-2")):
    org, venue, event = world.on_sale()
    customer = Principal(uid("cust"), None, ("customer",), None)
    hold, _ = c.holds.place(customer, HoldSeats(event["event_id"], seats, 600))
    return customer, hold


def signed(payload: dict, at: int) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    mac = hmac.new(SECRET.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={at},v1={mac}"


def test_a_booking_is_authorized_committed_then_captured_once(world, shop):
    c, bookings, _, stripe = shop
    customer, hold = held(world, c)
    receipt = bookings.book(customer, BookHold(hold.hold_id, "pm_card_visa", uid("key")))
    booking = receipt.booking
    assert booking.status == "confirmed" and not booking.capture_pending
    [intent] = stripe.intents_of(booking.booking_id)
    assert intent["capture_method"] == "manual" and intent["status"] == "succeeded"
    assert stripe.captured_total(booking.booking_id) == 10000
    with pytest.raises(errors.HoldAlreadyBooked):
        bookings.book(customer, BookHold(hold.hold_id, "pm_card_visa", uid("other-key")))
    assert len(stripe.intents_of(booking.booking_id)) == 1


def test_a_retry_never_charges_twice_and_a_cancel_refunds_once(world, shop):
    c, bookings, _, stripe = shop
    customer, hold = held(world, c)
    key = uid("key")
    first = bookings.book(customer, BookHold(hold.hold_id, "pm_card_visa", key)).booking
    replay = bookings.book(customer, BookHold(hold.hold_id, "pm_card_visa", key))
    assert replay.replayed and replay.booking.booking_id == first.booking_id
    assert len(stripe.intents_of(first.booking_id)) == 1
    bookings.cancel(customer, first.booking_id)
    bookings.cancel(customer, first.booking_id)
    assert stripe.refund_count(first.booking_id) == 1 and stripe.captured_total(first.booking_id) == 0


def test_a_declined_card_charges_nothing_and_the_hold_stays(world, shop):
    c, bookings, _, stripe = shop
    customer, hold = held(world, c)
    with pytest.raises(errors.PaymentDeclined) as declined:
        bookings.book(customer, BookHold(hold.hold_id, "pm_card_chargeDeclined", uid("key")))
    assert declined.value.details["decline_code"]
    assert c.inventory.hold(hold.hold_id).is_active(c.clock.now())


def test_three_d_secure_waits_pending_and_the_finalizer_confirms_without_any_notification(world, shop):
    c, bookings, _, stripe = shop
    customer, hold = held(world, c)
    receipt = bookings.book(customer, BookHold(hold.hold_id, "pm_card_threeDSecure2Required", uid("k")))
    booking = receipt.booking
    assert receipt.pending and booking.action_secret
    assert bookings.finalize(booking.booking_id) == "waiting"
    stripe.complete_action(booking.authorization_id)
    assert bookings.finalize(booking.booking_id) == "confirmed"  # polled: no webhook needed
    assert stripe.captured_total(booking.booking_id) == 10000
    assert c.inventory.hold(hold.hold_id).status == "booked"


def test_three_d_secure_abandoned_past_the_holds_expiry_fails_and_takes_nothing(world, shop):
    c, bookings, _, stripe = shop
    customer, hold = held(world, c)
    booking = bookings.book(customer, BookHold(hold.hold_id, "pm_card_threeDSecure2Required",
                                               uid("k"))).booking
    c.clock.advance(601)
    assert bookings.finalize(booking.booking_id) == "failed"
    failed = c.inventory.booking(booking.booking_id)
    assert failed.failure.code == "HOLD_EXPIRED" and stripe.captured_total(booking.booking_id) == 0
    assert [i["status"] for i in stripe.intents_of(booking.booking_id)] == ["canceled"]
    assert c.inventory.hold(hold.hold_id).status == "expired"


def test_a_notification_moves_the_booking_once_and_forged_ones_are_refused(world, shop):
    c, bookings, events, stripe = shop
    customer, hold = held(world, c)
    booking = bookings.book(customer, BookHold(hold.hold_id, "pm_card_threeDSecure2Required",
                                               uid("k"))).booking
    stripe.complete_action(booking.authorization_id)
    # The event Stripe sends when 3-D Secure succeeds on a manual-capture intent (localstripe
    # has no such event, so the documented payload is sent as Stripe would sign it).
    payload = {"id": f"evt_{uid('x')}", "object": "event",
               "type": "payment_intent.amount_capturable_updated",
               "data": {"object": {"id": booking.authorization_id, "object": "payment_intent",
                                   "status": "requires_capture",
                                   "metadata": {"booking_id": booking.booking_id}}}}
    body, header = signed(payload, epoch(c.clock.now()))
    assert events.handle(body, header) == "confirmed"
    assert events.handle(body, header) == "duplicate"
    assert stripe.captured_total(booking.booking_id) == 10000
    for forged in (header.replace("v1=", "v1=0"), f"t={epoch(c.clock.now()) - 301},v1=00"):
        with pytest.raises(errors.ValidationFailed):
            events.handle(body, forged)
    altered = body.replace(b"requires_capture", b"succeeded")
    with pytest.raises(errors.ValidationFailed):
        events.handle(altered, header)
