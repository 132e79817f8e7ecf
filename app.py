"""Boxoffice: routes and event handlers only. Everything else lives in chalicelib/."""
import os
import time
import uuid

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from chalice import Chalice, CORSConfig, Response

from chalicelib.api import errors as api_errors
from chalicelib.api.auth import auth
from chalicelib.api.customer import customer
from chalicelib.api.organizer import org
from chalicelib.api.public import public
from chalicelib.api.queue import queue
from chalicelib.api.search import search
from chalicelib.bootstrap import container, ensure_startable
from chalicelib.config import Settings
from chalicelib.domain.events import from_detail
from chalicelib.jobs import relay as outbox
from chalicelib.jobs.sweeper import advance_queues, run_sweep

# Powertools' Logger owns the "boxoffice" logger: Chalice adding its own handler would
# print every record twice.
ensure_startable(Settings.from_env())  # a misconfigured deployed stage fails here, at import
app = Chalice(app_name="boxoffice", configure_logs=False)
app.api.cors = CORSConfig(
    allow_origin="*",
    allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match",
                   "X-Request-Id", "X-Admission-Token"],
    expose_headers=["ETag", "X-Request-Id", "Idempotent-Replayed", "Retry-After",
                    "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
    max_age=600)
logger = Logger(service="boxoffice")
metrics = Metrics(namespace="Boxoffice", service="boxoffice")

for blueprint in (auth, public, search, customer, org, queue):
    app.register_blueprint(blueprint)


@app.middleware("http")
def envelope_and_request_id(event, get_response):
    headers = event.headers or {}
    request_id = headers.get("x-request-id", "")
    if not (0 < len(request_id) <= 128 and request_id.isprintable()):
        request_id = uuid.uuid4().hex
    logger.append_keys(request_id=request_id)
    started = time.monotonic()
    response = get_response(event)
    if response.status_code >= 400 and not api_errors.is_enveloped(response.body):
        if response.status_code >= 500:
            logger.error("unhandled error", extra={"path": event.path})
        body = api_errors.fallback_envelope(response.status_code)
        response = Response(body, status_code=api_errors.STATUS_BY_CODE[body["error"]["code"]],
                            headers=response.headers)
        response.headers.pop("Content-Type", None)
    response.headers["X-Request-Id"] = request_id
    response.headers.update(app.api.cors.get_access_control_headers())
    elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    logger.info("request", extra={"method": event.method, "path": event.path,
                                  "status": response.status_code, "ms": elapsed_ms})
    metrics.add_metric(name=f"Http{response.status_code // 100}xx", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    metrics.flush_metrics()
    return response


@app.schedule("rate(1 minute)")
def sweep(event):
    """Releases expired holds and finishes bookings left pending."""
    return run_sweep(container(), queues=False)


@app.schedule("rate(1 minute)")
def admit_from_queues(event):
    """Moves every enabled waiting room on: a pass every few seconds for most of the minute."""
    return advance_queues(container(), passes_for=container().settings.queue_run_seconds)


@app.on_cw_event({"source": ["boxoffice"]})
def count_domain_event(event):
    """Availability and sales counters; errors propagate so EventBridge retries."""
    container().projections.handle(from_detail(event.detail_type, event.detail))


def _publish_stream(event):
    outbox.relay([record._event_dict for record in event], container().publisher,
                 container().clock)


# The outbox relay: registered when the stack's stream ARNs are known (set them before
# `chalice deploy`; see README), since Chalice needs them when it packages the app.
for _name, _arn in (("relay_booking_stream", os.environ.get("BOOKING_STREAM_ARN")),
                    ("relay_catalog_stream", os.environ.get("CATALOG_STREAM_ARN"))):
    if _arn:
        app.on_dynamodb_record(stream_arn=_arn, name=_name, batch_size=100)(_publish_stream)
