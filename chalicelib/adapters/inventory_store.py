"""Seats, holds, ledgers and bookings in the booking table: every state change a promise
depends on is one conditional transaction, so a seat can never belong to two live holds or
bookings, and nothing is written when any condition fails."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import size

from ..domain import errors
from ..domain.audit import AuditEntry
from ..domain.bookings import Booking, BookingStatus, RefundReason, RefundStatus
from ..domain.clock import from_epoch, to_rfc3339
from ..domain.holds import BOOKING_CLAIM_SECONDS, Hold, HoldStatus, SeatState, TicketLedger
from ..services.ports import (BookingChanged, ClaimRefused, CommitRefused, HoldIdTaken,
                              HoldNotActive, LedgerChanged, LedgerFull, LimitCheck, OverLimit,
                              RateCheck, Refusal, SaleChanged, SaleGuard, Slice)
from .audit_store import add_audit
from .catalog_store import progress_pk
from .dynamo_models import (BookingItem, CancellationItem, CatalogItem, HoldItem, LedgerItem,
                            SeatStateItem)
from .inventory_mapping import (ATTENDEE_SHARDS, REFUSAL_TTL_SECONDS, REFUSED,
                                RECORD_TTL_SECONDS, booking_doc, booking_from_item, booking_pk,
                                event_bookings_keys, event_bookings_pk, failed_booking_ttl, hold_doc, hold_from_item,
                                hold_pk, ledger_entry, ledger_pk, parse_entries, seat_pk,
                                seat_state_from_item, shard_of, user_bookings_pk, user_holds_pk)
from .paging import bounded_query
from .rate_store import DynamoRateCounter, add_to_transaction, is_rate_key
from .transactions import ConditionFailed, ConditionsFailed, check

OPEN_BOOKINGS = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CANCELLED)
# A booking's rate counter is written beside its claim, not before it: one round trip.
_beside = ThreadPoolExecutor(max_workers=8, thread_name_prefix="rate-counter")


def _conditional(error) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


class DynamoInventory:
    def __init__(self, transactions, sweep_shards: int = 8):
        self._tx = transactions
        self._shards = sweep_shards

    @property
    def shards(self) -> int:
        return self._shards

    # seats ------------------------------------------------------------------------------------
    def seat_states(self, event_id: str, section: str) -> dict[str, SeatState]:
        """Only seats that are (or were) held or sold have an item: cost grows with them."""
        return {i.sk: seat_state_from_item(i) for i in SeatStateItem.query(seat_pk(event_id, section))}

    def seat_states_of(self, event_id: str, seat_ids: list[str]) -> dict[str, SeatState]:
        keys = [(seat_pk(event_id, seat_id.split("-", 1)[0]), seat_id) for seat_id in seat_ids]
        return {i.sk: seat_state_from_item(i)
                for i in SeatStateItem.batch_get(keys, consistent_read=True)}

    # holds ------------------------------------------------------------------------------------
    def place_hold(self, hold: Hold, guard: SaleGuard, limit: LimitCheck,
                   rate: RateCheck | None = None) -> None:
        item = HoldItem(pk=hold_pk(hold.hold_id), sk="HOLD", status=HoldStatus.ACTIVE.value,
                        user_id=hold.user_id, event_id=hold.event_id, expires_at=hold.expires_at,
                        doc=hold_doc(hold), gsi1pk=user_holds_pk(hold.user_id),
                        gsi1sk=f"{_iso(hold.created_at)}#{hold.hold_id}",
                        **self._hold_sweep_keys(hold, hold.expires_at),
                        ttl=hold.expires_at + RECORD_TTL_SECONDS)
        if limit.cap is not None:
            ledger_condition = LedgerItem.pk.does_not_exist() | (LedgerItem.in_use <= limit.cap)
        elif limit.version:
            ledger_condition = LedgerItem.version == limit.version
        else:
            ledger_condition = LedgerItem.pk.does_not_exist()

        def build(tx):
            check(tx, CatalogItem, f"EVENT#{guard.event_id}", "EVENT",
                  (CatalogItem.status == "published") & (CatalogItem.version == guard.version))
            for seat in hold.seats:
                tx.save(SeatStateItem(pk=seat_pk(hold.event_id, seat.section), sk=seat.seat_id,
                                      status="held", hold_id=hold.hold_id, user_id=hold.user_id,
                                      expires_at=hold.expires_at,
                                      ttl=hold.expires_at + RECORD_TTL_SECONDS),
                        condition=SeatStateItem.pk.does_not_exist() | (
                            (SeatStateItem.status == "held")
                            & (SeatStateItem.expires_at <= guard.now)),
                        return_values="ALL_OLD")
            tx.save(item, condition=HoldItem.pk.does_not_exist(), return_values="ALL_OLD")
            tx.update(LedgerItem(pk=ledger_pk(hold.event_id, hold.user_id), sk="LEDGER"),
                      actions=[LedgerItem.entries.add({ledger_entry(hold)}),
                               LedgerItem.in_use.add(hold.seat_count), LedgerItem.version.add(1)],
                      condition=ledger_condition, return_values="ALL_OLD")
            if rate is not None:
                add_to_transaction(tx, rate)
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            failure = e.failure
            if failure.failed("HOLD#"):
                raise HoldIdTaken(_hold_or_refusal(failure.old(failure.failed("HOLD#")[0]))) from e
            if failure.failed("EVENT#"):
                raise SaleChanged() from e
            if any(is_rate_key(pk) for pk, _ in failure.failed_keys):
                raise OverLimit(rate) from e
            if failure.failed("LEDGER#") or ("", "") in failure.failed_keys:
                # (a missing item fails only the ledger's version check: events are never deleted)
                raise (LedgerFull() if limit.cap is not None else LedgerChanged()) from e
            raise errors.SeatsUnavailable([sk for _, sk in failure.failed("SEATS#")]) from e

    def refuse_hold(self, refusal: Refusal) -> None:
        doc = {"hold_id": refusal.hold_id, "request_hash": refusal.request_hash,
               "code": refusal.code, "message": refusal.message, "details": refusal.details,
               "refused_at": refusal.refused_at}
        try:
            # Listed under the user (never as a hold: the filters ask for active ones) so
            # an export or an erasure finds it.
            HoldItem(pk=hold_pk(refusal.hold_id), sk="HOLD", status=REFUSED,
                     user_id=refusal.user_id, doc=doc, gsi1pk=user_holds_pk(refusal.user_id),
                     gsi1sk=f"{_iso(refusal.refused_at)}#{refusal.hold_id}",
                     ttl=refusal.refused_at + REFUSAL_TTL_SECONDS).save(
                condition=HoldItem.pk.does_not_exist())
        except PutError as e:
            if not _conditional(e):
                raise
            raise HoldIdTaken(_hold_or_refusal(
                HoldItem.get(hold_pk(refusal.hold_id), "HOLD", consistent_read=True))) from e

    def _hold_item(self, hold_id: str) -> HoldItem | None:
        try:
            item = HoldItem.get(hold_pk(hold_id), "HOLD")
        except DoesNotExist:
            return None
        return None if item.status == REFUSED else item

    def hold(self, hold_id: str) -> Hold | None:
        item = self._hold_item(hold_id)
        return hold_from_item(item) if item else None

    def holds(self, hold_ids: list[str]) -> list[Hold]:
        if not hold_ids:
            return []
        items = HoldItem.batch_get([(hold_pk(h), "HOLD") for h in hold_ids])
        return [hold_from_item(i) for i in items if i.status != REFUSED]

    def ledger(self, event_id: str, user_id: str) -> TicketLedger:
        try:
            item = LedgerItem.get(ledger_pk(event_id, user_id), "LEDGER", consistent_read=True)
        except DoesNotExist:
            return TicketLedger()
        return TicketLedger(holds=parse_entries(item.entries), booked=int(item.booked or 0),
                            version=int(item.version or 0))

    def extend_hold(self, hold: Hold, expires_at: int, now: int) -> None:
        longer = Hold(**{**hold.__dict__, "expires_at": expires_at})

        def build(tx):
            tx.update(HoldItem(pk=hold_pk(hold.hold_id), sk="HOLD"),
                      actions=[HoldItem.expires_at.set(expires_at),
                               HoldItem.gsi2sk.set(self._hold_sweep_keys(longer, expires_at)["gsi2sk"]),
                               HoldItem.ttl.set(expires_at + RECORD_TTL_SECONDS)],
                      condition=(HoldItem.status == "active") & (HoldItem.expires_at > now))
            for seat in hold.seats:
                tx.update(SeatStateItem(pk=seat_pk(hold.event_id, seat.section), sk=seat.seat_id),
                          actions=[SeatStateItem.expires_at.set(expires_at)],
                          condition=SeatStateItem.hold_id == hold.hold_id)
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            raise HoldNotActive() from e

    def end_hold(self, hold: Hold, now: int) -> bool:
        for _ in range(5):
            owned = self._owned(hold)
            condition = HoldItem.status == "active"
            if hold.status == HoldStatus.EXPIRED:
                condition &= HoldItem.expires_at <= now

            def build(tx):
                tx.update(HoldItem(pk=hold_pk(hold.hold_id), sk="HOLD"),
                          actions=[HoldItem.status.set(hold.status.value),
                                   HoldItem.gsi2pk.remove(), HoldItem.gsi2sk.remove(),
                                   HoldItem.claim_id.remove(), HoldItem.claim_at.remove()],
                          condition=condition, return_values="ALL_OLD")
                for seat in owned:
                    tx.delete(SeatStateItem(pk=seat_pk(hold.event_id, seat.section), sk=seat.seat_id),
                              condition=SeatStateItem.hold_id == hold.hold_id)
                tx.update(LedgerItem(pk=ledger_pk(hold.event_id, hold.user_id), sk="LEDGER"),
                          actions=[LedgerItem.entries.delete({ledger_entry(hold)}),
                                   LedgerItem.in_use.add(-hold.seat_count),
                                   LedgerItem.version.add(1)])
            try:
                self._tx.run(build)
                return True
            except ConditionsFailed as e:
                if e.failure.failed("HOLD#"):
                    return False
                # A seat changed hands between the read and the write: read again.
        raise errors.Conflict("The hold changed while it was being released; retry.")

    def _owned(self, hold: Hold):
        keys = [(seat_pk(hold.event_id, s.section), s.seat_id) for s in hold.seats]
        owners = {i.sk: i.hold_id for i in SeatStateItem.batch_get(keys)}
        return [s for s in hold.seats if owners.get(s.seat_id) == hold.hold_id]

    def active_holds_of(self, user_id: str, after: str | None, limit: int,
                        now: int) -> Slice[Hold]:
        items, last = bounded_query(
            HoldItem, HoldItem.by_user, user_holds_pk(user_id), after, limit,
            filter_condition=(HoldItem.status == "active") & (HoldItem.expires_at > now))
        return Slice([hold_from_item(i) for i in items], last)

    def holds_to_sweep(self, shard: int, now: int, limit: int) -> list[str]:
        items = HoldItem.by_sweep.query(f"SWEEP#HOLD#{shard}",
                                        HoldItem.gsi2sk < f"{now + 1:012d}", limit=limit)
        return [i.pk.removeprefix("HOLD#") for i in items]

    def _hold_sweep_keys(self, hold: Hold, due: int) -> dict:
        return {"gsi2pk": f"SWEEP#HOLD#{shard_of(hold.hold_id, self._shards)}",
                "gsi2sk": f"{due:012d}#{hold.hold_id}"}

    # bookings: claiming a hold ----------------------------------------------------------------
    def claim_hold(self, hold_id: str, user_id: str, booking_id: str, now: int,
                   stale_before: int, rate: RateCheck | None = None) -> Hold:
        if rate is None:
            return self._claim(hold_id, user_id, booking_id, now, stale_before)
        counted = _beside.submit(DynamoRateCounter().consume, rate)
        try:
            hold = self._claim(hold_id, user_id, booking_id, now, stale_before)
        except ClaimRefused:
            if counted.exception() is not None:  # over the limit: the 429 is the answer
                raise counted.exception() from None
            raise
        if counted.exception() is not None:
            self.release_claim(hold, booking_id)  # nothing done: the hold is free again
            raise counted.exception()
        return hold

    def _claim(self, hold_id: str, user_id: str, booking_id: str, now: int,
               stale_before: int) -> Hold:
        condition = (HoldItem.pk.exists() & (HoldItem.user_id == user_id)
                     & (HoldItem.status == "active") & (HoldItem.expires_at > now)
                     & (HoldItem.tried.does_not_exist() | ~HoldItem.tried.contains(booking_id))
                     & (HoldItem.claim_id.does_not_exist() | (HoldItem.claim_at <= stale_before)))
        due = f"{now + BOOKING_CLAIM_SECONDS:012d}#{hold_id}"
        try:
            raw = self._tx.update_returning(
                HoldItem, hold_pk(hold_id), "HOLD",
                [HoldItem.claim_id.set(booking_id), HoldItem.claim_at.set(now),
                 HoldItem.gsi2sk.set(due)], condition)
        except ConditionFailed as e:
            item = HoldItem.from_raw_data(e.old) if e.old else None
            raise ClaimRefused(hold_from_item(item) if item and item.status != REFUSED
                               else None) from e
        return hold_from_item(HoldItem.from_raw_data(raw))

    def release_claim(self, hold: Hold, booking_id: str) -> None:
        try:
            HoldItem(pk=hold_pk(hold.hold_id), sk="HOLD").update(
                actions=[HoldItem.claim_id.remove(), HoldItem.claim_at.remove(),
                         HoldItem.gsi2sk.set(self._hold_sweep_keys(hold, hold.expires_at)["gsi2sk"])],
                condition=(HoldItem.claim_id == booking_id) & (HoldItem.status == "active"))
        except UpdateError as e:
            if not _conditional(e):
                raise

    def record_failed_booking(self, booking: Booking, hold: Hold) -> None:
        item = self._booking_item(booking)

        def build(tx, claimed: bool):
            tx.save(item, condition=BookingItem.pk.does_not_exist(), return_values="ALL_OLD")
            actions = [HoldItem.tried.add({booking.booking_id})]
            if claimed:
                actions += [HoldItem.claim_id.remove(), HoldItem.claim_at.remove(),
                            HoldItem.gsi2sk.set(
                                self._hold_sweep_keys(hold, hold.expires_at)["gsi2sk"])]
            tx.update(HoldItem(pk=hold_pk(hold.hold_id), sk="HOLD"), actions=actions,
                      condition=(HoldItem.claim_id == booking.booking_id) if claimed else None)
        try:
            self._tx.run(lambda tx: build(tx, True))
        except ConditionsFailed as e:
            if e.failure.failed("BOOKING#"):
                return  # recorded by an earlier try of this very request
            self._tx.run(lambda tx: build(tx, False))  # another booking took the claim over

    def add_booking(self, booking: Booking) -> None:
        """A booking that waits (3-D Secure): kept, and the hold stays claimed until it ends."""
        item = self._booking_item(booking)

        def build(tx):
            tx.save(item, condition=BookingItem.pk.does_not_exist())
            tx.update(HoldItem(pk=hold_pk(booking.hold_id), sk="HOLD"),
                      actions=[HoldItem.claim_at.set(_far_claim()),
                               HoldItem.gsi2sk.remove(), HoldItem.gsi2pk.remove()],
                      condition=HoldItem.claim_id == booking.booking_id)
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            raise BookingChanged() from e

    def commit_booking(self, booking: Booking, hold: Hold, now: int) -> None:
        item = self._booking_item(booking)

        def build(tx):
            # A cancelled event sells nothing more, even to holds placed before.
            check(tx, CatalogItem, f"EVENT#{hold.event_id}", "EVENT",
                  CatalogItem.status == "published")
            tx.update(HoldItem(pk=hold_pk(hold.hold_id), sk="HOLD"),
                      actions=[HoldItem.status.set("booked"),
                               HoldItem.booking_id.set(booking.booking_id),
                               HoldItem.gsi2pk.remove(), HoldItem.gsi2sk.remove(),
                               HoldItem.claim_id.remove(), HoldItem.claim_at.remove()],
                      condition=(HoldItem.status == "active") & (HoldItem.expires_at > now)
                      & (HoldItem.claim_id == booking.booking_id))
            for seat in hold.seats:
                tx.update(SeatStateItem(pk=seat_pk(hold.event_id, seat.section), sk=seat.seat_id),
                          actions=[SeatStateItem.status.set("sold"),
                                   SeatStateItem.booking_id.set(booking.booking_id),
                                   SeatStateItem.expires_at.remove(), SeatStateItem.ttl.remove()],
                          condition=(SeatStateItem.hold_id == hold.hold_id)
                          & (SeatStateItem.status == "held")
                          & (SeatStateItem.expires_at > now))
            tx.save(item, condition=BookingItem.pk.does_not_exist()
                    | (BookingItem.status == BookingStatus.PENDING.value))
            tx.update(LedgerItem(pk=ledger_pk(hold.event_id, hold.user_id), sk="LEDGER"),
                      actions=[LedgerItem.entries.delete({ledger_entry(hold)}),
                               LedgerItem.booked.add(hold.seat_count), LedgerItem.version.add(1)])
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            if e.failure.failed("EVENT#"):
                raise SaleChanged() from e
            raise CommitRefused() from e

    # bookings: after the commit ---------------------------------------------------------------
    def _booking_item(self, booking: Booking) -> BookingItem:
        failed = booking.status == BookingStatus.FAILED
        return BookingItem(pk=booking_pk(booking.booking_id), sk="BOOKING",
                           status=booking.status.value, user_id=booking.user_id,
                           hold_id=booking.hold_id, event_id=booking.event_id,
                           capture_pending=booking.capture_pending, doc=booking_doc(booking),
                           refund_status=str(booking.refund.status) if booking.refund else None,
                           checked_in=dict(booking.checked_in),
                           gsi1pk=user_bookings_pk(booking.user_id, failed),
                           gsi1sk=f"{booking.created_at}#{booking.booking_id}",
                           ttl=failed_booking_ttl(booking),
                           **self._booking_sweep_keys(booking), **event_bookings_keys(booking))

    def _booking_sweep_keys(self, booking: Booking) -> dict:
        """Bookings whose money has not settled stay in the finalizer's sparse index."""
        unsettled = (booking.status == BookingStatus.PENDING or booking.capture_pending
                     or (booking.refund is not None and booking.refund.status == RefundStatus.PENDING))
        if not unsettled:
            return {}
        return {"gsi2pk": f"SWEEP#BOOKING#{shard_of(booking.booking_id, self._shards)}",
                "gsi2sk": f"{booking.created_at}#{booking.booking_id}"}

    def _state_actions(self, booking: Booking) -> list:
        sweep = self._booking_sweep_keys(booking)
        actions = [BookingItem.status.set(booking.status.value),
                   BookingItem.capture_pending.set(booking.capture_pending),
                   BookingItem.doc.set(booking_doc(booking)),
                   BookingItem.gsi1pk.set(user_bookings_pk(
                       booking.user_id, booking.status == BookingStatus.FAILED))]
        if sweep:
            actions += [BookingItem.gsi2pk.set(sweep["gsi2pk"]),
                        BookingItem.gsi2sk.set(sweep["gsi2sk"])]
        else:
            actions += [BookingItem.gsi2pk.remove(), BookingItem.gsi2sk.remove()]
        attendee = event_bookings_keys(booking)
        if attendee:
            actions += [BookingItem.gsi3pk.set(attendee["gsi3pk"]),
                        BookingItem.gsi3sk.set(attendee["gsi3sk"])]
        if booking.refund:
            actions.append(BookingItem.refund_status.set(str(booking.refund.status)))
        ttl = failed_booking_ttl(booking)
        if ttl is not None:
            actions.append(BookingItem.ttl.set(ttl))
        return actions

    def save_booking(self, booking: Booking, expected: Booking) -> None:
        try:
            BookingItem(pk=booking_pk(booking.booking_id), sk="BOOKING").update(
                actions=self._state_actions(booking),
                condition=(BookingItem.status == expected.status.value)
                & (BookingItem.capture_pending == expected.capture_pending))
        except UpdateError as e:
            if _conditional(e):
                raise BookingChanged() from e
            raise

    def cancel_booking(self, booking: Booking, previous: Booking,
                       audit: AuditEntry | None = None) -> None:
        def build(tx):
            tx.update(BookingItem(pk=booking_pk(booking.booking_id), sk="BOOKING"),
                      actions=self._state_actions(booking),
                      # A ticket scanned at the door is used: its booking stays.
                      condition=(BookingItem.status == previous.status.value)
                      & (size(BookingItem.checked_in) == 0))
            for ticket in booking.tickets:
                tx.delete(SeatStateItem(pk=seat_pk(booking.event_id, ticket.seat.section),
                                        sk=ticket.seat.seat_id),
                          condition=SeatStateItem.booking_id == booking.booking_id)
            tx.update(LedgerItem(pk=ledger_pk(booking.event_id, booking.user_id), sk="LEDGER"),
                      actions=[LedgerItem.booked.add(-len(booking.tickets)),
                               LedgerItem.in_use.add(-len(booking.tickets)),
                               LedgerItem.version.add(1)])
            _count_for_cancellation(tx, booking, CancellationItem.bookings_total)
            add_audit(tx, audit)
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            raise BookingChanged() from e

    def record_refund(self, booking: Booking) -> None:
        def build(tx):
            tx.update(BookingItem(pk=booking_pk(booking.booking_id), sk="BOOKING"),
                      actions=self._state_actions(booking),
                      condition=(BookingItem.status == BookingStatus.CANCELLED.value)
                      & (BookingItem.refund_status.does_not_exist()
                         | (BookingItem.refund_status == RefundStatus.PENDING.value)))
            _count_for_cancellation(tx, booking, CancellationItem.refunded)
        try:
            self._tx.run(build)
        except ConditionsFailed as e:
            raise BookingChanged() from e

    def bookings_of_event(self, event_id: str, after: str | None, limit: int) -> Slice[Booking]:
        """Shard by shard, in booking order within each; `after` is `{shard}|{gsi3sk}`."""
        shard_text, _, position = (after or "0|").partition("|")
        shard, found, reads = int(shard_text), [], 0
        while shard < EVENT_BOOKING_SHARDS and reads < EVENT_PAGE_READS and len(found) < limit:
            wanted = limit - len(found)
            key = event_bookings_pk(event_id, shard)
            condition = BookingItem.gsi3sk > position if position else None
            items = list(BookingItem.by_event.query(key, condition, limit=wanted + 1))
            reads += 1
            found += [booking_from_item(i) for i in items[:wanted]]
            if len(items) > wanted:
                return Slice(found, f"{shard}|{items[wanted - 1].gsi3sk}")
            shard, position = shard + 1, ""
        return Slice(found, f"{shard}|" if shard < EVENT_BOOKING_SHARDS else None)

    def booking(self, booking_id: str) -> Booking | None:
        try:
            return booking_from_item(BookingItem.get(booking_pk(booking_id), "BOOKING"))
        except DoesNotExist:
            return None

    def bookings_of(self, user_id: str, status: str | None, after: str | None,
                    limit: int) -> Slice[Booking]:
        failed = status == BookingStatus.FAILED
        condition = (BookingItem.status == status) if status and not failed else None
        items, last = bounded_query(BookingItem, BookingItem.by_user,
                                    user_bookings_pk(user_id, failed),
                                    after, limit, filter_condition=condition)
        return Slice([booking_from_item(i) for i in items], last)

    def check_in(self, booking_id: str, ticket_id: str, when: str,
                 audit: AuditEntry | None = None) -> bool:
        def build(tx):
            tx.update(BookingItem(pk=booking_pk(booking_id), sk="BOOKING"),
                      actions=[BookingItem.checked_in[ticket_id].set(when)],
                      condition=(BookingItem.status == "confirmed")
                      & BookingItem.checked_in[ticket_id].does_not_exist())
            add_audit(tx, audit)
        try:
            self._tx.run(build)
            return True
        except ConditionsFailed:
            return False

    def bookings_to_finish(self, shard: int, older_than: str, limit: int) -> list[str]:
        items = BookingItem.by_sweep.query(f"SWEEP#BOOKING#{shard}",
                                           BookingItem.gsi2sk < older_than, limit=limit)
        return [i.pk.removeprefix("BOOKING#") for i in items]


EVENT_BOOKING_SHARDS = ATTENDEE_SHARDS
EVENT_PAGE_READS = ATTENDEE_SHARDS  # a small event's attendees fit one page


def _count_for_cancellation(tx, booking: Booking, counter) -> None:
    """A booking cancelled or refunded because its event was cancelled counts in that
    cancellation's progress, in the same transaction: each counts exactly once."""
    if booking.refund and booking.refund.reason == RefundReason.EVENT_CANCELLED:
        tx.update(CancellationItem(pk=progress_pk(booking.event_id), sk="CANCELLATION"),
                  actions=[counter.add(1)], condition=CancellationItem.pk.exists())


def _hold_or_refusal(raw) -> Hold | Refusal:
    item = raw if isinstance(raw, HoldItem) else HoldItem.from_raw_data(raw)
    if item.status != REFUSED:
        return hold_from_item(item)
    from .catalog_store import as_plain
    doc = as_plain(item.doc)
    return Refusal(doc["hold_id"], item.user_id, doc["request_hash"], doc["code"],
                   doc["message"], doc.get("details") or {}, int(doc.get("refused_at", 0)))


def _far_claim() -> int:
    """A claim that never goes stale by itself: a booking waiting for the customer keeps the
    hold until the hold expires (the sweeper then ends both)."""
    return 2 ** 40


def _iso(epoch_seconds: int) -> str:
    return to_rfc3339(from_epoch(epoch_seconds))
