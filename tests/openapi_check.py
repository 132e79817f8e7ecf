"""Checks every answer the API tests receive against docs/openapi.json: the status is one the
document lists for that method and path, the body has the documented content type and
matches the schema (no undocumented field or shape), documented required headers are there.
Strict but generic, so routes added later are held to their own RouteDoc."""
from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
BASE_URI = "urn:boxoffice:openapi"


class UndocumentedResponse(AssertionError):
    """An answer the OpenAPI document does not describe."""


_faults = threading.local()


@contextlib.contextmanager
def injected_fault():
    """A test that makes the server crash on purpose expects its 500 (still enveloped)."""
    _faults.on = True
    try:
        yield
    finally:
        _faults.on = False


class OpenApiChecker:
    def __init__(self, document: dict):
        self.document = document
        resource = Resource.from_contents(document, default_specification=_dialect())
        self._registry = Registry().with_resource(BASE_URI, resource)
        # Literal segments win over parameters, as on API Gateway: /bookings/hold before
        # /bookings/{booking_id}.
        self._templates = sorted(
            ((re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$"), path)
             for path in document["paths"]),
            key=lambda pair: pair[1].count("{"))

    def template(self, path: str) -> str | None:
        for pattern, template in self._templates:
            if pattern.match(path):
                return template
        return None

    def check(self, method: str, url: str, status: int, headers: dict, content: bytes) -> None:
        method, path = method.upper(), urlsplit(url).path
        headers = {k.lower(): v for k, v in headers.items()}
        where = f"{method} {path} answered {status}"
        if "x-request-id" not in headers:
            raise UndocumentedResponse(f"{where} without X-Request-Id")
        if method == "OPTIONS":  # CORS preflight, answered by the gateway
            if status != 200 or "access-control-allow-methods" not in headers:
                raise UndocumentedResponse(f"{where}: not a CORS preflight answer")
            return
        template = self.template(path)
        operation = self.document["paths"].get(template, {}).get(method.lower()) if template else None
        if operation is None:
            self._check_missing_route(where, status, headers, content)
            return
        where = f"{method} {template} answered {status}"
        responses = operation["responses"]
        if str(status) not in responses:
            raise UndocumentedResponse(
                f"{where}, a status the document does not list for it "
                f"(documented: {', '.join(sorted(responses))}); body: {content[:300]!r}")
        if status == 500 and not getattr(_faults, "on", False):
            raise UndocumentedResponse(f"{where}: a bug (500 INTERNAL); body: {content[:300]!r}")
        response = responses[str(status)]
        self._check_headers(where, response, headers)
        self._check_body(where, response, headers, content)

    def _check_missing_route(self, where, status, headers, content):
        body = _json(where, content)
        if status != 404 or body.get("error", {}).get("code") != "NOT_FOUND" \
                or body["error"].get("details") != {"resource": "route"}:
            raise UndocumentedResponse(f"{where}: no documented operation, so it must be 404 "
                                       f"NOT_FOUND (resource route); body: {content[:300]!r}")
        self.validate(where, body, {"$ref": "#/components/schemas/Error"})

    def _check_headers(self, where, response, headers):
        for name, header in response.get("headers", {}).items():
            header = self._resolve(header)
            if header.get("required") and name.lower() not in headers:
                raise UndocumentedResponse(f"{where} without its documented header {name}")
            if name.lower() in headers and "schema" in header:
                self.validate(f"{where}, header {name}", headers[name.lower()], header["schema"])

    def _check_body(self, where, response, headers, content):
        documented = response.get("content")
        if not documented:
            if content.strip():
                raise UndocumentedResponse(f"{where} with a body, documented as empty: "
                                           f"{content[:300]!r}")
            return
        media_type = headers.get("content-type", "").split(";")[0].strip()
        if media_type not in documented:
            raise UndocumentedResponse(f"{where} with Content-Type {media_type!r}; documented: "
                                       f"{', '.join(documented)}")
        schema = documented[media_type]["schema"]
        value = _json(where, content) if media_type == "application/json" else content.decode()
        self.validate(where, value, schema)

    def validate(self, where: str, value, schema: dict) -> None:
        validator = Draft202012Validator(_absolute(schema), registry=self._registry)
        error = next(iter(sorted(validator.iter_errors(value), key=lambda e: e.path)), None)
        if error is not None:
            at = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            raise UndocumentedResponse(f"{where}: body{at} {error.message} "
                                       f"(schema: {'/'.join(map(str, error.absolute_schema_path))})")

    def _resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = self._registry.resolver(BASE_URI).lookup(_absolute(node)["$ref"]).contents
        return node


def _absolute(node: dict) -> dict:
    """Rewrites local refs ('#/...') to the document's URI, recursively."""
    if isinstance(node, dict):
        return {k: (BASE_URI + v if k == "$ref" and v.startswith("#") else _absolute(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute(v) for v in node]
    return node


def _json(where: str, content: bytes):
    try:
        return json.loads(content)
    except ValueError as e:
        raise UndocumentedResponse(f"{where} with a body that is not JSON: {content[:300]!r}") from e


def _dialect():
    from referencing.jsonschema import DRAFT202012
    return DRAFT202012


@functools.lru_cache(maxsize=1)
def checker() -> OpenApiChecker:
    return OpenApiChecker(json.loads(DOCUMENT.read_text()))
