"""The waiting room: organizers set it up, customers join and wait, and the admission job
moves each line on at its event's rate; holds of a queued event need an admission token."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from ..domain import errors
from ..domain.clock import epoch
from ..domain.identity import Principal
from ..domain.queue import (Line, QueueEntry, QueueSettings, QueueStatus, check_admission,
                            check_settings)
from .commands import ConfigureQueue
from .ids import derived_id, shard_for, time_ticket
from .ports import LineChanged, SaleChanged

ATTEMPTS = 5
LINE_CACHE_SECONDS = 2  # positions move once a pass; a warm Lambda reads the line this often
RANK_PER_PASS = 2_000  # bounded work: more arrivals wait for the next pass
ADMIT_PER_PASS = 2_000


@dataclass(frozen=True)
class Standing:
    """An entry as its user sees it now."""

    entry: QueueEntry
    status: QueueStatus
    position: int | None
    wait_seconds: int | None


class WaitingRoomService:
    def __init__(self, room, catalog, sales, signer, clock, shards: int = 8,
                 pass_seconds: int = 5):
        self.room, self.catalog, self.sales, self.signer = room, catalog, sales, signer
        self.clock, self.shards, self.pass_seconds = clock, shards, pass_seconds
        self._lock = threading.Lock()
        self._lines: dict[str, tuple[int, Line]] = {}

    # organizers -------------------------------------------------------------------------------
    def configure(self, principal: Principal, event_id: str,
                  command: ConfigureQueue) -> QueueSettings:
        """A change bumps the event's version, so no hold slips through on old settings."""
        check_settings(command.admit_per_minute, command.admission_seconds)
        for _ in range(ATTEMPTS):
            event = self.catalog.event(event_id)
            if event is None or event.tenant_id != principal.tenant_id:
                raise errors.NotFound("event")
            shards = event.queue.shards if event.queue else self.shards
            settings = QueueSettings(command.enabled, command.admit_per_minute,
                                     command.admission_seconds, shards)
            if event.queue == settings:
                return settings
            try:
                self.room.configure(event.with_queue(settings), event.version,
                                    epoch(self.clock.now()))
            except SaleChanged:
                continue
            self.sales.forget(event_id)
            return settings
        raise errors.Conflict("The event changed while its waiting room was being set; retry.")

    # customers --------------------------------------------------------------------------------
    def join(self, principal: Principal, event_id: str) -> tuple[Standing, bool]:
        """(standing, created): one conditional write; joining again returns the entry."""
        event = self._queued_event(event_id)
        now = self.clock.now()
        entry = QueueEntry(derived_id("que", event_id, principal.sub), event_id, principal.sub,
                           time_ticket(now), shard_for(principal.sub, event.queue.shards),
                           epoch(now))
        existing = self.room.join(entry)
        return self._standing(existing or entry), existing is None

    def mine(self, principal: Principal, event_id: str) -> Standing:
        entry = self.room.entry(event_id, principal.sub)
        if entry is None:
            raise errors.NotFound("queue_entry")
        return self._standing(entry)

    def check(self, principal: Principal, event, token: str | None) -> None:
        """The hold path's gate: no read, the event's settings come with the cached event."""
        if event.queued:
            check_admission(self.signer.verify(token), principal.sub, event.event_id,
                            self.clock.now())

    def _queued_event(self, event_id: str):
        facts = self.sales.get(event_id)
        if facts is not None and not facts[0].queued:
            self.sales.forget(event_id)  # a waiting room set up since it was cached
            facts = self.sales.get(event_id)
        if facts is None:
            raise errors.NotFound("event")
        event = facts[0]
        event.ensure_on_sale(self.clock.now())
        if not event.queued:
            raise errors.Conflict("This event has no waiting room: hold seats directly.")
        return event

    def _standing(self, entry: QueueEntry) -> Standing:
        now = self.clock.now()
        status = entry.status_at(now)
        line = self._line(entry.event_id)
        if status != QueueStatus.WAITING or line is None:
            return Standing(entry, status, None, 0 if status == QueueStatus.ADMITTED else None)
        position = line.position(entry)
        return Standing(entry, status, position,
                        line.wait_seconds(position, epoch(now), self.pass_seconds))

    def _line(self, event_id: str) -> Line | None:
        now = epoch(self.clock.now())
        with self._lock:
            cached = self._lines.get(event_id)
        if cached and now - cached[0] < LINE_CACHE_SECONDS:
            return cached[1]
        line = self.room.line(event_id)
        self._remember(line, now)
        return line

    def _remember(self, line: Line | None, now: int) -> None:
        if line is not None:
            with self._lock:
                self._lines[line.event_id] = (now, line)

    # the admission job ------------------------------------------------------------------------
    def advance_all(self) -> dict:
        """One pass over every enabled line; safe to run twice at once (a pass that finds the
        line moved by another stops)."""
        return {event_id: self.advance(event_id) for event_id in self.room.lines_to_advance()}

    def advance(self, event_id: str) -> dict:
        line = self.room.line(event_id)
        if line is None or not line.settings.enabled:
            return {"ranked": 0, "admitted": 0}
        now = epoch(self.clock.now())
        try:
            ranked = self.room.arrivals(line, RANK_PER_PASS)
            line = self.room.rank(line, ranked)
            quota = line.quota(now)
            wanted = min(int(quota), ADMIT_PER_PASS)
            admitted = [self._admission(e, now, line.settings)
                        for e in line.next_in_order(self.room.next_waiting(line, wanted))]
            line = self.room.admit(line, admitted, line.credit_after(quota, len(admitted),
                                                                       wanted), now)
        except LineChanged:
            return {"ranked": 0, "admitted": 0, "skipped": 1}
        self._remember(line, now)
        return {"ranked": len(ranked), "admitted": len(admitted)}

    def _admission(self, entry: QueueEntry, now: int, settings: QueueSettings) -> QueueEntry:
        token = self.signer.sign(entry.claims(now, settings.admission_seconds))
        return entry.admitted(now, settings.admission_seconds, token)
