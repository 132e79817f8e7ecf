"""What each domain event adds to the business metrics (holds, bookings, revenue, refunds,
expiries), and how far behind the events their consumer is.

Tenants are not a metric dimension: CloudWatch bills every distinct dimension set as a metric
of its own, so thousands of tenants would be thousands of metrics per name. Each data point
carries the tenant as a property of its log record instead (Embedded Metric Format), where
Logs Insights sums it per tenant at no standing cost (README, "Cost and load per tenant")."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..domain import events as ev
from ..domain.clock import parse_rfc3339


@dataclass(frozen=True)
class Measure:
    name: str
    value: float
    unit: str = "Count"  # Powertools' MetricUnit names: Count, Seconds


def measures_of(event: ev.DomainEvent | None, now: dt.datetime) -> list[Measure]:
    if event is None:
        return []
    lag = Measure("ProjectionLagSeconds", max(0.0, (now - parse_rfc3339(event.occurred_at))
                                              .total_seconds()), "Seconds")
    if not isinstance(event, ev.SeatsChanged):
        return [lag]
    seats = len(event.seats)
    by_type = {
        ev.HoldPlaced: [Measure("HoldsPlaced", 1), Measure("SeatsHeld", seats)],
        ev.HoldReleased: [Measure("HoldsReleased", 1)],
        ev.HoldExpired: [Measure("HoldsExpired", 1), Measure("SeatsExpired", seats)],
        ev.BookingConfirmed: [Measure("Bookings", 1), Measure("TicketsSold", seats),
                              Measure(f"Revenue{event.total.currency}", event.total.amount)],
        ev.BookingCancelled: [Measure("Refunds", 1), Measure("TicketsRefunded", seats),
                              Measure(f"Refunded{event.total.currency}", event.total.amount)],
    }
    return [*by_type.get(type(event), []), lag]
