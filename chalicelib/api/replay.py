"""Idempotency-Key on POSTs whose service is not idempotent by itself: the first outcome is
stored and replayed (Powertools)."""
from __future__ import annotations

import json

from chalice import Response
from chalice.app import handle_extra_types

from ..bootstrap import container
from ..domain import errors
from .errors import STATUS_BY_CODE, envelope
from .http import REPLAYED, idempotency_key, json_response

# Final business answers: replayed like successes. Everything else raised is forgotten, so a
# retry runs again (validation errors, conflicts in flight, rate limits, 5xx).
FINAL_ANSWERS = (errors.NotFound, errors.HoldExpired, errors.HoldAlreadyBooked,
                 errors.PaymentDeclined)


def once(request, principal, route: str, payload: dict, produce, status: int = 200):
    """Answers produce() with `status`, at most once per (caller, route, key)."""
    key = idempotency_key(request)
    if key is None:
        return json_response(produce(), status)

    def operation():
        try:
            return {"status": status, "body": as_json(produce())}
        except FINAL_ANSWERS as e:
            return {"status": STATUS_BY_CODE[e.code],
                    "body": as_json(envelope(e.code, e.message, e.details))}
    outcome = container().idempotency.run(caller=principal.sub, route=route, key=key,
                                          body=payload, operation=operation,
                                          lambda_context=request.lambda_context)
    headers = {"Content-Type": "application/json", **(REPLAYED if outcome["replayed"] else {})}
    return Response(outcome["body"], status_code=outcome["status"], headers=headers)


def as_json(body) -> str:
    """The body as Chalice writes it, stored as text: the store sorts the keys of anything it
    serialises itself, and a replay must be byte-identical to the first answer."""
    return json.dumps(body, separators=(",", ":"), default=handle_extra_types)
