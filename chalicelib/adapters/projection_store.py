"""Counters fed by domain events, each event counted once (dedupe record in the same
transaction), sharded so no single item takes every update (a hot key caps throughput)."""
from __future__ import annotations

import datetime as dt
import hashlib

from ..domain.clock import epoch, to_rfc3339
from ..services.ports import Counters, SectionCounts, TierSales
from .dynamo_models import CounterItem, DedupeItem
from .transactions import ConditionsFailed

DEDUPE_TTL_SECONDS = 30 * 24 * 3600
PART_SIZE = 99  # counter updates per transaction, beside the dedupe record
SHARDS = 4


def availability_pk(show_id: str) -> str:
    return f"AVAIL#{show_id}"


def sales_pk(show_id: str) -> str:
    return f"SALES#{show_id}"


class DynamoProjections:
    def __init__(self, transactions):
        self._tx = transactions

    def apply_once(self, event_id: str, sections: dict[str, SectionCounts],
                   tiers: dict[str, TierSales], show_id: str, now: dt.datetime) -> bool:
        """Past one transaction's 100 actions (a 50-seat booking may touch 50 sections and 50
        tiers) the changes go in parts, each counted once under its own dedupe record, so a
        redelivery after a crash between parts finishes the rest."""
        shard = int(hashlib.sha256(event_id.encode()).hexdigest(), 16) % SHARDS
        changes = [(availability_pk(show_id), f"{name}#{shard}",
                    {k: v for k, v in (("held", c.held), ("sold", c.sold)) if v})
                   for name, c in sections.items()]
        changes += [(sales_pk(show_id), f"{tier}#{shard}", {"sold": t.sold, "revenue": t.revenue})
                    for tier, t in tiers.items()]
        changes = sorted((c for c in changes if c[2]), key=lambda c: (c[0], c[1]))
        parts = [changes[i:i + PART_SIZE] for i in range(0, len(changes), PART_SIZE)] or [[]]
        applied = [self._apply_part(event_id if n == 0 else f"{event_id}#{n}", part, now)
                   for n, part in enumerate(parts)]
        return any(applied)

    def _apply_part(self, dedupe_key: str, changes, now: dt.datetime) -> bool:
        def build(tx):
            tx.save(DedupeItem(pk=f"DEDUPE#{dedupe_key}", sk="DEDUPE",
                               ttl=epoch(now) + DEDUPE_TTL_SECONDS),
                    condition=DedupeItem.pk.does_not_exist())
            for pk, sk, deltas in changes:
                actions = [getattr(CounterItem, name).add(value) for name, value in deltas.items()]
                actions.append(CounterItem.updated_at.set(to_rfc3339(now)))
                tx.update(CounterItem(pk=pk, sk=sk), actions=actions)
        try:
            self._tx.run(build)
            return True
        except ConditionsFailed:
            return False

    def _shards_of(self, pk: str) -> dict[str, list]:
        """Every counter under pk with its shards summed: name -> [held, sold, revenue, at]."""
        totals: dict[str, list] = {}
        for item in CounterItem.query(pk):
            entry = totals.setdefault(item.sk.rsplit("#", 1)[0], [0, 0, 0, None])
            entry[0] += int(item.held or 0)
            entry[1] += int(item.sold or 0)
            entry[2] += int(item.revenue or 0)
            entry[3] = max(filter(None, [entry[3], item.updated_at]), default=None)
        return totals

    def availability(self, show_id: str) -> dict[str, SectionCounts]:
        return {name: SectionCounts(held, sold)
                for name, (held, sold, _, _) in self._shards_of(availability_pk(show_id)).items()}

    def counters(self, show_id: str) -> Counters:
        sections = self._shards_of(availability_pk(show_id))
        tiers = self._shards_of(sales_pk(show_id))
        stamps = [v[3] for v in (*sections.values(), *tiers.values()) if v[3]]
        return Counters({n: SectionCounts(v[0], v[1]) for n, v in sections.items()},
                        {n: TierSales(v[1], v[2]) for n, v in tiers.items()},
                        max(stamps) if stamps else None)
