"""An event after its creation: changed (a reschedule moves search and holds with it) and
cancelled (off sale and out of search at once, every buyer refunded by the job)."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain import errors
from ..domain.audit import AuditAction
from ..domain.cancellations import Cancellation
from ..domain.catalog import Event, EventStatus, tier_problems
from ..domain.clock import epoch, to_rfc3339
from ..domain.holds import MAX_HOLD_SECONDS
from ..domain.identity import Principal
from .audit import Auditor
from .catalog import priced_tiers
from .commands import EventChanges
from .ports import SaleChanged

logger = logging.getLogger("boxoffice.lifecycle")


@dataclass(frozen=True)
class CancelledEvent:
    event: Event
    refunds: Cancellation


class EventLifecycle:
    def __init__(self, catalog_service, catalog, holds, sales, job, clock):
        self.catalog_service, self.catalog, self.holds = catalog_service, catalog, holds
        self.sales, self.job, self.clock = sales, job, clock
        self.auditor = Auditor(clock)

    # changing ---------------------------------------------------------------------------------
    def change(self, principal: Principal, event_id: str, changes: EventChanges,
               request_id: str | None = None) -> Event:
        event = self.catalog_service.owned_event(principal, event_id)
        if not changes.fields:
            raise errors.ValidationFailed({"body": "name at least one field to change"})
        event.ensure_editable(changes.fields)
        changed = event.changed(**self._values(principal, event, dict(changes.fields)))
        if changed.same_as(event):
            return event
        try:
            self.catalog.update_event(changed, event, self.auditor.entry(
                principal, AuditAction.EVENT_UPDATE, "event", event_id, request_id))
        except SaleChanged as e:
            raise errors.Conflict("The event changed meanwhile; read it again and retry.") from e
        self.sales.forget(event_id)
        if changed.is_rescheduled_from(event) and self._may_outlive_holds(changed, event):
            self.holds.cap(changed, changed.starts_epoch)
        return self.catalog.event(event_id)

    def _values(self, principal: Principal, event: Event, values: dict) -> dict:
        if "starts_at" in values:
            values["starts_at"] = to_rfc3339(self.catalog_service.future_start(values["starts_at"]))
        if "venue_id" in values or "price_tiers" in values:
            venue = self.catalog_service.venue(principal, values.get("venue_id", event.venue_id))
            layout = self.catalog.layout(venue.venue_id)
            tiers = values.get("price_tiers")
            if tiers is None:
                problems = tier_problems(list(event.price_tiers), layout)
                if problems:
                    raise errors.ValidationFailed(problems)
            values.update(venue=venue, venue_id=venue.venue_id,
                          price_tiers=event.price_tiers if tiers is None else priced_tiers(tiers, layout),
                          section_sizes={s.name: s.capacity for s in layout.sections})
        return values

    def _may_outlive_holds(self, changed: Event, before: Event) -> bool:
        """Only an earlier start within a hold's longest life can fall before a hold's expiry."""
        return (changed.starts_epoch < before.starts_epoch
                and changed.starts_epoch < epoch(self.clock.now()) + MAX_HOLD_SECONDS)

    # cancelling -------------------------------------------------------------------------------
    def cancel(self, principal: Principal, event_id: str,
               request_id: str | None = None) -> CancelledEvent:
        """Off sale and out of search in this request; the refunds start here and the sweeper
        finishes them. Cancelling again answers with the current state."""
        event = self.catalog_service.owned_event(principal, event_id)
        if event.status != EventStatus.CANCELLED:
            self.catalog.cancel(event.cancelled(),
                                Cancellation.begin(event_id, event.tenant_id, self.clock.now()),
                                self.auditor.entry(principal, AuditAction.EVENT_CANCEL, "event",
                                                   event_id, request_id))
            self.sales.forget(event_id)
            self._kick(event_id)
        return CancelledEvent(self.catalog.event(event_id), self.cancellation(principal, event_id))

    def _kick(self, event_id: str) -> None:
        """One page of refunds in the request (bounded work); the sweeper does the rest."""
        try:
            self.job.step(event_id)
        except Exception:  # noqa: BLE001 - the event is cancelled; the sweeper goes on
            logger.exception("the first refunds of %s failed; the sweeper carries on", event_id)

    def cancellation(self, principal: Principal, event_id: str) -> Cancellation:
        self.catalog_service.owned_event(principal, event_id)
        progress = self.catalog.cancellation(event_id)
        if progress is None:
            raise errors.NotFound("cancellation", "The event has not been cancelled.")
        return progress
