"""The API's own reference: the OpenAPI document and a page that renders it (Redoc,
vendored in api/static/, so nothing is fetched from a CDN and the page works offline)."""
from __future__ import annotations

import functools
from pathlib import Path

from chalice import Response

from .http import Routes, json_response
from .spec import Raw, RouteDoc

STATIC = Path(__file__).resolve().parent / "static"
# The page may load only what this API serves; Redoc's search runs in a blob: worker.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
               "worker-src 'self' blob:; base-uri 'none'; form-action 'none'")
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Boxoffice API reference</title>
  <link rel="icon" href="data:,">
  <style>body { margin: 0; }</style>
</head>
<body>
  <redoc spec-url="openapi.json" hide-download-button="false"></redoc>
  <script src="docs/redoc.standalone.js"></script>
</body>
</html>
"""

reference = Routes(__name__)


@reference.route("/openapi.json", methods=["GET"], doc=RouteDoc(
    "This API's OpenAPI 3.1 document", "reference", Raw("application/json", {"type": "object"}),
    description="The same document as docs/openapi.json in the repository, built from the "
                "route table and the models."))
def openapi_document():
    return json_response(_openapi(), 200, {"Cache-Control": "public, max-age=300"})


@functools.lru_cache(maxsize=1)
def _openapi() -> dict:
    """Built on first request, not at cold start (it needs every model's schema)."""
    from .openapi import build
    return build()


@reference.route("/docs", methods=["GET"], doc=RouteDoc(
    "This API's reference, as a page", "reference", Raw("text/html"),
    description="Renders /openapi.json with the Redoc copy this API serves itself."))
def docs_page():
    return Response(PAGE, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8", "Cache-Control": "public, max-age=300",
        "Content-Security-Policy": PAGE_POLICY, "X-Content-Type-Options": "nosniff"})


@reference.route("/docs/redoc.standalone.js", methods=["GET"], doc=RouteDoc(
    "The page's renderer (Redoc 2.5.2, MIT)", "reference", Raw("text/javascript")))
def docs_script():
    return Response(_script(), status_code=200, headers={
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})


@functools.lru_cache(maxsize=1)
def _script() -> str:
    return (STATIC / "redoc.standalone.js").read_text(encoding="utf-8")
