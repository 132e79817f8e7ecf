"""The edge's per-IP limit on anonymous reads, emulated for `RATE_LIMITS=edge make run`.

On AWS the WAF rate-based rule in infra/waf.yaml does this in front of API Gateway: at most
2,000 requests per source IP in any 5 minutes, counting GET and HEAD requests without an
Authorization header, answered 429 RATE_LIMITED with Retry-After (and none of the
application's RateLimit-* headers: the edge does not know them)."""
from __future__ import annotations

import collections
import json
import threading
import time
import uuid

from ..api.errors import envelope

LIMIT = 2_000
WINDOW_SECONDS = 300
RETRY_AFTER_SECONDS = 60
READS = ("GET", "HEAD")


class EdgeLimiter:
    """A sliding window per source IP, in memory (one local process is the whole edge)."""

    def __init__(self, limit: int = LIMIT, window_seconds: float = WINDOW_SECONDS,
                 clock=time.monotonic):
        self.limit, self.window, self._clock = limit, window_seconds, clock
        self._lock = threading.Lock()
        self._seen: dict[str, collections.deque] = collections.defaultdict(collections.deque)

    def allows(self, ip: str, method: str, headers: dict) -> bool:
        if method.upper() not in READS or any(k.lower() == "authorization" for k in headers):
            return True
        now = self._clock()
        with self._lock:
            seen = self._seen[ip]
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            return True


class _Guarded:
    def __init__(self, gateway, server, ip: str):
        self._gateway, self._server, self._ip = gateway, server, ip

    def handle_request(self, method, path, headers, body):
        # Looked up per request: a kept-alive connection outlives a change of setting.
        limiter = getattr(self._server, "edge_limiter", None)
        if limiter is None or limiter.allows(self._ip, method, headers):
            return self._gateway.handle_request(method, path, headers, body)
        request_id = {k.lower(): v for k, v in headers.items()}.get("x-request-id") or uuid.uuid4().hex
        return {"statusCode": 429, "multiValueHeaders": {},
                "headers": {"Content-Type": "application/json", "X-Request-Id": request_id,
                            "Retry-After": str(RETRY_AFTER_SECONDS),
                            "Access-Control-Allow-Origin": "*"},
                "body": json.dumps(envelope("RATE_LIMITED", "Too many requests from your "
                                            "address; retry later.", {}))}


def guarded(gateway, server, client_address):
    """The gateway, behind the edge's limit whenever the local server has one
    (RATE_LIMITS=edge)."""
    return _Guarded(gateway, server, client_address[0])
