"""Wires adapters into services once per process (a warm Lambda reuses the container)."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from .adapters.catalog_store import DynamoCatalogRepository
from .adapters.dynamo_models import bind_models
from .adapters.idempotency import PowertoolsIdempotency
from .adapters.inventory_store import DynamoInventoryRepository
from .adapters.keys import KeyRing, load_keyring
from .adapters.payments import TestPaymentProvider
from .adapters.projection_store import DynamoProjectionStore
from .adapters.publisher import EventBridgePublisher, InMemoryEventBus
from .adapters.tokens import (CognitoTokenVerifier, CursorCodec, LocalTokenIssuer,
                              TicketSigner)
from .adapters.transactions import TransactionRunner
from .config import Settings
from .domain.clock import SystemClock
from .services.bookings import BookingService
from .services.catalog import CatalogService
from .services.checkin import CheckInService
from .services.holds import HoldService
from .services.paging import Paging
from .services.projections import ProjectionService
from .services.search import SearchService


@dataclass
class Container:
    settings: Settings
    clock: object
    keyring: KeyRing
    catalog_store: DynamoCatalogRepository
    inventory: DynamoInventoryRepository
    projection_store: DynamoProjectionStore
    payments: TestPaymentProvider
    publisher: object
    signer: TicketSigner
    token_issuer: LocalTokenIssuer | None
    token_verifier: object
    catalog: CatalogService
    holds: HoldService
    bookings: BookingService
    projections: ProjectionService
    search: SearchService
    checkins: CheckInService
    idempotency: PowertoolsIdempotency


def build(settings: Settings, clock=None, keyring: KeyRing | None = None, publisher=None,
          payments=None) -> Container:
    clock = clock or SystemClock()
    bind_models(settings)
    keyring = keyring or load_keyring(settings)
    tx = TransactionRunner(settings.region, settings.dynamodb_endpoint)
    catalog_store = DynamoCatalogRepository(tx)
    inventory = DynamoInventoryRepository(tx, settings.hold_sweep_shards)
    projection_store = DynamoProjectionStore(tx)
    payments = payments or TestPaymentProvider()
    if publisher is None:
        if settings.is_local:
            publisher = InMemoryEventBus()
        else:
            import boto3
            publisher = EventBridgePublisher(boto3.client("events", region_name=settings.region),
                                             settings.event_bus)
    signer = TicketSigner(keyring)
    paging = Paging(CursorCodec(keyring))
    issuer = (LocalTokenIssuer(keyring, settings.jwt_issuer, settings.jwt_audience, clock)
              if settings.is_local else None)
    verifier = issuer or CognitoTokenVerifier(settings.region, settings.cognito_user_pool_id,
                                              settings.cognito_client_id)
    idempotency = PowertoolsIdempotency(settings.idempotency_table, settings.region,
                                        settings.dynamodb_endpoint)
    projections = ProjectionService(projection_store, catalog_store, clock)
    search = SearchService(catalog_store, paging, clock)
    catalog = CatalogService(catalog_store, inventory, projection_store, search, paging, clock)
    search.availability = catalog.availability
    holds = HoldService(catalog_store, inventory, paging, clock)
    bookings = BookingService(catalog_store, inventory, payments, signer, paging, clock)
    checkins = CheckInService(catalog_store, inventory, signer, clock)
    return Container(settings, clock, keyring, catalog_store, inventory, projection_store,
                     payments, publisher, signer, issuer, verifier, catalog, holds, bookings,
                     projections, search, checkins, idempotency)


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
