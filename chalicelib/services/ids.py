"""Identifiers: opaque, prefixed by kind, and derived where a retry must find its first try."""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import uuid


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def derived_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]
    return f"{prefix}_{digest}"


def request_hash(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


_NODE = uuid.uuid4().hex[:8]  # this process: tickets from one process keep their order
_joins = itertools.count()


def time_ticket(now: dt.datetime) -> str:
    """A join ticket that sorts by time (milliseconds), then by process and its own count, so
    two joins in the same millisecond keep the order in which this process took them."""
    millis = int(now.timestamp() * 1000)
    return f"{millis:013d}.{_NODE}.{next(_joins):012d}"


def shard_for(key: str, shards: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % shards
