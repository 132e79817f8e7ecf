"""Public event search."""
from __future__ import annotations

from ..bootstrap import container
from ..domain.search import parse_search
from . import models, views
from .http import Routes, query
from .spec import Query, RouteDoc

PAGE = (Query("cursor", "From the previous page's next_cursor."),
        Query("limit", "1-100 (default 20).", {"type": "integer", "minimum": 1, "maximum": 100}))

search = Routes(__name__)


@search.route("/events", methods=["GET"], doc=RouteDoc(
    "Search events", "events", models.EventSearch, errors=("INVALID_CURSOR",),
    query=(Query("location", "lat,lng in degrees, e.g. 41.15,-8.61"),
           Query("radius_km", "Default 50, at most 500; needs location.", {"type": "number"}),
           Query("date_from", "RFC 3339 or YYYY-MM-DD (default: now)."),
           Query("date_to", "RFC 3339 or YYYY-MM-DD, inclusive."),
           Query("category", "A lowercase slug."),
           Query("q", "Words of the name, performer or description; all must match."),
           *PAGE)))
def search_events():
    params = query(search.current_request)
    page = container().search.find(parse_search(params), params.get("cursor") or None)
    return {"events": [views.event_summary(s) for s in page.items],
            "next_cursor": page.next_cursor}
