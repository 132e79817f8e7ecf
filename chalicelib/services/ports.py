"""The ports: what the services need from the world, as Protocols. Adapters implement them
(DynamoDB, Stripe, EventBridge, ...), in-memory fakes implement them for fast tests, and one
contract test suite per repository port keeps every implementation honest."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from ..domain.audit import AuditEntry
from ..domain.bookings import Booking
from ..domain.cancellations import Cancellation
from ..domain.catalog import Event, Layout, Venue
from ..domain.events import DomainEvent
from ..domain.holds import Hold, SeatState, TicketLedger
from ..domain.live import FanOutJob, Subscription, Window
from ..domain.money import Money
from ..domain.privacy import Erasure
from ..domain.queue import AdmissionClaims, Line, QueueEntry
from ..domain.search import Hit, SearchQuery
from ..domain.webhooks import Delivery, Webhook

T = TypeVar("T")


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One bounded read of a list; `after` continues it (None: nothing more)."""

    items: list[T]
    after: str | None


# --- outcomes a repository reports (not contract errors: the services decide what they mean)
class HoldIdTaken(Exception):
    """The hold id is already used: by the first try of this very request, or a refusal."""

    def __init__(self, existing: "Hold | Refusal"):
        super().__init__("hold id taken")
        self.existing = existing


class SaleChanged(Exception):
    """The event changed (or left sale) since the caller read it."""


class LedgerFull(Exception):
    """The quick ticket-limit check refused: the exact count must decide."""


class LedgerChanged(Exception):
    """The customer's ledger changed since the caller read it."""


class HoldNotActive(Exception):
    """The hold was no longer active (or no longer as the caller read it)."""


class ClaimRefused(Exception):
    """A booking could not claim the hold; `hold` is the hold as it is (None if missing)."""

    def __init__(self, hold: Hold | None):
        super().__init__("claim refused")
        self.hold = hold


class CommitRefused(Exception):
    """The hold or one of its seats changed before the booking could commit."""


class BookingChanged(Exception):
    """The booking was no longer in the state the caller read (a concurrent change won)."""


class OverLimit(Exception):
    """A rate limit refused the request; nothing was counted or done."""

    def __init__(self, check: "RateCheck"):
        super().__init__(f"over the {check.scope} limit")
        self.check = check


class LineChanged(Exception):
    """The line was moved by another admission pass since the caller read it."""


class WindowClosed(Exception):
    """The coalescing window was flushed already: the change belongs in a later one."""


# --- values the ports exchange ---------------------------------------------------------------
@dataclass(frozen=True)
class SaleGuard:
    """What a hold assumes about its event; the hold's write checks it still holds."""

    event_id: str
    version: int
    now: int


@dataclass(frozen=True)
class LimitCheck:
    """How a hold proves the ticket limit: a quick bound (`cap`: at most this many tickets
    counted before it, expired-but-unswept holds included), or an exact count the caller made
    from the ledger as read at `version` (unchanged since)."""

    cap: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class RateCheck:
    """One more request against a fixed-window limit: `subject` (a user, a tenant) may make
    `limit` requests of kind `scope` in the window of `seconds` that starts at `window`."""

    scope: str
    subject: str
    window: int
    limit: int
    seconds: int = 60


@dataclass(frozen=True)
class Refusal:
    """A final answer given to a hold request, kept so a same-key retry replays it."""

    hold_id: str
    user_id: str
    request_hash: str
    code: str
    message: str
    details: dict = field(default_factory=dict)
    refused_at: int = 0


@dataclass(frozen=True)
class SectionCounts:
    held: int = 0
    sold: int = 0


@dataclass(frozen=True)
class TierSales:
    sold: int = 0
    revenue: int = 0


@dataclass(frozen=True)
class Counters:
    by_section: dict[str, SectionCounts]
    by_tier: dict[str, TierSales]
    updated_at: str | None


# What PaymentProvider.state() answers; the finalizer decides from these alone.
REQUIRES_ACTION, AUTHORIZED, CAPTURED = "requires_action", "authorized", "captured"
VOIDED, REFUNDED, FAILED = "voided", "refunded", "failed"


@dataclass(frozen=True)
class Authorization:
    authorization_id: str
    status: str  # AUTHORIZED | REQUIRES_ACTION
    client_secret: str | None = None
    next_action_url: str | None = None


@dataclass(frozen=True)
class TicketClaims:
    ticket_id: str
    booking_id: str
    event_id: str
    seat_id: str


# --- ports -----------------------------------------------------------------------------------
class Clock(Protocol):
    """The time every rule is checked against."""

    def now(self) -> dt.datetime: ...


class CatalogRepository(Protocol):
    """Venues (with their immutable layouts) and events, and the progress of cancellations.
    Every organizer write takes the audit entry that records it, stored in the same
    transaction as the change."""

    def add_venue(self, venue: Venue, layout: Layout, audit: AuditEntry | None = None) -> None: ...

    def venue(self, venue_id: str) -> Venue | None: ...

    def layout(self, venue_id: str) -> Layout: ...

    def venues_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Venue]: ...

    def add_event(self, event: Event, audit: AuditEntry | None = None) -> None: ...

    def event(self, event_id: str) -> Event | None: ...

    def events(self, event_ids: list[str]) -> dict[str, Event]: ...

    def events_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Event]: ...

    def publish(self, event: Event, audit: AuditEntry | None = None) -> None:
        """Stores the published event and makes it searchable, together; a no-op when the
        event was published before."""

    def update_event(self, event: Event, previous: Event, audit: AuditEntry | None = None) -> None:
        """Stores the changed event if it is still `previous` (same version), and moves its
        search rows with it. Raises SaleChanged when another change got there first."""

    def cancel(self, event: Event, progress: Cancellation | None = None,
               audit: AuditEntry | None = None) -> bool:
        """Stores the cancelled event with its cancellation's progress record, and takes it
        out of search; safe to repeat. True when this call cancelled it."""

    def cancellation(self, event_id: str) -> Cancellation | None: ...

    def advance_cancellation(self, progress: Cancellation, expected: Cancellation) -> bool:
        """Moves the job's position (pass, cursor, status) if nobody moved it since
        `expected`; the counters are never written here."""

    def count_cancellation_failure(self, event_id: str, booking_id: str) -> bool:
        """Counts a booking the cancellation could not cancel, once; False if counted before."""

    def running_cancellations(self, limit: int) -> list[str]:
        """Event ids whose cancellation job still has work."""


class AuditLog(Protocol):
    """The organizers' audit entries, read back per tenant (written by the other stores)."""

    def entries(self, tenant_id: str, after: str | None, limit: int) -> Slice[AuditEntry]:
        """Newest first, bounded reads per page; `after` continues a page."""


class SearchIndex(Protocol):
    """Published events by date, category, place and words."""

    def find(self, query: SearchQuery, start: str) -> tuple[list[Hit], str | None]:
        """Hits in position order from the inclusive position `start`, at most query.limit,
        with bounded work: returns (hits, where to go on) or (hits, None) at the end."""


class Inventory(Protocol):
    """Seats, holds, the customers' ticket ledgers and bookings: every change that a promise
    depends on is one atomic, conditional write."""

    # seats
    def seat_states(self, event_id: str, section: str) -> dict[str, SeatState]: ...

    def seat_states_of(self, event_id: str, seat_ids: list[str]) -> dict[str, SeatState]:
        """These seats' states, read after every write that came before (strongly
        consistent); an available seat has none."""

    # holds
    def place_hold(self, hold: Hold, guard: SaleGuard, limit: LimitCheck,
                   rate: RateCheck | None = None) -> None:
        """Takes every seat if free (by the clock in guard.now), records the hold, counts it
        in the ledger and (with `rate`) in the customer's rate window, in one write. Raises
        SeatsUnavailable, HoldIdTaken, SaleChanged, LedgerFull, LedgerChanged or OverLimit,
        and changes nothing then."""

    def refuse_hold(self, refusal: Refusal) -> None:
        """Keeps a final refusal under its hold id; raises HoldIdTaken if the id is used."""

    def hold(self, hold_id: str) -> Hold | None: ...

    def holds(self, hold_ids: list[str]) -> list[Hold]: ...

    def ledger(self, event_id: str, user_id: str) -> TicketLedger: ...

    def extend_hold(self, hold: Hold, expires_at: int, now: int) -> None:
        """Raises HoldNotActive when the hold ended or expired meanwhile."""

    def end_hold(self, hold: Hold, now: int) -> bool:
        """Stores `hold`'s ended status (released/expired) and frees the seats it still owns;
        False when it was no longer active."""

    def active_holds_of(self, user_id: str, after: str | None, limit: int,
                        now: int) -> Slice[Hold]: ...

    def holds_to_sweep(self, shard: int, now: int, limit: int) -> list[str]:
        """Ids of holds that expired by `now`, or whose booking claim went stale."""

    # bookings
    def claim_hold(self, hold_id: str, user_id: str, booking_id: str, now: int,
                   stale_before: int, rate: RateCheck | None = None) -> Hold:
        """Marks the caller's active hold as being booked by booking_id and returns it.
        Raises ClaimRefused(hold as it is) when it is missing, someone else's, not active,
        already tried by booking_id, or claimed by a booking still in flight; with `rate`,
        counts the attempt in the customer's rate window and raises OverLimit (leaving the
        hold unclaimed) when the window is full."""

    def release_claim(self, hold: Hold, booking_id: str) -> None: ...

    def record_failed_booking(self, booking: Booking, hold: Hold) -> None:
        """Keeps a failed payment attempt (so a retry replays it) and frees the hold for
        another attempt."""

    def add_booking(self, booking: Booking) -> None:
        """Stores a booking that waits for the customer or the provider (202 pending)."""

    def commit_booking(self, booking: Booking, hold: Hold, now: int) -> None:
        """Hold booked, seats sold, booking stored confirmed: all or nothing, and only while
        the event is published. Raises CommitRefused when the hold or a seat changed, and
        SaleChanged when the event was cancelled."""

    def save_booking(self, booking: Booking, expected: Booking) -> None:
        """Stores a booking's new state if it is still as `expected`; raises BookingChanged."""

    def cancel_booking(self, booking: Booking, previous: Booking,
                       audit: AuditEntry | None = None) -> None:
        """Booking cancelled, seats freed, ledger updated (and, for an event's cancellation,
        counted in its progress): all or nothing. Raises BookingChanged when a scan or
        another cancel got there first."""

    def record_refund(self, booking: Booking) -> None:
        """Stores a cancelled booking's refund as succeeded (counted in its event's
        cancellation progress when that was the reason) if it was still pending; raises
        BookingChanged otherwise, so each refund is recorded once."""

    def bookings_of_event(self, event_id: str, after: str | None, limit: int) -> Slice[Booking]:
        """The event's confirmed and cancelled bookings (its attendees), each exactly once
        across pages, bounded reads per page."""

    def booking(self, booking_id: str) -> Booking | None: ...

    def bookings_of(self, user_id: str, status: str | None, after: str | None,
                    limit: int) -> Slice[Booking]: ...

    def check_in(self, booking_id: str, ticket_id: str, when: str,
                 audit: AuditEntry | None = None) -> bool:
        """Marks the ticket used; False when another scan (or a cancel) got there first."""

    def bookings_to_finish(self, shard: int, older_than: str, limit: int) -> list[str]:
        """Ids of bookings whose money has not settled yet (capture, refund, 3-D Secure)."""

    @property
    def shards(self) -> int: ...


class Projections(Protocol):
    """Counters fed by domain events, each event counted once."""

    def apply_once(self, event_id: str, sections: dict[str, SectionCounts],
                   tiers: dict[str, TierSales], show_id: str, now: dt.datetime) -> bool:
        """Adds the deltas unless this event was counted before; False for a duplicate."""

    def availability(self, show_id: str) -> dict[str, SectionCounts]:
        """Held and sold seats per section (one read: the event page's budget)."""

    def counters(self, show_id: str) -> Counters:
        """Availability and sales together, with the time of the latest counted change."""


class RateCounter(Protocol):
    """Fixed-window request counters (organizer writes; the buy path counts inside its own
    writes instead)."""

    def consume(self, check: RateCheck) -> int:
        """Counts one request and returns how many remain in the window; raises OverLimit
        (counting nothing) when none remain."""

    def forget(self, scope: str, subject: str) -> None:
        """Drops every window of a subject (an erasure)."""


class WaitingRoom(Protocol):
    """Events' lines: entries in join order, ranked and admitted by the admission job."""

    def configure(self, event: Event, expected_version: int, now: int) -> None:
        """Stores `event` (its queue settings changed, its version bumped) if it is still at
        expected_version, and sets up or updates its line, together; raises SaleChanged."""

    def join(self, entry: QueueEntry) -> QueueEntry | None:
        """Adds the entry, or returns the entry its user already has in this line."""

    def entry(self, event_id: str, user_id: str) -> QueueEntry | None: ...

    def entries_of_user(self, user_id: str, limit: int) -> list[QueueEntry]:
        """A customer's entries in every event's line (export, erasure)."""

    def move_entry(self, event_id: str, user_id: str, pseudonym: str) -> bool:
        """Re-keys an entry under a pseudonym, keeping its place; its admission token goes.
        True when moved or gone; False when it changed meanwhile (try again)."""

    def line(self, event_id: str) -> Line | None: ...

    def lines_to_advance(self) -> list[str]:
        """Ids of the events whose waiting room is enabled."""

    def arrivals(self, line: Line, limit: int) -> list[QueueEntry]:
        """The first `limit` entries not ranked yet, in ticket order."""

    def rank(self, line: Line, entries: list[QueueEntry]) -> Line:
        """Gives the entries the next ranks in the order given; raises LineChanged."""

    def next_waiting(self, line: Line, limit: int) -> list[QueueEntry]:
        """The `limit` ranked, waiting entries of lowest rank, lowest first."""

    def admit(self, line: Line, entries: list[QueueEntry], credit: float, now: int) -> Line:
        """Stores the admitted entries with the line's new admitted count, its credit and
        this pass's time; raises LineChanged when another pass moved the line."""


class AdmissionSigner(Protocol):
    """Signed admission tokens, checked on the hold path without a read."""

    def sign(self, claims: AdmissionClaims) -> str: ...

    def verify(self, token: str | None) -> AdmissionClaims | None:
        """The claims of a genuine token; None for a missing, forged or malformed one."""


class PaymentProvider(Protocol):
    """Money: authorize at booking, capture once seats are committed, void or refund; every
    step idempotent per booking."""

    def authorize(self, booking_id: str, amount: Money, payment_method_id: str,
                  customer_ref: str) -> Authorization:
        """Authorizes (never captures); the same booking always yields the same answer.
        Raises PaymentDeclined or PaymentProviderError (transient: nothing kept)."""

    def capture(self, booking_id: str, authorization_id: str) -> None: ...

    def void(self, booking_id: str, authorization_id: str | None) -> None:
        """Cancels an uncaptured authorization; finds it by booking when the id was lost."""

    def refund(self, booking_id: str, authorization_id: str, amount: Money | None = None) -> str:
        """Full when amount is None; voids instead when never captured."""

    def state(self, authorization_id: str) -> str:
        """One of REQUIRES_ACTION, AUTHORIZED, CAPTURED, VOIDED, REFUNDED, FAILED."""

    def forget_customer(self, booking_id: str, authorization_id: str | None,
                        pseudonym: str) -> None:
        """Replaces the customer reference kept with the payment by the pseudonym (erasure);
        safe to repeat."""


@dataclass(frozen=True)
class PaymentEvent:
    """The provider's word that a booking's payment moved (a verified webhook)."""

    event_id: str
    booking_id: str


class PaymentWebhooks(Protocol):
    """The provider's signed notifications, each handled once."""

    def parse(self, payload: bytes, signature: str | None) -> PaymentEvent | None:
        """The event if genuine and about a booking (None: ignored); raises ValidationFailed
        for a forged, altered or stale one."""

    def claim(self, event_id: str) -> bool:
        """True the first time; False for a redelivery."""

    def release(self, event_id: str) -> None:
        """Forgets a claim whose handling failed, so the next delivery runs it again."""


class WebhookStore(Protocol):
    """Organizers' webhooks and their deliveries (the delivery log)."""

    def add_webhook(self, webhook: Webhook, audit: AuditEntry | None = None) -> None: ...

    def webhook(self, webhook_id: str) -> Webhook | None: ...

    def webhooks_of(self, tenant_id: str, after: str | None, limit: int) -> Slice[Webhook]:
        """Newest first."""

    def delete_webhook(self, webhook: Webhook, audit: AuditEntry | None = None) -> bool:
        """False when it was already gone (and then nothing is audited)."""

    def disable_webhook(self, webhook_id: str) -> None: ...

    def add_delivery(self, delivery: Delivery) -> bool:
        """False when this delivery (same webhook, same domain event) exists already."""

    def delivery(self, delivery_id: str) -> Delivery | None: ...

    def save_delivery(self, delivery: Delivery, expected: Delivery) -> bool:
        """Stores a new state if the delivery is still as `expected` (status, attempts and
        due time); False when another worker moved it first."""

    def deliveries_of(self, webhook_id: str, after: str | None, limit: int) -> Slice[Delivery]:
        """Newest first, bounded reads per page."""

    def deliveries_due(self, shard: int, now: str, limit: int) -> list[str]:
        """Ids of pending deliveries whose due time has passed (for the sweeper)."""

    @property
    def shards(self) -> int: ...


class DeliveryQueue(Protocol):
    """Hands deliveries to the worker that sends them (SQS on AWS), never the request path."""

    def send(self, delivery_id: str, delay_seconds: int = 0) -> None: ...


class WebhookSender(Protocol):
    """Posts one delivery; the receiver's status code, or None on a timeout or no answer."""

    def post(self, url: str, body: str, headers: dict[str, str], timeout: float) -> int | None: ...


class Publisher(Protocol):
    """Domain events out to their consumers."""

    def publish(self, events: list[DomainEvent]) -> None: ...


class TicketSigner(Protocol):
    """Signed ticket codes a door scanner verifies offline."""

    def sign(self, claims: TicketClaims) -> str: ...

    def verify(self, code: str) -> TicketClaims: ...

    def public_keys(self) -> list[dict]: ...


class CursorCodec(Protocol):
    """Opaque, tamper-proof cursors bound to the caller and query that got them."""

    def encode(self, position: dict, scope: str) -> str: ...

    def decode(self, cursor: str, scope: str) -> dict: ...



class LiveStore(Protocol):
    """WebSocket connections, their subscriptions, and the seat changes waiting for the end
    of their coalescing window."""

    @property
    def shards(self) -> int:
        """Subscriptions of one event are spread over this many shards, fanned out apart."""

    def connect(self, connection_id: str, expires_at: int) -> None: ...

    def subscriptions(self, connection_id: str) -> dict[str, str | None]:
        """Event id -> section (None: the whole event); empty for an unknown connection."""

    def subscribe(self, subscription: Subscription, limit: int, expires_at: int) -> None:
        """Adds the connection's subscription to the event, or replaces its section, and
        marks the event watched until at least `expires_at`. Raises
        SubscriptionLimitExceeded when the connection already watches `limit` other events."""

    def watched(self, event_id: str, now: int) -> bool:
        """Whether anyone may be subscribed to the event (False: its changes need no fan-out)."""

    def unsubscribe(self, connection_id: str, event_id: str) -> None: ...

    def disconnect(self, connection_id: str) -> None:
        """Forgets the connection and every subscription of it; safe to repeat."""

    def subscribers(self, event_id: str, sections: set[str], shard: int) -> list[Subscription]:
        """The subscriptions in `shard` to the whole event or to one of `sections`."""

    def add_changes(self, window: Window, seat_ids: list[str], part_key: str,
                    expires_at: int) -> bool:
        """Adds changed seats to an open window. True tells exactly one caller per window that
        it must flush the window. Raises WindowClosed once the window has been flushed."""

    def close_window(self, window: Window, expires_at: int, flushed_at: float) -> set[str]:
        """Closes the window to further changes and notes when; returns every seat changed
        in it."""

    def window_state(self, window: Window) -> tuple[bool, float | None]:
        """Whether any change was added to the window, and when it was closed (None: not
        yet)."""


class PersonalData(Protocol):
    """What is kept about a customer, found by their id, and the rewrites that put it under
    a pseudonym; erasure requests, found by a keyed hash of the id (never the id)."""

    def erasure(self, marker: str, consistent: bool = False) -> Erasure | None: ...

    def request_erasure(self, erasure: Erasure) -> Erasure:
        """Stores the request unless one exists; returns the one that stands."""

    def erased_on(self, day: str) -> set[str]:
        """Markers of the erasures requested on that UTC day (YYYY-MM-DD)."""

    def erasures_running(self, limit: int) -> list[str]:
        """Markers of erasures whose job still has work."""

    def finish_erasure(self, erasure: Erasure, audit: AuditEntry | None) -> bool:
        """Marks it erased (dropping the user id) with its audit entry; False if done before."""

    def hold_ids_of(self, user_id: str, limit: int) -> list[str]:
        """Ids of the user's holds and kept refusals, any status (the first `limit`)."""

    def holds_of(self, user_id: str, after: str | None, limit: int) -> Slice[Hold]:
        """The user's holds, any status, newest first."""

    def booking_ids_of(self, user_id: str, limit: int) -> list[str]:
        """Ids of the user's bookings, failed attempts included (the first `limit`)."""

    def pseudonymise_hold(self, hold_id: str, user_id: str, pseudonym: str) -> bool:
        """The hold, its seats and the user's ledger for its event move to the pseudonym;
        False when something changed meanwhile (try again)."""

    def pseudonymise_booking(self, booking_id: str, user_id: str, pseudonym: str) -> bool:
        """The booking stays under the pseudonym without email or payment method (also when a
        concurrent change put the old index key or email back); False when it changed
        meanwhile (try again)."""

    def move_ledger(self, event_id: str, user_id: str, pseudonym: str) -> bool:
        """The user's ledger for the event (if any) joins the pseudonym's; False when it
        changed meanwhile (try again)."""


class Accounts(Protocol):
    """Sign-in accounts at the identity provider."""

    def close(self, user_id: str) -> None:
        """Deletes the account, so no token is issued for it again; safe to repeat."""


class Pseudonyms(Protocol):
    """Keyed hashes of a user id."""

    def marker(self, user_id: str) -> str: ...

    def pseudonym(self, user_id: str) -> str: ...


class Pace(Protocol):
    """Wall time, the same on every machine, for coalescing windows; and waiting for it."""

    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class Pusher(Protocol):
    """Frames out to WebSocket connections."""

    def push(self, frames: list[tuple[str, dict]]) -> set[str]:
        """Sends each (connection id, frame); returns the connections that are gone."""


class FanOut(Protocol):
    """Hands fan-out jobs to workers (on AWS, one Lambda invocation each)."""

    def dispatch(self, jobs: list[FanOutJob]) -> None: ...
