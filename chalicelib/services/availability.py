"""How full an event is, from the counters the domain events feed (they may lag seconds)."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.catalog import Event, availability_label
from ..domain.money import Money


@dataclass(frozen=True)
class SectionSummary:
    section: str
    total: int
    available: int
    min_price: Money


@dataclass(frozen=True)
class AvailabilitySummary:
    total: int
    available: int
    held: int
    sold: int
    sections: tuple[SectionSummary, ...]

    @property
    def label(self) -> str:
        return availability_label(self.total, self.available)


class Availability:
    def __init__(self, projections):
        self.projections = projections

    def summary(self, event: Event) -> AvailabilitySummary:
        counts = self.projections.availability(event.event_id)
        sections, held_total, sold_total = [], 0, 0
        for name, size in event.section_sizes.items():
            entry = counts.get(name)
            held = max(0, entry.held) if entry else 0
            sold = max(0, entry.sold) if entry else 0
            held_total, sold_total = held_total + held, sold_total + sold
            sections.append(SectionSummary(name, size, max(0, size - held - sold),
                                           event.tier_for_section(name).price))
        total = event.capacity
        return AvailabilitySummary(total, max(0, total - held_total - sold_total), held_total,
                                   sold_total, tuple(sections))

    def label(self, event: Event) -> str:
        return self.summary(event).label
