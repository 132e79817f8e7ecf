"""The DynamoDB test provider: what the contract suite cannot show, namely that separate
Lambda instances share the payments and that unknown bookings never raise."""
from __future__ import annotations

import threading
import uuid

import pytest

from chalicelib.adapters.durable_test_payments import DynamoTestPaymentProvider
from chalicelib.domain.money import Money


@pytest.fixture
def instances(booking_table):
    """Two Lambda instances: separate providers over the same table."""
    return [DynamoTestPaymentProvider(booking_table.name, booking_table.region,
                                      booking_table.endpoint) for _ in range(2)]


@pytest.fixture
def booking():
    return f"bkg_{uuid.uuid4().hex[:16]}"


def test_a_refund_handled_by_another_instance_than_the_one_that_authorized_succeeds(
        instances, booking):
    first, second = instances
    auth = first.authorize(booking, Money(5000, "EUR"), "pm_card_visa", "cust-1")
    second.capture(booking, auth.authorization_id)
    assert first.refund(booking, auth.authorization_id) == "succeeded"
    assert second.captured_total(booking) == 0
    assert second.state(auth.authorization_id) == "refunded"


def test_refund_and_void_of_an_unknown_booking_are_no_ops(instances, booking):
    provider = instances[0]
    assert provider.refund(booking, "tpay_" + booking) == "voided"
    provider.void(booking, None)
    assert provider.state("tpay_" + booking) == "failed"
    assert provider.state("auth_from_another_provider") == "failed"


def test_concurrent_refunds_of_one_booking_give_the_money_back_once(instances, booking):
    first, second = instances
    auth = first.authorize(booking, Money(5000, "EUR"), "pm_card_visa", "cust-1")
    first.capture(booking, auth.authorization_id)
    answers = []
    threads = [threading.Thread(target=lambda p=p: answers.append(
        p.refund(booking, auth.authorization_id))) for p in instances * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["succeeded"] * 8
    assert first.captured_total(booking) == 0
    assert first.refund_count(booking) == 1


def test_concurrent_authorizations_of_one_booking_record_one_payment(instances, booking):
    answers = []
    threads = [threading.Thread(target=lambda p=p: answers.append(
        p.authorize(booking, Money(5000, "EUR"), "pm_card_visa", "cust-1")))
        for p in instances * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 1
