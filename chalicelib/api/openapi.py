"""Builds the OpenAPI 3.1 document from the route table and the response models (served at
GET /openapi.json; `python -m chalicelib.tools.openapi` writes docs/openapi.json).

What a route can answer is derived, never listed twice: its success status and model, the
statuses of the error codes it declares (api/errors.py STATUS_BY_CODE), and what every route
of its kind can answer (a body: 413/415; a signed-in role: 401, 403; the edge: 429)."""
from __future__ import annotations

import json

from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"
VERSION = "1.0.0"

# Every route can answer these: an unknown query parameter (400), the edge's throttling (429)
# and a bug (500, never expected: please report it with the X-Request-Id).
EVERY_ROUTE = ("VALIDATION_ERROR", "RATE_LIMITED", "INTERNAL")
BODY_ERRORS = ("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE")
# Answers that always carry Retry-After, and those that may.
RETRY_AFTER_ALWAYS = {429, 502, 503}
REPLAYABLE = {402, 404, 409, 410}  # final business answers are stored and replayed too

HEADERS = {
    "RequestId": {"description": "The request's id: the client's X-Request-Id echoed, or one "
                                 "the server made. Quote it when reporting a problem.",
                  "required": True, "schema": {"type": "string"}},
    "ETag": {"description": "A weak validator of this body; send it back in If-None-Match.",
             "required": True, "schema": {"type": "string"}, "example": 'W/"5f2b9c1e"'},
    "CacheControl": {"description": "How long shared caches may keep the answer.",
                     "required": True, "schema": {"type": "string"},
                     "example": "public, max-age=30"},
    "RetryAfter": {"description": "Seconds to wait before retrying.", "required": True,
                   "schema": {"type": "string", "pattern": "^[0-9]+$"}, "example": "2"},
    "RetryAfterMaybe": {"description": "Seconds to wait before retrying (with "
                                       "IDEMPOTENCY_KEY_IN_USE).",
                        "schema": {"type": "string", "pattern": "^[0-9]+$"}, "example": "2"},
    "IdempotentReplayed": {"description": "Present when this is the stored answer to an "
                                          "earlier request with the same Idempotency-Key.",
                           "schema": {"type": "string", "const": "true"}},
    "RateLimitLimit": {"description": "Requests allowed in the current window.",
                       "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    "RateLimitRemaining": {"description": "Requests left in the current window.",
                           "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    "RateLimitReset": {"description": "Seconds until the window resets.",
                       "schema": {"type": "string", "pattern": "^[0-9]+$"}},
}
RATE_LIMIT_HEADERS = {"RateLimit-Limit": "RateLimitLimit",
                      "RateLimit-Remaining": "RateLimitRemaining",
                      "RateLimit-Reset": "RateLimitReset"}

# A realistic `details` for each code's example; the message is the domain error's own.
EXAMPLE_DETAILS = {
    "VALIDATION_ERROR": {"fields": {"seat_ids": "must hold at most 50 items"}},
    "NOT_FOUND": {"resource": "event"},
    "SEATS_UNAVAILABLE": {"unavailable_seat_ids": ["A-12-7", "A-12-8"]},
    "HOLD_ALREADY_BOOKED": {"booking_id": "bkg_7f3a9c2e61d04b58a1c2"},
    "HOLD_EXPIRED": {"expired_at": "2026-12-01T19:42:00Z"},
    "ALREADY_CHECKED_IN": {"checked_in_at": "2026-12-01T19:02:11Z"},
    "TICKET_LIMIT_EXCEEDED": {"max_tickets_per_order": 8, "already_held_or_booked": 6,
                              "requested": 4},
    "PAYMENT_DECLINED": {"decline_code": "card_declined"},
    "QUEUE_ADMISSION_REQUIRED": {"queue_url": "/events/evt_8f2c41d07a9b4e3f9d11/queue"},
    "ERASURE_BLOCKED": {"booking_ids": ["bkg_7f3a9c2e61d04b58a1c2"]},
}
EXAMPLE_MESSAGES = {
    "VALIDATION_ERROR": "The request is invalid: seat_ids must hold at most 50 items.",
    "NOT_FOUND": "Event not found.",
    "HOLD_ALREADY_BOOKED": "The hold has already been booked as bkg_7f3a9c2e61d04b58a1c2.",
    "PAYMENT_DECLINED": "Your card was declined.",
    "TICKET_LIMIT_EXCEEDED": "At most 8 tickets per customer for this event (6 already held or "
                             "booked, 4 requested).",
    "INTERNAL": "An internal error occurred.",
}
ROLE_TEXT = {"customer": "Needs a bearer token (any signed-in user).",
             "organizer": "Needs a bearer token with the `organizer` role and a `tenant_id`; "
                          "everything is scoped to that tenant."}


def _routes():
    import app  # noqa: F401 - registering the blueprints fills the route table
    from chalicelib.api.spec import ROUTES
    return ROUTES


def _is_model(body) -> bool:
    return isinstance(body, type)


def _mode(model) -> str:
    return "validation" if model.__module__.endswith(".schemas") else "serialization"


def _schemas(routes) -> tuple[dict, dict]:
    from chalicelib.api import models
    wanted = {models.Error}
    for route in routes:
        wanted |= {m for m in (route.doc.body, route.doc.request) if _is_model(m)}
    ordered = sorted(wanted, key=lambda m: m.__name__)
    refs, defs = models_json_schema([(m, _mode(m)) for m in ordered], ref_template=REF)
    return {m: refs[(m, _mode(m))] for m in ordered}, defs.get("$defs", {})


def _messages() -> dict[str, str]:
    """Each code's default message, from the domain errors themselves."""
    from chalicelib.domain import errors
    found, todo = {}, [errors.DomainError]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        found.setdefault(cls.code, cls.default_message)
    return {**found, **EXAMPLE_MESSAGES}


def _header(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


def _error_response(status: int, codes: list[str], messages: dict, idempotent: bool) -> dict:
    codes = sorted(set(codes))
    headers = {"X-Request-Id": _header("RequestId")}
    if idempotent and status in REPLAYABLE:
        headers["Idempotent-Replayed"] = _header("IdempotentReplayed")
    if status in RETRY_AFTER_ALWAYS:
        headers["Retry-After"] = _header("RetryAfter")
    elif "IDEMPOTENCY_KEY_IN_USE" in codes:
        headers["Retry-After"] = _header("RetryAfterMaybe")
    schema = {"allOf": [{"$ref": REF.format(model="Error")}, {
        "type": "object", "properties": {"error": {
            "type": "object", "properties": {"code": {"enum": codes}}}}}]}
    examples = {code: {"summary": code, "value": {"error": {
        "code": code, "message": messages.get(code, code), "details": EXAMPLE_DETAILS.get(code, {})}}}
        for code in codes}
    return {"description": " or ".join(codes), "headers": headers,
            "content": {"application/json": {"schema": schema, "examples": examples}}}


def _parameters(route) -> list[dict]:
    from chalicelib.api.spec import path_params
    doc = route.doc
    params = [{"name": p, "in": "path", "required": True,
               "schema": {"type": "string", "minLength": 1, "maxLength": 128}}
              for p in path_params(route.path)]
    params += [{"name": q.name, "in": "query", "required": q.required, "schema": q.schema,
                "description": q.description} for q in doc.query]
    params += [{"name": h.name, "in": "header", "required": h.required, "schema": h.schema,
                "description": h.description} for h in doc.headers]
    if doc.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": doc.key_required,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                       "example": "3f1c9a52-7d4e-4b1a-9c0e-5e2d8b6a4f10",
                       "description": "Same key and body within 24 h: the first answer is "
                                      "replayed (header Idempotent-Replayed: true). Same key, "
                                      "other body: 422 IDEMPOTENCY_KEY_REUSED."})
    if doc.cached:
        params.append({"name": "If-None-Match", "in": "header", "required": False,
                       "schema": {"type": "string"},
                       "description": "The ETag you hold: 304 while it is current."})
    return params


def _success(doc, refs: dict) -> dict:
    headers = {"X-Request-Id": _header("RequestId")}
    if doc.cached:
        headers |= {"ETag": _header("ETag"), "Cache-Control": _header("CacheControl")}
    if doc.idempotent:
        headers["Idempotent-Replayed"] = _header("IdempotentReplayed")
    if "RATE_LIMITED" in doc.errors:
        headers |= {name: _header(ref) for name, ref in RATE_LIMIT_HEADERS.items()}
    if doc.body is None:
        return {"description": "Done; no body.", "headers": headers}
    if _is_model(doc.body):
        content = {"application/json": {"schema": refs[doc.body]},
                   **{media: {"schema": {"type": "string"}} for media in doc.alternates}}
        description = doc.body.__doc__ or doc.body.__name__
    else:
        content = {doc.body.media_type: {"schema": doc.body.schema}}
        description = doc.summary
    return {"description": description.strip().splitlines()[0], "headers": headers,
            "content": content}


def _codes(doc) -> list[str]:
    codes = [*doc.errors, *EVERY_ROUTE]
    if doc.request is not None:
        codes += BODY_ERRORS
    if doc.role:
        codes.append("UNAUTHORIZED")
    if doc.role == "organizer":
        codes.append("FORBIDDEN")
    return codes


def _operation(route, refs: dict, messages: dict) -> dict:
    from chalicelib.api.errors import STATUS_BY_CODE
    doc = route.doc
    operation = {"operationId": _operation_id(route), "summary": doc.summary, "tags": [doc.tag],
                 "parameters": _parameters(route), "responses": {}}
    description = " ".join(x for x in (doc.description, ROLE_TEXT.get(doc.role or "")) if x)
    if description:
        operation["description"] = description
    if doc.role:
        operation["security"] = [{"bearer": []}]
    if doc.request is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[doc.request]}}}
    success = _success(doc, refs)
    for status in (doc.status, *doc.also):
        operation["responses"][str(status)] = success
    if doc.cached:
        operation["responses"]["304"] = {
            "description": "Not modified: the If-None-Match ETag is current; no body.",
            "headers": {"X-Request-Id": _header("RequestId"), "ETag": _header("ETag"),
                        "Cache-Control": _header("CacheControl")}}
    by_status: dict[int, list[str]] = {}
    for code in _codes(doc):
        by_status.setdefault(STATUS_BY_CODE[code], []).append(code)
    for status in sorted(by_status):
        operation["responses"][str(status)] = _error_response(status, by_status[status], messages,
                                                              doc.idempotent)
    return operation


def _link(routes, paths: dict) -> None:
    """OpenAPI links: a success body's top-level `*_id` fields feed the path parameters of the
    same name (a hold's hold_id opens GET /bookings/hold/{hold_id}), so clients and fuzzers
    can follow the API from one answer to the next."""
    from chalicelib.api.spec import path_params
    for source in routes:
        if not _is_model(source.doc.body):
            continue
        fields = set(source.doc.body.model_fields)
        links = {}
        for target in routes:
            params = path_params(target.path)
            # Within one audience: a customer's hold opens its event page, not organizer routes.
            if params and set(params) <= fields and target is not source \
                    and target.doc.role in (None, source.doc.role):
                links[_operation_id(target)] = {
                    "operationId": _operation_id(target),
                    "parameters": {p: f"$response.body#/{p}" for p in params}}
        if links:
            operation = paths[source.path][source.method.lower()]
            for status in (source.doc.status, *source.doc.also):
                operation["responses"][str(status)] = {
                    **operation["responses"][str(status)], "links": dict(sorted(links.items()))}


def _operation_id(route) -> str:
    words = route.path.strip("/").replace("{", "").replace("}", "").replace("-", "_")
    return f"{route.method.lower()}_{words.replace('/', '_') or 'root'}"


def build() -> dict:
    routes = _routes()
    from chalicelib.api import models
    refs, defs = _schemas(routes)
    messages = _messages()
    paths: dict = {}
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs, messages)
    _link(routes, paths)
    tags = sorted({route.doc.tag for route in routes})
    return {
        "openapi": "3.1.0",
        "info": {"title": "Boxoffice API", "version": VERSION,
                 "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
                 "description": DESCRIPTION},
        "servers": [{"url": "http://127.0.0.1:8000", "description": "make run (PORT=8000)"},
                    {"url": "https://{api_id}.execute-api.{region}.amazonaws.com/v1",
                     "description": "A deployed stage",
                     "variables": {"api_id": {"default": "api-id"},
                                   "region": {"default": "us-east-1"}}}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {"schemas": defs, "headers": HEADERS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                       "description": "Locally, POST /dev/token; on AWS, a Cognito token."}}},
    }


DESCRIPTION = """\
Search events, hold seats, pay once, get signed tickets; organizers build venues and events,
watch sales and check tickets in. The repository's docs/api.md explains the conventions.

* JSON bodies in UTF-8; timestamps RFC 3339 UTC; money `{"amount": minor units, "currency"}`.
* Every answer carries `X-Request-Id` (the client's, echoed, or a new one).
* Errors always use one envelope: `{"error": {"code", "message", "details"}}`.
* Lists take `limit` (1-100, default 20) and `cursor`, and answer `next_cursor` (null at the end).
* `Idempotency-Key` is accepted on every POST and required on `POST /bookings`.
* An unknown route, or a known path with another method, is 404 `NOT_FOUND` with
  `details.resource = "route"`; an unknown query parameter is 400 naming it.
* CORS is open to every origin.
"""


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
