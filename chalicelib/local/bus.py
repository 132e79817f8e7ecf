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


def deliver(handler, envelope: dict, attempts: int = 3) -> None:
    for attempt in range(1, attempts + 1):
        try:
            handler(envelope["detail_type"], envelope["detail"])
            return
        except Exception:  # noqa: BLE001 - retried like EventBridge, then logged
            logger.exception("consumer failed on %s (attempt %d of %d)",
                             envelope["detail_type"], attempt, attempts)
            time.sleep(0.05 * attempt)


class _Target:
    """One subscriber's queue and worker: its events in publishing order."""

    def __init__(self, handler):
        self._handler = handler
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._deliver_forever, daemon=True, name="event-bus").start()

    def put(self, envelope: dict) -> None:
        self._queue.put(envelope)

    def join(self) -> None:
        self._queue.join()

    def _deliver_forever(self) -> None:
        while True:
            deliver(self._handler, self._queue.get())
            self._queue.task_done()


class LocalEventBus:
    def __init__(self, asynchronous: bool = True):
        self.published: list[dict] = []  # as EventBridge carries them: detail_type, detail
        self._subscribers = []
        self._targets: dict[int, _Target] = {}
        self._async = asynchronous
        self._lock = threading.Lock()

    def subscribe(self, handler) -> None:
        """handler(detail_type, detail), like an EventBridge target."""
        self._subscribers.append(handler)

    def _target(self, handler) -> _Target:
        with self._lock:
            if id(handler) not in self._targets:
                self._targets[id(handler)] = _Target(handler)
            return self._targets[id(handler)]

    def publish(self, events: list[DomainEvent]) -> None:
        envelopes = [{"detail_type": e.detail_type(), "detail": to_detail(e)} for e in events]
        with self._lock:
            self.published.extend(envelopes)
        for envelope in envelopes:
            logger.info("domain event %s %s", envelope["detail_type"], json.dumps(envelope["detail"]))
            for handler in list(self._subscribers):
                if self._async:
                    self._target(handler).put(envelope)
                else:
                    deliver(handler, envelope)

    def drain(self) -> None:
        if self._async:
            for target in list(self._targets.values()):
                target.join()
