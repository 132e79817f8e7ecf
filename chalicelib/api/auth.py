"""Who is calling. Locally, a built-in authorizer checks the stage's dev tokens; the claims
reach routes in the authorizer context, and roles are checked in the routes."""
from __future__ import annotations

import json

from chalice import AuthResponse, Blueprint

from ..bootstrap import container
from ..domain import errors
from ..domain.identity import Principal

auth = Blueprint(__name__)


class Unauthorized(Exception):
    """API Gateway answers 401 when a Lambda authorizer fails with exactly 'Unauthorized'."""

    def __init__(self):
        super().__init__("Unauthorized")


def to_context(principal: Principal) -> dict:
    """API Gateway authorizer context values must be strings."""
    return {"sub": principal.sub, "email": principal.email or "",
            "roles": json.dumps(list(principal.roles)), "tenant_id": principal.tenant_id or ""}


def principal_of(context: dict) -> Principal:
    if not context.get("sub"):
        raise errors.Unauthorized()
    return Principal(context["sub"], context.get("email") or None,
                     tuple(json.loads(context.get("roles") or "[]")),
                     context.get("tenant_id") or None)


# Allow every route with no cache: roles are checked in the routes, and an expired token
# stops working at once.
@auth.authorizer(ttl_seconds=0)
def jwt_auth(auth_request):
    token = auth_request.token or ""
    scheme, _, value = token.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized()
    try:
        principal = container().token_verifier.verify(value.strip())
    except errors.Unauthorized:
        raise Unauthorized() from None
    return AuthResponse(routes=["*"], principal_id=principal.sub, context=to_context(principal))
