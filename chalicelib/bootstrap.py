"""Wires adapters into services once per process (a warm Lambda reuses the container).
Collaborators are built in dependency order and never changed afterwards."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from .adapters.catalog_store import DynamoCatalog
from .adapters.dynamo_models import bind_models
from .adapters.idempotency import PowertoolsIdempotency
from .adapters.inventory_store import DynamoInventory
from .adapters.keys import KeyRing, load_keyring
from .adapters.projection_store import DynamoProjections
from .adapters.queue_store import DynamoWaitingRoom
from .adapters.rate_store import DynamoRateCounter
from .adapters.search_index import DynamoSearchIndex, search_rows
from .adapters.tokens import (CognitoTokenVerifier, EdDsaTicketSigner, HmacAdmissionSigner,
                              HmacCursorCodec, LocalTokenIssuer)
from .adapters.transactions import TransactionRunner
from .config import MisconfiguredStage, Settings
from .domain.clock import SystemClock
from .services.availability import Availability
from .services.bookings import BookingService
from .services.catalog import CatalogService
from .services.checkin import CheckInService
from .services.holds import HoldService
from .services.paging import Paging
from .services.projections import ProjectionService
from .services.rate_limits import OrganizerLimiter, RateLimits
from .services.sale_cache import SaleCache
from .services.search import SearchService
from .services.waiting_room import WaitingRoomService

logger = logging.getLogger("boxoffice")


@dataclass(frozen=True)
class Container:
    settings: Settings
    clock: object
    keyring: KeyRing
    catalog_store: DynamoCatalog
    inventory: DynamoInventory
    projection_store: DynamoProjections
    search_index: DynamoSearchIndex
    payments: object
    publisher: object
    signer: EdDsaTicketSigner
    token_issuer: LocalTokenIssuer | None
    token_verifier: object
    idempotency: PowertoolsIdempotency
    catalog: CatalogService
    holds: HoldService
    bookings: BookingService
    projections: ProjectionService
    search: SearchService
    checkins: CheckInService
    waiting_room: DynamoWaitingRoom
    queue: WaitingRoomService
    organizer_limits: OrganizerLimiter


def ensure_startable(settings: Settings) -> None:
    """Fails start-up with one clear log line when the stage is misconfigured."""
    problems = settings.startup_problems()
    if problems:
        error = MisconfiguredStage(settings.stage, problems)
        logger.error(str(error))
        raise error


def payment_provider(settings: Settings):
    """The stage's provider, named in its settings: never a silent default."""
    if settings.payments == "memory":
        from .adapters.payments import InMemoryPaymentProvider
        return InMemoryPaymentProvider()
    raise MisconfiguredStage(settings.stage, [f"no payment provider {settings.payments!r}"])


def event_publisher(settings: Settings):
    import boto3
    from .adapters.publisher import EventBridgePublisher
    return EventBridgePublisher(boto3.client("events", region_name=settings.region),
                                settings.event_bus)


def build(settings: Settings, clock=None, keyring: KeyRing | None = None, publisher=None,
          payments=None) -> Container:
    ensure_startable(settings)
    clock = clock or SystemClock()
    bind_models(settings)
    keyring = keyring or load_keyring(settings)
    publisher = publisher or event_publisher(settings)
    payments = payments or payment_provider(settings)
    tx = TransactionRunner(settings.region, settings.dynamodb_endpoint)
    catalog_store = DynamoCatalog(tx, search_rows)
    inventory = DynamoInventory(tx, settings.hold_sweep_shards)
    projection_store = DynamoProjections(tx)
    search_index = DynamoSearchIndex()
    signer = EdDsaTicketSigner(keyring)
    paging = Paging(HmacCursorCodec(keyring))
    issuer = (LocalTokenIssuer(keyring, settings.jwt_issuer, settings.jwt_audience, clock)
              if settings.is_local else None)
    verifier = issuer or CognitoTokenVerifier(settings.region, settings.cognito_user_pool_id,
                                              settings.cognito_client_id, clock=clock)
    idempotency = PowertoolsIdempotency(settings.idempotency_table, settings.region,
                                        settings.dynamodb_endpoint)
    availability = Availability(projection_store)
    limits = rate_limits(settings)
    sales = SaleCache(catalog_store, clock)
    waiting_room = DynamoWaitingRoom(tx)
    queue = WaitingRoomService(waiting_room, catalog_store, sales, HmacAdmissionSigner(keyring),
                               clock, settings.queue_shards, settings.queue_pass_seconds)
    return Container(
        settings, clock, keyring, catalog_store, inventory, projection_store, search_index,
        payments, publisher, signer, issuer, verifier, idempotency,
        catalog=CatalogService(catalog_store, inventory, availability, paging, clock),
        holds=HoldService(inventory, sales, paging, clock, payments, gate=queue, limits=limits),
        bookings=BookingService(inventory, catalog_store, availability, payments, signer, paging,
                                clock, limits=limits),
        projections=ProjectionService(projection_store, catalog_store, availability, clock),
        search=SearchService(search_index, catalog_store, availability, paging, clock),
        checkins=CheckInService(catalog_store, inventory, signer, clock),
        waiting_room=waiting_room, queue=queue,
        organizer_limits=OrganizerLimiter(DynamoRateCounter(), limits, clock))


def rate_limits(settings: Settings) -> RateLimits:
    return RateLimits(settings.rate_limits != "off", settings.holds_per_minute,
                      settings.bookings_per_minute, settings.organizer_writes_per_minute)


_lock = threading.Lock()
_container: Container | None = None


def container() -> Container:
    global _container
    with _lock:
        if _container is None:
            _container = build(Settings.from_env())
        return _container


def use(new: Container | None) -> None:
    """Installs a container (the local stack and tests build theirs explicitly)."""
    global _container
    with _lock:
        _container = new
