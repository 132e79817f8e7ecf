"""Signed tokens: customers' JWTs, tickets' QR codes and pagination cursors."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import jwt

from ..domain import errors
from ..domain.identity import Principal
from ..domain.queue import AdmissionClaims
from ..services.ports import TicketClaims
from .keys import KeyRing

TIME_CLAIMS = ("exp", "nbf", "iat")
CLOCK_SKEW_SECONDS = 60


def _check_times(claims: dict, now: float) -> None:
    """Time claims are checked against the injected clock, not PyJWT's wall clock, and must
    be numbers (PyJWT accepts a string `iat` when not verifying it)."""
    for name in TIME_CLAIMS:
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise errors.Unauthorized(f"The token's {name} claim must be a number.")
    if claims.get("exp") is None or claims["exp"] <= now:
        raise errors.Unauthorized("The token has expired.")
    if claims.get("nbf") is not None and claims["nbf"] > now + CLOCK_SKEW_SECONDS:
        raise errors.Unauthorized("The token is not valid yet.")
    if claims.get("iat") is not None and claims["iat"] > now + CLOCK_SKEW_SECONDS:
        raise errors.Unauthorized("The token was issued in the future.")


class LocalTokenIssuer:
    """Issues and verifies the local stage's tokens (EdDSA, key made at start-up)."""

    def __init__(self, keyring: KeyRing, issuer: str, audience: str, clock):
        self._key = keyring.token_key
        self._issuer, self._audience, self._clock = issuer, audience, clock
        self._closed: set[str] = set()

    def close(self, user_id: str) -> None:
        """The local stage's accounts: an erased user gets no new token (the Accounts port)."""
        self._closed.add(user_id)

    def issue(self, sub: str, email: str | None, roles: list[str], tenant_id: str | None,
              ttl_seconds: int = 12 * 3600) -> tuple[str, int]:
        if sub in self._closed:
            raise errors.Unauthorized("This account has been erased.")
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
            claims = jwt.decode(token, self._key.private.public_key(), algorithms=["EdDSA"],
                                audience=self._audience, issuer=self._issuer,
                                options={"require": ["exp", "sub", "iss", "aud"],
                                         "verify_exp": False, "verify_iat": False,
                                         "verify_nbf": False})
        except jwt.PyJWTError as e:
            raise errors.Unauthorized(f"Invalid token: {e}") from e
        _check_times(claims, self._clock.now().timestamp())
        return Principal.from_claims(claims)


class EdDsaTicketSigner:
    """QR codes are EdDSA JWTs a door app verifies offline with a published key."""

    def __init__(self, keyring: KeyRing):
        self._ring = keyring

    def sign(self, claims: TicketClaims) -> str:
        key = self._ring.active_ticket_key
        return jwt.encode({"tid": claims.ticket_id, "bid": claims.booking_id,
                           "eid": claims.event_id, "seat": claims.seat_id},
                          key.private, algorithm="EdDSA", headers={"kid": key.kid, "typ": "ticket"})

    def verify(self, code) -> TicketClaims:
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
        return TicketClaims(claims["tid"], claims["bid"], claims["eid"], claims["seat"])

    def public_keys(self) -> list[dict]:
        return [{"kid": k.kid, "alg": "EdDSA", "crv": "Ed25519", "public_key": k.public_key_b64,
                 "public_key_pem": k.public_pem()} for k in self._ring.ticket_keys]


B64URL = re.compile(r"[A-Za-z0-9_-]+")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Only the exact unpadded URL-safe text `_b64` writes: base64 decoders skip stray
    characters and padding, which would let an altered cursor pass as the original."""
    if not B64URL.fullmatch(text):
        raise ValueError("not unpadded URL-safe base64")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64")
    return data


class HmacCursorCodec:
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
            _unb64(mac)
            if not hmac.compare_digest(mac, self._mac(payload, scope)):
                raise ValueError("bad signature")
            position = json.loads(payload)
            if not isinstance(position, dict):
                raise ValueError("not an object")
            return position
        except (ValueError, AttributeError, TypeError) as e:
            raise errors.InvalidCursor() from e


class HmacAdmissionSigner:
    """Admission tokens: HMAC-SHA256 over (queue entry, event, user, expiry), verified in the
    Lambda on the hold path with no read. Older seeds still verify after a rotation."""

    MAX_LENGTH = 1024

    def __init__(self, keyring: KeyRing):
        self._secrets = keyring.admission_secrets

    @staticmethod
    def _mac(secret: bytes, payload: bytes) -> str:
        return _b64(hmac.new(secret, b"admission|" + payload, hashlib.sha256).digest())

    def sign(self, claims: AdmissionClaims) -> str:
        payload = json.dumps({"q": claims.queue_id, "e": claims.event_id, "u": claims.user_id,
                              "x": claims.expires_at}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{self._mac(self._secrets[0], payload)}"

    def verify(self, token) -> AdmissionClaims | None:
        if not isinstance(token, str) or not 0 < len(token) <= self.MAX_LENGTH:
            return None
        try:
            body, mac = token.split(".")
            payload = _unb64(body)
            _unb64(mac)
            if not any(hmac.compare_digest(mac, self._mac(s, payload)) for s in self._secrets):
                return None
            data = json.loads(payload)
            claims = AdmissionClaims(data["q"], data["e"], data["u"], data["x"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        typed = all(isinstance(v, str) for v in (claims.queue_id, claims.event_id, claims.user_id))
        return claims if typed and type(claims.expires_at) is int else None


class HmacPseudonyms:
    """Keyed hashes of a user id: the erasure marker that finds it, and the pseudonym that
    replaces it. Neither can be turned back into the id without the stage's secret."""

    def __init__(self, keyring: KeyRing):
        self._secret = keyring.pseudonym_secret

    def _hash(self, purpose: str, user_id: str) -> str:
        return hmac.new(self._secret, f"{purpose}\x1f{user_id}".encode(),
                        hashlib.sha256).hexdigest()

    def marker(self, user_id: str) -> str:
        return self._hash("marker", user_id)[:40]

    def pseudonym(self, user_id: str) -> str:
        return "anon_" + self._hash("pseudonym", user_id)[:24]
