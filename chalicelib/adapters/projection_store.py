"""Counters fed by domain events, each event counted once (dedupe record in the same
transaction), sharded so no single item takes every update (STACK.md trap 11)."""
from __future__ import annotations

from .dynamo_models import CounterItem, DedupeItem
from .transactions import ConditionsFailed

DEDUPE_TTL_SECONDS = 30 * 24 * 3600
PART_SIZE = 99  # counter updates per transaction, beside the dedupe record


class DynamoProjectionStore:
    def __init__(self, transactions):
        self._tx = transactions

    def apply_once(self, event_key: str, changes: list[tuple[str, str, dict]], now_iso: str,
                   now_epoch: int) -> bool:
        """changes: (pk, sk, {attribute: delta}); False when the event was counted before.

        Past one transaction's 100 actions (a 50-seat booking may touch 50 sections and 50
        tiers) the changes go in parts, each counted once under its own dedupe record, so a
        redelivery after a crash between parts finishes the rest."""
        changes = sorted(changes, key=lambda c: (c[0], c[1]))  # the same parts on every delivery
        parts = [changes[i:i + PART_SIZE] for i in range(0, len(changes), PART_SIZE)] or [[]]
        applied = [self._apply_part(event_key if n == 0 else f"{event_key}#{n}", part,
                                    now_iso, now_epoch) for n, part in enumerate(parts)]
        return any(applied)

    def _apply_part(self, dedupe_key: str, changes: list[tuple[str, str, dict]], now_iso: str,
                    now_epoch: int) -> bool:
        def build(tx):
            tx.save(DedupeItem(pk=f"DEDUPE#{dedupe_key}", sk="DEDUPE",
                               ttl=now_epoch + DEDUPE_TTL_SECONDS),
                    condition=DedupeItem.pk.does_not_exist())
            for pk, sk, deltas in changes:
                actions = [getattr(CounterItem, name).add(value) for name, value in deltas.items()]
                actions.append(CounterItem.updated_at.set(now_iso))
                tx.update(CounterItem(pk=pk, sk=sk), actions=actions)
        try:
            self._tx.run(build)
            return True
        except ConditionsFailed:
            return False

    def counters(self, pk: str) -> dict[str, dict]:
        """Sums the shards of every counter under pk: {name: {held, sold, revenue, updated_at}}."""
        totals: dict[str, dict] = {}
        for item in CounterItem.query(pk):
            name = item.sk.rsplit("#", 1)[0]
            entry = totals.setdefault(name, {"held": 0, "sold": 0, "revenue": 0, "updated_at": None})
            entry["held"] += int(item.held or 0)
            entry["sold"] += int(item.sold or 0)
            entry["revenue"] += int(item.revenue or 0)
            entry["updated_at"] = max(filter(None, [entry["updated_at"], item.updated_at]), default=None)
        return totals
