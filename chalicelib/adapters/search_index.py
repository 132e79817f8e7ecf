"""Reading the search rows of the catalog table (written at publish, see domain/search.py)."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import search as index
from .catalog_store import as_plain, event_from_doc
from .dynamo_models import CatalogItem


@dataclass(frozen=True)
class IndexRow:
    sk: str
    status: str | None
    doc: dict


@dataclass(frozen=True)
class Slice:
    rows: list[IndexRow]
    cut_at: str | None  # the last key read when more rows may follow, else None


class DynamoSearchIndex:
    """Reads index partitions of the catalog table; counts what it reads."""

    def __init__(self):
        self.items_read = 0

    @staticmethod
    def rows(tenant_id: str, month: str, sort_key: str, partitions: list[str], doc: dict) -> list:
        """The month registry row and one row per index partition, as publishing writes them."""
        rows = [CatalogItem(pk=index.MONTHS_KEY, sk=month, kind="search-month")]
        return rows + [CatalogItem(pk=pk, sk=sort_key, kind="search", tenant_id=tenant_id,
                                   status="published", doc=doc) for pk in partitions]

    def months(self, first: str, last: str, limit: int) -> list[str]:
        items = list(CatalogItem.query(index.MONTHS_KEY, CatalogItem.sk.between(first, last),
                                       limit=limit))
        self.items_read += len(items)
        return [i.sk for i in items]

    def read(self, pk: str, start: str, end: str, limit: int) -> Slice:
        items = list(CatalogItem.query(pk, CatalogItem.sk.between(start, end), limit=limit))
        self.items_read += len(items)
        rows = [IndexRow(i.sk, i.status, as_plain(i.doc)) for i in items]
        return Slice(rows, rows[-1].sk if len(rows) == limit else None)

    def events(self, event_ids: list[str]) -> dict:
        if not event_ids:
            return {}
        items = list(CatalogItem.batch_get([(f"EVENT#{e}", "EVENT") for e in event_ids]))
        self.items_read += len(items)
        return {e.event_id: e for e in (event_from_doc(as_plain(i.doc)) for i in items)}
