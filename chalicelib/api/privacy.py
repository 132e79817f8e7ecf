"""The customer's own data: export it, erase it (docs/privacy.md)."""
from __future__ import annotations

from ..bootstrap import container
from ..domain import errors
from . import models, views
from .auth import jwt_auth
from .http import Routes, caller, json_response, query
from .spec import Query, RouteDoc

privacy = Routes(__name__)


@privacy.route("/users/me/export", methods=["GET"], authorizer=jwt_auth, doc=RouteDoc(
    "Everything kept about me", "privacy", models.Export, role="customer",
    description="Holds, bookings with their tickets and payment attempts, check-ins and "
                "waiting-room entries: every place docs/privacy.md lists."))
def export_me():
    return views.export(container().privacy.export(caller(privacy.current_request)))


@privacy.route("/users/me", methods=["DELETE"], authorizer=jwt_auth, doc=RouteDoc(
    "Erase me", "privacy", models.ErasureAccepted, status=202, role="customer",
    query=(Query("cancel_upcoming", "true: cancel and refund upcoming confirmed bookings first",
                 {"type": "string", "enum": ["true", "false"]}),),
    errors=("ERASURE_BLOCKED", "CANCELLATION_CLOSED", "CONFLICT"),
    description="Personal data is replaced by a pseudonym within a minute; bookings stay as "
                "accounting records under it. The token stops working at once."))
def erase_me():
    request = privacy.current_request
    flag = query(request).get("cancel_upcoming", "false")
    if flag not in ("true", "false"):
        raise errors.ValidationFailed({"cancel_upcoming": "true or false"})
    container().privacy.erase(caller(request), cancel_upcoming=flag == "true")
    return json_response({"status": "erasing"}, 202)
