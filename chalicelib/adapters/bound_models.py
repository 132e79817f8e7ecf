"""PynamoDB models bound to a table chosen at run time, one class per table."""
from __future__ import annotations

import functools

from pynamodb.models import Model


@functools.lru_cache(maxsize=None)
def bound(model: type[Model], table: str, region: str, host: str | None) -> type[Model]:
    """A subclass of `model` for one table: PynamoDB caches table and connection on the class,
    so two tables (or two endpoints) must never share one."""
    meta = type("Meta", (), {"table_name": table, "region": region, "host": host})
    return type(model.__name__.lstrip("_"), (model,), {"Meta": meta})
