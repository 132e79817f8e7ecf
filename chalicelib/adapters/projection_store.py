"""Counters fed by domain events, each event counted once (dedupe record in the same
transaction), sharded so no single item takes every update (STACK.md trap 11)."""
from __future__ import annotations

from .dynamo_models import CounterItem, DedupeItem
from .transactions import ConditionsFailed

DEDUPE_TTL_SECONDS = 30 * 24 * 3600


class DynamoProjectionStore:
    def __init__(self, transactions):
        self._tx = transactions

    def apply_once(self, event_key: str, changes: list[tuple[str, str, dict]], now_iso: str,
                   now_epoch: int) -> bool:
        """changes: (pk, sk, {attribute: delta}); False when the event was counted before."""
        def build(tx):
            tx.save(DedupeItem(pk=f"DEDUPE#{event_key}", sk="DEDUPE",
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
