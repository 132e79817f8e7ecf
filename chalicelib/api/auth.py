"""The built-in JWT authorizer: verifies the token and hands the claims to routes."""
from __future__ import annotations

from chalice import AuthResponse, Blueprint

from ..bootstrap import container
from ..domain import errors

auth = Blueprint(__name__)


class Unauthorized(Exception):
    """API Gateway answers 401 when a Lambda authorizer fails with exactly 'Unauthorized'."""

    def __init__(self):
        super().__init__("Unauthorized")


# Allow every route with no cache (STACK.md trap 15): roles are checked in the routes, and an
# expired token stops working at once.
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
    return AuthResponse(routes=["*"], principal_id=principal.sub, context=principal.to_context())
