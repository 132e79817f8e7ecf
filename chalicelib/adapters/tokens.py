"""Signed tokens: customers' JWTs, tickets' QR codes and pagination cursors."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

import jwt

from ..domain import errors
from .keys import KeyRing


@dataclass(frozen=True)
class Principal:
    sub: str
    email: str | None
    roles: tuple[str, ...]
    tenant_id: str | None

    @property
    def is_organizer(self) -> bool:
        return "organizer" in self.roles and bool(self.tenant_id)

    def to_context(self) -> dict:
        """API Gateway authorizer context values must be strings."""
        return {"sub": self.sub, "email": self.email or "", "roles": json.dumps(list(self.roles)),
                "tenant_id": self.tenant_id or ""}

    @classmethod
    def from_context(cls, context: dict) -> "Principal":
        return cls(context["sub"], context.get("email") or None,
                   tuple(json.loads(context.get("roles") or "[]")), context.get("tenant_id") or None)

    @classmethod
    def from_claims(cls, claims: dict) -> "Principal":
        roles = claims.get("roles") or []
        if isinstance(roles, str):
            roles = [r for r in roles.replace(",", " ").split() if r]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise errors.Unauthorized("The token's roles claim is malformed.")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise errors.Unauthorized("The token has no subject.")
        return cls(sub, claims.get("email"), tuple(roles), claims.get("tenant_id"))


class LocalTokenIssuer:
    """Issues and verifies the local stage's tokens (EdDSA, key made at start-up)."""

    def __init__(self, keyring: KeyRing, issuer: str, audience: str, clock):
        self._key = keyring.token_key
        self._issuer, self._audience, self._clock = issuer, audience, clock

    def issue(self, sub: str, email: str | None, roles: list[str], tenant_id: str | None,
              ttl_seconds: int = 12 * 3600) -> tuple[str, int]:
        now = int(self._clock.now().timestamp())
        claims = {"sub": sub, "roles": roles, "iss": self._issuer, "aud": self._audience,
                  "iat": now, "exp": now + ttl_seconds}
        if email:
            claims["email"] = email
        if tenant_id:
            claims["tenant_id"] = tenant_id
        token = jwt.encode(claims, self._key.private, algorithm="EdDSA",
                           headers={"kid": self._key.kid})
        return token, now + ttl_seconds

    def verify(self, token: str) -> Principal:
        try:
            # Time claims are checked against the injected clock, not PyJWT's wall clock.
            claims = jwt.decode(token, self._key.private.public_key(), algorithms=["EdDSA"],
                                audience=self._audience, issuer=self._issuer,
                                options={"require": ["exp", "sub", "iss", "aud"],
                                         "verify_exp": False, "verify_iat": False,
                                         "verify_nbf": False})
        except jwt.PyJWTError as e:
            raise errors.Unauthorized(f"Invalid token: {e}") from e
        now = self._clock.now().timestamp()
        if not isinstance(claims["exp"], (int, float)) or claims["exp"] <= now:
            raise errors.Unauthorized("The token has expired.")
        if isinstance(claims.get("nbf"), (int, float)) and claims["nbf"] > now + 60:
            raise errors.Unauthorized("The token is not valid yet.")
        return Principal.from_claims(claims)


class CognitoTokenVerifier:
    """Verifies Cognito tokens against the user pool's JWKS (deployed stages)."""

    def __init__(self, region: str, user_pool_id: str, client_id: str, jwks_client=None):
        self._issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self._client_id = client_id
        self._jwks = jwks_client or jwt.PyJWKClient(f"{self._issuer}/.well-known/jwks.json",
                                                    cache_keys=True)

    def verify(self, token: str) -> Principal:
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key
            claims = jwt.decode(token, key, algorithms=["RS256"], issuer=self._issuer,
                                options={"require": ["exp", "sub", "iss"], "verify_aud": False})
        except jwt.PyJWTError as e:
            raise errors.Unauthorized(f"Invalid token: {e}") from e
        # Access tokens carry client_id, ID tokens aud (STACK.md trap 16).
        audience = claims.get("client_id") if claims.get("token_use") == "access" else claims.get("aud")
        if audience != self._client_id:
            raise errors.Unauthorized("The token was issued for another client.")
        return Principal.from_claims(claims)


class TicketSigner:
    """QR codes are EdDSA JWTs a door app verifies offline with a published key."""

    def __init__(self, keyring: KeyRing):
        self._ring = keyring

    def sign(self, ticket_id: str, booking_id: str, event_id: str, seat_id: str) -> str:
        key = self._ring.active_ticket_key
        return jwt.encode({"tid": ticket_id, "bid": booking_id, "eid": event_id, "seat": seat_id},
                          key.private, algorithm="EdDSA", headers={"kid": key.kid, "typ": "ticket"})

    def verify(self, code) -> dict:
        if not isinstance(code, str) or len(code) > 2048:
            raise errors.InvalidTicket()
        try:
            kid = jwt.get_unverified_header(code).get("kid")
            key = next(k for k in self._ring.ticket_keys if k.kid == kid)
            claims = jwt.decode(code, key.private.public_key(), algorithms=["EdDSA"])
        except (jwt.PyJWTError, StopIteration) as e:
            raise errors.InvalidTicket() from e
        if not all(isinstance(claims.get(k), str) for k in ("tid", "bid", "eid", "seat")):
            raise errors.InvalidTicket()
        return claims

    def public_keys(self) -> list[dict]:
        return [{"kid": k.kid, "alg": "EdDSA", "crv": "Ed25519", "public_key": k.public_key_b64,
                 "public_key_pem": k.public_pem()} for k in self._ring.ticket_keys]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Opaque, tamper-proof cursors bound to the caller and the query that issued them."""

    def __init__(self, keyring: KeyRing):
        self._secret = keyring.cursor_secret

    def _mac(self, payload: bytes, scope: str) -> str:
        return _b64(hmac.new(self._secret, payload + b"|" + scope.encode(), hashlib.sha256).digest()[:18])

    def encode(self, position: dict, scope: str) -> str:
        payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(payload)}.{self._mac(payload, scope)}"

    def decode(self, cursor, scope: str) -> dict:
        try:
            body, mac = cursor.split(".")
            payload = _unb64(body)
            if not hmac.compare_digest(mac, self._mac(payload, scope)):
                raise ValueError("bad signature")
            position = json.loads(payload)
            if not isinstance(position, dict):
                raise ValueError("not an object")
            return position
        except (ValueError, AttributeError, TypeError) as e:
            raise errors.InvalidCursor() from e
