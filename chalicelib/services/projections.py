"""Read models fed by domain events: availability per section and sales per tier."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import errors
from ..domain import events as ev
from ..domain.catalog import Event
from ..domain.clock import parse_rfc3339, to_rfc3339
from ..domain.identity import Principal
from ..domain.money import Money
from .availability import Availability, AvailabilitySummary
from .ports import SectionCounts, TierSales

# How each event moves the availability counters: (held, sold) per seat.
SEAT_MOVES = {ev.HoldPlaced: (1, 0), ev.HoldReleased: (-1, 0), ev.HoldExpired: (-1, 0),
              ev.BookingConfirmed: (-1, 1), ev.BookingCancelled: (0, -1)}
SALES_SIGN = {ev.BookingConfirmed: 1, ev.BookingCancelled: -1}


@dataclass(frozen=True)
class TierReport:
    tier_id: str
    name: str
    sold: int
    revenue: Money


@dataclass(frozen=True)
class SalesReport:
    event_id: str
    tickets_sold: int
    tickets_held: int
    tickets_available: int
    revenue: Money
    by_tier: list[TierReport]
    updated_at: str
    lag_seconds: int  # age of the newest event the counters include (0 before any)


class ProjectionService:
    """Counts each delivered domain event exactly once, and reports sales from the counts."""

    def __init__(self, projections, catalog, availability: Availability, clock):
        self.projections, self.catalog, self.availability = projections, catalog, availability
        self.clock = clock

    def handle(self, event: ev.DomainEvent | None) -> bool:
        """False for a duplicate or an event that moves no counter."""
        moves = SEAT_MOVES.get(type(event))
        if moves is None:
            return False
        held, sold = moves
        sections = {name: SectionCounts(held * n, sold * n)
                    for name, n in event.by_section().items()}
        sign = SALES_SIGN.get(type(event), 0)
        tiers = {tier: TierSales(sign * t["count"], sign * t["amount"])
                 for tier, t in event.by_tier().items()} if sign else {}
        # The counters' updated_at is when the newest event they count happened, so the
        # sales answer can say how far behind the events they are.
        return self.projections.apply_once(event.event_id, sections, tiers, event.show_id,
                                           parse_rfc3339(event.occurred_at))

    def sales(self, principal: Principal, event_id: str) -> SalesReport:
        event = self.catalog.event(event_id)
        if not event or event.tenant_id != principal.tenant_id:
            raise errors.NotFound("event")
        counters = self.projections.counters(event_id)
        summary = self.availability.summary(event)
        return self._report(event, counters, summary)

    def _report(self, event: Event, counters, summary: AvailabilitySummary) -> SalesReport:
        by_tier = [TierReport(t.tier_id, t.name, counters.by_tier.get(t.tier_id, TierSales()).sold,
                              Money(counters.by_tier.get(t.tier_id, TierSales()).revenue,
                                    event.currency)) for t in event.price_tiers]
        now = self.clock.now()
        lag = (int((now - parse_rfc3339(counters.updated_at)).total_seconds())
               if counters.updated_at else 0)
        return SalesReport(event.event_id, sum(t.sold for t in by_tier), summary.held,
                           summary.available,
                           Money(sum(t.revenue.amount for t in by_tier), event.currency), by_tier,
                           counters.updated_at or to_rfc3339(now), max(0, lag))
