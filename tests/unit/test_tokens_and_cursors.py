"""Signed things the API hands out or accepts: customer tokens and list cursors."""
import datetime as dt

import jwt
import pytest

from chalicelib.adapters.keys import KeyRing
from chalicelib.adapters.tokens import HmacCursorCodec, LocalTokenIssuer
from chalicelib.domain import errors
from chalicelib.domain.clock import UTC, FixedClock
from chalicelib.domain.identity import Principal

RING = KeyRing.generate()
CLOCK = FixedClock(dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
ISSUER = LocalTokenIssuer(RING, "boxoffice-local", "boxoffice", CLOCK)
NOW = int(CLOCK.now().timestamp())


def signed(**claims) -> str:
    base = {"sub": "u1", "roles": ["customer"], "iss": "boxoffice-local", "aud": "boxoffice",
            "iat": NOW, "exp": NOW + 600}
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not ...}, RING.token_key.private,
                      algorithm="EdDSA", headers={"kid": RING.token_key.kid})


def test_a_well_formed_token_gives_its_principal():
    token, _ = ISSUER.issue("u1", "a@example.com", ["organizer"], "t1")
    assert ISSUER.verify(token) == Principal("u1", "a@example.com", ("organizer",), "t1")


@pytest.mark.parametrize("claims", [
    {"sub": ""}, {"sub": "   "}, {"sub": 7}, {"sub": ["u1"]},
    {"roles": "organizer"}, {"roles": [1]}, {"roles": ["organizer", None]}, {"roles": {"a": 1}},
    {"tenant_id": ["t1"]}, {"tenant_id": 5}, {"email": {"x": 1}},
    {"iat": "yesterday"}, {"nbf": "soon"}, {"nbf": True}, {"exp": "later"},
    {"nbf": NOW + 3600}, {"iat": NOW + 3600}, {"exp": NOW - 1},
])
def test_claims_of_the_wrong_type_or_time_are_refused(claims):
    with pytest.raises(errors.Unauthorized):
        ISSUER.verify(signed(**claims))


def test_a_token_signed_by_another_key_or_with_alg_none_is_refused():
    other = KeyRing.generate()
    forged = jwt.encode({"sub": "u1", "iss": "boxoffice-local", "aud": "boxoffice",
                         "exp": NOW + 60}, other.token_key.private, algorithm="EdDSA")
    unsigned = jwt.encode({"sub": "u1", "iss": "boxoffice-local", "aud": "boxoffice",
                           "exp": NOW + 60}, None, algorithm="none")
    for token in (forged, unsigned):
        with pytest.raises(errors.Unauthorized):
            ISSUER.verify(token)


CODEC = HmacCursorCodec(RING)


def test_a_cursor_decodes_only_for_its_own_scope():
    cursor = CODEC.encode({"after": "2026-11-01T00:00:00Z#b1"}, "bookings:u1:")
    assert CODEC.decode(cursor, "bookings:u1:") == {"after": "2026-11-01T00:00:00Z#b1"}
    for scope in ("bookings:u2:", "bookings:u1:confirmed"):
        with pytest.raises(errors.InvalidCursor):
            CODEC.decode(cursor, scope)


def alterations(cursor: str):
    body, mac = cursor.split(".")
    yield cursor + "!"
    yield cursor[:3] + "*" + cursor[3:]
    yield cursor + "\n"
    yield "\n" + cursor
    yield cursor + "="
    yield f"{body}==.{mac}"
    yield f"{body}.{mac}="
    yield cursor.replace("-", "+").replace("_", "/") if ("-" in cursor or "_" in cursor) else cursor + "+"
    yield f"{body} .{mac}"
    yield cursor.upper() if cursor.upper() != cursor else cursor.lower()
    yield cursor[:-1]
    yield cursor + "A"


def test_any_cursor_that_is_not_byte_for_byte_the_issued_one_is_refused():
    # a payload whose base64 holds - and _ so the standard alphabet differs
    cursor = CODEC.encode({"after": "\xff\xfe>>??~~" * 3}, "s")
    assert "-" in cursor or "_" in cursor
    for altered in alterations(cursor):
        assert altered != cursor
        with pytest.raises(errors.InvalidCursor):
            CODEC.decode(altered, "s")
