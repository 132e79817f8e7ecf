"""The outbox relay: table stream records in, domain events out to the bus."""
from __future__ import annotations

from ..adapters.stream_events import events_from_records
from ..domain.clock import to_rfc3339


def relay(records: list[dict], publisher, clock) -> int:
    events = events_from_records(records, to_rfc3339(clock.now()))
    if events:
        publisher.publish(events)
    return len(events)
