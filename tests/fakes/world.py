"""The services wired to in-memory fakes, as bootstrap wires them to AWS: for unit tests."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chalicelib.adapters.keys import KeyRing
from chalicelib.adapters.tokens import (EdDsaTicketSigner, HmacAdmissionSigner, HmacCursorCodec,
                                        HmacPseudonyms)
from chalicelib.domain.catalog import Location, Row, Section
from chalicelib.domain.clock import UTC, FixedClock, to_rfc3339
from chalicelib.domain.identity import Principal
from chalicelib.domain.money import Money
from chalicelib.services.attendees import AttendeeService
from chalicelib.services.audit import AuditService
from chalicelib.services.availability import Availability
from chalicelib.services.bookings import BookingService
from chalicelib.services.cancellations import CancellationJob
from chalicelib.services.catalog import CatalogService
from chalicelib.services.checkin import CheckInService
from chalicelib.services.commands import BookHold, HoldSeats, NewEvent, NewTier, NewVenue
from chalicelib.services.holds import HoldService
from chalicelib.services.lifecycle import EventLifecycle
from chalicelib.services.live import LiveSeatMap
from chalicelib.services.paging import Paging
from chalicelib.services.privacy import PrivacyService
from chalicelib.services.projections import ProjectionService
from chalicelib.services.rate_limits import OrganizerLimiter, RateLimits
from chalicelib.services.sale_cache import SaleCache
from chalicelib.services.search import SearchService
from chalicelib.services.waiting_room import WaitingRoomService
from chalicelib.services.webhooks import WebhookService

from .audit import InMemoryAuditLog
from .catalog import InMemoryCatalog, InMemorySearchIndex
from .inventory import InMemoryInventory
from .live import FakePace, InlineFanOut, InMemoryLiveStore, RecordingPusher
from .payments import InMemoryPaymentProvider
from .privacy import InMemoryPersonalData, RecordingAccounts
from .projections import InMemoryProjections
from .rates import InMemoryRateCounter
from .waiting_room import InMemoryWaitingRoom
from .webhooks import InMemoryWebhookStore, RecordingQueue, ScriptedSender

_counter = [0]


def uid(prefix: str) -> str:
    _counter[0] += 1
    return f"{prefix}-{_counter[0]}"


@dataclass
class World:
    clock: FixedClock
    catalog_store: InMemoryCatalog
    inventory: InMemoryInventory
    projection_store: InMemoryProjections
    payments: InMemoryPaymentProvider
    signer: EdDsaTicketSigner
    catalog: CatalogService
    holds: HoldService
    bookings: BookingService
    projections: ProjectionService
    search: SearchService
    checkins: CheckInService
    audit_log: InMemoryAuditLog
    webhook_store: InMemoryWebhookStore
    queue: RecordingQueue
    sender: ScriptedSender
    lifecycle: EventLifecycle
    cancellations: CancellationJob
    attendees: AttendeeService
    webhooks: WebhookService
    audit: AuditService
    live_store: InMemoryLiveStore
    pusher: RecordingPusher
    pace: FakePace
    fan_out: InlineFanOut
    live: LiveSeatMap
    room_store: InMemoryWaitingRoom
    rates: InMemoryRateCounter
    waiting_room: WaitingRoomService
    organizer_limits: OrganizerLimiter
    personal_data: InMemoryPersonalData
    accounts: RecordingAccounts
    privacy: PrivacyService

    # people ---------------------------------------------------------------------------------
    @staticmethod
    def customer(sub: str | None = None, email: str | None = None) -> Principal:
        return Principal(sub or uid("cust"), email, ("customer",), None)

    @staticmethod
    def organizer(tenant: str | None = None) -> Principal:
        return Principal(uid("org"), None, ("organizer",), tenant or uid("tenant"))

    # catalog --------------------------------------------------------------------------------
    def venue(self, org: Principal, sections=None, lat=41.15, lng=-8.61, **fields):
        sections = sections or (Section("A", (Row("1", 10), Row("2", 10))),
                                Section("B", (Row("1", 10),)))
        values = dict(name="Test Hall", address="1 Main St", city="Porto", country="PT",
                      location=Location(lat, lng), timezone="UTC", sections=tuple(sections))
        values.update(fields)
        return self.catalog.create_venue(org, NewVenue(**values))

    def event(self, org: Principal, venue, publish=True, days=10.0, max_tickets=8, **fields):
        starts = to_rfc3339(self.clock.now() + dt.timedelta(days=days))
        names = venue.sections
        tiers = (NewTier("Main", Money(5000, "EUR"), names[:1]),) + (
            (NewTier("Cheap", Money(2000, "EUR"), tuple(names[1:])),) if len(names) > 1 else ())
        values = dict(venue_id=venue.venue_id, name="Test Show", description="A show.",
                      category="concert", performer=None, starts_at=starts, thumbnail_url=None,
                      max_tickets_per_order=max_tickets, price_tiers=tiers)
        values.update(fields)
        event = self.catalog.create_event(org, NewEvent(**values))
        return self.catalog.publish(org, event.event_id) if publish else event

    def on_sale(self, **kwargs):
        org = self.organizer()
        venue = self.venue(org)
        return org, venue, self.event(org, venue, **kwargs)

    # buying ---------------------------------------------------------------------------------
    def hold(self, customer: Principal, event_id: str, seats, seconds=600, key=None, token=None):
        hold, _ = self.holds.place(customer, HoldSeats(event_id, tuple(seats), seconds, key,
                                                       admission_token=token))
        return hold

    def best(self, customer: Principal, event_id: str, quantity: int, section=None, tier_id=None,
             key=None, token=None):
        hold, _ = self.holds.place(customer, HoldSeats(event_id, (), 600, key, quantity, section,
                                                       tier_id, token))
        return hold

    def book(self, customer: Principal, hold_id: str, pm="pm_card_visa", key=None):
        return self.bookings.book(customer, BookHold(hold_id, pm, key or uid("key")))


def build_world(start: dt.datetime | None = None, limits: RateLimits | None = None,
                queue_shards: int = 4) -> World:
    """Every service on fakes; rate limits off unless `limits` turns them on."""
    clock = FixedClock(start or dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
    limits = limits or RateLimits(enabled=False)
    keyring = KeyRing.generate()
    audit_log = InMemoryAuditLog()
    catalog_store = InMemoryCatalog(audit_log)
    rates = InMemoryRateCounter()
    inventory = InMemoryInventory(catalog_store, rates=rates)
    room_store = InMemoryWaitingRoom(catalog_store)
    projection_store = InMemoryProjections()
    payments = InMemoryPaymentProvider()
    signer = EdDsaTicketSigner(keyring)
    paging = Paging(HmacCursorCodec(keyring))
    availability = Availability(projection_store)
    sales = SaleCache(catalog_store, clock)
    waiting_room = WaitingRoomService(room_store, catalog_store, sales,
                                      HmacAdmissionSigner(keyring), clock, shards=queue_shards)
    catalog = CatalogService(catalog_store, inventory, availability, paging, clock)
    holds = HoldService(inventory, sales, paging, clock, payments, gate=waiting_room,
                        limits=limits)
    bookings = BookingService(inventory, catalog_store, availability, payments, signer, paging,
                              clock, limits=limits)
    cancellations = CancellationJob(catalog_store, inventory, bookings, clock)
    webhook_store, queue, sender = InMemoryWebhookStore(audit_log), RecordingQueue(), ScriptedSender()
    live_store, pusher, pace, fan_out = (InMemoryLiveStore(), RecordingPusher(), FakePace(),
                                         InlineFanOut())
    live = LiveSeatMap(live_store, catalog, inventory, pusher, fan_out, clock, pace)
    fan_out.deliver = live.deliver
    personal_data, accounts = InMemoryPersonalData(inventory, audit_log), RecordingAccounts()
    return World(
        clock, catalog_store, inventory, projection_store, payments, signer,
        catalog=catalog, holds=holds, bookings=bookings,
        projections=ProjectionService(projection_store, catalog_store, availability, clock),
        search=SearchService(InMemorySearchIndex(catalog_store), catalog_store, availability,
                             paging, clock),
        checkins=CheckInService(catalog_store, inventory, signer, clock),
        audit_log=audit_log, webhook_store=webhook_store, queue=queue, sender=sender,
        lifecycle=EventLifecycle(catalog, catalog_store, holds, sales, cancellations, clock),
        cancellations=cancellations,
        attendees=AttendeeService(catalog, inventory, bookings, paging, clock),
        webhooks=WebhookService(webhook_store, queue, sender, paging, clock),
        audit=AuditService(audit_log, paging),
        live_store=live_store, pusher=pusher, pace=pace, fan_out=fan_out, live=live,
        room_store=room_store, rates=rates, waiting_room=waiting_room,
        organizer_limits=OrganizerLimiter(rates, limits, clock),
        personal_data=personal_data, accounts=accounts,
        privacy=PrivacyService(personal_data, inventory, bookings, payments,
                               HmacPseudonyms(keyring), clock, accounts, room_store, rates))
