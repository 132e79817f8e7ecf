"""Public event search."""
from __future__ import annotations

from ..bootstrap import container
from ..domain.search import parse_search
from . import views
from .http import Routes, query

search = Routes(__name__)


@search.route("/events", methods=["GET"])
def search_events():
    params = query(search.current_request)
    page = container().search.find(parse_search(params), params.get("cursor") or None)
    return {"events": [views.event_summary(s) for s in page.items],
            "next_cursor": page.next_cursor}
