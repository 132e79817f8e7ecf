"""The local stack's SQS for webhook deliveries: messages wait until their delay has passed
by the stack's clock (a FixedClock in tests, so retries are tested by moving it), then the
sender handles them; a handler that fails gets the message again after a visibility timeout,
as SQS would redeliver it."""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import threading

logger = logging.getLogger("boxoffice.webhooks")
VISIBILITY_SECONDS = 30


class LocalDeliveryQueue:
    def __init__(self):
        self._lock = threading.Lock()
        self._heap: list[tuple[dt.datetime, int, str]] = []
        self._order = itertools.count()
        self._clock = None
        self._handler = None
        self.sent: list[tuple[str, int]] = []  # (delivery id, delay): what went in

    def bind(self, clock, handler) -> None:
        """handler(delivery_id), like the SQS-triggered Lambda."""
        self._clock, self._handler = clock, handler

    def send(self, delivery_id: str, delay_seconds: int = 0) -> None:
        ready = self._clock.now() + dt.timedelta(seconds=delay_seconds)
        with self._lock:
            self.sent.append((delivery_id, delay_seconds))
            heapq.heappush(self._heap, (ready, next(self._order), delivery_id))

    def _pop_ready(self) -> list[str]:
        now = self._clock.now()
        with self._lock:
            ready = []
            while self._heap and self._heap[0][0] <= now:
                ready.append(heapq.heappop(self._heap)[2])
            return ready

    def run_due(self) -> int:
        """Hands every message whose time has come to the handler; returns how many."""
        handled = 0
        for delivery_id in self._pop_ready():
            try:
                self._handler(delivery_id)
                handled += 1
            except Exception:  # noqa: BLE001 - redelivered later, as SQS does
                logger.exception("webhook delivery %s failed; it comes back in %d s",
                                 delivery_id, VISIBILITY_SECONDS)
                self.send(delivery_id, VISIBILITY_SECONDS)
        return handled

    def waiting(self) -> int:
        with self._lock:
            return len(self._heap)
