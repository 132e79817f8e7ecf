"""Availability and sales counters recomputed from the source tables, their drift reported,
and repaired idempotently while traffic flows.

The truth: a seat item per held or sold seat (a hold's items go when it ends), and the event's
bookings (confirmed ones count as sold; cancelled ones net to nothing, as the events do).
Counters follow the event stream, so a change in flight is seen by the tables before the
counters: drift is measured twice, `settle_seconds` apart, and only what is the same in both
is repaired. A repair is one more counted change under a dedupe id made of what was seen, so
running the tool twice (or twice at once) repairs once."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..domain import errors
from ..domain.bookings import BookingStatus
from ..domain.holds import SeatStatus
from .ports import SectionCounts, TierSales

PAGE = 100


@dataclass(frozen=True)
class Figures:
    sections: dict[str, SectionCounts] = field(default_factory=dict)
    tiers: dict[str, TierSales] = field(default_factory=dict)


@dataclass(frozen=True)
class Drift:
    """What the counters lack (positive) or have too much of (negative)."""

    sections: dict[str, SectionCounts]
    tiers: dict[str, TierSales]

    @property
    def none(self) -> bool:
        return not self.sections and not self.tiers

    def common(self, other: "Drift") -> "Drift":
        """The part seen the same both times, counter by counter (a section's held count may
        move with traffic while its sold count stays wrong)."""
        return Drift(_same(self.sections, other.sections, SectionCounts),
                     _same(self.tiers, other.tiers, TierSales))


def _same(first: dict, second: dict, kind) -> dict:
    kept = {}
    for name, value in first.items():
        again = second.get(name, kind())
        fields = {f: getattr(value, f) if getattr(value, f) == getattr(again, f) else 0
                  for f in vars(value)}
        if any(fields.values()):
            kept[name] = kind(**fields)
    return kept


@dataclass(frozen=True)
class RebuildReport:
    event_id: str
    truth: Figures
    counted: Figures
    drift: Drift
    repaired: bool


class ProjectionRebuild:
    def __init__(self, catalog, inventory, projections, clock, pace, settle_seconds: float = 5.0):
        self.catalog, self.inventory, self.projections = catalog, inventory, projections
        self.clock, self.pace, self.settle_seconds = clock, pace, settle_seconds

    def run(self, event_id: str, tenant_id: str | None = None, repair: bool = False) -> RebuildReport:
        event = self.catalog.event(event_id)
        if event is None or (tenant_id and event.tenant_id != tenant_id):
            raise errors.NotFound("event")
        truth, counted = self.truth(event), self.counted(event_id)
        drift = difference(truth, counted)
        if not repair or drift.none:
            return RebuildReport(event_id, truth, counted, drift, False)
        self.pace.sleep(self.settle_seconds)
        truth_again, counted_again = self.truth(event), self.counted(event_id)
        lasting = drift.common(difference(truth_again, counted_again))
        if lasting.none:
            return RebuildReport(event_id, truth_again, counted_again, lasting, False)
        seen = json.dumps([repr(counted_again), repr(lasting)], sort_keys=True)
        repair_id = f"repair-{event_id}-{hashlib.sha256(seen.encode()).hexdigest()[:24]}"
        applied = self.projections.apply_once(repair_id, lasting.sections, lasting.tiers,
                                              event_id, self.clock.now())
        return RebuildReport(event_id, truth_again, counted_again, lasting, applied)

    def truth(self, event) -> Figures:
        layout = self.catalog.layout(event.venue_id)
        sections = {}
        for section in layout.sections:
            states = self.inventory.seat_states(event.event_id, section.name).values()
            held = sum(1 for s in states if s.status == SeatStatus.HELD)
            sold = sum(1 for s in states if s.status == SeatStatus.SOLD)
            if held or sold:
                sections[section.name] = SectionCounts(held, sold)
        tiers: dict[str, TierSales] = {}
        after = None
        while True:
            page = self.inventory.bookings_of_event(event.event_id, after, PAGE)
            for booking in page.items:
                if booking.status != BookingStatus.CONFIRMED:
                    continue
                for ticket in booking.tickets:
                    old = tiers.get(ticket.seat.tier_id, TierSales())
                    tiers[ticket.seat.tier_id] = TierSales(old.sold + 1,
                                                           old.revenue + ticket.seat.price.amount)
            after = page.after
            if after is None:
                return Figures(sections, dict(sorted(tiers.items())))

    def counted(self, event_id: str) -> Figures:
        counters = self.projections.counters(event_id)
        return Figures({k: v for k, v in sorted(counters.by_section.items()) if v.held or v.sold},
                       {k: v for k, v in sorted(counters.by_tier.items()) if v.sold or v.revenue})


def difference(truth: Figures, counted: Figures) -> Drift:
    return Drift(_minus(truth.sections, counted.sections, SectionCounts),
                 _minus(truth.tiers, counted.tiers, TierSales))


def _minus(truth: dict, counted: dict, kind) -> dict:
    """Counter by counter, what `counted` lacks of `truth` (negative: has too much)."""
    drift = {}
    for name in sorted(truth.keys() | counted.keys()):
        t, c = truth.get(name, kind()), counted.get(name, kind())
        delta = {f: getattr(t, f) - getattr(c, f) for f in vars(t)}
        if any(delta.values()):
            drift[name] = kind(**delta)
    return drift
