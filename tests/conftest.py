"""One local stack per test session: moto (serialised) with tables from infra/, the app on
a real socket, a clock the tests move by hand, and synchronous event delivery."""
from __future__ import annotations

import datetime as dt
import os
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Unit and integration tests reach only this machine's loopback."""
    real = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")):
            raise RuntimeError(f"tests must not reach the network ({host})")
        return real(sock, address)
    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def clock():
    from chalicelib.domain.clock import UTC, FixedClock
    return FixedClock(dt.datetime.now(UTC).replace(microsecond=0))


@pytest.fixture(scope="session")
def stack(clock):
    from chalicelib.local.stack import LocalStack
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    # Rate limits off: a suite's worth of requests is not a bot (their own tests turn them on).
    s = LocalStack(port=0, sweep_seconds=None, clock=clock, background=False,
                   rate_limits="off").start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def http(stack):
    from support import HttpClient
    return HttpClient(stack.url)


@pytest.fixture(scope="session")
def gateway(stack):
    from support import GatewayClient
    return GatewayClient(stack.app)


@pytest.fixture
def world(http, stack):
    from support import World
    return World(http, stack)


@pytest.fixture
def meter(stack):
    """Counts the DynamoDB requests made inside a `with meter.counting() as counts:` block."""
    import contextlib

    class Meter:
        @contextlib.contextmanager
        def counting(self):
            before = stack.moto.meter.snapshot()
            counts = {}
            yield counts
            after = stack.moto.meter.snapshot()
            counts.update({k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0)})
    return Meter()
