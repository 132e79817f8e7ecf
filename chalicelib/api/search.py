"""Public event search."""
from __future__ import annotations

from ..bootstrap import container
from ..domain.search import parse_search
from .http import Routes, query

search = Routes(__name__)


@search.route("/events", methods=["GET"])
def search_events():
    params = query(search.current_request)
    page = container().search.find(parse_search(params), params.get("cursor") or None)
    return {"events": page.items, "next_cursor": page.next_cursor}
