"""Bounded list reads: a page costs at most MAX_READS queries however many items a filter
drops, and ends early with a position to go on from (the contract allows short pages)."""
from __future__ import annotations

MAX_READS = 3
FILTERED_PAGE = 50


def bounded_query(model, index, hash_key: str, after: str | None, limit: int,
                  filter_condition=None, max_reads: int = MAX_READS):
    """Newest first on an index sorted by `gsi1sk`; returns (models, gsi1sk to go on after
    or None). `after` is exclusive, so resuming never repeats or skips an item."""
    sort = getattr(model, "gsi1sk")
    condition = sort < after if after else None
    collected, start = [], None
    for _ in range(max_reads):
        wanted = limit - len(collected)
        page_size = min(100, max(2 * wanted, FILTERED_PAGE)) if filter_condition is not None else wanted
        result = index.query(hash_key, condition, filter_condition=filter_condition,
                             scan_index_forward=False, page_size=page_size,
                             last_evaluated_key=start)
        page = next(result.page_iter)
        start = page.get("LastEvaluatedKey")
        for raw in page.get("Items", []):
            if len(collected) == limit:
                return collected, collected[-1].gsi1sk  # more matches follow this one
            collected.append(model.from_raw_data(raw))
        if start is None:
            return collected, None
        if len(collected) == limit:
            break
    return collected, start["gsi1sk"]["S"]
