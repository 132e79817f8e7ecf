"""moto in-process, one request at a time: moto is not atomic under concurrent requests."""
from __future__ import annotations

import collections
import io
import logging
import socket
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from . import moto_patches

# Requests after which a stream may hold new records (the relay wakes up on them).
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
                    "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})


logger = logging.getLogger("boxoffice.local")


class QuietHandler(WSGIRequestHandler):
    """Serves moto over HTTP/1.1 keep-alive connections. werkzeug closes the connection after
    every response, so each of the app's DynamoDB calls paid a new TCP connection (and left
    one in TIME_WAIT)."""

    protocol_version = "HTTP/1.1"

    def log_request(self, *args, **kwargs):
        pass

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        # The whole body is read first, so the next request starts where this one ended.
        if environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read()
            del environ["wsgi.input_terminated"]
        else:
            body = self.rfile.read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        started, written = [], []

        def start_response(status, headers, exc_info=None):
            started[:] = [status, headers]
            return written.append
        try:
            result = self.server.app(environ, start_response)
            try:
                data = b"".join(written) + b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()
            status, headers = started
        except Exception:  # noqa: BLE001 - answered like any server error, then closed
            logger.exception("moto failed on %s %s", self.command, self.path)
            status, headers, data = "500 INTERNAL SERVER ERROR", [], b""
            self.close_connection = True
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(data)  # headers and body in one write
        self.flush_headers()


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
