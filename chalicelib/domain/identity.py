"""Who is calling: the claims the API uses, whatever signed them."""
from __future__ import annotations

from dataclasses import dataclass

from . import errors

ORGANIZER_ROLE = "organizer"


@dataclass(frozen=True)
class Principal:
    sub: str
    email: str | None
    roles: tuple[str, ...]
    tenant_id: str | None

    @property
    def is_organizer(self) -> bool:
        return ORGANIZER_ROLE in self.roles and bool(self.tenant_id)

    @classmethod
    def from_claims(cls, claims: dict) -> "Principal":
        """Refuses claims of the wrong type, so a token can never smuggle in a list as a tenant."""
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.strip():
            raise errors.Unauthorized("The token has no subject.")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) and r for r in roles):
            raise errors.Unauthorized("The token's roles claim must be a list of strings.")
        for name in ("tenant_id", "email"):
            if claims.get(name) is not None and not isinstance(claims[name], str):
                raise errors.Unauthorized(f"The token's {name} claim must be a string.")
        return cls(sub, claims.get("email") or None, tuple(roles), claims.get("tenant_id") or None)
