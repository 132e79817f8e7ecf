"""Best available on live seat states: read a section's held and sold seats (one Query), rank
its free blocks with the domain's rule, and let the hold's transaction decide."""
from __future__ import annotations

import datetime as dt

from ..domain import errors
from ..domain.catalog import Event, Layout, Section
from ..domain.holds import SeatStatus, seat_status
from ..domain.seating import Block, successive_blocks


def candidate_sections(event: Event, layout: Layout, section: str | None,
                       tier_id: str | None) -> list[Section]:
    """The sections a request may get seats in, in venue order; 400 for a section or tier
    the event does not have, or a section outside the tier."""
    tier = None
    if tier_id is not None:
        tier = next((t for t in event.price_tiers if t.tier_id == tier_id), None)
        if tier is None:
            raise errors.ValidationFailed({"tier_id": f"no tier {tier_id!r} for this event"})
    if section is not None:
        if layout.section(section) is None:
            raise errors.ValidationFailed({"section": f"no section {section!r} at this venue"})
        if tier is not None and section not in tier.sections:
            raise errors.ValidationFailed({"section": f"section {section!r} is not in tier "
                                                      f"{tier_id!r}"})
    return [s for s in layout.sections
            if (section is None or s.name == section) and (tier is None or s.name in tier.sections)]


class SeatPicker:
    def __init__(self, inventory):
        self.inventory = inventory

    def blocks(self, event_id: str, sections: list[Section], quantity: int,
               now: dt.datetime, limit: int = 1) -> list[Block]:
        """The first `limit` blocks successive requests would get (never overlapping), from
        the first section (in venue order) that has any: one Query per section looked at,
        each bounded by that section's held and sold seats."""
        for section in sections:
            states = self.inventory.seat_states(event_id, section.name)
            free = lambda sid: seat_status(states.get(sid), now) == SeatStatus.AVAILABLE  # noqa: E731
            found = successive_blocks([section], free, quantity, limit)
            if found:
                return found
        return []
