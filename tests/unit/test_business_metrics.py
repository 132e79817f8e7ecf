"""Business metrics from domain events: what each adds, in the event's currency, and the
consumer's lag; the tenant travels as a property, never as a dimension."""
import datetime as dt
import json

from chalicelib.domain import events as ev
from chalicelib.domain.clock import UTC
from chalicelib.domain.holds import HeldSeat
from chalicelib.domain.money import Money
from chalicelib.services.business_metrics import measures_of

NOW = dt.datetime(2026, 11, 23, 12, 0, 30, tzinfo=UTC)
SEATS = tuple(HeldSeat(f"A-1-{n}", "A", "1", n, "tier_1", Money(2500, "EUR")) for n in (1, 2))
BASE = dict(event_id="de-1", tenant_id="acme", occurred_at="2026-11-23T12:00:00Z",
            show_id="evt_1", user_id="u", hold_id="h", seats=SEATS, total=Money(5000, "EUR"))


def named(measures):
    return {m.name: m.value for m in measures}


def test_a_booking_counts_one_booking_its_tickets_and_revenue_in_its_currency():
    assert named(measures_of(ev.BookingConfirmed(booking_id="b", **BASE), NOW)) == {
        "Bookings": 1, "TicketsSold": 2, "RevenueEUR": 5000, "ProjectionLagSeconds": 30.0}


def test_refunds_expiries_holds_and_releases_are_counted_apart():
    assert named(measures_of(ev.BookingCancelled(booking_id="b", **BASE), NOW))["RefundedEUR"] == 5000
    assert named(measures_of(ev.HoldExpired(**BASE), NOW))["SeatsExpired"] == 2
    assert named(measures_of(ev.HoldPlaced(**BASE), NOW))["HoldsPlaced"] == 1
    assert "HoldsReleased" in named(measures_of(ev.HoldReleased(**BASE), NOW))


def test_other_events_only_measure_the_lag_and_nothing_measures_nothing():
    published = ev.EventPublished("p", "acme", "2026-11-23T11:59:00Z", "evt_1", "ven_1")
    assert named(measures_of(published, NOW)) == {"ProjectionLagSeconds": 90.0}
    assert measures_of(None, NOW) == []


def test_the_emitted_record_carries_the_tenant_as_a_property_not_a_dimension(monkeypatch, capsys):
    from aws_lambda_powertools import Metrics

    from chalicelib.observability import record_business_metrics
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    metrics = Metrics(namespace="BoxofficeTest", service="boxoffice")
    record_business_metrics(metrics, measures_of(ev.BookingConfirmed(booking_id="b", **BASE), NOW),
                            "acme")
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    dimensions = record["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert record["tenant_id"] == "acme" and record["TicketsSold"] == [2.0]
    assert all("tenant_id" not in d and "Tenant" not in d for d in dimensions)
