"""The local stack: moto (serialised), tables from infra/, the app over HTTP, the scheduled
jobs on a timer, and the table streams relayed to the event consumers."""
from __future__ import annotations

import functools
import json
import logging
import os
import pathlib
import secrets
import sys
import threading

import boto3
from chalice.config import Config
from chalice.local import LocalDevServer, ThreadedHTTPServer

from .. import bootstrap
from ..config import Settings
from ..domain.events import from_detail
from ..jobs.sweeper import advance_queues, run_sweep
from .bus import LocalEventBus
from .edge_limits import EdgeLimiter
from .gateway import EnvelopeRequestHandler, as_local
from .localstripe import API_KEY as STRIPE_TEST_KEY
from .localstripe import LocalStripe
from .moto_server import NoDelay, SerialisedMoto
from .relay import RelayLoop, StreamRelay
from .webhook_queue import LocalDeliveryQueue
from .websocket import LocalWebSocketServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"
logger = logging.getLogger("boxoffice.local")


def fake_aws_environment() -> None:
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_REGION", "us-east-1")):
        os.environ[name] = value
    os.environ.pop("AWS_PROFILE", None)
    # CloudWatch metrics (EMF) mean nothing locally; logs stay on.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")


# What moto's CloudFormation cannot create, and nothing local needs (the archive keeps events
# for replays on AWS; locally the bus is in memory).
NOT_IN_MOTO = {"AWS::Events::Archive"}


def template_for_moto() -> str:
    """infra/template.yaml as JSON, without the resources moto cannot create (nor outputs that
    name them)."""
    from cfnlint.decode.cfn_yaml import loads
    template = loads(TEMPLATE.read_text())
    dropped = {name for name, r in template["Resources"].items() if r["Type"] in NOT_IN_MOTO}
    template["Resources"] = {k: v for k, v in template["Resources"].items() if k not in dropped}
    template["Outputs"] = {k: v for k, v in template.get("Outputs", {}).items()
                           if not dropped & set(json.dumps(v).replace('"', " ").split())}
    return json.dumps(template)


def deploy_infra(endpoint: str, stage: str = "local") -> dict:
    """Creates the stack from infra/template.yaml in moto's CloudFormation."""
    cfn = boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1")
    cfn.create_stack(StackName=f"boxoffice-{stage}", TemplateBody=template_for_moto(),
                     Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
                     Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName=f"boxoffice-{stage}")["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"infra stack is {stack['StackStatus']}")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


class BusyHTTPServer(NoDelay, ThreadedHTTPServer):
    """Chalice's threaded server with a listen backlog for bursts of concurrent clients."""

    request_queue_size = 256

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up before its answer is one line, not a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            logger.info("client %s:%s hung up before its answer (%s)", *client_address[:2],
                        type(error).__name__)
            return
        super().handle_error(request, client_address)


class Every(threading.Thread):
    def __init__(self, seconds: float, action, name: str):
        super().__init__(daemon=True, name=name)
        self._seconds, self._action = seconds, action
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self._seconds):
            try:
                self._action()
            except Exception:  # noqa: BLE001 - a failed run is retried on the next tick
                logger.exception("%s failed", self.name)

    def stop(self) -> None:
        self._stopped.set()


class LocalStack:
    def __init__(self, port: int = 8000, sweep_seconds: float | None = 5.0, clock=None,
                 host: str = "127.0.0.1", background: bool = True, ws_port: int = 0,
                 payments: str = "dynamo-test", rate_limits: str | None = None):
        fake_aws_environment()
        self.moto = SerialisedMoto().start()
        outputs = deploy_infra(self.moto.url)
        self.websocket = LocalWebSocketServer(host, ws_port, asynchronous=background)
        self.stripe = LocalStripe() if payments == "stripe" else None
        rate_limits = rate_limits or os.environ.get("RATE_LIMITS", "on")  # off | on | edge
        self.settings = Settings.for_stage("local", dynamodb_endpoint=self.moto.url,
                                           websocket_url=self.websocket.url, payments=payments,
                                           rate_limits=rate_limits,
                                           **self._stripe_settings())
        self.bus = LocalEventBus(asynchronous=background)
        self.webhook_queue = LocalDeliveryQueue()
        self.container = bootstrap.build(self.settings, clock=clock, publisher=self.bus,
                                         delivery_queue=self.webhook_queue,
                                         pusher=self.websocket, fan_out=self.websocket)
        bootstrap.use(self.container)
        self.webhook_queue.bind(self.container.clock, self.container.webhooks.attempt)
        self.bus.subscribe(lambda kind, detail: self.container.projections.handle(
            from_detail(kind, detail)))
        self.bus.subscribe(self.container.webhooks.fan_out)
        self.bus.subscribe(self.websocket.on_domain_event)
        self.relay = StreamRelay(self.moto.url, [outputs["CatalogStreamArn"],
                                                 outputs["BookingStreamArn"]], self.container)
        self._threads = []
        if background:
            self._threads.append(RelayLoop(self.relay.poll, self.moto.writes))
            self._threads.append(Every(0.25, self.webhook_queue.run_due, "webhook-sender"))
            if sweep_seconds:
                self._threads.append(Every(sweep_seconds, self.sweep, "sweeper"))
        from app import app
        as_local(app)
        self.app = app
        config = Config.create(chalice_stage="local", app_name="boxoffice", lambda_timeout=29,
                               lambda_memory_size=512)
        self.server = LocalDevServer(
            app, config, host, port,
            handler_cls=functools.partial(EnvelopeRequestHandler),
            server_cls=BusyHTTPServer)
        if rate_limits == "edge":
            self.server.server.edge_limiter = EdgeLimiter()
        self.url = f"http://{host}:{self.server.server.server_port}"
        self._server_thread = threading.Thread(target=self.server.server.serve_forever,
                                               daemon=True, name="http")

    def _stripe_settings(self) -> dict:
        """localstripe on loopback, with a webhook secret made for this run."""
        if self.stripe is None:
            return {}
        return {"stripe_api_base": self.stripe.start(), "stripe_api_key": STRIPE_TEST_KEY,
                "stripe_webhook_secret": f"whsec_{secrets.token_hex(16)}"}

    def start(self) -> "LocalStack":
        self._server_thread.start()
        self.websocket.serve(self.app)
        if self.stripe is not None:  # Stripe's notifications come to the local API
            self.stripe.register_webhook("boxoffice", f"{self.url}/webhooks/stripe",
                                         self.settings.stripe_webhook_secret)
        for thread in self._threads:
            thread.start()
        return self

    def sweep(self) -> dict:
        """Locally one timer runs both schedules (on AWS the waiting rooms have their own)."""
        return {**run_sweep(self.container), "queues": advance_queues(self.container)}

    def deliver(self) -> None:
        """Relays pending stream records and waits until consumers have seen them."""
        self.relay.poll()
        self.bus.drain()

    def stop(self) -> None:
        for thread in self._threads:
            thread.stop()
        self.server.shutdown()
        self.websocket.stop()
        if self.stripe is not None:
            self.stripe.stop()
        self.moto.stop()
        bootstrap.use(None)
