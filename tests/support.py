"""Test helpers: HTTP clients for the real local stack and the in-process gateway, and
factories that set up organizers, venues and events through the API."""
from __future__ import annotations

import json
import uuid

import requests

from chalicelib.domain.clock import to_rfc3339
from openapi_check import checker


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status_code, self.headers, self.content = status, {k.lower(): v for k, v in headers.items()}, body

    def json(self):
        return json.loads(self.content)


class HttpClient:
    """Talks to the local stack over a real socket; every answer is checked against the
    OpenAPI document (tests/openapi_check.py)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def request(self, method, path, json_body=None, token=None, headers=None, data=None):
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            data = json.dumps(json_body)
            all_headers.setdefault("Content-Type", "application/json")
        r = self.session.request(method, self.base_url + path, data=data, headers=all_headers,
                                 timeout=30)
        checker().check(method, path, r.status_code, dict(r.headers), r.content)
        return Response(r.status_code, dict(r.headers), r.content)


class GatewayClient:
    """Calls the Chalice app in-process through the local gateway (no socket); every answer
    is checked against the OpenAPI document."""

    def __init__(self, app):
        from chalice.config import Config

        from chalicelib.local.gateway import EnvelopeGateway
        self._gateway = EnvelopeGateway(app, Config.create(
            chalice_stage="local", app_name="boxoffice", lambda_timeout=29, lambda_memory_size=512))

    def request(self, method, path, json_body=None, token=None, headers=None, data=None):
        all_headers = {k.lower(): v for k, v in (headers or {}).items()}
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        if json_body is not None:
            data = json.dumps(json_body)
            all_headers.setdefault("content-type", "application/json")
        body = data.encode() if isinstance(data, str) else data
        result = self._gateway.handle_request(method, path, all_headers, body)
        headers = dict(result.get("headers") or {})
        raw = result.get("body") or b""
        content = raw.encode() if isinstance(raw, str) else raw
        checker().check(method, path, result["statusCode"], headers, content)
        return Response(result["statusCode"], headers, content)


def uid(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class World:
    """Creates tenants, customers, venues and events for one test."""

    def __init__(self, client, stack):
        self.client, self.stack = client, stack
        self.issuer = stack.container.token_issuer

    def customer(self, sub: str | None = None) -> str:
        return self.issuer.issue(sub or uid("cust"), None, ["customer"], None)[0]

    def organizer(self, tenant: str | None = None) -> str:
        return self.issuer.issue(uid("org"), None, ["organizer"], tenant or uid("tenant"))[0]

    def venue(self, org: str, sections=None, **extra) -> dict:
        sections = sections or [{"name": "A", "rows": [{"name": "1", "seats": 10},
                                                      {"name": "2", "seats": 10}]},
                                {"name": "B", "rows": [{"name": "1", "seats": 10}]}]
        payload = {"name": "Test Hall", "address": "1 Main St", "city": "Porto", "country": "PT",
                   "location": {"lat": 41.15, "lng": -8.61}, "sections": sections, **extra}
        r = self.client.request("POST", "/organizer/venues", payload, token=org)
        assert r.status_code == 201, r.content
        return r.json()

    def event(self, org: str, venue: dict, publish: bool = True, days: float = 10,
              max_tickets: int = 8, **extra) -> dict:
        import datetime as dt
        starts = self.stack.container.clock.now() + dt.timedelta(days=days)
        sections = venue["sections"]
        payload = {"venue_id": venue["venue_id"], "name": "Test Show", "description": "A show.",
                   "category": "concert", "starts_at": to_rfc3339(starts),
                   "max_tickets_per_order": max_tickets,
                   "price_tiers": [{"name": "Main", "price": {"amount": 5000, "currency": "EUR"},
                                    "sections": sections[:1]}]
                   + ([{"name": "Cheap", "price": {"amount": 2000, "currency": "EUR"},
                        "sections": sections[1:]}] if len(sections) > 1 else []), **extra}
        r = self.client.request("POST", "/organizer/events", payload, token=org)
        assert r.status_code == 201, r.content
        event = r.json()
        if publish:
            r = self.client.request("POST", f"/organizer/events/{event['event_id']}/publish",
                                    token=org)
            assert r.status_code == 200, r.content
            event = r.json()
        return event

    def on_sale(self, **kwargs) -> tuple[str, dict, dict]:
        org = self.organizer()
        venue = self.venue(org)
        return org, venue, self.event(org, venue, **kwargs)

    def hold(self, token: str, event_id: str, seats: list[str], key: str | None = None, **extra):
        headers = {"Idempotency-Key": key} if key else None
        return self.client.request("POST", "/bookings/hold",
                                   {"event_id": event_id, "seat_ids": seats, **extra},
                                   token=token, headers=headers)

    def book(self, token: str, hold_id: str, pm: str = "pm_card_visa", key: str | None = None):
        return self.client.request("POST", "/bookings",
                                   {"hold_id": hold_id, "payment_method_id": pm}, token=token,
                                   headers={"Idempotency-Key": key or uid("key")})
