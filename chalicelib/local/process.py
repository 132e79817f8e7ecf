"""`make run`'s entry point in a process of its own, on free ports: for tools, tests and
benchmarks that need a whole local stack without sharing one."""
from __future__ import annotations

import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
BANNER = {"url": r"Boxoffice is running at (\S+)", "ws_url": r"Live seat map \(WebSocket\): (\S+)",
          "moto": r"Local DynamoDB \(moto, serialised\): (\S+)"}


class LocalStackProcess:
    """Started on construction; returns once the banner is printed (demo data seeded), with
    the URLs it announced: `url`, `ws_url`, `moto`. `env` adds to the environment (e.g.
    RATE_LIMITS=off for load tests). stop() ends it as Ctrl-C would."""

    def __init__(self, env: dict[str, str] | None = None, timeout: float = 180) -> None:
        self.url = self.ws_url = self.moto = None
        ports = {"PORT": free_port(), "WS_PORT": free_port(), "WEB_PORT": free_port()}
        environment = {**os.environ, "POWERTOOLS_LOG_LEVEL": "ERROR",
                       **{k: str(v) for k, v in ports.items()}, **(env or {})}
        print(f"==> starting a local stack on port {ports['PORT']}", flush=True)
        self.proc = subprocess.Popen([sys.executable, "-m", "chalicelib.local"], cwd=ROOT,
                                     env=environment, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        for line in self.proc.stdout:
            for name, pattern in BANNER.items():
                found = re.search(pattern, line)
                if found:
                    setattr(self, name, found.group(1))
            if "demo event ids:" in line:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the local stack did not start within {timeout:g} s")
        if self.url is None or self.proc.poll() is not None:
            raise RuntimeError("the local stack exited before it was ready")
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
