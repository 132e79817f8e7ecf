"""Domain events out: EventBridge on AWS, an in-process bus on the local stack."""
from __future__ import annotations

import json
import logging
import queue
import threading
import time

logger = logging.getLogger("boxoffice.events")


class EventBridgePublisher:
    def __init__(self, client, bus_name: str):
        self._client, self._bus = client, bus_name

    def publish(self, events: list[dict]) -> None:
        for start in range(0, len(events), 10):
            batch = events[start:start + 10]
            result = self._client.put_events(Entries=[
                {"Source": "boxoffice", "DetailType": e["detail_type"],
                 "Detail": json.dumps(e["detail"]), "EventBusName": self._bus} for e in batch])
            if result.get("FailedEntryCount"):
                # Raising makes the stream redeliver the batch; consumers dedupe by event_id.
                raise RuntimeError(f"EventBridge rejected {result['FailedEntryCount']} events")


class InMemoryEventBus:
    """Records every event and delivers it to subscribers on a worker thread, like
    EventBridge does (asynchronously, at least once)."""

    def __init__(self, asynchronous: bool = True):
        self.published: list[dict] = []
        self._subscribers = []
        self._queue: queue.Queue = queue.Queue()
        self._async = asynchronous
        self._lock = threading.Lock()
        if asynchronous:
            threading.Thread(target=self._deliver_forever, daemon=True, name="event-bus").start()

    def subscribe(self, handler) -> None:
        self._subscribers.append(handler)

    def publish(self, events: list[dict]) -> None:
        with self._lock:
            self.published.extend(events)
        for event in events:
            logger.info("domain event %s %s", event["detail_type"], json.dumps(event["detail"]))
            if self._async:
                self._queue.put(event)
            else:
                self._deliver(event)

    def _deliver_forever(self) -> None:
        while True:
            self._deliver(self._queue.get())
            self._queue.task_done()

    def _deliver(self, event: dict, attempts: int = 3) -> None:
        for handler in self._subscribers:
            for attempt in range(1, attempts + 1):
                try:
                    handler(event)
                    break
                except Exception:  # noqa: BLE001 - retried like EventBridge, then logged
                    logger.exception("consumer failed on %s (attempt %d of %d)",
                                     event["detail_type"], attempt, attempts)
                    time.sleep(0.05 * attempt)

    def drain(self) -> None:
        if self._async:
            self._queue.join()
