"""moto in-process, one request at a time (STACK.md trap 2: moto is not atomic)."""
from __future__ import annotations

import collections
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def copy_each_table_once_per_transaction() -> None:
    """moto backs up the whole table (stream included) once per *action* of a transaction,
    so a 50-seat hold copied the table 52 times. Copy each table once: same semantics, and
    safe because requests are serialised."""
    import copy

    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    backend_cls = models.DynamoDBBackend
    if getattr(backend_cls, "_boxoffice_patched", False):
        return
    original = backend_cls.transact_write_items

    class OnceForTables:
        def __init__(self):
            self.copies = {}

        def deepcopy(self, obj, memo=None):
            if not isinstance(obj, Table):
                return copy.deepcopy(obj, memo)
            if id(obj) not in self.copies:
                self.copies[id(obj)] = (obj, copy.deepcopy(obj))
            return self.copies[id(obj)][1]

    def transact_write_items(self, transact_items):
        models.copy = OnceForTables()
        try:
            return original(self, transact_items)
        finally:
            models.copy = copy

    backend_cls.transact_write_items = transact_write_items
    backend_cls._boxoffice_patched = True


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
        copy_each_table_once_per_transaction()
        self.meter = RequestMeter()
        backend = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()
        meter = self.meter

        def app(environ, start_response):
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if target.startswith("DynamoDB_"):
                meter.record(target.split(".", 1)[1])
            with lock:
                # Read the whole response inside the lock: moto may build it lazily.
                chunks = list(backend(environ, start_response))
            return chunks
        self._server = make_server(host, port, app, threaded=True,
                                   request_handler=QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="moto")

    def start(self) -> "SerialisedMoto":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
