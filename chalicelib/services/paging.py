"""Cursor pagination over the signed cursor codec."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import errors


@dataclass
class Page:
    items: list
    next_cursor: str | None


class Paging:
    def __init__(self, codec):
        self._codec = codec

    def encode(self, position: dict, scope: str) -> str:
        return self._codec.encode(position, scope)

    def decode(self, cursor: str, scope: str) -> dict:
        if not isinstance(cursor, str) or not cursor or len(cursor) > 2048:
            raise errors.InvalidCursor()
        return self._codec.decode(cursor, scope)

    def page(self, scope: str, cursor: str | None, read) -> Page:
        """One page of a list: read(after) -> Slice, `after` coming from the signed cursor."""
        after = self.decode(cursor, scope).get("after") if cursor else None
        found = read(after)
        return Page(found.items, self.encode({"after": found.after}, scope) if found.after else None)
