"""Waiting rooms in the booking table, with no key that every joiner writes.

- entry `QENTRY#{event}#{user}` / `ENTRY`: one conditional Put per join (one per user);
- the line's order in gsi1, sharded by user: new entries under `QJOIN#{event}#{shard}` sorted
  by ticket, ranked waiting ones under `QWAIT#{event}#{shard}` sorted by rank; admitted
  entries leave the index;
- the line `QLINE#{event}` / `LINE`: settings and counters, written by the organizer's
  settings and the admission job only (a transaction of at most 99 entries at a time, so
  `ranked` and `admitted` always equal what the entries say).
"""
from __future__ import annotations

import heapq

from botocore.exceptions import ClientError
from pynamodb.constants import ITEM
from pynamodb.exceptions import DoesNotExist

from ..domain.catalog import Event
from ..domain.queue import Line, QueueEntry, QueueSettings, QueueStatus
from ..services.ports import LineChanged, SaleChanged
from .catalog_store import queue_to_doc
from .dynamo_models import CatalogItem, QueueEntryItem, QueueLineItem
from .transactions import ConditionsFailed

ACTIONS_PER_TRANSACTION = 100
ENTRY_TTL_SECONDS = 90 * 24 * 3600
REGISTRY = "QUEUES"


def entry_pk(event_id: str, user_id: str) -> str:
    return f"QENTRY#{event_id}#{user_id}"


def line_pk(event_id: str) -> str:
    return f"QLINE#{event_id}"


def user_entries_key(user_id: str) -> str:
    return f"QUSER#{user_id}"


def joined_key(event_id: str, shard: int) -> str:
    return f"QJOIN#{event_id}#{shard}"


def waiting_key(event_id: str, shard: int) -> str:
    return f"QWAIT#{event_id}#{shard}"


def _rank_key(rank: int) -> str:
    return f"{rank:012d}"


def entry_from_item(item: QueueEntryItem) -> QueueEntry:
    optional = lambda v: int(v) if v is not None else None  # noqa: E731
    return QueueEntry(
        queue_id=item.queue_id, event_id=item.event_id, user_id=item.user_id, ticket=item.ticket,
        shard=int(item.shard), joined_at=int(item.joined_at), status=QueueStatus(item.status),
        rank=optional(item.rank), admitted_at=optional(item.admitted_at),
        expires_at=optional(item.expires_at), admission_token=item.token)


def line_from_item(item: QueueLineItem) -> Line:
    return Line(item.pk.removeprefix("QLINE#"),
                QueueSettings(bool(item.enabled), int(item.admit_per_minute),
                              int(item.admission_seconds), int(item.shards)),
                int(item.ranked or 0), int(item.admitted or 0), float(item.credit or 0),
                int(item.last_pass or 0))


class DynamoWaitingRoom:
    def __init__(self, transactions):
        self._tx = transactions

    # settings ---------------------------------------------------------------------------------
    def configure(self, event: Event, expected_version: int, now: int) -> None:
        settings = event.queue
        registry = ([QueueLineItem.gsi2pk.set(REGISTRY), QueueLineItem.gsi2sk.set(event.event_id)]
                    if settings.enabled else
                    [QueueLineItem.gsi2pk.remove(), QueueLineItem.gsi2sk.remove()])

        def build(tx):
            tx.update(CatalogItem(pk=f"EVENT#{event.event_id}", sk="EVENT"),
                      actions=[CatalogItem.version.set(event.version),
                               CatalogItem.doc["queue"].set(queue_to_doc(settings)),
                               CatalogItem.doc["version"].set(event.version)],
                      condition=CatalogItem.version == expected_version)
            tx.update(QueueLineItem(pk=line_pk(event.event_id), sk="LINE"), actions=[
                QueueLineItem.enabled.set(settings.enabled),
                QueueLineItem.admit_per_minute.set(settings.admit_per_minute),
                QueueLineItem.admission_seconds.set(settings.admission_seconds),
                QueueLineItem.shards.set(settings.shards),
                # The first settings start the clock of admissions and the counts.
                QueueLineItem.last_pass.set(QueueLineItem.last_pass | now),
                QueueLineItem.ranked.set(QueueLineItem.ranked | 0),
                QueueLineItem.admitted.set(QueueLineItem.admitted | 0),
                QueueLineItem.credit.set(QueueLineItem.credit | 0), *registry])
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            raise SaleChanged() from e

    def line(self, event_id: str) -> Line | None:
        try:
            return line_from_item(QueueLineItem.get(line_pk(event_id), "LINE",
                                                    consistent_read=True))
        except DoesNotExist:
            return None

    def lines_to_advance(self) -> list[str]:
        return [i.gsi2sk for i in QueueLineItem.by_work.query(REGISTRY)]

    # joining ----------------------------------------------------------------------------------
    def join(self, entry: QueueEntry) -> QueueEntry | None:
        """One PutItem: a second join by the same user gets the stored entry back from the
        failed condition itself, with no read."""
        item = QueueEntryItem(
            pk=entry_pk(entry.event_id, entry.user_id), sk="ENTRY", queue_id=entry.queue_id,
            status=entry.status.value, user_id=entry.user_id, event_id=entry.event_id,
            ticket=entry.ticket, shard=entry.shard, joined_at=entry.joined_at,
            gsi1pk=joined_key(entry.event_id, entry.shard), gsi1sk=entry.ticket,
            gsi2pk=user_entries_key(entry.user_id), gsi2sk=entry.event_id,
            ttl=entry.joined_at + ENTRY_TTL_SECONDS)
        args, kwargs = item._get_save_args(condition=QueueEntryItem.pk.does_not_exist())
        request = QueueEntryItem._get_connection().get_operation_kwargs(
            *args, key=ITEM, return_values_on_condition_failure="ALL_OLD", **kwargs)
        try:
            self._tx.connection().client.put_item(**request)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return entry_from_item(QueueEntryItem.from_raw_data(e.response["Item"]))
        return None

    def entry(self, event_id: str, user_id: str) -> QueueEntry | None:
        try:
            return entry_from_item(QueueEntryItem.get(entry_pk(event_id, user_id), "ENTRY"))
        except DoesNotExist:
            return None

    # the admission job ------------------------------------------------------------------------
    def entries_of_user(self, user_id: str, limit: int) -> list[QueueEntry]:
        """A customer's entries, every event's (their export and erasure)."""
        events = [i.gsi2sk for i in QueueEntryItem.by_user.query(user_entries_key(user_id),
                                                                  limit=limit)]
        found = [self.entry(event_id, user_id) for event_id in events]
        return [e for e in found if e is not None]

    def move_entry(self, event_id: str, user_id: str, pseudonym: str) -> bool:
        """The entry re-keyed under the pseudonym, keeping its place in the line (its gsi1
        keys), in one transaction; its admission token, bound to the old id, goes. False when
        it changed meanwhile (the admission job got there first: try again)."""
        try:
            old = QueueEntryItem.get(entry_pk(event_id, user_id), "ENTRY", consistent_read=True)
        except DoesNotExist:
            return True
        moved = QueueEntryItem(**{**old.attribute_values, "pk": entry_pk(event_id, pseudonym),
                                  "user_id": pseudonym, "token": None,
                                  "gsi2pk": user_entries_key(pseudonym)})

        def build(tx):
            tx.delete(QueueEntryItem(pk=old.pk, sk="ENTRY"),
                      condition=(QueueEntryItem.status == old.status)
                      & (QueueEntryItem.ticket == old.ticket) & _same_rank(old))
            tx.save(moved, condition=QueueEntryItem.pk.does_not_exist())
        try:
            self._tx.run(build)
            return True
        except ConditionsFailed:
            return False

    def arrivals(self, line: Line, limit: int) -> list[QueueEntry]:
        return self._first(line, joined_key, limit)

    def next_waiting(self, line: Line, limit: int) -> list[QueueEntry]:
        return self._first(line, waiting_key, limit)

    def _first(self, line: Line, key, limit: int) -> list[QueueEntry]:
        """The first `limit` of the shards merged: each shard's first `limit` hold them."""
        if limit <= 0:
            return []
        shards = [[entry_from_item(i) for i in QueueEntryItem.by_line.query(
            key(line.event_id, shard), limit=limit)] for shard in range(line.settings.shards)]
        order = (lambda e: e.rank) if key is waiting_key else (lambda e: e.ticket)
        return list(heapq.merge(*shards, key=order))[:limit]

    def rank(self, line: Line, entries: list[QueueEntry]) -> Line:
        for chunk in _chunks(entries):
            first = line.ranked + 1

            def build(tx, chunk=chunk, first=first):
                tx.update(QueueLineItem(pk=line_pk(line.event_id), sk="LINE"),
                          actions=[QueueLineItem.ranked.set(first - 1 + len(chunk))],
                          condition=QueueLineItem.ranked == line.ranked)
                for offset, entry in enumerate(chunk):
                    tx.update(self._entry_key(entry), actions=[
                        QueueEntryItem.rank.set(first + offset),
                        QueueEntryItem.gsi1pk.set(waiting_key(line.event_id, entry.shard)),
                        QueueEntryItem.gsi1sk.set(_rank_key(first + offset))],
                        condition=(QueueEntryItem.status == QueueStatus.WAITING.value)
                        & QueueEntryItem.rank.does_not_exist())
            self._run(build)
            line = Line(**{**line.__dict__, "ranked": first - 1 + len(chunk)})
        return line

    def admit(self, line: Line, entries: list[QueueEntry], credit: float, now: int) -> Line:
        """The first transaction also records the pass (credit, time); each moves `admitted`
        by exactly the entries it admits."""
        chunks = list(_chunks(entries)) or [[]]
        for index, chunk in enumerate(chunks):
            condition = QueueLineItem.admitted == line.admitted
            actions = [QueueLineItem.admitted.set(line.admitted + len(chunk))]
            if index == 0:
                condition &= QueueLineItem.last_pass == line.last_pass
                actions += [QueueLineItem.credit.set(credit), QueueLineItem.last_pass.set(now)]

            def build(tx, chunk=chunk, condition=condition, actions=actions):
                tx.update(QueueLineItem(pk=line_pk(line.event_id), sk="LINE"),
                          actions=actions, condition=condition)
                for entry in chunk:
                    tx.update(self._entry_key(entry), actions=[
                        QueueEntryItem.status.set(QueueStatus.ADMITTED.value),
                        QueueEntryItem.admitted_at.set(entry.admitted_at),
                        QueueEntryItem.expires_at.set(entry.expires_at),
                        QueueEntryItem.token.set(entry.admission_token),
                        QueueEntryItem.gsi1pk.remove(), QueueEntryItem.gsi1sk.remove()],
                        condition=QueueEntryItem.status == QueueStatus.WAITING.value)
            self._run(build)
            line = Line(**{**line.__dict__, "admitted": line.admitted + len(chunk),
                           "credit": credit, "last_pass": now})
        return line

    def _run(self, build) -> None:
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            raise LineChanged() from e

    @staticmethod
    def _entry_key(entry: QueueEntry) -> QueueEntryItem:
        return QueueEntryItem(pk=entry_pk(entry.event_id, entry.user_id), sk="ENTRY")


def _same_rank(item: QueueEntryItem):
    return (QueueEntryItem.rank == item.rank if item.rank is not None
            else QueueEntryItem.rank.does_not_exist())


def _chunks(entries: list[QueueEntry]):
    size = ACTIONS_PER_TRANSACTION - 1  # one action is the line's own
    for start in range(0, len(entries), size):
        yield entries[start:start + size]
