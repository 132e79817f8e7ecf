"""What every route shares: domain errors mapped in one place, bodies, callers, pages."""
from __future__ import annotations

import functools
import json
import re

from chalice import Blueprint, Response
from pydantic import ValidationError

from ..domain import errors
from ..domain.identity import Principal
from . import errors as api_errors
from . import spec
from .schemas import field_messages
from .spec import RouteDoc

MAX_BODY_BYTES = 64 * 1024
REPLAYED = {"Idempotent-Replayed": "true"}
IDEMPOTENCY_KEY_MAX = 255
MAX_ID_LENGTH = 128


class Routes(Blueprint):
    """A Blueprint whose views answer domain errors with the contract's envelope, and whose
    routes say what they answer (the route table the OpenAPI document is built from)."""

    def route(self, path: str, doc: RouteDoc | None = None, **kwargs):
        if doc is None:
            raise TypeError(f"{path}: every route documents what it answers (doc=RouteDoc(...))")
        if doc.request is None:
            # No body to parse, so no Content-Type to refuse (Chalice would answer 415).
            kwargs.setdefault("content_types", ["*/*"])
        register = super().route(path, **kwargs)
        for method in kwargs.get("methods", ["GET"]):
            spec.register(method, path, doc)
        limited = doc.role == "organizer" and kwargs.get("methods", ["GET"]) != ["GET"]
        accepted = spec.query_names(doc)

        def decorator(view):
            @functools.wraps(view)
            def mapped(*args, **kw):
                try:
                    refuse_unknown_query(self.current_request, accepted)
                    for name, value in kw.items():
                        if not 0 < len(value) <= MAX_ID_LENGTH or not value.isprintable():
                            # No such id can exist; DynamoDB would reject it as a key anyway.
                            raise errors.NotFound(name.removesuffix("_id"))
                    if limited:
                        count_organizer_write(self.current_request)
                    return view(*args, **kw)
                except errors.DomainError as e:
                    response = api_errors.from_domain(e)
                    if isinstance(e, errors.Replayed):
                        response.headers.update(REPLAYED)
                    return response
            register(mapped)
            return view
        return decorator


def count_organizer_write(request) -> None:
    """Every organizer write counts against its tenant's limit, before anything is done."""
    from ..bootstrap import container
    container().organizer_limits.write(caller(request))


def admission_token(request) -> str | None:
    return (request.headers or {}).get("x-admission-token")


def refuse_unknown_query(request, accepted: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params or {}) - accepted)
    if unknown:
        raise errors.ValidationFailed({name[:100]: "is not a query parameter of this route"
                                       for name in unknown})


def body(request, model):
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise errors.PayloadTooLarge(f"The body is {len(raw)} bytes; at most {MAX_BODY_BYTES}.")
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise errors.ValidationFailed({"body": "must be valid JSON"}) from e
    if not isinstance(data, dict):
        raise errors.ValidationFailed({"body": "must be a JSON object"})
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise errors.ValidationFailed(field_messages(e)) from e


def caller(request) -> Principal:
    from ..bootstrap import container
    from .auth import principal_of
    principal = principal_of((request.context or {}).get("authorizer") or {})
    container().privacy.ensure_not_erased(principal)  # a valid token of an erased user: 401
    return principal


def organizer(request) -> Principal:
    principal = caller(request)
    if not principal.is_organizer:
        raise errors.Forbidden("This route is for organizers (role organizer with a tenant).")
    return principal


def idempotency_key(request) -> str | None:
    key = (request.headers or {}).get("idempotency-key")
    if key is None:
        return None
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise errors.ValidationFailed({"Idempotency-Key": "must be 1 to 255 printable characters"})
    return key


REQUEST_ID = "boxoffice_request_id"  # where the middleware leaves the X-Request-Id


def request_id(request) -> str | None:
    """The request's X-Request-Id (the client's, or the one the middleware made)."""
    return (request.context or {}).get(REQUEST_ID)


def wants_csv(request) -> bool:
    accept = (request.headers or {}).get("accept", "")
    return any(part.split(";")[0].strip().lower() == "text/csv" for part in accept.split(","))


def query(request) -> dict:
    return dict(request.query_params or {})


def page_params(params: dict) -> tuple[str | None, int]:
    raw = params.get("limit", "20")
    if not re.fullmatch(r"[0-9]{1,3}", raw, re.ASCII) or not 1 <= int(raw) <= 100:
        raise errors.ValidationFailed({"limit": "must be an integer from 1 to 100"})
    return params.get("cursor"), int(raw)


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(payload, status_code=status, headers=headers or {})


def matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110's weak comparison, as If-None-Match uses: W/"x" matches "x"."""
    if if_none_match.strip() == "*":
        return True
    strip = lambda tag: tag.strip().removeprefix("W/")  # noqa: E731
    return strip(etag) in [strip(tag) for tag in if_none_match.split(",")]


def cached(request, payload, etag: str, cache_control: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if matches((request.headers or {}).get("if-none-match", ""), etag):
        return Response("", status_code=304, headers=headers)
    return Response(payload, status_code=200, headers=headers)
