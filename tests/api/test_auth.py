"""Auth: tokens are verified (signature, expiry, issuer, audience) before any route runs."""
import base64
import datetime as dt
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chalicelib.adapters.tokens import CognitoTokenVerifier
from chalicelib.domain import errors

PROTECTED = "/users/me/holds"


def claims(stack, **over):
    now = int(stack.container.clock.now().timestamp())
    base = {"sub": "someone", "roles": ["customer"], "iss": "boxoffice-local", "aud": "boxoffice",
            "iat": now, "exp": now + 600}
    base.update(over)
    return base


def own_key_token(stack, **over):
    key = stack.container.keyring.token_key
    return jwt.encode(claims(stack, **over), key.private, algorithm="EdDSA")


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert response.headers["x-request-id"]


@pytest.fixture(params=["http", "gateway"])
def client(request):
    return request.getfixturevalue(request.param)


def test_a_dev_token_opens_customer_routes(client, http):
    token = http.request("POST", "/dev/token", {"sub": "ana"}).json()["token"]
    assert client.request("GET", PROTECTED, token=token).status_code == 200


def test_a_missing_token_is_401(client):
    assert_unauthorized(client.request("GET", PROTECTED))


def test_a_malformed_header_is_401(client):
    assert_unauthorized(client.request("GET", PROTECTED, headers={"Authorization": "Basic abc"}))
    assert_unauthorized(client.request("GET", PROTECTED, token="not.a.jwt"))


def test_an_expired_token_is_401(client, stack):
    now = int(stack.container.clock.now().timestamp())
    assert_unauthorized(client.request("GET", PROTECTED,
                                       token=own_key_token(stack, iat=now - 100, exp=now - 1)))


def test_a_token_signed_with_another_key_is_401(client, stack):
    forged = jwt.encode(claims(stack), Ed25519PrivateKey.generate(), algorithm="EdDSA")
    assert_unauthorized(client.request("GET", PROTECTED, token=forged))


def test_an_unsigned_alg_none_token_is_401(client, stack):
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(claims(stack)).encode()).rstrip(b"=")
    assert_unauthorized(client.request("GET", PROTECTED, token=f"{header.decode()}.{payload.decode()}."))


def test_wrong_issuer_or_audience_is_401(client, stack):
    assert_unauthorized(client.request("GET", PROTECTED, token=own_key_token(stack, iss="evil")))
    assert_unauthorized(client.request("GET", PROTECTED, token=own_key_token(stack, aud="other")))


def test_a_customer_on_organizer_routes_is_403(client, world):
    response = client.request("GET", "/organizer/venues", token=world.customer())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


def test_dev_token_validates_its_body(http):
    response = http.request("POST", "/dev/token", {"sub": ""})
    assert response.status_code == 400
    assert "sub" in response.json()["error"]["details"]["fields"]


class FakeJwks:
    def __init__(self, key):
        self.key = key

    def get_signing_key_from_jwt(self, token):
        return type("SigningKey", (), {"key": self.key})()


def cognito_token(private, **over):
    now = int(dt.datetime.now(dt.timezone.utc).timestamp())
    body = {"sub": "u1", "iss": "https://cognito-idp.eu-west-1.amazonaws.com/pool1",
            "token_use": "access", "client_id": "client1", "exp": now + 60,
            "roles": ["organizer"], "tenant_id": "t1"}
    body.update(over)
    return jwt.encode(body, private, algorithm="RS256")


def test_cognito_tokens_are_checked_against_the_pool_and_client():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = CognitoTokenVerifier("eu-west-1", "pool1", "client1", FakeJwks(private.public_key()))
    principal = verifier.verify(cognito_token(private))
    assert principal.sub == "u1" and principal.is_organizer
    for bad in (cognito_token(private, client_id="other"),
                cognito_token(private, iss="https://cognito-idp.eu-west-1.amazonaws.com/other"),
                cognito_token(private, exp=1),
                cognito_token(rsa.generate_private_key(public_exponent=65537, key_size=2048))):
        with pytest.raises(errors.Unauthorized):
            verifier.verify(bad)
