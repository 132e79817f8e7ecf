"""`make run`'s entry point, started as a newcomer would, answers over a socket and stops on Ctrl-C."""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free port whose two successors (the WebSocket server's and the web client's
    defaults) are free too."""
    while True:
        with socket.socket() as s, socket.socket() as after, socket.socket() as web:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            try:
                after.bind(("127.0.0.1", port + 1))
                web.bind(("127.0.0.1", port + 2))
            except OSError:
                continue
            return port


def call(url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_local_stack_serves_demo_data_and_stops_cleanly():
    port = free_port()
    env = {**os.environ, "PORT": str(port), "SWEEP_INTERVAL_SECONDS": "1", "POWERTOOLS_LOG_LEVEL": "INFO"}
    proc = subprocess.Popen([sys.executable, "-m", "chalicelib.local"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "demo event ids:" in line or proc.poll() is not None:
                break
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}" in output, output
        assert "Customer token:" in output and "Organizer token:" in output and output.count("curl ") >= 3
        base = f"http://127.0.0.1:{port}"
        assert call(base + "/health") == (200, {"status": "ok"})
        status, token = call(base + "/dev/token", {"sub": "newcomer"})
        assert status == 200 and token["token"] and token["expires_at"].endswith("Z")
        status, body = call(base + "/nope")
        assert status == 404 and body["error"]["code"] == "NOT_FOUND"
        event_ids = output.split("demo event ids:")[1].strip().rstrip(")").split(", ")
        assert len(event_ids) >= 6
        status, page = call(f"{base}/events/{event_ids[0]}")
        assert status == 200 and page["venue"]["capacity"] >= 1000
        categories = {call(f"{base}/events/{e}")[1]["event"]["category"] for e in event_ids}
        assert len(categories) >= 3
        web_url = f"http://127.0.0.1:{port + 2}"
        assert f"Web client: {web_url}" in output
        assert call(web_url + "/config.json")[1]["api_url"] == base
        with urllib.request.urlopen(web_url + "/", timeout=10) as r:
            assert b'src="js/app.js"' in r.read()
        ws_url = f"ws://127.0.0.1:{port + 1}"
        assert f"Live seat map (WebSocket): {ws_url}" in output
        assert page["websocket_url"] == ws_url
        with connect(ws_url, open_timeout=10) as ws:
            ws.send(json.dumps({"action": "subscribe", "event_id": event_ids[0], "section": "A"}))
            subscribed = json.loads(ws.recv(timeout=10))
            assert subscribed["type"] == "subscribed" and subscribed["seats_etag"]
        hang_up_early(port)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rest, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0
    log = rest.splitlines()
    # A person reads these: one line per request and per domain event, no JSON, no traceback.
    assert any("GET    /health -> 200 (" in line for line in log), rest
    assert any("GET    /nope -> 404 (" in line for line in log), rest
    assert any(" event  EventPublished event=evt_" in line for line in "".join(lines).splitlines())
    assert any("hung up before its answer" in line for line in log), rest
    assert not [line for line in log if line.lstrip().startswith("{") or "Traceback" in line], rest


def hang_up_early(port: int) -> None:
    """A client that sends a request and resets the connection before the answer."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /events?limit=50 HTTP/1.1\r\nHost: x\r\n\r\n")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(1)
