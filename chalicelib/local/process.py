"""`make run`'s entry point in a process of its own, on free ports: for tools and tests that
need a whole local stack without sharing one."""
from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]


class LocalStackProcess:
    """Started on construction, answering /health when it returns; stop() ends it."""

    def __init__(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        print(f"==> starting a local stack on {self.url}", flush=True)
        env = {**os.environ, "PORT": str(port), "WS_PORT": str(free_port())}
        self.proc = subprocess.Popen([sys.executable, "-m", "chalicelib.local"], cwd=ROOT,
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("the local stack exited before it answered")
            try:
                urllib.request.urlopen(f"{self.url}/health", timeout=2).close()
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit("the local stack did not answer within 120 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


