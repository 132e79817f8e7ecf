"""Builds the OpenAPI 3.1 document from the route table and the response models (served at
GET /openapi.json; `python -m chalicelib.tools.openapi` writes docs/openapi.json)."""
from __future__ import annotations

import json

from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"
VERSION = "1.0.0"

# Answers any route can give whatever it does (the gateway's own, and a bug).
COMMON = {500: ("INTERNAL",)}
BODY_ERRORS = ("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE")


def _routes():
    import app  # noqa: F401 - registering the blueprints fills the route table
    from chalicelib.api.spec import ROUTES
    return ROUTES


def _schemas(routes) -> tuple[dict, dict]:
    from chalicelib.api import models
    wanted = {models.Error}
    for route in routes:
        wanted |= {m for m in (route.doc.body, route.doc.request) if m is not None}
    ordered = sorted(wanted, key=lambda m: m.__name__)
    refs, defs = models_json_schema([(m, "validation" if _is_request(m) else "serialization")
                                     for m in ordered], ref_template=REF)
    return {m: refs[(m, "validation" if _is_request(m) else "serialization")] for m in ordered}, \
        defs.get("$defs", {})


def _is_request(model) -> bool:
    return model.__module__.endswith(".schemas")


def _error_response(status: int, codes: list[str], error_ref: dict) -> dict:
    return {"description": " | ".join(sorted(set(codes))),
            "content": {"application/json": {"schema": error_ref, "examples": {
                code: {"value": {"error": {"code": code, "message": "…", "details": {}}}}
                for code in sorted(set(codes))}}}}


def _operation(route, refs: dict) -> dict:
    from chalicelib.api.errors import STATUS_BY_CODE
    from chalicelib.api.spec import path_params
    doc = route.doc
    params = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
              for p in path_params(route.path)]
    params += [{"name": q.name, "in": "query", "required": q.required, "schema": q.schema,
                "description": q.description} for q in doc.query]
    params += [{"name": h.name, "in": "header", "required": h.required, "schema": h.schema,
                "description": h.description} for h in doc.headers]
    if doc.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": doc.key_required,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                       "description": "Same key and body within 24 h: the first answer is replayed "
                                      "(header Idempotent-Replayed: true)."})
    if doc.cached:
        params.append({"name": "If-None-Match", "in": "header", "required": False,
                       "schema": {"type": "string"}})
    operation = {"operationId": f"{route.method.lower()}_{route.path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
                 "summary": doc.summary, "tags": [doc.tag], "parameters": params, "responses": {}}
    if doc.description:
        operation["description"] = doc.description
    if doc.role:
        operation["security"] = [{"bearer": []}]
    if doc.request is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[doc.request]}}}
    for status in (doc.status, *doc.also):
        if doc.body is None:
            operation["responses"][str(status)] = {"description": "Done; no body."}
        else:
            operation["responses"][str(status)] = {"description": "OK", "content": {
                "application/json": {"schema": refs[doc.body]},
                **{media: {"schema": {"type": "string"}} for media in doc.alternates}}}
    if doc.cached:
        operation["responses"]["304"] = {"description": "Not modified (If-None-Match)."}
    codes = list(doc.errors)
    if doc.request is not None:
        codes += BODY_ERRORS
    if doc.query:
        codes.append("VALIDATION_ERROR")
    if doc.role:
        codes.append("UNAUTHORIZED")
    if doc.role == "organizer":
        codes.append("FORBIDDEN")
        if route.method != "GET":
            codes.append("RATE_LIMITED")  # every organizer write counts (api/http.py)
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(STATUS_BY_CODE[code], []).append(code)
    for status, common in COMMON.items():
        by_status.setdefault(status, []).extend(common)
    for status in sorted(by_status):
        operation["responses"][str(status)] = _error_response(status, by_status[status],
                                                              refs["__error__"])
    return operation


def build() -> dict:
    routes = _routes()
    from chalicelib.api import models
    refs, defs = _schemas(routes)
    refs["__error__"] = refs[models.Error]
    paths: dict = {}
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Boxoffice API", "version": VERSION,
                 "description": "Search events, hold seats, pay once, get signed tickets; "
                                "organizers build venues and events, watch sales and check "
                                "tickets in. See docs/api.md for the conventions."},
        "servers": [{"url": "http://127.0.0.1:8000", "description": "make run"},
                    {"url": "https://{api_id}.execute-api.{region}.amazonaws.com/v1",
                     "variables": {"api_id": {"default": "api-id"},
                                   "region": {"default": "us-east-1"}}}],
        "paths": paths,
        "components": {"schemas": defs, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
