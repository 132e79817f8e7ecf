"""Records published domain events, in order."""
from __future__ import annotations

from chalicelib.domain.events import DomainEvent


class RecordingPublisher:
    def __init__(self):
        self.events: list[DomainEvent] = []

    def publish(self, events: list[DomainEvent]) -> None:
        self.events.extend(events)
