"""The local stack's EventBridge: records every event and delivers it to subscribers on a
worker thread (asynchronously, at least once, retrying a failing consumer)."""
from __future__ import annotations

import json
import logging
import queue
import threading
import time

from ..domain.events import DomainEvent, to_detail

logger = logging.getLogger("boxoffice.events")


class LocalEventBus:
    def __init__(self, asynchronous: bool = True):
        self.published: list[dict] = []  # as EventBridge carries them: detail_type, detail
        self._subscribers = []
        self._queue: queue.Queue = queue.Queue()
        self._async = asynchronous
        self._lock = threading.Lock()
        if asynchronous:
            threading.Thread(target=self._deliver_forever, daemon=True, name="event-bus").start()

    def subscribe(self, handler) -> None:
        """handler(detail_type, detail), like an EventBridge target."""
        self._subscribers.append(handler)

    def publish(self, events: list[DomainEvent]) -> None:
        envelopes = [{"detail_type": e.detail_type(), "detail": to_detail(e)} for e in events]
        with self._lock:
            self.published.extend(envelopes)
        for envelope in envelopes:
            logger.info("domain event %s %s", envelope["detail_type"], json.dumps(envelope["detail"]))
            if self._async:
                self._queue.put(envelope)
            else:
                self._deliver(envelope)

    def _deliver_forever(self) -> None:
        while True:
            self._deliver(self._queue.get())
            self._queue.task_done()

    def _deliver(self, envelope: dict, attempts: int = 3) -> None:
        for handler in self._subscribers:
            for attempt in range(1, attempts + 1):
                try:
                    handler(envelope["detail_type"], envelope["detail"])
                    break
                except Exception:  # noqa: BLE001 - retried like EventBridge, then logged
                    logger.exception("consumer failed on %s (attempt %d of %d)",
                                     envelope["detail_type"], attempt, attempts)
                    time.sleep(0.05 * attempt)

    def drain(self) -> None:
        if self._async:
            self._queue.join()
