"""A customer's personal data in the booking table: erasure requests (found by a keyed hash)
and the rewrites that move a user's holds, seats, ledgers and bookings to a pseudonym.

Each rewrite is conditional on the item still naming the user, so the job is idempotent:
a pass that finds nothing under the user id any more has nothing left to do."""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError

from ..domain.audit import AuditEntry
from ..domain.bookings import BookingStatus
from ..domain.privacy import Erasure, ErasureStatus
from ..services.ports import Slice
from .audit_store import add_audit
from .catalog_store import as_plain
from .dynamo_models import BookingItem, ErasureItem, HoldItem, LedgerItem, SeatStateItem
from .inventory_mapping import (REFUSED, booking_pk, hold_from_item, hold_pk, ledger_pk,
                                seat_pk, user_bookings_pk, user_holds_pk)
from .paging import bounded_query
from .transactions import ConditionsFailed

ERASURE_SWEEP = "SWEEP#ERASURE"  # erasures are rare: one partition holds every running one


def _erasure_pk(marker: str) -> str:
    return f"ERASURE#{marker}"


def _day_pk(day: str) -> str:
    return f"ERASED#{day}"


def _erasure_from_item(item: ErasureItem) -> Erasure:
    return Erasure(item.pk.removeprefix("ERASURE#"), item.pseudonym, int(item.requested_at),
                   ErasureStatus(item.status), item.user_id,
                   int(item.erased_at) if item.erased_at is not None else None)


class DynamoPersonalData:
    def __init__(self, transactions):
        self._tx = transactions

    # erasure requests -------------------------------------------------------------------------
    def erasure(self, marker: str, consistent: bool = False) -> Erasure | None:
        try:
            return _erasure_from_item(ErasureItem.get(_erasure_pk(marker), "ERASURE",
                                                      consistent_read=consistent))
        except DoesNotExist:
            return None

    def request_erasure(self, erasure: Erasure) -> Erasure:
        item = ErasureItem(pk=_erasure_pk(erasure.marker), sk="ERASURE",
                           status=erasure.status.value, pseudonym=erasure.pseudonym,
                           requested_at=erasure.requested_at, user_id=erasure.user_id,
                           gsi1pk=_day_pk(erasure.day), gsi1sk=erasure.marker,
                           gsi2pk=ERASURE_SWEEP,
                           gsi2sk=f"{erasure.requested_at:012d}#{erasure.marker}")
        try:
            item.save(condition=ErasureItem.pk.does_not_exist())
            return erasure
        except PutError as e:
            if e.cause_response_code != "ConditionalCheckFailedException":
                raise
            return self.erasure(erasure.marker, consistent=True)

    def erased_on(self, day: str) -> set[str]:
        return {i.gsi1sk for i in ErasureItem.by_day.query(_day_pk(day))}

    def erasures_running(self, limit: int) -> list[str]:
        return [i.pk.removeprefix("ERASURE#")
                for i in ErasureItem.by_sweep.query(ERASURE_SWEEP, limit=limit)]

    def finish_erasure(self, erasure: Erasure, audit: AuditEntry | None) -> bool:
        def build(tx):
            tx.update(ErasureItem(pk=_erasure_pk(erasure.marker), sk="ERASURE"),
                      actions=[ErasureItem.status.set(ErasureStatus.ERASED.value),
                               ErasureItem.erased_at.set(erasure.erased_at),
                               ErasureItem.user_id.remove(), ErasureItem.gsi2pk.remove(),
                               ErasureItem.gsi2sk.remove()],
                      condition=ErasureItem.status == ErasureStatus.ERASING.value)
            add_audit(tx, audit)
        return self._succeeds(build)

    # what is kept about a user ----------------------------------------------------------------
    def hold_ids_of(self, user_id: str, limit: int) -> list[str]:
        """Every hold and kept refusal of the user, whatever its status."""
        return [i.pk.removeprefix("HOLD#")
                for i in HoldItem.by_user.query(user_holds_pk(user_id), limit=limit)]

    def holds_of(self, user_id: str, after: str | None, limit: int) -> Slice:
        items, last = bounded_query(HoldItem, HoldItem.by_user, user_holds_pk(user_id), after,
                                    limit, filter_condition=HoldItem.status != REFUSED)
        return Slice([hold_from_item(i) for i in items], last)

    def booking_ids_of(self, user_id: str, limit: int) -> list[str]:
        found = []
        for failed in (False, True):
            found += [i.pk.removeprefix("BOOKING#") for i in BookingItem.by_user.query(
                user_bookings_pk(user_id, failed), limit=limit - len(found))]
            if len(found) >= limit:
                break
        return found

    # rewrites ---------------------------------------------------------------------------------
    def pseudonymise_hold(self, hold_id: str, user_id: str, pseudonym: str) -> bool:
        """The hold (or refusal) and the seats it holds or sold move to the pseudonym; False
        when something changed meanwhile (the next pass tries again)."""
        try:
            item = HoldItem.get(hold_pk(hold_id), "HOLD", consistent_read=True)
        except DoesNotExist:
            return True
        if item.user_id != user_id:
            return True
        hold = hold_from_item(item) if item.status != REFUSED else None
        seats = []
        if hold is not None:
            keys = [(seat_pk(hold.event_id, s.section), s.seat_id) for s in hold.seats]
            seats = [s for s in SeatStateItem.batch_get(keys, consistent_read=True)
                     if s.user_id == user_id]

        def build(tx):
            tx.update(HoldItem(pk=item.pk, sk="HOLD"),
                      actions=[HoldItem.user_id.set(pseudonym),
                               HoldItem.gsi1pk.set(user_holds_pk(pseudonym))],
                      condition=HoldItem.user_id == user_id)
            for seat in seats:
                tx.update(SeatStateItem(pk=seat.pk, sk=seat.sk),
                          actions=[SeatStateItem.user_id.set(pseudonym)],
                          condition=SeatStateItem.user_id == user_id)
        if not self._succeeds(build):
            return False
        return self._move_ledger(hold.event_id, user_id, pseudonym) if hold else True

    def pseudonymise_booking(self, booking_id: str, user_id: str, pseudonym: str) -> bool:
        """The booking stays (an accounting record) under the pseudonym, without the email or
        the card it was paid with."""
        try:
            item = BookingItem.get(booking_pk(booking_id), "BOOKING", consistent_read=True)
        except DoesNotExist:
            return True
        doc = as_plain(item.doc)
        failed = item.status == BookingStatus.FAILED.value
        # A state change that read the booking before its first rewrite stores the old
        # document and index key again (never the user_id attribute): rewrite it once more.
        left = (item.gsi1pk == user_bookings_pk(user_id, failed) or doc.get("customer_email")
                or doc.get("payment_method_id"))
        if item.user_id != user_id and not (item.user_id == pseudonym and left):
            return True
        doc = {**doc, "customer_email": None, "payment_method_id": ""}
        unchanged = ((BookingItem.user_id == item.user_id) & (BookingItem.status == item.status)
                     & (BookingItem.capture_pending == bool(item.capture_pending)))
        unchanged &= (BookingItem.refund_status == item.refund_status if item.refund_status
                      else BookingItem.refund_status.does_not_exist())
        moved = self._succeeds(lambda tx: tx.update(
            BookingItem(pk=item.pk, sk="BOOKING"),
            actions=[BookingItem.user_id.set(pseudonym), BookingItem.doc.set(doc),
                     BookingItem.gsi1pk.set(user_bookings_pk(pseudonym, failed))],
            condition=unchanged))
        return moved and self._move_ledger(item.event_id, user_id, pseudonym)

    def move_ledger(self, event_id: str, user_id: str, pseudonym: str) -> bool:
        return self._move_ledger(event_id, user_id, pseudonym)

    def _move_ledger(self, event_id: str, user_id: str, pseudonym: str) -> bool:
        """The ticket ledger's key holds the user id: its counts join the pseudonym's."""
        try:
            old = LedgerItem.get(ledger_pk(event_id, user_id), "LEDGER", consistent_read=True)
        except DoesNotExist:
            return True
        actions = [LedgerItem.booked.add(int(old.booked or 0)),
                   LedgerItem.in_use.add(int(old.in_use or 0)), LedgerItem.version.add(1)]
        if old.entries:
            actions.append(LedgerItem.entries.add(set(old.entries)))

        def build(tx):
            tx.update(LedgerItem(pk=ledger_pk(event_id, pseudonym), sk="LEDGER"), actions=actions)
            tx.delete(LedgerItem(pk=old.pk, sk="LEDGER"),
                      condition=LedgerItem.version == int(old.version or 0))
        return self._succeeds(build)

    def _succeeds(self, build) -> bool:
        """Runs one transaction; False when a condition refused it (the next pass retries)."""
        try:
            self._tx.run(build)
            return True
        except ConditionsFailed:
            return False
