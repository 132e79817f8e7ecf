"""The route table: every route says what it answers, and the OpenAPI 3.1 document is built
from it and the models (one source of truth; `python -m chalicelib.tools.openapi` writes
docs/openapi.json, and a test fails when the file is stale)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

PATH_PARAM = re.compile(r"{([a-z_]+)}")


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    schema: dict = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True)
class Raw:
    """A success body that is not one of the JSON models (a document, a page, a script)."""

    media_type: str
    schema: dict = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class RouteDoc:
    """What a route answers: its success status and body model, its request body model, its
    query parameters, and the contract error codes it may give (statuses follow the codes)."""

    summary: str
    tag: str
    body: type | Raw | None = None  # the success body's model; None for an empty body (204)
    status: int = 200
    also: tuple[int, ...] = ()  # other success statuses with the same body (e.g. 202, 200)
    request: type | None = None
    query: tuple[Query, ...] = ()
    headers: tuple[Query, ...] = ()  # request headers the route reads (beyond the common ones)
    errors: tuple[str, ...] = ()
    role: str | None = None  # None: public; "customer": any signed-in user; "organizer"
    cached: bool = False  # sends ETag and answers If-None-Match with 304
    idempotent: bool = False  # takes Idempotency-Key (every POST does; some require it)
    key_required: bool = False
    description: str = ""
    alternates: tuple[str, ...] = ()  # other media types of the success body (e.g. text/csv)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    doc: RouteDoc


ROUTES: list[Route] = []


def register(method: str, path: str, doc: RouteDoc) -> None:
    ROUTES.append(Route(method, path, doc))


def path_params(path: str) -> list[str]:
    return PATH_PARAM.findall(path)


def query_names(doc: RouteDoc) -> frozenset[str]:
    """The query parameters a route accepts; any other is a 400 naming it."""
    return frozenset(q.name for q in doc.query)
