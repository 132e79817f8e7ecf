"""Holding seats: all or nothing, within the customer's ticket limit, expiring by the clock."""
from __future__ import annotations

import random

from ..domain import errors
from ..domain.catalog import Event, Layout, parse_seat_id
from ..domain.clock import epoch, parse_rfc3339
from ..domain.holds import HeldSeat, Hold, HoldStatus, SeatStatus, check_request_size
from ..domain.identity import Principal
from ..domain.money import total
from .commands import HoldSeats
from .ids import derived_id, new_id, request_hash
from .paging import Page
from .ports import (HoldIdTaken, HoldNotActive, LedgerChanged, LedgerFull, LimitCheck, OverLimit,
                    Refusal, SaleChanged, SaleGuard)
from .rate_limits import HOLDS, RateLimits
from .seat_picker import SeatPicker, candidate_sections

ATTEMPTS = 6
# Best available: the first try takes the best block; a clash (someone took a seat of it
# first) reads the section again and picks at random among the next 2, 4, 8, ... blocks that
# successive requests would get (they never overlap), so buyers racing for the same block
# spread out instead of falling on the same next one.
PICK_ATTEMPTS = 8


class HoldService:
    """Places, reads, extends and ends holds; the sweeper ends the ones whose time is up."""

    def __init__(self, inventory, sales, paging, clock, payments, gate=None,
                 limits: RateLimits | None = None):
        self.inventory, self.sales, self.paging, self.clock = inventory, sales, paging, clock
        self.payments, self.gate = payments, gate
        self.limits = limits or RateLimits(enabled=False)
        self.picker = SeatPicker(inventory)
        self._random = random.Random()

    # placing ----------------------------------------------------------------------------------
    def place(self, principal: Principal, command: HoldSeats) -> tuple[Hold, bool]:
        """Returns (hold, replayed). A retry with the same key finds the first answer by id.
        Over the rate limit: RateLimited, with nothing held or counted."""
        body_hash = request_hash(_body(command))
        hold_id = (derived_id("hld", principal.sub, command.idempotency_key)
                   if command.idempotency_key else new_id("hld"))
        try:
            for _ in range(ATTEMPTS):
                facts = self.sales.get(command.event_id)
                if facts is None:
                    return self._refuse(principal, hold_id, body_hash, command,
                                        errors.NotFound("event"))
                event, layout = facts
                try:
                    self._admitted(principal, event, command)
                    if command.best_available:
                        return self._place_best(principal, hold_id, body_hash, command, *facts), False
                    hold = self._new_hold(principal, hold_id, body_hash, command, event, layout,
                                          command.seat_ids)
                    self._write(hold, event)
                    return hold, False
                except HoldIdTaken as taken:
                    return self._replay(taken.existing, body_hash), True
                except SaleChanged:
                    self.sales.forget(command.event_id)
                except errors.QueueAdmissionRequired:
                    earlier = self.inventory.hold(hold_id) if command.idempotency_key else None
                    if earlier is None:
                        raise
                    return self._replay(earlier, body_hash), True
        except OverLimit as e:
            raise self.limits.refused(e.check, self.clock.now()) from e
        raise errors.Conflict("Too much contention on your holds for this event; retry.")

    def _admitted(self, principal: Principal, event: Event, command: HoldSeats) -> None:
        if self.gate is not None:
            self.gate.check(principal, event, command.admission_token)

    def _place_best(self, principal, hold_id, body_hash, command, event: Event,
                    layout: Layout) -> Hold:
        now = self.clock.now()
        event.ensure_on_sale(now)
        check_request_size(command.quantity, event.max_tickets_per_order)
        sections = candidate_sections(event, layout, command.section, command.tier_id)
        for attempt in range(PICK_ATTEMPTS):
            blocks = self.picker.blocks(event.event_id, sections, command.quantity, now,
                                        limit=2 ** attempt)
            if not blocks:
                raise errors.NoAdjacentSeats()
            block = self._random.choice(blocks)
            hold = self._new_hold(principal, hold_id, body_hash, command, event, layout,
                                  block.seat_ids)
            try:
                self._write(hold, event)
                return hold
            except errors.SeatsUnavailable:
                now = self.clock.now()
        raise errors.Conflict("Many buyers are taking the same seats right now; retry.")

    def _new_hold(self, principal, hold_id, body_hash, command, event: Event, layout: Layout,
                  seat_ids) -> Hold:
        now = self.clock.now()
        event.ensure_on_sale(now)
        unknown = [s for s in seat_ids if not layout.contains(s)]
        if unknown:
            raise errors.ValidationFailed({"seat_ids": "must name seats of this event"},
                                          unknown_seat_ids=unknown)
        check_request_size(len(seat_ids), event.max_tickets_per_order)
        seats = tuple(self._seat(event, sid) for sid in seat_ids)
        expires = min(epoch(now) + command.seconds, event.starts_epoch)
        return Hold(hold_id, principal.sub, event.event_id, event.tenant_id, HoldStatus.ACTIVE,
                    epoch(now), expires, seats, total([s.price for s in seats], event.currency),
                    body_hash, event_name=event.name, event_starts_at=event.starts_at,
                    first_expires_at=expires)

    def _write(self, hold: Hold, event: Event) -> None:
        """One transaction with a quick limit bound; the exact count decides when it refuses."""
        guard = SaleGuard(event.event_id, event.version, hold.created_at)
        limit = event.max_tickets_per_order
        rate = self.limits.check(HOLDS, hold.user_id, self.clock.now())
        try:
            return self.inventory.place_hold(hold, guard, LimitCheck(cap=limit - hold.seat_count),
                                             rate)
        except LedgerFull:
            pass
        for _ in range(ATTEMPTS):
            ledger = self.inventory.ledger(hold.event_id, hold.user_id)
            now = self.clock.now()
            live = {h.hold_id for h in self.inventory.holds(sorted(ledger.holds)) if h.is_active(now)}
            ledger.check_room(live, hold.seat_count, limit)
            try:
                return self.inventory.place_hold(hold, guard, LimitCheck(version=ledger.version),
                                                 rate)
            except LedgerChanged:
                continue  # another hold of this customer's moved the ledger: count again
        raise errors.Conflict("Too much contention on your holds for this event; retry.")

    def _refuse(self, principal, hold_id, body_hash, command, error: errors.DomainError):
        """A final answer is kept under the key's hold id, so a same-key retry replays it."""
        if command.idempotency_key:
            try:
                self.inventory.refuse_hold(Refusal(hold_id, principal.sub, body_hash, error.code,
                                                   error.message, error.details,
                                                   epoch(self.clock.now())))
            except HoldIdTaken as taken:
                return self._replay(taken.existing, body_hash), True
        raise error

    @staticmethod
    def _replay(existing: Hold | Refusal, body_hash: str) -> Hold:
        if existing.request_hash != body_hash:
            raise errors.IdempotencyKeyReused()
        if isinstance(existing, Refusal):
            raise errors.Replayed(existing.code, existing.message, existing.details)
        return existing.as_first_created()

    @staticmethod
    def _seat(event: Event, sid: str) -> HeldSeat:
        section, row, number = parse_seat_id(sid)
        tier = event.tier_for_section(section)
        return HeldSeat(sid, section, row, number, tier.tier_id, tier.price)

    # reading and ending -----------------------------------------------------------------------
    def owned(self, principal: Principal, hold_id: str) -> Hold:
        hold = self.inventory.hold(hold_id)
        if hold is None or hold.user_id != principal.sub:
            raise errors.NotFound("hold")
        return hold

    def release(self, principal: Principal, hold_id: str) -> None:
        hold = self.owned(principal, hold_id)
        now = self.clock.now()
        ended = hold.ended(now)
        if ended is not hold and not self.inventory.end_hold(ended, epoch(now)):
            self.owned(principal, hold_id).ended(now)  # raises if a booking got there first

    def extend(self, principal: Principal, hold_id: str, seconds: int) -> Hold:
        hold = self.owned(principal, hold_id)
        now = self.clock.now()
        longer = hold.extended(now, seconds, not_after=self._starts(hold))
        try:
            self.inventory.extend_hold(hold, longer.expires_at, epoch(now))
        except HoldNotActive as e:
            raise hold.expired_error() from e
        return longer

    def _starts(self, hold: Hold) -> int | None:
        """The event's start as it is now (a reschedule may have moved it since the hold
        was placed): a hold never outlives it."""
        starts = [epoch(parse_rfc3339(hold.event_starts_at))] if hold.event_starts_at else []
        event = self.sales.fresh(hold.event_id)
        if event is not None:
            starts.append(event.starts_epoch)
        return min(starts) if starts else None

    def cap(self, event: Event, not_after: int) -> int:
        """Brings every active hold of the event that would outlive `not_after` (its new,
        earlier start) down to it; returns how many. Reads the event's held and sold seats,
        section by section (cost grows with them, not with the venue)."""
        now = epoch(self.clock.now())
        hold_ids = sorted({state.hold_id for section in event.section_sizes
                           for state in self.inventory.seat_states(event.event_id, section).values()
                           if state.status == SeatStatus.HELD and state.hold_id
                           and (state.expires_at or 0) > not_after})
        capped = 0
        for hold in self.inventory.holds(hold_ids):
            if hold.status == HoldStatus.ACTIVE and hold.expires_at > not_after:
                try:
                    self.inventory.extend_hold(hold, not_after, now)
                    capped += 1
                except HoldNotActive:
                    pass  # it ended meanwhile
        return capped

    def active_of(self, principal: Principal, cursor: str | None, limit: int) -> Page:
        scope = f"holds:{principal.sub}"
        after = self.paging.decode(cursor, scope).get("after") if cursor else None
        found = self.inventory.active_holds_of(principal.sub, after, limit, epoch(self.clock.now()))
        return Page(found.items, self.paging.encode({"after": found.after}, scope)
                    if found.after else None)

    # sweeping ---------------------------------------------------------------------------------
    def sweep(self, hold_id: str) -> str:
        """Ends a hold whose time is up, and lets go of a booking claim whose request died
        (voiding any authorization it may have made). Safe to run twice at once."""
        hold = self.inventory.hold(hold_id)
        now = self.clock.now()
        if hold is None or hold.status != HoldStatus.ACTIVE:
            return "gone"
        if hold.claim and not hold.claim.in_flight(now):
            self.payments.void(hold.claim.booking_id, None)
            self.inventory.release_claim(hold, hold.claim.booking_id)
            if hold.is_active(now):
                return "unclaimed"
        if hold.is_active(now):
            return "active"
        return "expired" if self.inventory.end_hold(hold.ended(now), epoch(now)) else "gone"


def _body(command: HoldSeats) -> dict:
    """What a same-key retry must repeat (a seat-id body hashes as it always has)."""
    if command.best_available:
        return {"event_id": command.event_id, "quantity": command.quantity,
                "section": command.section, "tier_id": command.tier_id,
                "seconds": command.seconds}
    return {"event_id": command.event_id, "seat_ids": list(command.seat_ids),
            "seconds": command.seconds}
