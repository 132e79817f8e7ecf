"""The unit tier: domain rules and services on in-memory fakes. No moto, no socket at all."""
import socket

import pytest


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("unit tests use fakes: no sockets, not even loopback")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def world():
    from fakes.world import build_world
    return build_world()
