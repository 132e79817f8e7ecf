"""Seats, holds, ledgers and bookings in the booking table: every state change is one
conditional transaction, so a seat can never belong to two live holds or bookings."""
from __future__ import annotations

import hashlib

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import size
from pynamodb.transactions import TransactGet

from ..domain import errors
from ..domain.clock import from_epoch, to_rfc3339
from ..domain.bookings import Booking, Ticket
from ..domain.holds import Hold, HeldSeat, TicketLedger
from ..domain.money import Money
from .catalog_store import as_plain
from .dynamo_models import BookingItem, CatalogItem, HoldItem, LedgerItem, SeatStateItem
from .transactions import ConditionsFailed

RECORD_TTL_SECONDS = 90 * 24 * 3600


def seat_pk(event_id: str, section: str) -> str:
    return f"SEATS#{event_id}#{section}"


def ledger_pk(event_id: str, user_id: str) -> str:
    return f"LEDGER#{event_id}#{user_id}"


def shard_of(key: str, shards: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % shards


# --- mapping ---------------------------------------------------------------------------------
def seat_to_doc(seat: HeldSeat) -> dict:
    return {"seat_id": seat.seat_id, "section": seat.section, "row": seat.row,
            "number": seat.number, "tier_id": seat.tier_id, "price": seat.price.to_dict()}


def seat_from_doc(doc: dict) -> HeldSeat:
    return HeldSeat(doc["seat_id"], doc["section"], doc["row"], int(doc["number"]),
                    doc["tier_id"], Money.from_dict(doc["price"]))


def hold_from_item(item: HoldItem) -> Hold:
    doc = as_plain(item.doc)
    return Hold(hold_id=doc["hold_id"], user_id=item.user_id, event_id=item.event_id,
                tenant_id=doc["tenant_id"], status=item.status, created_at=int(doc["created_at"]),
                expires_at=int(item.expires_at), seats=tuple(seat_from_doc(s) for s in doc["seats"]),
                total_price=Money.from_dict(doc["total_price"]),
                request_hash=doc.get("request_hash", ""), booking_id=item.booking_id,
                event_name=doc.get("event_name", ""), event_starts_at=doc.get("event_starts_at", ""),
                first_expires_at=int(doc.get("first_expires_at", 0)))


def booking_from_item(item: BookingItem) -> Booking:
    doc = as_plain(item.doc)
    return Booking(
        booking_id=doc["booking_id"], user_id=item.user_id, event_id=item.event_id,
        tenant_id=doc["tenant_id"], hold_id=item.hold_id, status=item.status,
        tickets=[Ticket(t["ticket_id"], seat_from_doc(t["seat"])) for t in doc["tickets"]],
        total_price=Money.from_dict(doc["total_price"]),
        confirmation_code=doc["confirmation_code"], created_at=doc["created_at"],
        event_name=doc["event_name"], event_starts_at=doc["event_starts_at"],
        payment_method_id=doc.get("payment_method_id", ""),
        authorization_id=doc.get("authorization_id"), capture_pending=bool(item.capture_pending),
        failure=doc.get("failure"), checked_in=dict(as_plain(item.checked_in) or {}),
        refund=doc.get("refund"), request_key=doc.get("request_key", ""))


def booking_doc(booking: Booking) -> dict:
    return {
        "booking_id": booking.booking_id, "tenant_id": booking.tenant_id,
        "tickets": [{"ticket_id": t.ticket_id, "seat": seat_to_doc(t.seat)} for t in booking.tickets],
        "total_price": booking.total_price.to_dict(), "confirmation_code": booking.confirmation_code,
        "created_at": booking.created_at, "event_name": booking.event_name,
        "event_starts_at": booking.event_starts_at, "payment_method_id": booking.payment_method_id,
        "authorization_id": booking.authorization_id, "failure": booking.failure,
        "refund": booking.refund, "request_key": booking.request_key,
    }


def ledger_from_item(item: LedgerItem | None) -> TicketLedger:
    if item is None:
        return TicketLedger()
    holds = {k: (int(v[0]), int(v[1])) for k, v in (as_plain(item.holds) or {}).items()}
    return TicketLedger(holds=holds, booked=int(item.booked or 0), version=int(item.version or 0))


class DynamoInventoryRepository:
    def __init__(self, transactions, sweep_shards: int = 8):
        self._tx = transactions
        self._shards = sweep_shards

    # reads ----------------------------------------------------------------------------------
    def hold_context(self, event_id: str, user_id: str, hold_id: str | None):
        """The event, the caller's ledger and (for a retry) the hold: one request."""
        with TransactGet(connection=self._tx.connection()) as tg:
            event_f = tg.get(CatalogItem, f"EVENT#{event_id}", "EVENT")
            ledger_f = tg.get(LedgerItem, ledger_pk(event_id, user_id), "LEDGER")
            hold_f = tg.get(HoldItem, f"HOLD#{hold_id}", "HOLD") if hold_id else None

        def value(future):
            try:
                return future.get() if future else None
            except DoesNotExist:
                return None
        event_item, ledger_item, hold_item = value(event_f), value(ledger_f), value(hold_f)
        return (as_plain(event_item.doc) if event_item else None, ledger_from_item(ledger_item),
                hold_from_item(hold_item) if hold_item else None)

    def hold(self, hold_id: str) -> Hold | None:
        try:
            return hold_from_item(HoldItem.get(f"HOLD#{hold_id}", "HOLD"))
        except HoldItem.DoesNotExist:
            return None

    def seat_states(self, event_id: str, section: str) -> dict[str, dict]:
        """Only seats that are (or were) held or sold have an item: cost grows with them."""
        return {i.sk: {"status": i.status, "expires_at": i.expires_at, "hold_id": i.hold_id,
                       "booking_id": i.booking_id}
                for i in SeatStateItem.query(seat_pk(event_id, section))}

    def seat_states_of(self, event_id: str, seats) -> dict[str, dict]:
        keys = [(seat_pk(event_id, s.section), s.seat_id) for s in seats]
        return {i.sk: {"status": i.status, "expires_at": i.expires_at, "hold_id": i.hold_id,
                       "booking_id": i.booking_id}
                for i in SeatStateItem.batch_get(keys)}

    def holds_of_user(self, user_id: str, after: str | None, limit: int, now_epoch: int):
        condition = HoldItem.gsi1sk < after if after else None
        items = HoldItem.by_user.query(
            f"USER#{user_id}#HOLDS", condition, scan_index_forward=False, limit=limit,
            filter_condition=(HoldItem.status == "active") & (HoldItem.expires_at > now_epoch))
        holds = [hold_from_item(i) for i in items]
        last = items.last_evaluated_key
        return holds, (last["gsi1sk"]["S"] if last else None)

    # hold lifecycle -------------------------------------------------------------------------
    def place_hold(self, hold: Hold, ledger: TicketLedger, now_epoch: int) -> None:
        """Takes every seat if free and records the hold, or raises SeatsUnavailable."""
        created = _iso_key(hold.created_at)
        item = HoldItem(pk=f"HOLD#{hold.hold_id}", sk="HOLD", status="active",
                        user_id=hold.user_id, event_id=hold.event_id, expires_at=hold.expires_at,
                        doc=_hold_doc(hold), gsi1pk=f"USER#{hold.user_id}#HOLDS",
                        gsi1sk=f"{created}#{hold.hold_id}",
                        gsi2pk=f"SWEEP#HOLD#{shard_of(hold.hold_id, self._shards)}",
                        gsi2sk=f"{hold.expires_at:012d}#{hold.hold_id}",
                        ttl=hold.expires_at + RECORD_TTL_SECONDS)
        entries = dict(ledger.holds)
        entries[hold.hold_id] = (len(hold.seats), hold.expires_at)
        ledger_item = LedgerItem(pk=ledger_pk(hold.event_id, hold.user_id), sk="LEDGER",
                                 holds={k: list(v) for k, v in entries.items()},
                                 booked=ledger.booked, version=ledger.version + 1)
        ledger_condition = (LedgerItem.version == ledger.version if ledger.version
                            else LedgerItem.pk.does_not_exist())

        def build(tx):
            for seat in hold.seats:
                tx.save(SeatStateItem(pk=seat_pk(hold.event_id, seat.section), sk=seat.seat_id,
                                      status="held", hold_id=hold.hold_id, user_id=hold.user_id,
                                      expires_at=hold.expires_at,
                                      ttl=hold.expires_at + RECORD_TTL_SECONDS),
                        condition=SeatStateItem.pk.does_not_exist() | (
                            (SeatStateItem.status == "held")
                            & (SeatStateItem.expires_at <= now_epoch)),
                        return_values="ALL_OLD")
            tx.save(item, condition=HoldItem.pk.does_not_exist(), return_values="ALL_OLD")
            tx.save(ledger_item, condition=ledger_condition, return_values="ALL_OLD")
        self._tx.run(build)

    def extend_hold(self, hold: Hold, new_expiry: int, now_epoch: int) -> None:
        def build(tx):
            tx.update(HoldItem(pk=f"HOLD#{hold.hold_id}", sk="HOLD"),
                      actions=[HoldItem.expires_at.set(new_expiry),
                               HoldItem.gsi2sk.set(f"{new_expiry:012d}#{hold.hold_id}"),
                               HoldItem.ttl.set(new_expiry + RECORD_TTL_SECONDS)],
                      condition=(HoldItem.status == "active") & (HoldItem.expires_at > now_epoch))
            for seat in hold.seats:
                tx.update(SeatStateItem(pk=seat_pk(hold.event_id, seat.section), sk=seat.seat_id),
                          actions=[SeatStateItem.expires_at.set(new_expiry)],
                          condition=SeatStateItem.hold_id == hold.hold_id)
            tx.update(LedgerItem(pk=ledger_pk(hold.event_id, hold.user_id), sk="LEDGER"),
                      actions=[LedgerItem.holds[hold.hold_id].set([len(hold.seats), new_expiry]),
                               LedgerItem.version.add(1)])
        self._tx.run(build)

    def end_hold(self, hold: Hold, status: str, now_epoch: int) -> bool:
        """Marks an active hold released or expired and frees the seats it still owns.
        Returns False when the hold was no longer active (someone else ended it)."""
        for _ in range(5):
            owned = self._owned(hold)
            condition = HoldItem.status == "active"
            if status == "expired":
                condition &= HoldItem.expires_at <= now_epoch

            def build(tx):
                tx.update(HoldItem(pk=f"HOLD#{hold.hold_id}", sk="HOLD"),
                          actions=[HoldItem.status.set(status), HoldItem.gsi2pk.remove(),
                                   HoldItem.gsi2sk.remove()], condition=condition)
                for seat in owned:
                    tx.delete(SeatStateItem(pk=seat_pk(hold.event_id, seat.section), sk=seat.seat_id),
                              condition=SeatStateItem.hold_id == hold.hold_id)
                tx.update(LedgerItem(pk=ledger_pk(hold.event_id, hold.user_id), sk="LEDGER"),
                          actions=[LedgerItem.holds[hold.hold_id].remove(), LedgerItem.version.add(1)])
            try:
                self._tx.run(build)
                return True
            except ConditionsFailed as e:
                if e.failure.failed("HOLD#"):
                    return False
                # A seat changed hands between the read and the write: read again.
        raise errors.Conflict("The hold changed while it was being released; retry.")

    def _owned(self, hold: Hold):
        states = self.seat_states_of(hold.event_id, hold.seats)
        return [s for s in hold.seats if states.get(s.seat_id, {}).get("hold_id") == hold.hold_id]

    def expired_hold_ids(self, shard: int, now_epoch: int, limit: int) -> list[str]:
        items = HoldItem.by_sweep.query(f"SWEEP#HOLD#{shard}",
                                        HoldItem.gsi2sk < f"{now_epoch + 1:012d}", limit=limit)
        return [i.pk.removeprefix("HOLD#") for i in items]

    # bookings -------------------------------------------------------------------------------
    def add_pending_booking(self, booking: Booking) -> None:
        BookingItem(pk=f"BOOKING#{booking.booking_id}", sk="BOOKING", status="pending",
                    user_id=booking.user_id, hold_id=booking.hold_id, event_id=booking.event_id,
                    doc=booking_doc(booking), checked_in={},
                    gsi1pk=f"USER#{booking.user_id}#BOOKINGS",
                    gsi1sk=f"{booking.created_at}#{booking.booking_id}",
                    **self._sweep_keys(booking)).save(condition=BookingItem.pk.does_not_exist())

    def _sweep_keys(self, booking: Booking) -> dict:
        return {"gsi2pk": f"SWEEP#BOOKING#{shard_of(booking.booking_id, self._shards)}",
                "gsi2sk": f"{booking.created_at}#{booking.booking_id}"}

    def booking(self, booking_id: str) -> Booking | None:
        try:
            return booking_from_item(BookingItem.get(f"BOOKING#{booking_id}", "BOOKING"))
        except BookingItem.DoesNotExist:
            return None

    def bookings_of_user(self, user_id: str, status: str | None, after: str | None, limit: int):
        condition = BookingItem.gsi1sk < after if after else None
        items = BookingItem.by_user.query(
            f"USER#{user_id}#BOOKINGS", condition, scan_index_forward=False, limit=limit,
            filter_condition=(BookingItem.status == status) if status else None)
        bookings = [booking_from_item(i) for i in items]
        last = items.last_evaluated_key
        return bookings, (last["gsi1sk"]["S"] if last else None)

    def commit_booking(self, booking: Booking, hold: Hold, now_epoch: int) -> None:
        """Hold booked, seats sold, booking confirmed (capture still to do): all or nothing."""
        doc = booking_doc(booking)

        def build(tx):
            tx.update(HoldItem(pk=f"HOLD#{hold.hold_id}", sk="HOLD"),
                      actions=[HoldItem.status.set("booked"),
                               HoldItem.booking_id.set(booking.booking_id),
                               HoldItem.gsi2pk.remove(), HoldItem.gsi2sk.remove()],
                      condition=(HoldItem.status == "active") & (HoldItem.expires_at > now_epoch),
                      return_values="ALL_OLD")
            for seat in hold.seats:
                tx.update(SeatStateItem(pk=seat_pk(hold.event_id, seat.section), sk=seat.seat_id),
                          actions=[SeatStateItem.status.set("sold"),
                                   SeatStateItem.booking_id.set(booking.booking_id),
                                   SeatStateItem.expires_at.remove(), SeatStateItem.ttl.remove()],
                          condition=(SeatStateItem.hold_id == hold.hold_id)
                          & (SeatStateItem.status == "held")
                          & (SeatStateItem.expires_at > now_epoch))
            tx.update(BookingItem(pk=f"BOOKING#{booking.booking_id}", sk="BOOKING"),
                      actions=[BookingItem.status.set("confirmed"), BookingItem.doc.set(doc),
                               BookingItem.capture_pending.set(True)],
                      condition=BookingItem.status == "pending")
            tx.update(LedgerItem(pk=ledger_pk(hold.event_id, hold.user_id), sk="LEDGER"),
                      actions=[LedgerItem.holds[hold.hold_id].remove(),
                               LedgerItem.booked.add(len(hold.seats)), LedgerItem.version.add(1)])
        self._tx.run(build)

    def settle_booking(self, booking: Booking, status: str, failure: dict | None = None,
                       expected: str | None = None) -> bool:
        """Ends the sweep for a booking: captured (confirmed), refunded, or failed."""
        booking.failure = failure if failure else booking.failure
        actions = [BookingItem.capture_pending.set(False), BookingItem.gsi2pk.remove(),
                   BookingItem.gsi2sk.remove(), BookingItem.status.set(status),
                   BookingItem.doc.set(booking_doc(booking))]
        try:
            BookingItem(pk=f"BOOKING#{booking.booking_id}", sk="BOOKING").update(
                actions=actions, condition=BookingItem.status == (expected or booking.status))
            return True
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise

    def cancel_booking(self, booking: Booking, refund: dict) -> None:
        booking.refund = refund
        doc = booking_doc(booking)
        sweep = self._sweep_keys(booking)  # back in the sweep until the refund is done

        def build(tx):
            tx.update(BookingItem(pk=f"BOOKING#{booking.booking_id}", sk="BOOKING"),
                      actions=[BookingItem.status.set("cancelled"), BookingItem.doc.set(doc),
                               BookingItem.gsi2pk.set(sweep["gsi2pk"]),
                               BookingItem.gsi2sk.set(sweep["gsi2sk"])],
                      # A ticket scanned at the door is used: its booking stays.
                      condition=(BookingItem.status == "confirmed")
                      & (size(BookingItem.checked_in) == 0))
            for ticket in booking.tickets:
                tx.delete(SeatStateItem(pk=seat_pk(booking.event_id, ticket.seat.section),
                                        sk=ticket.seat.seat_id),
                          condition=SeatStateItem.booking_id == booking.booking_id)
            tx.update(LedgerItem(pk=ledger_pk(booking.event_id, booking.user_id), sk="LEDGER"),
                      actions=[LedgerItem.booked.add(-len(booking.tickets)),
                               LedgerItem.version.add(1)])
        self._tx.run(build)

    def pending_booking_ids(self, shard: int, older_than: str, limit: int) -> list[str]:
        items = BookingItem.by_sweep.query(f"SWEEP#BOOKING#{shard}",
                                           BookingItem.gsi2sk < older_than, limit=limit)
        return [i.pk.removeprefix("BOOKING#") for i in items]

    def check_in(self, booking_id: str, ticket_id: str, when: str) -> bool:
        """Marks the ticket used; False when another scan (or a cancel) got there first."""
        try:
            BookingItem(pk=f"BOOKING#{booking_id}", sk="BOOKING").update(
                actions=[BookingItem.checked_in[ticket_id].set(when)],
                condition=(BookingItem.status == "confirmed")
                & BookingItem.checked_in[ticket_id].does_not_exist())
            return True
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise


def _hold_doc(hold: Hold) -> dict:
    return {"hold_id": hold.hold_id, "tenant_id": hold.tenant_id, "created_at": hold.created_at,
            "seats": [seat_to_doc(s) for s in hold.seats],
            "total_price": hold.total_price.to_dict(), "request_hash": hold.request_hash,
            "event_name": hold.event_name, "event_starts_at": hold.event_starts_at,
            "first_expires_at": hold.first_expires_at or hold.expires_at}


def _iso_key(epoch_seconds: int) -> str:
    return to_rfc3339(from_epoch(epoch_seconds))
