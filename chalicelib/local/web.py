"""Serves web/ (the reference web client) for `make run`, with the config it reads at start.

On AWS the same files sit in S3 behind CloudFront and infra/deploy.sh writes config.json from
the stacks' outputs; locally this server answers config.json itself, pointing at this stack.
"""
from __future__ import annotations

import functools
import json
import pathlib
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

WEB_ROOT = pathlib.Path(__file__).resolve().parents[2] / "web"


class WebHandler(SimpleHTTPRequestHandler):
    config: bytes = b"{}"
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript",
                      ".webmanifest": "application/manifest+json"}

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path.split("?")[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(self.config)))
            self.end_headers()
            self.wfile.write(self.config)
            return
        super().do_GET()

    def end_headers(self):
        # The service worker decides what is cached; the browser's own cache must not get
        # in the way of a fresh app after an edit.
        if not self.path.startswith("/config.json"):
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, *args):  # quiet: the API's own log is what matters
        pass


class LocalWebServer:
    def __init__(self, host: str, port: int, api_url: str, root: pathlib.Path = WEB_ROOT):
        config = json.dumps({"api_url": api_url, "stage": "local",
                             "auth": {"mode": "dev-token"}}).encode()
        handler = type("ConfiguredWebHandler", (WebHandler,), {"config": config})
        self.server = ThreadingHTTPServer((host, port),
                                          functools.partial(handler, directory=str(root)))
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_port}"

    def start(self) -> "LocalWebServer":
        threading.Thread(target=self.server.serve_forever, daemon=True, name="web").start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
