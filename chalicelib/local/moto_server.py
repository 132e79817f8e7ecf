"""moto in-process, one request at a time (STACK.md trap 2: moto is not atomic)."""
from __future__ import annotations

import collections
import socket
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from . import moto_patches

# Requests after which a stream may hold new records (the relay wakes up on them).
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
                    "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class NoDelay:
    """Sends each response as soon as it is written. With Nagle's algorithm on, a response
    written in two parts (headers, then body) waits for the client's delayed ACK: +40 ms."""

    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class NoDelayWSGIServer(NoDelay, ThreadedWSGIServer):
    pass


class RequestMeter:
    """Counts DynamoDB operations by name, as they reach 'AWS'."""

    def __init__(self):
        self._lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()

    def record(self, operation: str) -> None:
        with self._lock:
            self.counts[operation] += 1

    def snapshot(self) -> collections.Counter:
        with self._lock:
            return collections.Counter(self.counts)


class SerialisedMoto:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        moto_patches.apply()
        self.meter = RequestMeter()
        # Set after every write request; the stream relay waits on it.
        self.writes = threading.Event()
        backend = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()
        meter, writes = self.meter, self.writes

        def app(environ, start_response):
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            operation = target.split(".", 1)[1] if target.startswith("DynamoDB_") else None
            if operation:
                meter.record(operation)
            with lock:
                # Read the whole response inside the lock: moto may build it lazily.
                chunks = list(backend(environ, start_response))
            if operation in WRITES:
                writes.set()
            return chunks
        self._server = NoDelayWSGIServer(host, port, app, handler=QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="moto")

    def start(self) -> "SerialisedMoto":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
