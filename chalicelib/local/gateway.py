"""Chalice's local API Gateway, with the Gateway Responses infra/ sets up on AWS:
its own answers (unknown route, missing or bad token, denial) use the contract's envelope."""
from __future__ import annotations

import json
import uuid

from chalice.local import (ChaliceRequestHandler, LocalChalice, LocalGateway,
                           LocalGatewayException)

from ..api.errors import envelope
from .edge_limits import guarded

CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag,X-Request-Id,Idempotent-Replayed,Retry-After"}


def gateway_answer(status: int, code: str, message: str, details: dict, headers: dict) -> dict:
    request_id = headers.get("x-request-id") or headers.get("X-Request-Id") or uuid.uuid4().hex
    return {"statusCode": status, "multiValueHeaders": {},
            "headers": {"Content-Type": "application/json", "X-Request-Id": request_id, **CORS},
            "body": json.dumps(envelope(code, message, details))}


class EnvelopeGateway(LocalGateway):
    def handle_request(self, method, path, headers, body):
        try:
            response = super().handle_request(method, path, headers, body)
        except LocalGatewayException as e:
            if e.CODE == 401:
                return gateway_answer(401, "UNAUTHORIZED", "A valid bearer token is required.",
                                      {}, headers)
            if b"Missing Authentication Token" in (e.body or b"") or b"Credential" in (e.body or b""):
                return gateway_answer(404, "NOT_FOUND", "No such route.", {"resource": "route"},
                                      headers)
            return gateway_answer(403, "FORBIDDEN", "You are not allowed to do this.", {}, headers)
        except Exception as e:  # noqa: BLE001 - an authorizer failing 'Unauthorized'
            if str(e) == "Unauthorized":
                return gateway_answer(401, "UNAUTHORIZED", "A valid bearer token is required.",
                                      {}, headers)
            raise
        # Preflights are answered by the gateway itself; they carry a request id too.
        if not any(k.lower() == "x-request-id" for k in response["headers"]):
            response["headers"]["X-Request-Id"] = (headers.get("x-request-id")
                                                   or headers.get("X-Request-Id") or uuid.uuid4().hex)
        return response


class EnvelopeRequestHandler(ChaliceRequestHandler):
    def __init__(self, request, client_address, server, app_object, config):
        self.local_gateway = guarded(EnvelopeGateway(app_object, config), server, client_address)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def log_message(self, format, *args):  # noqa: A002 - the app logs requests itself
        pass


def as_local(app) -> None:
    """Makes current_request thread-local, as `chalice local` does."""
    if not isinstance(app, LocalChalice):
        local_cls = type("BoxofficeLocalChalice", (LocalChalice, app.__class__), {})
        app.__class__ = local_cls
