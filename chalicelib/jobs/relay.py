"""The outbox relay: table stream records in, domain events out to the bus."""
from __future__ import annotations

from dataclasses import replace

from ..adapters.stream_events import events_from_records
from ..domain.clock import to_rfc3339
from ..domain.events import SeatsChanged


def relay(records: list[dict], publisher, clock, pseudonyms) -> int:
    """Publishes the records' events with the customer as a pseudonym (a keyed hash of the
    user id): events reach the archive, which an erasure cannot edit (docs/privacy.md)."""
    events = [replace(e, user_id=pseudonyms.pseudonym(e.user_id))
              if isinstance(e, SeatsChanged) and e.user_id else e
              for e in events_from_records(records, to_rfc3339(clock.now()))]
    if events:
        publisher.publish(events)
    return len(events)
