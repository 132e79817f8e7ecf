"""The local stack: moto (serialised), tables from infra/, the app over HTTP, the scheduled
jobs on a timer, and the table streams relayed to the event consumers."""
from __future__ import annotations

import functools
import logging
import os
import pathlib
import threading

import boto3
from chalice.config import Config
from chalice.local import LocalDevServer, ThreadedHTTPServer

from .. import bootstrap
from ..config import Settings
from ..domain.events import from_detail
from ..jobs import relay as outbox
from ..jobs.sweeper import run_sweep
from .bus import LocalEventBus
from .edge_limits import EdgeLimiter
from .gateway import EnvelopeRequestHandler, as_local
from .moto_server import SerialisedMoto

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


def deploy_infra(endpoint: str, stage: str = "local") -> dict:
    """Creates the stack from infra/template.yaml in moto's CloudFormation."""
    cfn = boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1")
    cfn.create_stack(StackName=f"boxoffice-{stage}", TemplateBody=TEMPLATE.read_text(),
                     Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
                     Capabilities=["CAPABILITY_IAM"])
    stack = cfn.describe_stacks(StackName=f"boxoffice-{stage}")["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"infra stack is {stack['StackStatus']}")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


class StreamRelay:
    """Polls the tables' streams like Lambda's event source mapping does.

    A fresh iterator after the last sequence number on every poll: moto swaps in a copy of
    the table when it rolls back a failed transaction, which strands older iterators."""

    def __init__(self, endpoint: str, stream_arns: list[str], container):
        self._streams = boto3.client("dynamodbstreams", endpoint_url=endpoint,
                                     region_name="us-east-1")
        self._container = container
        self._lock = threading.Lock()
        self._positions: dict[str, tuple[str, str | None]] = {}
        for arn in stream_arns:
            shard = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
            self._positions[arn] = (shard["ShardId"], None)

    def _iterator(self, arn: str) -> str:
        shard_id, last = self._positions[arn]
        where = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last} if last
                 else {"ShardIteratorType": "TRIM_HORIZON"})
        return self._streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                                **where)["ShardIterator"]

    def poll(self) -> int:
        """Relays every record written so far; returns how many events went out."""
        sent = 0
        with self._lock:
            for arn in self._positions:
                while True:
                    records = self._streams.get_records(ShardIterator=self._iterator(arn),
                                                        Limit=1000)["Records"]
                    if not records:
                        break
                    sent += outbox.relay(records, self._container.publisher,
                                         self._container.clock)
                    shard_id, _ = self._positions[arn]
                    self._positions[arn] = (shard_id, records[-1]["dynamodb"]["SequenceNumber"])
        return sent


class BusyHTTPServer(ThreadedHTTPServer):
    """Chalice's threaded server with a listen backlog for bursts of concurrent clients."""

    request_queue_size = 256


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
                 host: str = "127.0.0.1", background: bool = True,
                 rate_limits: str | None = None):
        fake_aws_environment()
        self.moto = SerialisedMoto().start()
        outputs = deploy_infra(self.moto.url)
        rate_limits = rate_limits or os.environ.get("RATE_LIMITS", "on")  # off | on | edge
        self.settings = Settings.for_stage("local", dynamodb_endpoint=self.moto.url,
                                           rate_limits=rate_limits)
        self.bus = LocalEventBus(asynchronous=background)
        self.container = bootstrap.build(self.settings, clock=clock, publisher=self.bus)
        bootstrap.use(self.container)
        self.bus.subscribe(lambda kind, detail: self.container.projections.handle(
            from_detail(kind, detail)))
        self.relay = StreamRelay(self.moto.url, [outputs["CatalogStreamArn"],
                                                 outputs["BookingStreamArn"]], self.container)
        self._threads = []
        if background:
            self._threads.append(Every(0.25, self.relay.poll, "stream-relay"))
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

    def start(self) -> "LocalStack":
        self._server_thread.start()
        for thread in self._threads:
            thread.start()
        return self

    def sweep(self) -> dict:
        return run_sweep(self.container)

    def deliver(self) -> None:
        """Relays pending stream records and waits until consumers have seen them."""
        self.relay.poll()
        self.bus.drain()

    def stop(self) -> None:
        for thread in self._threads:
            thread.stop()
        self.server.shutdown()
        self.moto.stop()
        bootstrap.use(None)
