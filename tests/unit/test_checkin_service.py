"""At the door, on the fakes: each ticket admitted once; forged, foreign and void tickets refused."""
import threading

import pytest

from chalicelib.adapters.keys import KeyRing
from chalicelib.adapters.tokens import EdDsaTicketSigner
from chalicelib.domain import errors
from chalicelib.services.ports import TicketClaims


def bought(world):
    org, _, event = world.on_sale()
    customer = world.customer()
    receipt = world.book(customer, world.hold(customer, event.event_id, ["A-1-1"]).hold_id)
    ticket = receipt.booking.tickets[0]
    return org, event, customer, receipt, receipt.codes[ticket.ticket_id]


def test_a_ticket_is_admitted_once_and_a_second_scan_names_the_first(world):
    org, event, _, receipt, code = bought(world)
    first = world.checkins.check_in(org, event.event_id, code)
    world.clock.advance(30)
    with pytest.raises(errors.AlreadyCheckedIn) as again:
        world.checkins.check_in(org, event.event_id, code)
    assert again.value.details["checked_in_at"] == first.checked_in_at


def test_eight_scanners_at_once_admit_the_ticket_exactly_once(world):
    org, event, _, _, code = bought(world)
    outcomes = []

    def scan():
        try:
            world.checkins.check_in(org, event.event_id, code)
            outcomes.append("in")
        except errors.AlreadyCheckedIn:
            outcomes.append("again")
    threads = [threading.Thread(target=scan) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["again"] * 7 + ["in"]


def test_forged_foreign_and_void_tickets_are_refused(world):
    org, event, customer, receipt, code = bought(world)
    stranger = EdDsaTicketSigner(KeyRing.generate())
    forged = stranger.sign(TicketClaims(receipt.booking.tickets[0].ticket_id,
                                        receipt.booking.booking_id, event.event_id, "A-1-1"))
    with pytest.raises(errors.InvalidTicket):
        world.checkins.check_in(org, event.event_id, forged)
    _, _, elsewhere = world.on_sale()
    with pytest.raises(errors.NotFound):
        world.checkins.check_in(org, elsewhere.event_id, code)  # another tenant's event
    sibling = world.event(org, world.catalog.venue(org, event.venue_id))
    with pytest.raises(errors.InvalidTicket):
        world.checkins.check_in(org, sibling.event_id, code)  # this tenant's other event
    world.bookings.cancel(customer, receipt.booking.booking_id)
    with pytest.raises(errors.TicketVoid):
        world.checkins.check_in(org, event.event_id, code)
