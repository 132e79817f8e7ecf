"""The one table from error codes to HTTP statuses, and the contract's error envelope."""
from __future__ import annotations

from chalice import Response

from ..domain import errors

STATUS_BY_CODE = {
    "VALIDATION_ERROR": 400, "INVALID_CURSOR": 400, "IDEMPOTENCY_KEY_REQUIRED": 400,
    "INVALID_TICKET": 400, "UNAUTHORIZED": 401, "PAYMENT_DECLINED": 402, "FORBIDDEN": 403,
    "NOT_FOUND": 404, "SEATS_UNAVAILABLE": 409,
    "EVENT_NOT_ON_SALE": 409, "HOLD_ALREADY_BOOKED": 409, "ALREADY_CHECKED_IN": 409,
    "TICKET_VOID": 409, "CANCELLATION_CLOSED": 409, "IDEMPOTENCY_KEY_IN_USE": 409,
    "CONFLICT": 409, "HOLD_EXPIRED": 410, "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415, "TICKET_LIMIT_EXCEEDED": 422, "IDEMPOTENCY_KEY_REUSED": 422,
    "RATE_LIMITED": 429, "INTERNAL": 500, "PAYMENT_PROVIDER_ERROR": 502,
    "QUEUE_ADMISSION_REQUIRED": 403, "EVENT_CANCELLED": 409, "ERASURE_BLOCKED": 409,
    "NO_ADJACENT_SEATS": 409, "SERVICE_UNAVAILABLE": 503,
}
RETRY_AFTER = {"IDEMPOTENCY_KEY_IN_USE": "2", "RATE_LIMITED": "5", "SERVICE_UNAVAILABLE": "5",
               "PAYMENT_PROVIDER_ERROR": "2"}

# Chalice's and the gateway's own answers, by status, when they are not yet enveloped.
FALLBACK_BY_STATUS = {
    400: ("VALIDATION_ERROR", "The request is invalid."),
    401: ("UNAUTHORIZED", "A valid bearer token is required."),
    403: ("FORBIDDEN", "You are not allowed to do this."),
    404: ("NOT_FOUND", "No such route."),
    # API Gateway answers a known path with an unknown method as a missing route; so do we.
    405: ("NOT_FOUND", "No such route."),
    413: ("PAYLOAD_TOO_LARGE", "The request body is too large."),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Send a JSON body with Content-Type: application/json."),
    429: ("RATE_LIMITED", "Too many requests; retry later."),
    504: ("INTERNAL", "The request timed out."),
}


def envelope(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(code: str, message: str, details: dict | None = None) -> Response:
    status = STATUS_BY_CODE.get(code, 500)
    headers = {"Retry-After": RETRY_AFTER[code]} if code in RETRY_AFTER else {}
    return Response(envelope(code, message, details), status_code=status, headers=headers)


def from_domain(error) -> Response:
    response = error_response(error.code, error.message, error.details)
    if isinstance(error, errors.RateLimited):
        response.headers.update({"Retry-After": str(error.retry_after),
                                 "RateLimit-Limit": str(error.limit), "RateLimit-Remaining": "0",
                                 "RateLimit-Reset": str(error.retry_after)})
    return response


def fallback_envelope(status: int) -> dict:
    code, message = FALLBACK_BY_STATUS.get(status, ("INTERNAL", "An internal error occurred."))
    details = {"resource": "route"} if status in (404, 405) else {}
    return envelope(code, message, details)


def is_enveloped(body) -> bool:
    return isinstance(body, dict) and isinstance(body.get("error"), dict) and "code" in body["error"]
