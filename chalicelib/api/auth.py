"""Who is calling. On deployed stages API Gateway's own Cognito authorizer verifies ID tokens
(no Lambda runs per request); locally a built-in authorizer checks the stage's dev tokens.
Either way the claims reach routes in the request context, and roles are checked there."""
from __future__ import annotations

import json
import os

from chalice import AuthResponse, Blueprint, CognitoUserPoolAuthorizer

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
    if "claims" in context:  # API Gateway's Cognito authorizer: the ID token's claims
        return Principal.from_claims(cognito_context_claims(context["claims"]))
    if not context.get("sub"):
        raise errors.Unauthorized()
    return Principal(context["sub"], context.get("email") or None,
                     tuple(json.loads(context.get("roles") or "[]")),
                     context.get("tenant_id") or None)


def cognito_context_claims(claims: dict) -> dict:
    """A REST API hands claims over as strings: `cognito:groups` arrives as "a,b" or "[a b]"."""
    groups = claims.get("cognito:groups") or ""
    if isinstance(groups, str):
        groups = [g for g in groups.strip("[]").replace(",", " ").split() if g]
    return {"sub": claims.get("sub"), "email": claims.get("email") or None, "roles": groups,
            "tenant_id": claims.get("custom:tenant_id") or None}


def dev_token_auth(auth_request):
    token = auth_request.token or ""
    scheme, _, value = token.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized()
    try:
        principal = container().token_verifier.verify(value.strip())
    except errors.Unauthorized:
        raise Unauthorized() from None
    return AuthResponse(routes=["*"], principal_id=principal.sub, context=to_context(principal))


# Deployed stages (the user pool's ARN is set when the app is packaged) verify Cognito ID
# tokens at API Gateway; the local stage, and chalice's own tools, use the dev tokens.
USER_POOL_ARN = os.environ.get("COGNITO_USER_POOL_ARN", "")
if USER_POOL_ARN and os.environ.get("BOXOFFICE_STAGE", "local") != "local":
    jwt_auth = CognitoUserPoolAuthorizer("cognito", provider_arns=[USER_POOL_ARN])
else:
    # Every route allowed, no cache: roles are checked in the routes, and an expired token
    # stops working at once.
    jwt_auth = auth.authorizer(ttl_seconds=0, name="jwt_auth")(dev_token_auth)
