"""Stripe's Idempotency-Key semantics for localstripe, which ignores the header: the same
key with the same request replays the first answer (header Idempotent-Replayed: true); the
same key with another request is a 400 idempotency_error; a key still in flight is a 409."""
from __future__ import annotations

from aiohttp import web

_answers: dict[str, tuple[tuple, int, bytes]] = {}
_in_flight: set[str] = set()


def _error(status: int, message: str):
    return web.json_response({"error": {"type": "idempotency_error", "message": message}},
                             status=status)


@web.middleware
async def idempotency_keys(request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    fingerprint = (request.path, tuple(sorted((await request.post()).items())))
    if key in _answers:
        first, status, body = _answers[key]
        if first != fingerprint:
            return _error(400, "Keys for idempotent requests can only be used with the same "
                               "parameters they were first used with.")
        return web.Response(status=status, body=body, content_type="application/json",
                            headers={"Idempotent-Replayed": "true"})
    if key in _in_flight:
        return _error(409, "There is currently another in-progress request using this "
                           "Idempotency-Key.")
    _in_flight.add(key)
    try:
        response = await handler(request)
    finally:
        _in_flight.discard(key)
    # Stripe keeps the first answer whether it succeeded or failed (500s included); here 5xx
    # answers are not kept, so a simulated outage can be retried (docs/payments.md).
    if response.status < 500:
        _answers[key] = (fingerprint, response.status, response.body)
    return response
