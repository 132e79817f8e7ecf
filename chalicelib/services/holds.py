"""Holding seats: all or nothing, within the customer's ticket limit, expiring by the clock."""
from __future__ import annotations

from ..adapters.catalog_store import event_from_doc
from ..adapters.transactions import ConditionsFailed
from ..domain import errors
from ..domain.catalog import parse_seat_id
from ..domain.clock import epoch, parse_rfc3339
from ..domain.holds import HeldSeat, Hold
from ..domain.money import total
from .ids import derived_id, new_id, request_hash
from .paging import Page

ATTEMPTS = 6


class HoldService:
    def __init__(self, catalog, inventory, paging, clock):
        self.catalog, self.inventory, self.paging, self.clock = catalog, inventory, paging, clock

    def place(self, principal, event_id: str, seat_ids: list[str], seconds: int,
              idempotency_key: str | None) -> tuple[Hold, bool]:
        """Returns (hold, replayed). A retry with the same key finds the first hold by id."""
        body_hash = request_hash({"event_id": event_id, "seat_ids": seat_ids, "seconds": seconds})
        hold_id = (derived_id("hld", principal.sub, idempotency_key) if idempotency_key
                   else new_id("hld"))
        for _ in range(ATTEMPTS):
            event_doc, ledger, existing = self.inventory.hold_context(
                event_id, principal.sub, hold_id if idempotency_key else None)
            if existing:
                if existing.request_hash != body_hash:
                    raise errors.IdempotencyKeyReused()
                return existing, True
            event = event_from_doc(event_doc) if event_doc else None
            if event is None or not event.is_public():
                raise errors.NotFound("event")
            now = self.clock.now()
            starts = epoch(parse_rfc3339(event.starts_at))
            if event.status == "cancelled" or starts <= epoch(now):
                raise errors.EventNotOnSale()
            layout = self.catalog.layout(event.venue_id)
            unknown = [s for s in seat_ids if not layout.contains(s)]
            if unknown:
                raise errors.ValidationFailed({"seat_ids": "unknown seat ids for this event"},
                                              unknown_seat_ids=unknown)
            ledger.check_room(now, len(seat_ids), event.max_tickets_per_order)
            seats = tuple(self._seat(event, sid) for sid in seat_ids)
            hold = Hold(hold_id, principal.sub, event_id, event.tenant_id, "active", epoch(now),
                        min(epoch(now) + seconds, starts), seats,
                        total([s.price for s in seats], event.currency), body_hash,
                        event_name=event.name, event_starts_at=event.starts_at)
            try:
                self.inventory.place_hold(hold, ledger, epoch(now))
                return hold, False
            except ConditionsFailed as e:
                if e.failure.failed("HOLD#"):
                    if not idempotency_key:
                        hold_id = new_id("hld")
                    continue  # a retry of this very request won the race: replay it
                taken = [sk for _, sk in e.failure.failed("SEATS#")]
                if taken:
                    raise errors.SeatsUnavailable(taken) from e
                # Only the ledger changed (another hold by this customer): read again.
        raise errors.Conflict("Too much contention on your holds for this event; retry.")

    @staticmethod
    def _seat(event, sid: str) -> HeldSeat:
        section, row, number = parse_seat_id(sid)
        tier = event.tier_for_section(section)
        return HeldSeat(sid, section, row, number, tier.tier_id, tier.price)

    def owned(self, principal, hold_id: str) -> Hold:
        hold = self.inventory.hold(hold_id)
        if hold is None or hold.user_id != principal.sub:
            raise errors.NotFound("hold")
        return hold

    def release(self, principal, hold_id: str) -> None:
        hold = self.owned(principal, hold_id)
        now = self.clock.now()
        state = hold.status_at(now)
        if state == "booked":
            raise errors.HoldAlreadyBooked()
        if hold.status == "active":
            ended = self.inventory.end_hold(hold, "expired" if state == "expired" else "released",
                                            epoch(now))
            if not ended and self.owned(principal, hold_id).status == "booked":
                raise errors.HoldAlreadyBooked()

    def extend(self, principal, hold_id: str, seconds: int) -> Hold:
        hold = self.owned(principal, hold_id)
        now = self.clock.now()
        if hold.status_at(now) == "booked":
            raise errors.HoldAlreadyBooked()
        starts = epoch(parse_rfc3339(hold.event_starts_at)) if hold.event_starts_at else None
        longer = hold.extended(now, seconds, not_after=starts)
        try:
            self.inventory.extend_hold(hold, longer.expires_at, epoch(now))
        except ConditionsFailed as e:
            raise errors.HoldExpired() from e
        return longer

    def active_of(self, principal, cursor: str | None, limit: int) -> Page:
        scope = f"holds:{principal.sub}"
        after = self.paging.decode(cursor, scope).get("after") if cursor else None
        holds, last = self.inventory.holds_of_user(principal.sub, after, limit,
                                                   epoch(self.clock.now()))
        return Page(holds, self.paging.encode({"after": last}, scope) if last else None)
