"""The local stack's EventBridge: records every event and delivers it to each subscriber on
a worker thread of its own (asynchronously, at least once, retrying a failing consumer), so a
slow consumer delays only itself, as with EventBridge's independent targets."""
from __future__ import annotations

import json
import logging
import queue
import threading
import time

from ..domain.events import DomainEvent, to_detail

logger = logging.getLogger("boxoffice.events")


class _Target:
    """One subscriber: its own queue and worker, in delivery order."""

    def __init__(self, handler, asynchronous: bool):
        self.handler = handler
        self._queue: queue.Queue = queue.Queue()
        if asynchronous:
            threading.Thread(target=self._deliver_forever, daemon=True, name="event-bus").start()

    def put(self, envelope: dict) -> None:
        self._queue.put(envelope)

    def join(self) -> None:
        self._queue.join()

    def _deliver_forever(self) -> None:
        while True:
            self.deliver(self._queue.get())
            self._queue.task_done()

    def deliver(self, envelope: dict, attempts: int = 3) -> None:
        for attempt in range(1, attempts + 1):
            try:
                self.handler(envelope["detail_type"], envelope["detail"])
                return
            except Exception:  # noqa: BLE001 - retried like EventBridge, then logged
                logger.exception("consumer failed on %s (attempt %d of %d)",
                                 envelope["detail_type"], attempt, attempts)
                time.sleep(0.05 * attempt)


class LocalEventBus:
    def __init__(self, asynchronous: bool = True):
        self.published: list[dict] = []  # as EventBridge carries them: detail_type, detail
        self._targets: list[_Target] = []
        self._async = asynchronous
        self._lock = threading.Lock()

    def subscribe(self, handler) -> None:
        """handler(detail_type, detail), like an EventBridge target."""
        self._targets.append(_Target(handler, self._async))

    def publish(self, events: list[DomainEvent]) -> None:
        envelopes = [{"detail_type": e.detail_type(), "detail": to_detail(e)} for e in events]
        with self._lock:
            self.published.extend(envelopes)
        for envelope in envelopes:
            logger.info("domain event %s %s", envelope["detail_type"], json.dumps(envelope["detail"]))
            for target in self._targets:
                if self._async:
                    target.put(envelope)
                else:
                    target.deliver(envelope)

    def drain(self) -> None:
        if self._async:
            for target in self._targets:
                target.join()
