"""Wires adapters into services once per process (a warm Lambda reuses the container).
Collaborators are built in dependency order and never changed afterwards."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from .adapters.audit_store import DynamoAuditLog
from .adapters.catalog_store import DynamoCatalog
from .adapters.dynamo_models import bind_models
from .adapters.idempotency import PowertoolsIdempotency
from .adapters.inventory_store import DynamoInventory
from .adapters.keys import KeyRing, load_keyring
from .adapters.live_store import DynamoLiveStore
from .adapters.privacy_store import DynamoPersonalData
from .adapters.projection_store import DynamoProjections
from .adapters.queue_store import DynamoWaitingRoom
from .adapters.rate_store import DynamoRateCounter
from .adapters.search_index import DynamoSearchIndex, search_rows
from .adapters.tokens import (EdDsaTicketSigner, HmacAdmissionSigner, HmacCursorCodec, HmacPseudonyms,
                              LocalTokenIssuer)
from .adapters.transactions import TransactionRunner
from .adapters.webhook_sender import HttpWebhookSender
from .adapters.webhook_store import DynamoWebhookStore
from .adapters.websocket_push import ApiGatewayPusher, EventBridgeFanOut
from .config import MisconfiguredStage, Settings
from .domain.clock import SystemClock, SystemPace
from .services.attendees import AttendeeService
from .services.audit import AuditService
from .services.availability import Availability
from .services.bookings import BookingService
from .services.cancellations import CancellationJob
from .services.catalog import CatalogService
from .services.checkin import CheckInService
from .services.holds import HoldService
from .services.lifecycle import EventLifecycle
from .services.live import LiveSeatMap
from .services.paging import Paging
from .services.payment_events import PaymentEvents
from .services.privacy import PrivacyService
from .services.projections import ProjectionService
from .services.rate_limits import OrganizerLimiter, RateLimits
from .services.sale_cache import SaleCache
from .services.search import SearchService
from .services.waiting_room import WaitingRoomService
from .services.webhooks import WebhookService

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
    webhook_store: DynamoWebhookStore
    lifecycle: EventLifecycle
    cancellations: CancellationJob
    attendees: AttendeeService
    webhooks: WebhookService
    audit: AuditService
    live: LiveSeatMap
    payment_events: PaymentEvents | None
    waiting_room_store: DynamoWaitingRoom
    waiting_room: WaitingRoomService
    organizer_limits: OrganizerLimiter
    privacy: PrivacyService


def ensure_startable(settings: Settings, in_lambda: bool = True) -> None:
    """Fails start-up with one clear log line when the stage is misconfigured. Outside a
    Lambda (`chalice package` importing the app), values the deploy fills in from stack
    outputs may still be missing; placeholders and test doubles are refused all the same."""
    problems = [p for p in settings.startup_problems()
                if in_lambda or not p.endswith("is missing")]
    if problems:
        error = MisconfiguredStage(settings.stage, problems)
        logger.error(str(error))
        raise error


def stripe_secret(settings: Settings, which: str) -> str:
    """Deployed stages read Stripe's secrets from SSM; the local stage gets localstripe's."""
    if settings.is_local:
        return getattr(settings, f"stripe_{which}")
    from .adapters.secrets import secret_parameter
    return secret_parameter(settings.region, getattr(settings, f"stripe_{which}_parameter"))


def payment_provider(settings: Settings):
    """The stage's provider, named in its settings (PAYMENTS): never a silent default."""
    if settings.payments == "stripe":
        from .adapters.stripe_payments import StripePaymentProvider
        key = stripe_secret(settings, "api_key")
        if settings.stage == "prod" and key.startswith(("sk_test_", "rk_test_")):
            raise MisconfiguredStage(settings.stage, ["the Stripe key is a test key: prod "
                                                      "takes real payments"])
        return StripePaymentProvider(key, api_base=settings.stripe_api_base)
    from .adapters.durable_test_payments import DynamoTestPaymentProvider
    return DynamoTestPaymentProvider(settings.booking_table, settings.region,
                                     settings.dynamodb_endpoint)


def payment_webhooks(settings: Settings, clock):
    """Stripe's signed notifications (the test providers send none)."""
    if settings.payments != "stripe":
        return None
    from .adapters.stripe_webhooks import StripeWebhooks, StripeWebhookVerifier
    from .adapters.webhook_dedupe import DynamoWebhookDedupe
    return StripeWebhooks(
        StripeWebhookVerifier(stripe_secret(settings, "webhook_secret"), clock),
        DynamoWebhookDedupe(settings.booking_table, settings.region, settings.dynamodb_endpoint,
                            clock))


def accounts_for(settings: Settings, issuer):
    """Where sign-in accounts live: Cognito on deployed stages, the dev token issuer locally."""
    if settings.is_local:
        return issuer
    from .adapters.accounts import CognitoAccounts
    return CognitoAccounts(settings.region, settings.cognito_user_pool_id)


def event_publisher(settings: Settings):
    import boto3
    from .adapters.publisher import EventBridgePublisher
    return EventBridgePublisher(boto3.client("events", region_name=settings.region),
                                settings.event_bus)


def delivery_queue_for(settings: Settings):
    """Where webhook deliveries wait for the sender: the stage's SQS queue."""
    import boto3
    from .adapters.delivery_queue import SqsDeliveryQueue
    return SqsDeliveryQueue(boto3.client("sqs", region_name=settings.region),
                            settings.webhook_queue)


def build(settings: Settings, clock=None, keyring: KeyRing | None = None, publisher=None,
          payments=None, delivery_queue=None, pusher=None, fan_out=None) -> Container:
    """The local stack passes its own delivery queue, WebSocket server and Lambda pool;
    deployed stages get SQS, API Gateway and EventBridge."""
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
    verifier = issuer  # deployed stages: API Gateway verifies Cognito tokens itself
    idempotency = PowertoolsIdempotency(settings.idempotency_table, settings.region,
                                        settings.dynamodb_endpoint)
    availability = Availability(projection_store)
    limits = rate_limits(settings)
    sales = SaleCache(catalog_store, clock)
    waiting_room_store = DynamoWaitingRoom(tx)
    waiting_room = WaitingRoomService(waiting_room_store, catalog_store, sales,
                                      HmacAdmissionSigner(keyring), clock, settings.queue_shards,
                                      settings.queue_pass_seconds)
    catalog = CatalogService(catalog_store, inventory, availability, paging, clock)
    holds = HoldService(inventory, sales, paging, clock, payments, gate=waiting_room,
                        limits=limits)
    live = LiveSeatMap(DynamoLiveStore(tx, settings.live_subscription_shards,
                                       settings.live_change_parts), catalog, inventory,
                       pusher or ApiGatewayPusher(settings.websocket_url, settings.region),
                       fan_out or EventBridgeFanOut(settings.region, settings.event_bus), clock, SystemPace(),
                       settings.live_window_seconds)
    bookings = BookingService(inventory, catalog_store, availability, payments, signer, paging,
                              clock, limits=limits)
    cancellations = CancellationJob(catalog_store, inventory, bookings, clock)
    payment_notices = payment_webhooks(settings, clock)
    webhook_store = DynamoWebhookStore(tx, settings.hold_sweep_shards)
    webhooks = WebhookService(webhook_store, delivery_queue or delivery_queue_for(settings),
                              HttpWebhookSender(allow_private_hosts=settings.is_local), paging,
                              clock, allow_loopback_http=settings.is_local)
    return Container(
        settings, clock, keyring, catalog_store, inventory, projection_store, search_index,
        payments, publisher, signer, issuer, verifier, idempotency,
        catalog=catalog, holds=holds, bookings=bookings,
        projections=ProjectionService(projection_store, catalog_store, availability, clock),
        search=SearchService(search_index, catalog_store, availability, paging, clock),
        checkins=CheckInService(catalog_store, inventory, signer, clock),
        webhook_store=webhook_store,
        lifecycle=EventLifecycle(catalog, catalog_store, holds, sales, cancellations, clock),
        cancellations=cancellations,
        attendees=AttendeeService(catalog, inventory, bookings, paging, clock),
        webhooks=webhooks, audit=AuditService(DynamoAuditLog(), paging), live=live,
        payment_events=PaymentEvents(payment_notices, bookings) if payment_notices else None,
        waiting_room_store=waiting_room_store, waiting_room=waiting_room,
        organizer_limits=OrganizerLimiter(DynamoRateCounter(), limits, clock),
        privacy=PrivacyService(DynamoPersonalData(tx), inventory, bookings, payments,
                               HmacPseudonyms(keyring), clock, accounts_for(settings, issuer),
                               waiting_room_store, DynamoRateCounter()))


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
