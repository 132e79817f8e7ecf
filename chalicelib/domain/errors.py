"""Domain errors: each names its contract code; the API maps codes to statuses in one table."""
from __future__ import annotations


class DomainError(Exception):
    """A business answer that is not a success."""

    code = "CONFLICT"
    default_message = "The request conflicts with the current state."

    def __init__(self, message: str | None = None, **details):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.details = {k: v for k, v in details.items() if v is not None}


class ValidationFailed(DomainError):
    """Input that breaks the contract's rules; `fields` maps field to message."""

    code = "VALIDATION_ERROR"
    default_message = "The request is invalid."

    def __init__(self, fields: dict[str, str], message: str | None = None, **details):
        super().__init__(message or self.summary(fields), fields=fields, **details)

    @staticmethod
    def summary(fields: dict[str, str]) -> str:
        """'The request is invalid: seat_ids must hold at most 50 items.' (three fields at most)."""
        said = [f"{name} {text}" for name, text in list(fields.items())[:3]]
        more = f" (and {len(fields) - 3} more)" if len(fields) > 3 else ""
        return f"The request is invalid: {'; '.join(said)}{more}." if said else None


class InvalidCursor(DomainError):
    code = "INVALID_CURSOR"
    default_message = "The cursor is invalid, was modified, or belongs to another query."


class IdempotencyKeyRequired(DomainError):
    code = "IDEMPOTENCY_KEY_REQUIRED"
    default_message = "This request needs an Idempotency-Key header."


class InvalidTicket(DomainError):
    code = "INVALID_TICKET"
    default_message = "The ticket code is not valid for this event."


class Unauthorized(DomainError):
    code = "UNAUTHORIZED"
    default_message = "A valid bearer token is required."


class Forbidden(DomainError):
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this."


class PaymentDeclined(DomainError):
    code = "PAYMENT_DECLINED"
    default_message = "The payment was declined."


class NotFound(DomainError):
    """A missing resource, or one the caller may not see (the same answer, on purpose)."""

    code = "NOT_FOUND"

    def __init__(self, resource: str, message: str | None = None):
        super().__init__(message or f"{resource.capitalize()} not found.", resource=resource)


class SeatsUnavailable(DomainError):
    code = "SEATS_UNAVAILABLE"
    default_message = "Some of the seats are not available."

    def __init__(self, seat_ids, message: str | None = None):
        super().__init__(message, unavailable_seat_ids=sorted(seat_ids))


class EventNotOnSale(DomainError):
    code = "EVENT_NOT_ON_SALE"
    default_message = "The event is not on sale."


class HoldAlreadyBooked(DomainError):
    code = "HOLD_ALREADY_BOOKED"
    default_message = "The hold has already been booked."

    def __init__(self, message: str | None = None, booking_id: str | None = None):
        super().__init__(message or (f"The hold has already been booked as {booking_id}."
                                     if booking_id else None), booking_id=booking_id)


class AlreadyCheckedIn(DomainError):
    code = "ALREADY_CHECKED_IN"
    default_message = "The ticket has already been checked in."

    def __init__(self, checked_in_at: str):
        super().__init__(None, checked_in_at=checked_in_at)


class TicketVoid(DomainError):
    code = "TICKET_VOID"
    default_message = "The ticket is void: its booking was cancelled."


class CancellationClosed(DomainError):
    code = "CANCELLATION_CLOSED"
    default_message = "The event has started; the booking can no longer be cancelled."


class IdempotencyKeyInUse(DomainError):
    code = "IDEMPOTENCY_KEY_IN_USE"
    default_message = "A request with this Idempotency-Key is still running; retry shortly."


class Conflict(DomainError):
    code = "CONFLICT"


class PaymentInProgress(DomainError):
    code = "CONFLICT"
    default_message = "Another payment for this hold is in progress; retry shortly."


class EventCancelled(DomainError):
    code = "EVENT_CANCELLED"
    default_message = "The event has been cancelled."


class HoldExpired(DomainError):
    code = "HOLD_EXPIRED"
    default_message = "The hold has expired."


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is too large."


class UnsupportedMediaType(DomainError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Send a JSON body with Content-Type: application/json."


class TicketLimitExceeded(DomainError):
    code = "TICKET_LIMIT_EXCEEDED"

    def __init__(self, limit: int, already: int, requested: int):
        super().__init__(
            f"At most {limit} tickets per customer for this event "
            f"({already} already held or booked, {requested} requested).",
            max_tickets_per_order=limit, already_held_or_booked=already, requested=requested)


class IdempotencyKeyReused(DomainError):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was used with a different request body."


class RateLimited(DomainError):
    """Over a per-user or per-tenant limit; nothing was done. The API turns `limit` and
    `retry_after` into Retry-After and RateLimit-* headers."""

    code = "RATE_LIMITED"
    default_message = "Too many requests; retry later."

    def __init__(self, limit: int, window_seconds: int, retry_after: int, what: str):
        super().__init__(f"At most {limit} {what} per {window_seconds} s; retry in "
                         f"{retry_after} s.", limit=limit, window_seconds=window_seconds,
                         retry_after_seconds=retry_after)
        self.limit, self.retry_after = limit, retry_after


class QueueAdmissionRequired(DomainError):
    code = "QUEUE_ADMISSION_REQUIRED"
    default_message = ("This event's on-sale has a waiting room: join it and send its "
                       "admission token in X-Admission-Token.")


class NoAdjacentSeats(DomainError):
    code = "NO_ADJACENT_SEATS"
    default_message = "No block of that many adjacent free seats is left."


class PaymentProviderError(DomainError):
    code = "PAYMENT_PROVIDER_ERROR"
    default_message = "The payment provider failed; nothing was charged. Retry shortly."


class ServiceUnavailable(DomainError):
    """A dependency is down; the request may be retried."""

    code = "SERVICE_UNAVAILABLE"
    default_message = "A service Boxoffice depends on is unavailable; retry shortly."


class SubscriptionLimitExceeded(DomainError):
    """A WebSocket connection asked for more live seat-map subscriptions than allowed."""

    code = "SUBSCRIPTION_LIMIT_EXCEEDED"

    def __init__(self, limit: int):
        super().__init__(f"At most {limit} subscriptions per connection; unsubscribe first.")


class Replayed(DomainError):
    """A final answer given before under the same Idempotency-Key, given again as it was."""

    def __init__(self, code: str, message: str, details: dict | None = None):
        super().__init__(message, **(details or {}))
        self.code = code


class ErasureBlocked(DomainError):
    """Upcoming confirmed bookings must be cancelled (and refunded) before an erasure."""

    code = "ERASURE_BLOCKED"
    default_message = ("Upcoming confirmed bookings block the erasure; cancel them first or "
                       "ask with cancel_upcoming=true.")

    def __init__(self, booking_ids: list[str]):
        super().__init__(None, booking_ids=booking_ids)
