"""The payment port's contract, run against every implementation: the in-memory fake, the
DynamoDB test provider (moto) and the Stripe adapter (localstripe on loopback)."""
from __future__ import annotations

import uuid

import pytest

import payment_harness
from chalicelib.domain import errors
from chalicelib.domain.money import Money

PRICE = Money(5000, "EUR")
VISA, DECLINED, OUTAGE = "pm_card_visa", "pm_card_chargeDeclined", "pm_card_providerError"
THREE_D_SECURE = "pm_card_threeDSecure2Required"


@pytest.fixture(params=["in_memory", "dynamodb", "stripe"])
def payments(request):
    if request.param == "in_memory":
        return payment_harness.in_memory()
    if request.param == "dynamodb":
        return payment_harness.dynamodb(request.getfixturevalue("booking_table"))
    return payment_harness.LocalStripeHarness(request.getfixturevalue("localstripe"))


@pytest.fixture
def booking():
    return f"bkg_{uuid.uuid4().hex[:16]}"


def authorize(payments, booking, method=VISA, amount=PRICE):
    return payments.provider.authorize(booking, amount, method, "cust-1")


def test_an_approved_card_is_authorized_and_nothing_is_taken_yet(payments, booking):
    auth = authorize(payments, booking)
    assert auth.status == "authorized"
    assert payments.provider.state(auth.authorization_id) == "authorized"
    assert payments.captured_total(booking) == 0


def test_capturing_takes_the_amount_once_however_often_it_is_retried(payments, booking):
    auth = authorize(payments, booking)
    payments.provider.capture(booking, auth.authorization_id)
    payments.provider.capture(booking, auth.authorization_id)
    assert payments.provider.state(auth.authorization_id) == "captured"
    assert payments.captured_total(booking) == PRICE.amount


def test_authorizing_a_booking_twice_yields_one_authorization(payments, booking):
    first, second = authorize(payments, booking), authorize(payments, booking)
    assert first == second
    payments.provider.capture(booking, second.authorization_id)
    assert payments.captured_total(booking) == PRICE.amount


def test_a_declined_card_is_refused_with_its_decline_code(payments, booking):
    with pytest.raises(errors.PaymentDeclined) as declined:
        authorize(payments, booking, DECLINED)
    assert declined.value.details["decline_code"] == "card_declined"
    assert payments.captured_total(booking) == 0


def test_an_unknown_payment_method_is_declined_not_a_server_error(payments, booking):
    with pytest.raises(errors.PaymentDeclined) as declined:
        authorize(payments, booking, "pm_not_a_real_method")
    assert declined.value.details["decline_code"] == "invalid_payment_method"


def test_a_declined_booking_stays_declined_when_retried_with_another_card(payments, booking):
    with pytest.raises(errors.PaymentDeclined):
        authorize(payments, booking, DECLINED)
    with pytest.raises(errors.PaymentDeclined):
        authorize(payments, booking, VISA)
    assert payments.captured_total(booking) == 0


def test_a_provider_outage_is_a_provider_error_and_takes_nothing(payments, booking):
    with pytest.raises(errors.PaymentProviderError):
        authorize(payments, booking, OUTAGE)
    assert payments.captured_total(booking) == 0


def test_an_authorized_booking_keeps_its_authorization_when_retried_in_an_outage(payments,
                                                                                booking):
    first = authorize(payments, booking)
    assert authorize(payments, booking, OUTAGE) == first


def test_a_voided_authorization_cannot_be_captured(payments, booking):
    auth = authorize(payments, booking)
    payments.provider.void(booking, auth.authorization_id)
    payments.provider.void(booking, auth.authorization_id)
    with pytest.raises(errors.Conflict):
        payments.provider.capture(booking, auth.authorization_id)
    assert payments.provider.state(auth.authorization_id) == "voided"
    assert payments.captured_total(booking) == 0


def test_void_finds_the_authorization_of_a_booking_whose_id_was_lost(payments, booking):
    auth = authorize(payments, booking)
    payments.provider.void(booking, None)
    assert payments.provider.state(auth.authorization_id) == "voided"


def test_voiding_a_booking_that_never_authorized_changes_nothing(payments, booking):
    payments.provider.void(booking, None)
    assert payments.captured_total(booking) == 0


def test_voiding_a_captured_payment_leaves_it_captured_for_a_refund(payments, booking):
    auth = authorize(payments, booking)
    payments.provider.capture(booking, auth.authorization_id)
    payments.provider.void(booking, auth.authorization_id)
    assert payments.provider.state(auth.authorization_id) == "captured"
    assert payments.captured_total(booking) == PRICE.amount


def test_a_full_refund_gives_everything_back_once(payments, booking):
    auth = authorize(payments, booking)
    payments.provider.capture(booking, auth.authorization_id)
    assert payments.provider.refund(booking, auth.authorization_id) == "succeeded"
    assert payments.provider.refund(booking, auth.authorization_id) == "succeeded"
    assert payments.provider.state(auth.authorization_id) == "refunded"
    assert payments.captured_total(booking) == 0
    assert payments.refund_count(booking) == 1


def test_partial_refunds_add_up_and_a_repeated_step_refunds_once(payments, booking):
    auth = authorize(payments, booking)
    payments.provider.capture(booking, auth.authorization_id)
    part = Money(2000, "EUR")
    payments.provider.refund(booking, auth.authorization_id, part)
    payments.provider.refund(booking, auth.authorization_id, part)
    assert payments.captured_total(booking) == 3000
    assert payments.provider.state(auth.authorization_id) == "captured"
    payments.provider.refund(booking, auth.authorization_id)
    assert payments.captured_total(booking) == 0
    assert payments.refund_count(booking) == 2
    assert payments.provider.state(auth.authorization_id) == "refunded"


def test_a_refund_larger_than_what_is_left_is_refused(payments, booking):
    auth = authorize(payments, booking)
    payments.provider.capture(booking, auth.authorization_id)
    payments.provider.refund(booking, auth.authorization_id, Money(4000, "EUR"))
    with pytest.raises(errors.Conflict):
        payments.provider.refund(booking, auth.authorization_id, Money(1500, "EUR"))
    assert payments.captured_total(booking) == 1000


def test_refunding_a_payment_never_captured_voids_it(payments, booking):
    auth = authorize(payments, booking)
    assert payments.provider.refund(booking, auth.authorization_id) == "voided"
    assert payments.provider.state(auth.authorization_id) == "voided"
    assert payments.captured_total(booking) == 0
    assert payments.refund_count(booking) == 0


def test_three_d_secure_waits_for_the_customer_then_can_be_captured(payments, booking):
    auth = authorize(payments, booking, THREE_D_SECURE)
    assert auth.status == "requires_action" and auth.client_secret
    assert authorize(payments, booking, THREE_D_SECURE) == auth
    assert payments.provider.state(auth.authorization_id) == "requires_action"
    with pytest.raises(errors.Conflict):
        payments.provider.capture(booking, auth.authorization_id)
    payments.complete_action(auth.authorization_id)
    assert payments.provider.state(auth.authorization_id) == "authorized"
    payments.provider.capture(booking, auth.authorization_id)
    assert payments.captured_total(booking) == PRICE.amount


def test_three_d_secure_failed_by_the_customer_takes_nothing(payments, booking):
    auth = authorize(payments, booking, THREE_D_SECURE)
    payments.abandon(auth.authorization_id)
    assert payments.provider.state(auth.authorization_id) == "failed"
    payments.provider.void(booking, auth.authorization_id)
    assert payments.provider.state(auth.authorization_id) == "voided"
    assert payments.captured_total(booking) == 0


def test_three_d_secure_left_pending_past_the_hold_is_voided_and_takes_nothing(payments, booking):
    auth = authorize(payments, booking, THREE_D_SECURE)
    payments.provider.void(booking, None)  # the finalizer, once the hold has expired
    assert payments.provider.state(auth.authorization_id) == "voided"
    with pytest.raises(errors.Conflict):
        payments.provider.capture(booking, auth.authorization_id)
    assert payments.captured_total(booking) == 0


def test_forgetting_the_customer_leaves_only_the_pseudonym_with_the_payment(payments, booking):
    auth = authorize(payments, booking)
    payments.provider.capture(booking, auth.authorization_id)
    assert payments.customer_ref(booking) == "cust-1"
    payments.provider.forget_customer(booking, auth.authorization_id, "anon_1")
    payments.provider.forget_customer(booking, auth.authorization_id, "anon_1")
    assert payments.customer_ref(booking) == "anon_1"
    assert payments.captured_total(booking) == PRICE.amount  # the money record is untouched


def test_forgetting_the_customer_of_a_declined_attempt_finds_it_by_booking(payments, booking):
    with pytest.raises(errors.PaymentDeclined):
        authorize(payments, booking, DECLINED)
    kept = payments.customer_ref(booking)
    payments.provider.forget_customer(booking, None, "anon_2")
    assert payments.customer_ref(booking) == ("anon_2" if kept else None)
