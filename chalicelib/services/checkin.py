"""At the door: verify a ticket's signed code and mark it used exactly once."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import errors
from ..domain.audit import AuditAction
from ..domain.bookings import BookingStatus, Ticket
from ..domain.clock import to_rfc3339
from ..domain.identity import Principal
from .audit import Auditor


@dataclass(frozen=True)
class CheckIn:
    ticket: Ticket
    checked_in_at: str


class CheckInService:
    """Admits each ticket once; forged, foreign and void tickets are refused."""

    def __init__(self, catalog, inventory, signer, clock):
        self.catalog, self.inventory, self.signer, self.clock = catalog, inventory, signer, clock
        self.auditor = Auditor(clock)

    def check_in(self, principal: Principal, event_id: str, code: str,
                 request_id: str | None = None) -> CheckIn:
        event = self.catalog.event(event_id)
        if not event or event.tenant_id != principal.tenant_id:
            raise errors.NotFound("event")
        claims = self.signer.verify(code)
        if claims.event_id != event_id:
            raise errors.InvalidTicket("The ticket is for another event.")
        booking = self.inventory.booking(claims.booking_id)
        ticket = booking and booking.ticket(claims.ticket_id)
        if ticket is None:
            raise errors.InvalidTicket()
        if booking.status == BookingStatus.CANCELLED:
            raise errors.TicketVoid()
        if booking.status != BookingStatus.CONFIRMED:
            raise errors.InvalidTicket("The ticket's booking is not confirmed.")
        when = to_rfc3339(self.clock.now())
        audit = self.auditor.entry(principal, AuditAction.TICKET_CHECK_IN, "ticket",
                                   ticket.ticket_id, request_id)
        if not self.inventory.check_in(booking.booking_id, ticket.ticket_id, when, audit):
            booking = self.inventory.booking(booking.booking_id)
            if booking.status == BookingStatus.CANCELLED:
                raise errors.TicketVoid()
            raise errors.AlreadyCheckedIn(booking.checked_in.get(ticket.ticket_id, when))
        return CheckIn(ticket, when)

    def keys(self) -> list[dict]:
        return self.signer.public_keys()
