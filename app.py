"""Boxoffice: routes and event handlers only. Everything else lives in chalicelib/."""
import os
import time
import uuid

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from chalice import Chalice, CORSConfig, Response

from chalicelib.adapters.delivery_queue import delivery_ids
from chalicelib.api import errors as api_errors
from chalicelib.api import http
from chalicelib.api import live as live_edge
from chalicelib.api.auth import auth
from chalicelib.api.customer import customer
from chalicelib.api.organizer import org
from chalicelib.api.organizer_changes import changes
from chalicelib.api.payment_notifications import payment_notifications
from chalicelib.api.privacy import privacy
from chalicelib.api.public import public
from chalicelib.api.reference import reference
from chalicelib.api.queue import queue
from chalicelib.api.search import search
from chalicelib.api.webhooks import webhooks
from chalicelib.bootstrap import container, ensure_startable
from chalicelib.config import Settings
from chalicelib.domain.events import SOURCE, SeatsChanged, from_detail
from chalicelib.domain.live import FAN_OUT_SOURCE, SEAT_CHANGE_TYPES, FanOutJob
from chalicelib.jobs import relay as outbox
from chalicelib import log_privacy
from chalicelib.jobs.sweeper import advance_queues, run_sweep
from chalicelib.observability import instrument, record_business_metrics
from chalicelib.services.business_metrics import measures_of

# Powertools' Logger owns the "boxoffice" logger: Chalice adding its own handler would
# print every record twice.
# A misconfigured deployed stage fails here, at import, with one clear line.
ensure_startable(Settings.from_env(), in_lambda="AWS_LAMBDA_FUNCTION_NAME" in os.environ)
app = Chalice(app_name="boxoffice", configure_logs=False)
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.api.cors = CORSConfig(
    allow_origin="*",
    # X-Admission-Token: the waiting room's pass, sent by browsers on holds (web/).
    allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match",
                   "X-Request-Id", "X-Admission-Token"],
    expose_headers=["ETag", "X-Request-Id", "Idempotent-Replayed", "Retry-After", "Link",
                    "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
    max_age=600)
logger = Logger(service="boxoffice")
log_privacy.install(logger)
metrics = Metrics(namespace="Boxoffice", service="boxoffice")

for blueprint in (auth, public, reference, search, customer, org, changes, webhooks,
                  payment_notifications, queue, privacy):
    app.register_blueprint(blueprint)
instrument(app)


@app.middleware("http")
def envelope_and_request_id(event, get_response):
    headers = event.headers or {}
    request_id = headers.get("x-request-id", "")
    if not (0 < len(request_id) <= 128 and request_id.isprintable()):
        request_id = uuid.uuid4().hex
    logger.append_keys(request_id=request_id)
    event.context[http.REQUEST_ID] = request_id  # routes pass it on to the audit log
    started = time.monotonic()
    response = get_response(event)
    if response.status_code >= 400 and not api_errors.is_enveloped(response.body):
        if response.status_code >= 500:
            logger.error("unhandled error", extra={"path": event.path})
        body = api_errors.fallback_envelope(response.status_code)
        response = Response(body, status_code=api_errors.STATUS_BY_CODE[body["error"]["code"]],
                            headers=response.headers)
        response.headers.pop("Content-Type", None)
    if response.body not in ("", b"", None) and not any(
            k.lower() == "content-type" for k in response.headers):
        response.headers["Content-Type"] = "application/json"
    response.headers["X-Request-Id"] = request_id
    response.headers.update(app.api.cors.get_access_control_headers())
    elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    # The request id again here: appended keys are process-wide, and `make run` serves
    # requests on threads.
    logger.info("request", extra={"method": event.method, "path": event.path,
                                  "status": response.status_code, "ms": elapsed_ms,
                                  "request_id": request_id})
    metrics.add_metric(name=f"Http{response.status_code // 100}xx", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    metrics.flush_metrics()
    return response


@app.schedule("rate(1 minute)")
def sweep(event):
    """Releases expired holds and finishes bookings left pending."""
    return run_sweep(container())


@app.schedule("rate(1 minute)")
def admit_from_queues(event):
    """Moves every enabled waiting room on: a pass every few seconds for most of the minute."""
    return advance_queues(container(), passes_for=container().settings.queue_run_seconds)


@app.on_cw_event({"source": ["boxoffice"]})
def count_domain_event(event):
    """Availability and sales counters, and the business metrics per tenant; errors propagate
    so EventBridge retries (a redelivered seat change is counted and measured once)."""
    domain_event = from_detail(event.detail_type, event.detail)
    counted = container().projections.handle(domain_event)
    if counted or not isinstance(domain_event, SeatsChanged):
        record_business_metrics(metrics, measures_of(domain_event, container().clock.now()),
                                event.detail.get("tenant_id", ""))


@app.on_cw_event({"source": ["boxoffice"]})
def queue_webhook_deliveries(event):
    """One delivery per interested webhook, queued for the sender; errors propagate so
    EventBridge retries (a redelivered event finds its deliveries made)."""
    container().webhooks.fan_out(event.detail_type, event.detail)


def _send_webhooks(event):
    """The SQS-triggered sender: one attempt per message; retries are scheduled, not raised."""
    for delivery_id in delivery_ids(record.body for record in event):
        container().webhooks.attempt(delivery_id)


# The live seat map (docs/live-seat-map.md). The WebSocket routes answer through the
# management API; seat changes are coalesced per event into one-second windows, and each
# window's fan-out runs one invocation per subscription shard.
@app.on_ws_connect()
def ws_connect(event):
    live_edge.connect(event.connection_id)


@app.on_ws_message()
def ws_message(event):
    live_edge.message(event.connection_id, event.body)


@app.on_ws_disconnect()
def ws_disconnect(event):
    live_edge.disconnect(event.connection_id)


@app.on_cw_event({"source": [SOURCE], "detail-type": list(SEAT_CHANGE_TYPES)},
                 name="live_seat_changes")
def live_seat_changes(event):
    """Records the change in its window; the one invocation elected waits the window out
    (at most a second) and flushes it. Errors propagate so EventBridge retries."""
    container().live.handle(from_detail(event.detail_type, event.detail))


@app.on_cw_event({"source": [FAN_OUT_SOURCE]}, name="live_fan_out")
def live_fan_out(event):
    container().live.deliver(FanOutJob.from_detail(event.detail))


def _publish_stream(event):
    outbox.relay([record._event_dict for record in event], container().publisher,
                 container().clock, container().privacy.pseudonyms)


# The outbox relay: registered when the stack's stream ARNs are known (set them before
# `chalice deploy`; see README), since Chalice needs them when it packages the app.
for _name, _arn in (("relay_booking_stream", os.environ.get("BOOKING_STREAM_ARN")),
                    ("relay_catalog_stream", os.environ.get("CATALOG_STREAM_ARN"))):
    if _arn:
        app.on_dynamodb_record(stream_arn=_arn, name=_name, batch_size=100)(_publish_stream)

# The webhook sender: registered when infra/webhooks.yaml's queue is known (deploy.sh
# exports it). Two messages a batch keep two 10-second posts under the 29 s timeout.
if os.environ.get("WEBHOOK_QUEUE_ARN"):
    app.on_sqs_message(queue_arn=os.environ["WEBHOOK_QUEUE_ARN"], name="send_webhooks",
                       batch_size=2)(_send_webhooks)
