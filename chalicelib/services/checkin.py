"""At the door: verify a ticket's signed code and mark it used exactly once."""
from __future__ import annotations

from ..domain import errors
from ..domain.clock import to_rfc3339


class CheckInService:
    def __init__(self, catalog, inventory, signer, clock):
        self.catalog, self.inventory, self.signer, self.clock = catalog, inventory, signer, clock

    def check_in(self, principal, event_id: str, code: str) -> dict:
        event = self.catalog.event(event_id)
        if not event or event.tenant_id != principal.tenant_id:
            raise errors.NotFound("event")
        claims = self.signer.verify(code)
        if claims["eid"] != event_id:
            raise errors.InvalidTicket("The ticket is for another event.")
        booking = self.inventory.booking(claims["bid"])
        ticket = booking and next((t for t in booking.tickets if t.ticket_id == claims["tid"]), None)
        if ticket is None:
            raise errors.InvalidTicket()
        if booking.status == "cancelled":
            raise errors.TicketVoid()
        if booking.status != "confirmed":
            raise errors.InvalidTicket("The ticket's booking is not confirmed.")
        when = to_rfc3339(self.clock.now())
        if not self.inventory.check_in(booking.booking_id, ticket.ticket_id, when):
            booking = self.inventory.booking(booking.booking_id)
            if booking.status == "cancelled":
                raise errors.TicketVoid()
            raise errors.AlreadyCheckedIn(booking.checked_in.get(ticket.ticket_id, when))
        return {"ticket_id": ticket.ticket_id, "seat": ticket.seat.to_dict("sold"),
                "checked_in_at": when}

    def keys(self) -> dict:
        return {"keys": self.signer.public_keys()}
