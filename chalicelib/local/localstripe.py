"""Starts and stops localstripe (a fake Stripe API) in a subprocess on a free loopback port,
for the tests and `PAYMENTS=stripe make run`."""
from __future__ import annotations

import json
import os
import pathlib
import select
import subprocess
import sys
import tempfile
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
API_KEY = "sk_test_boxoffice_localstripe"  # localstripe accepts any sk_ key


class LocalStripe:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.url: str | None = None
        self._process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()

    def start(self, timeout: float = 30.0) -> str:
        """Returns the base URL once localstripe answers."""
        self._process = subprocess.Popen(
            [sys.executable, "-m", "chalicelib.local.localstripe_server", "--host", self.host,
             "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError(f"localstripe did not start: {self.output()}")
        self.url = json.loads(line)["url"]
        self._wait_until_answering(timeout)
        return self.url

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.get("/v1/balance").status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self._process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"localstripe did not answer at {self.url}: {self.output()}")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def __enter__(self) -> "LocalStripe":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # localstripe's own controls (not Stripe API) ------------------------------------------
    def get(self, path: str, **params) -> requests.Response:
        return requests.get(self.url + path, params=params, auth=(API_KEY, ""), timeout=10)

    def register_webhook(self, name: str, url: str, secret: str,
                         events: list[str] | None = None) -> None:
        """Delivers every event (or those listed) to `url`, signed with `secret`."""
        data = {"url": url, "secret": secret}
        if events:
            data["events[]"] = events
        r = requests.post(f"{self.url}/_config/webhooks/{name}", data=data, timeout=10)
        r.raise_for_status()

    def authenticate(self, intent_id: str, client_secret: str, success: bool) -> dict:
        """Plays the customer's 3-D Secure step: passed (`success`) or failed."""
        r = requests.post(f"{self.url}/v1/payment_intents/{intent_id}/_authenticate",
                          data={"client_secret": client_secret,
                                "success": "true" if success else "false"},
                          auth=(API_KEY, ""), timeout=10)
        r.raise_for_status()
        return r.json()
