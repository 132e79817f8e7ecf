"""The job that cancels and refunds every confirmed booking of a cancelled event.

Each step reads the progress record, settles one page of the event's bookings and moves the
record's position with a conditional write. Crash anywhere and the next run repeats the page:
a booking's cancel transaction is the guard (it succeeds once, and counts the booking in the
progress as it does), refunds are idempotent per booking at the provider, and recording a
refund succeeds once (and counts it). Two runs at once do the same page twice, harmlessly;
only one moves the position."""
from __future__ import annotations

import logging
import time

from ..domain import errors
from ..domain.bookings import Booking, BookingStatus, RefundReason
from ..domain.cancellations import BOOKINGS_PER_PAGE, Cancellation, CancellationStatus

logger = logging.getLogger("boxoffice.cancellations")
RUNNING_PER_SWEEP = 50


class CancellationJob:
    def __init__(self, catalog, inventory, bookings, clock, page_size: int = BOOKINGS_PER_PAGE):
        self.catalog, self.inventory, self.bookings, self.clock = catalog, inventory, bookings, clock
        self.page_size = page_size

    def step(self, event_id: str) -> str:
        """One bounded piece of work: 'moved' (call again), 'waiting' (for the index to
        settle), 'settling' (refunds left to the finalizer), 'raced', 'done' or 'gone'."""
        progress = self.catalog.cancellation(event_id)
        if progress is None:
            return "gone"
        if progress.status == CancellationStatus.DONE:
            return "done"
        if progress.scanned:
            return self._finish(progress)
        if not progress.may_run(self.clock.now()):
            return "waiting"
        page = self.inventory.bookings_of_event(event_id, progress.cursor, self.page_size)
        for booking in page.items:
            self._settle(booking)
        moved = progress.after_page(page.after)
        if not self.catalog.advance_cancellation(moved, progress):
            return "raced"
        return self._finish(moved) if moved.scanned else "moved"

    def _settle(self, booking: Booking) -> None:
        if booking.status == BookingStatus.CONFIRMED:
            try:
                booking = self.bookings.cancel_booking(booking, RefundReason.EVENT_CANCELLED)
            except errors.CancellationClosed:  # a ticket was used at the door
                self.catalog.count_cancellation_failure(booking.event_id, booking.booking_id)
                return
        if booking.refund_pending and booking.refund.reason == RefundReason.EVENT_CANCELLED:
            self.bookings.finish_refund(booking)

    def _finish(self, progress: Cancellation) -> str:
        current = self.catalog.cancellation(progress.event_id) or progress  # fresh counters
        if not current.complete:
            return "settling"
        self.catalog.advance_cancellation(current.finished(), current)
        return "done"

    def run(self, event_id: str, deadline: float) -> str:
        """Steps until the job waits, is done, or the run's time is up."""
        outcome = "moved"
        while outcome == "moved" and time.monotonic() < deadline:
            outcome = self.step(event_id)
        return outcome

    def run_all(self, seconds: float) -> dict:
        """The sweeper's share: every cancellation with work left, until time is up."""
        deadline, outcomes = time.monotonic() + seconds, {}
        for event_id in self.catalog.running_cancellations(RUNNING_PER_SWEEP):
            if time.monotonic() >= deadline:
                break
            try:
                outcome = self.run(event_id, deadline)
            except Exception:  # noqa: BLE001 - one stuck job must not stop the others
                logger.exception("cancellation of %s failed this run; the next run goes on", event_id)
                outcome = "error"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return outcomes
