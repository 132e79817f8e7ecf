"""Key material: one secret seed per stage, from which every signing key is derived."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(seed: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=purpose.encode()).derive(seed)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    @classmethod
    def from_seed(cls, seed: bytes) -> "SigningKey":
        private = Ed25519PrivateKey.from_private_bytes(seed)
        raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)
        return cls(hashlib.sha256(raw).hexdigest()[:16], private)

    @property
    def public_key_b64(self) -> str:
        raw = self.private.public_key().public_bytes(serialization.Encoding.Raw,
                                                     serialization.PublicFormat.Raw)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def public_pem(self) -> str:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class KeyRing:
    """Derives the ticket, local-token, cursor and admission keys; older seeds still verify
    tickets and admissions."""

    def __init__(self, seeds: list[bytes]):
        if not seeds:
            raise ValueError("a key ring needs at least one seed")
        self.ticket_keys = [SigningKey.from_seed(_derive(s, "tickets")) for s in seeds]
        self.token_key = SigningKey.from_seed(_derive(seeds[0], "local-tokens"))
        self.cursor_secret = _derive(seeds[0], "cursors")
        self.admission_secrets = [_derive(s, "admission") for s in seeds]
        # From the oldest seed: an erased user's marker and pseudonym must outlive rotations.
        self.pseudonym_secret = _derive(seeds[-1], "pseudonyms")

    @property
    def active_ticket_key(self) -> SigningKey:
        return self.ticket_keys[0]

    @classmethod
    def generate(cls) -> "KeyRing":
        """A fresh ring for the local stage: nothing secret is ever stored in the repo."""
        return cls([secrets.token_bytes(32)])

    @classmethod
    def from_parameter(cls, value: str) -> "KeyRing":
        """A JSON list of base64 seeds, the active one first (rotation keeps the old ones)."""
        seeds = json.loads(value)
        return cls([base64.b64decode(s) for s in seeds])


def load_keyring(settings) -> KeyRing:
    """The local stage makes a fresh ring at start-up; deployed stages read their seeds from
    an SSM SecureString (never from the repo or config.json)."""
    if settings.is_local:
        return KeyRing.generate()
    from .secrets import secret_parameter
    return KeyRing.from_parameter(secret_parameter(settings.region, settings.signing_key_parameter))
