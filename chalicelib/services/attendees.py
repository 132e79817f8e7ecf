"""Who is coming to an organizer's event, and the organizer refunding one booking."""
from __future__ import annotations

from ..domain import errors
from ..domain.audit import AuditAction
from ..domain.bookings import RefundReason
from ..domain.identity import Principal
from .audit import Auditor
from .bookings import Receipt
from .paging import Page


class AttendeeService:
    def __init__(self, catalog_service, inventory, bookings, paging, clock):
        self.catalog_service, self.inventory, self.bookings = catalog_service, inventory, bookings
        self.paging = paging
        self.auditor = Auditor(clock)

    def attendees(self, principal: Principal, event_id: str, cursor: str | None,
                  limit: int) -> Page:
        """The event's bookings with tickets (confirmed and cancelled), a page at a time."""
        self.catalog_service.owned_event(principal, event_id)
        return self.paging.page(f"attendees:{principal.tenant_id}:{event_id}", cursor,
                                lambda after: self.inventory.bookings_of_event(event_id, after, limit))

    def refund(self, principal: Principal, booking_id: str,
               request_id: str | None = None) -> Receipt:
        """As the customer's own cancel (closed once the event started); refunding again
        answers with the cancelled booking."""
        booking = self.inventory.booking(booking_id)
        if booking is None or booking.tenant_id != principal.tenant_id:
            raise errors.NotFound("booking")
        audit = self.auditor.entry(principal, AuditAction.BOOKING_REFUND, "booking", booking_id,
                                   request_id)
        return self.bookings.receipt(self.bookings.cancel_booking(booking, RefundReason.ORGANIZER,
                                                                  audit))
