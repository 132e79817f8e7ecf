"""Domain events out to EventBridge."""
from __future__ import annotations

import json

from ..domain.events import SOURCE, DomainEvent, to_detail


class EventBridgePublisher:
    def __init__(self, client, bus_name: str):
        self._client, self._bus = client, bus_name

    def publish(self, events: list[DomainEvent]) -> None:
        for start in range(0, len(events), 10):
            batch = events[start:start + 10]
            result = self._client.put_events(Entries=[
                {"Source": SOURCE, "DetailType": e.detail_type(), "Detail": json.dumps(to_detail(e)),
                 "EventBusName": self._bus} for e in batch])
            if result.get("FailedEntryCount"):
                # Raising makes the stream redeliver the batch; consumers dedupe by event_id.
                raise RuntimeError(f"EventBridge rejected {result['FailedEntryCount']} events")
