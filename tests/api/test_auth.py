"""Auth: tokens are verified (signature, expiry, issuer, audience) before any route runs."""
import base64
import datetime as dt
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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


def test_claims_from_api_gateways_cognito_authorizer_become_the_principal():
    """Deployed stages: API Gateway verified the ID token and hands its claims over as
    strings (groups as "[a b]" or "a,b")."""
    from chalicelib.api.auth import principal_of
    for groups in ("[organizer other]", "organizer,other", ["organizer", "other"]):
        principal = principal_of({"claims": {"sub": "u1", "email": "a@example.org",
                                             "cognito:groups": groups,
                                             "custom:tenant_id": "t1"}})
        assert principal.sub == "u1" and principal.is_organizer
        assert principal.roles == ("organizer", "other") and principal.tenant_id == "t1"
    customer = principal_of({"claims": {"sub": "u2"}})
    assert customer.roles == () and not customer.is_organizer
    with pytest.raises(errors.Unauthorized):
        principal_of({"claims": {"email": "no-subject@example.org"}})
