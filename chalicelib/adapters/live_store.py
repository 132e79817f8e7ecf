"""The live table: WebSocket connections, subscriptions and coalescing windows.

Keys (every one expires by TTL; nothing here outlives its use by more than a few hours):
- `CONN#{connection}` / `CONN`: the connection and its subscriptions (event -> section).
- `SUB#{event}#{shard}` / connection id (with the section, none for the whole event): what
  the fan-out queries, one Query per shard and window. Sharding by connection spreads a
  subscribe storm's writes and lets each shard be fanned out by its own invocation.
- `PEND#{event}#{window}#{part}` / `PEND`: the seats changed in one window, in parts, so no
  single item takes every seat change of a hot on-sale (an item's write cost also grows
  with its size). Part 0 also says who flushes the window (`claimed`) and when it was
  closed (`flushed_at`).
- `WATCH#{event}` / `WATCH`: until when someone may be subscribed, so the changes of events
  no one watches cost one read. Rewritten about once an hour per event, not on every
  subscribe (a subscribe storm would make it a hot item)."""
from __future__ import annotations

import zlib

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import size

from ..domain import errors
from ..domain.live import Subscription, Window
from ..services.ports import WindowClosed
from .dynamo_models import ConnectionItem, PendingChangesItem, SubscriptionItem, WatchItem
from .transactions import ConditionsFailed

WHOLE_EVENT = "*"  # section names are letters and digits only
ATTEMPTS = 4  # frames of one connection racing each other (API Gateway runs them in parallel)
WATCH_ROUNDING_SECONDS = 3600


def connection_pk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def subscription_pk(event_id: str, shard: int) -> str:
    return f"SUB#{event_id}#{shard}"


def pending_pk(window: Window, part: int) -> str:
    return f"PEND#{window.event_id}#{window.number}#{part}"


def watch_pk(event_id: str) -> str:
    return f"WATCH#{event_id}"


def _failed_condition(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


class DynamoLiveStore:
    def __init__(self, transactions, shards: int = 4, parts: int = 4):
        self._tx, self._shards, self._parts = transactions, shards, parts

    @property
    def shards(self) -> int:
        return self._shards

    def _shard_of(self, connection_id: str) -> int:
        return zlib.crc32(connection_id.encode()) % self._shards

    # connections and subscriptions --------------------------------------------------------
    def connect(self, connection_id: str, expires_at: int) -> None:
        ConnectionItem(pk=connection_pk(connection_id), sk="CONN", subs={},
                       ttl=expires_at).save()

    def _sections_of(self, connection_id: str) -> dict[str, str] | None:
        try:
            item = ConnectionItem.get(connection_pk(connection_id), "CONN", consistent_read=True)
        except ConnectionItem.DoesNotExist:
            return None
        return item.subs.as_dict() if item.subs else {}

    def subscriptions(self, connection_id: str) -> dict[str, str | None]:
        return {event: None if section == WHOLE_EVENT else section
                for event, section in (self._sections_of(connection_id) or {}).items()}

    def subscribe(self, subscription: Subscription, limit: int, expires_at: int) -> None:
        cid, event_id = subscription.connection_id, subscription.event_id
        section = subscription.section or WHOLE_EVENT
        for _ in range(ATTEMPTS):
            current = self._sections_of(cid)
            if current is None:  # a frame that overtook its $connect, or one after a long TTL
                self.connect(cid, expires_at)
                continue
            old = current.get(event_id)
            if old == section:
                return
            if old is None and len(current) >= limit:
                raise errors.SubscriptionLimitExceeded(limit)
            try:
                self._tx.run(lambda tx: self._move(tx, cid, event_id, old, section, limit,
                                                   expires_at))
            except ConditionsFailed:
                continue  # another frame of this connection changed it: read again
            self._watch(event_id, expires_at)
            return
        raise errors.Conflict("Subscriptions changed concurrently; send the frame again.")

    def _move(self, tx, cid, event_id, old, section, limit, expires_at) -> None:
        subs = ConnectionItem.subs[event_id]
        condition = ((subs == old) if old else
                     (subs.does_not_exist() & (size(ConnectionItem.subs) < limit)))
        tx.update(ConnectionItem(pk=connection_pk(cid), sk="CONN"),
                  actions=[subs.set(section)], condition=condition)
        tx.save(SubscriptionItem(pk=subscription_pk(event_id, self._shard_of(cid)), sk=cid,
                                 section=None if section == WHOLE_EVENT else section,
                                 ttl=expires_at))

    def _watch(self, event_id: str, expires_at: int) -> None:
        # Rounded up to the hour, so every subscribe of the same hour asks for the same mark
        # and only the first one writes it (at most an hour of fan-outs to no one after the
        # last subscription ends).
        until = -(-expires_at // WATCH_ROUNDING_SECONDS) * WATCH_ROUNDING_SECONDS
        try:
            current = WatchItem.get(watch_pk(event_id), "WATCH").until
        except WatchItem.DoesNotExist:
            current = 0
        if current >= until:
            return
        try:
            WatchItem(pk=watch_pk(event_id), sk="WATCH").update(
                actions=[WatchItem.until.set(until), WatchItem.ttl.set(until)],
                condition=WatchItem.until.does_not_exist() | (WatchItem.until < until))
        except UpdateError as e:
            if not _failed_condition(e):  # lost to a later mark: fine
                raise

    def watched(self, event_id: str, now: int) -> bool:
        try:
            return WatchItem.get(watch_pk(event_id), "WATCH").until > now
        except WatchItem.DoesNotExist:
            return False

    def unsubscribe(self, connection_id: str, event_id: str) -> None:
        for _ in range(ATTEMPTS):
            old = (self._sections_of(connection_id) or {}).get(event_id)
            if old is None:
                return
            try:
                self._tx.run(lambda tx: self._remove(tx, connection_id, event_id, old))
                return
            except ConditionsFailed:
                continue
        raise errors.Conflict("Subscriptions changed concurrently; send the frame again.")

    def _remove(self, tx, cid, event_id, old) -> None:
        subs = ConnectionItem.subs[event_id]
        tx.update(ConnectionItem(pk=connection_pk(cid), sk="CONN"), actions=[subs.remove()],
                  condition=subs == old)
        tx.delete(SubscriptionItem(pk=subscription_pk(event_id, self._shard_of(cid)), sk=cid))

    def disconnect(self, connection_id: str) -> None:
        sections = self._sections_of(connection_id) or {}
        shard = self._shard_of(connection_id)
        with SubscriptionItem.batch_write() as batch:
            for event_id in sections:
                batch.delete(SubscriptionItem(pk=subscription_pk(event_id, shard),
                                              sk=connection_id))
        ConnectionItem(pk=connection_pk(connection_id), sk="CONN").delete()

    def subscribers(self, event_id: str, sections: set[str], shard: int) -> list[Subscription]:
        return [Subscription(item.sk, event_id, item.section)
                for item in SubscriptionItem.query(subscription_pk(event_id, shard))
                if item.section is None or item.section in sections]

    # coalescing windows ---------------------------------------------------------------------
    def add_changes(self, window: Window, seat_ids: list[str], part_key: str,
                    expires_at: int) -> bool:
        item = PendingChangesItem(pk=pending_pk(window, zlib.crc32(part_key.encode()) % self._parts),
                                  sk="PEND")
        try:
            item.update(actions=[PendingChangesItem.seats.add(set(seat_ids)),
                                 PendingChangesItem.writes.add(1),
                                 PendingChangesItem.ttl.set(expires_at)],
                        condition=PendingChangesItem.closed.does_not_exist())
        except UpdateError as e:
            if _failed_condition(e):
                raise WindowClosed() from e
            raise
        # Every part's first writer asks to flush; one of them is told to, once per window.
        # With one part, its first writer is that one already.
        return item.writes == 1 and (self._parts == 1 or self._claim(window, expires_at))

    def _claim(self, window: Window, expires_at: int) -> bool:
        try:
            PendingChangesItem(pk=pending_pk(window, 0), sk="PEND").update(
                actions=[PendingChangesItem.claimed.set(True),
                         PendingChangesItem.ttl.set(expires_at)],
                condition=PendingChangesItem.claimed.does_not_exist())
            return True
        except UpdateError as e:
            if _failed_condition(e):
                return False
            raise

    def window_state(self, window: Window) -> tuple[bool, float | None]:
        try:
            first = PendingChangesItem.get(pending_pk(window, 0), "PEND", consistent_read=True)
        except PendingChangesItem.DoesNotExist:
            return False, None
        return bool(first.claimed or first.writes), first.flushed_at

    def close_window(self, window: Window, expires_at: int, flushed_at: float) -> set[str]:
        seats: set[str] = set()
        for part in range(self._parts):
            item = PendingChangesItem(pk=pending_pk(window, part), sk="PEND")
            item.update(actions=[PendingChangesItem.closed.set(True),
                                 PendingChangesItem.flushed_at.set(
                                     PendingChangesItem.flushed_at | flushed_at),
                                 PendingChangesItem.ttl.set(expires_at)])
            seats |= set(item.seats or ())
        return seats
