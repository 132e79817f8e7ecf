"""The local stack's WebSocket API and the live seat map's Lambdas.

A real WebSocket server (the `websockets` package) on 127.0.0.1, in its own thread and
asyncio loop, runs the app's own $connect/$default/$disconnect handlers with events shaped
like API Gateway's, on worker threads as Lambda would. The management API's
post_to_connection becomes a write to the right socket (`push`, the Pusher port), and
EventBridge's delivery of seat changes and fan-out jobs becomes a call of the app's own
consumer handlers (`on_domain_event`, and `dispatch`, the FanOut port): asynchronously on the
worker threads, or, for tests that move the clock by hand, in the caller's thread."""
from __future__ import annotations

import asyncio
import base64
import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from chalice.local import LambdaContext
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from ..adapters.websocket_push import encode_each
from ..domain.events import SOURCE
from ..domain.live import FAN_OUT_DETAIL_TYPE, FAN_OUT_SOURCE, SEAT_CHANGE_TYPES, FanOutJob

logger = logging.getLogger("boxoffice.local.websocket")
SEND_TIMEOUT_SECONDS = 5
MAX_MESSAGE_BYTES = 128 * 1024  # API Gateway's message limit
ATTEMPTS = 3  # EventBridge retries a failed invocation; so do we, briefly
EVENT_TYPES = {"$connect": "CONNECT", "$default": "MESSAGE", "$disconnect": "DISCONNECT"}


def eventbridge_event(source: str, detail_type: str, detail: dict) -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type,
            "source": source, "account": "000000000000", "region": "us-east-1",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "resources": [],
            "detail": detail}


class LocalWebSocketServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, asynchronous: bool = True,
                 workers: int = 32):
        self._socket = socket.create_server((host, port), reuse_port=False)
        self.port = self._socket.getsockname()[1]
        self.url = f"ws://{host}:{self.port}"
        self._async = asynchronous
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="lambda")
        self._sockets: dict = {}
        self._app = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Future | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="websocket")
        self._pending = 0  # consumer invocations queued or running
        self._open = 0  # connections not yet through their $disconnect
        self._idle = threading.Condition()

    # lifecycle ------------------------------------------------------------------------------
    def serve(self, app) -> "LocalWebSocketServer":
        self._app = app
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        """Lets running invocations finish (before moto stops under them), then closes."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._loop and self._stopped:
            self._loop.call_soon_threadsafe(self._stopped.set_result, None)
            self._thread.join(10)

    def idle(self, timeout: float = 10) -> bool:
        """Waits until no consumer invocation is running or queued (tests, the benchmark)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def closed(self, timeout: float = 10) -> bool:
        """Waits until every connection has been through its $disconnect handler."""
        with self._idle:
            return self._idle.wait_for(lambda: self._open == 0, timeout)

    def _count_open(self, delta: int) -> None:
        with self._idle:
            self._open += delta
            self._idle.notify_all()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stopped = self._loop.create_future()
        async with serve(self._connection, sock=self._socket, max_size=MAX_MESSAGE_BYTES):
            self._ready.set()
            await self._stopped

    # the API Gateway side ---------------------------------------------------------------------
    async def _connection(self, ws) -> None:
        connection_id = base64.b64encode(os.urandom(10)).decode()
        loop = asyncio.get_running_loop()
        self._count_open(1)
        try:
            if not await loop.run_in_executor(self._pool, self._route, "$connect",
                                              connection_id, None):
                await ws.close(1011, "connect refused")
                return
            self._sockets[connection_id] = ws
            try:
                async for message in ws:
                    await loop.run_in_executor(self._pool, self._route, "$default",
                                               connection_id, message)
            except ConnectionClosed:
                pass
            finally:
                self._sockets.pop(connection_id, None)
                await loop.run_in_executor(self._pool, self._route, "$disconnect",
                                           connection_id, None)
        finally:
            self._count_open(-1)

    def _route(self, route_key: str, connection_id: str, message) -> bool:
        handler = self._app.websocket_handlers.get(route_key)
        if handler is None:
            return True
        now = int(time.time() * 1000)
        event = {"requestContext": {
            "routeKey": route_key, "eventType": EVENT_TYPES[route_key],
            "connectionId": connection_id, "apiId": "local", "stage": "local",
            "domainName": f"127.0.0.1:{self.port}", "requestId": uuid.uuid4().hex,
            "requestTimeEpoch": now, "connectedAt": now, "messageDirection": "IN",
            "identity": {"sourceIp": "127.0.0.1"}}}
        if message is not None:  # binary frames reach $default base64-encoded, as on AWS
            binary = isinstance(message, bytes)
            event.update(body=base64.b64encode(message).decode() if binary else message,
                         isBase64Encoded=binary)
        try:
            answer = self._app.handler_map[handler.name](event, self._context(handler.name))
        except Exception:  # noqa: BLE001 - API Gateway answers a failed route, socket stays
            logger.exception("%s failed", route_key)
            return False
        return (answer or {}).get("statusCode", 200) == 200

    # Pusher: the management API's post_to_connection ------------------------------------------
    def push(self, frames: list[tuple[str, dict]]) -> set[str]:
        gone, sending = set(), []
        for connection_id, data in encode_each(frames):
            ws = self._sockets.get(connection_id)
            if ws is None or not self._loop.is_running():
                gone.add(connection_id)
            else:
                sending.append((connection_id, ws, data.decode()))
        if sending:
            sent = asyncio.run_coroutine_threadsafe(self._send_all(sending), self._loop)
            try:
                gone |= sent.result(SEND_TIMEOUT_SECONDS + 1)
            except FutureTimeout:
                sent.cancel()
                gone |= {connection_id for connection_id, _, _ in sending}
        return gone

    @staticmethod
    async def _send_all(sending) -> set[str]:
        async def send(ws, text) -> bool:
            try:
                await asyncio.wait_for(ws.send(text), SEND_TIMEOUT_SECONDS)
                return True
            except (ConnectionClosed, asyncio.TimeoutError):  # a client that stopped
                return False                                    # reading: dropped, as on AWS
        sent = await asyncio.gather(*(send(ws, text) for _, ws, text in sending))
        return {connection_id for (connection_id, _, _), ok in zip(sending, sent) if not ok}

    # EventBridge: seat changes in, fan-out jobs out ---------------------------------------------
    def on_domain_event(self, detail_type: str, detail: dict) -> None:
        """The bus's delivery to the seat-change rule (source boxoffice, seat change types)."""
        if detail_type in SEAT_CHANGE_TYPES:
            self._invoke("live_seat_changes", eventbridge_event(SOURCE, detail_type, detail))

    def dispatch(self, jobs: list[FanOutJob]) -> None:
        for job in jobs:
            self._invoke("live_fan_out", eventbridge_event(FAN_OUT_SOURCE, FAN_OUT_DETAIL_TYPE,
                                                           job.to_detail()))

    def _invoke(self, name: str, event: dict) -> None:
        if not self._async:
            self._handle(name, event)
            return
        with self._idle:
            self._pending += 1
        self._pool.submit(self._handle_and_count, name, event)

    def _handle_and_count(self, name: str, event: dict) -> None:
        try:
            self._handle(name, event)
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _handle(self, name: str, event: dict) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                self._app.handler_map[name](event, self._context(name))
                return
            except Exception:  # noqa: BLE001 - retried like EventBridge, then logged
                logger.exception("%s failed (attempt %d of %d)", name, attempt, ATTEMPTS)
                time.sleep(0.05 * attempt)

    @staticmethod
    def _context(name: str) -> LambdaContext:
        return LambdaContext(name, 512, max_runtime_ms=29_000)
