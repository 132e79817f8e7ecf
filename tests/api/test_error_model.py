"""Every error uses the contract's envelope; no input gets a 5xx."""
import pytest

from support import uid


@pytest.fixture(params=["http", "gateway"])
def client(request):
    return request.getfixturevalue(request.param)


def error_of(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and isinstance(body["error"]["details"], dict)
    return body["error"]


def test_health_answers_ok_with_a_request_id(client):
    response = client.request("GET", "/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


def test_the_clients_request_id_is_echoed(client):
    assert client.request("GET", "/health", headers={"X-Request-Id": "abc-123"}).headers[
        "x-request-id"] == "abc-123"


def test_an_unknown_route_is_a_404_route_envelope(client, world):
    error = error_of(client.request("GET", "/no/such/thing"), 404, "NOT_FOUND")
    assert error["details"] == {"resource": "route"}
    error_of(client.request("GET", "/no/such/thing", token=world.customer()), 404, "NOT_FOUND")


def test_a_wrong_method_is_a_missing_route_as_on_api_gateway(client):
    error = error_of(client.request("PUT", "/health"), 404, "NOT_FOUND")
    assert error["details"] == {"resource": "route"}


def test_malformed_json_is_a_validation_error(client, world):
    error = error_of(client.request("POST", "/bookings/hold", data="{not json",
                                    headers={"Content-Type": "application/json"},
                                    token=world.customer()), 400, "VALIDATION_ERROR")
    assert "body" in error["details"]["fields"]


def test_a_non_json_content_type_is_415(client, world):
    error_of(client.request("POST", "/bookings/hold", data="a=b",
                            headers={"Content-Type": "application/x-www-form-urlencoded"},
                            token=world.customer()), 415, "UNSUPPORTED_MEDIA_TYPE")


def test_a_body_over_64_kb_is_413(client, world):
    error_of(client.request("POST", "/bookings/hold", {"event_id": "x" * 70_000, "seat_ids": []},
                            token=world.customer()), 413, "PAYLOAD_TOO_LARGE")


def test_cors_headers_are_on_every_answer(client):
    for response in (client.request("GET", "/health"), client.request("GET", "/nope")):
        assert response.headers["access-control-allow-origin"] == "*"
        assert "Idempotent-Replayed" in response.headers["access-control-expose-headers"]


def test_preflight_allows_the_contract_headers(client):
    response = client.request("OPTIONS", "/bookings/hold",
                              headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200 and response.headers["x-request-id"]
    allowed = response.headers["access-control-allow-headers"]
    for header in ("Authorization", "Content-Type", "Idempotency-Key", "If-None-Match", "X-Request-Id"):
        assert header in allowed


JUNK = [None, [], "text", 3, {"event_id": 5}, {"event_id": "e", "seat_ids": "A-1-1"},
        {"event_id": "e", "seat_ids": [None]}, {"event_id": "e", "seat_ids": ["A-1-1"] * 2},
        {"event_id": "e", "seat_ids": [f"A-1-{i}" for i in range(1, 52)]},
        {"event_id": "e", "seat_ids": ["A-1-1"], "hold_duration_seconds": 4},
        {"event_id": "e", "seat_ids": ["A-1-1"], "hold_duration_seconds": "600"},
        {"event_id": "\u0000", "seat_ids": ["\ud800"]}, {"event_id": "e", "seat_ids": ["A-1-1"], "x": 1},
        {"event_id": "e", "seat_ids": ["A-1-\u00b2"]}, {"event_id": "e", "seat_ids": ["A-1-\u0663"]}]


@pytest.mark.parametrize("payload", JUNK)
def test_junk_hold_bodies_get_a_4xx_envelope_never_a_5xx(http, world, payload):
    import json
    data = json.dumps(payload) if payload is not None else "null"
    response = http.request("POST", "/bookings/hold", data=data, token=world.customer(),
                            headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["error"]["code"] in ("VALIDATION_ERROR", "NOT_FOUND")


@pytest.mark.parametrize("path", ["/users/me/holds?limit=%C2%B2", "/events?limit=%C2%B2",
                                  "/users/me/bookings?limit=" + "9" * 5000, "/events/%00", "/events/" + "x" * 300, "/events/" + "x" * 3000,
                                  "/bookings/" + "b" * 5000, "/events/%E2%80%8B/seats", "/bookings/..%2f",
                                  "/events/e/seats?status=weird", "/users/me/bookings?limit=0",
                                  "/users/me/bookings?limit=abc", "/users/me/bookings?cursor=zzz"])
def test_junk_paths_and_queries_get_a_4xx(http, world, path):
    response = http.request("GET", path, token=world.customer())
    assert 400 <= response.status_code < 500, (path, response.content)
    assert "error" in response.json()


def test_an_idempotency_key_that_is_too_long_is_rejected(http, world):
    response = http.request("POST", "/bookings/hold", {"event_id": uid(), "seat_ids": ["A-1-1"]},
                            token=world.customer(), headers={"Idempotency-Key": "k" * 256})
    error_of(response, 400, "VALIDATION_ERROR")


def test_deeply_nested_json_is_a_validation_error(http, world):
    response = http.request("POST", "/bookings/hold", data="[" * 60_000, token=world.customer(),
                            headers={"Content-Type": "application/json"})
    error_of(response, 400, "VALIDATION_ERROR")
