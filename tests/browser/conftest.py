"""Browser tests: the web client in Debian's Chromium, driven by Playwright, against
`python -m chalicelib.local` (the same process `make run` starts) in a process of its own."""
from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CANDIDATES = (os.environ.get("CHROMIUM"), shutil.which("chromium"),
              shutil.which("chromium-browser"), "/usr/bin/chromium")
CHROMIUM = next((p for p in CANDIDATES if p and os.path.exists(p)), None)


def free_ports(n: int) -> list[int]:
    """n ports free now, consecutive so PORT+1 and PORT+2 (the banner's defaults) also work."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n >= 65535:
            continue
        try:
            for p in range(base, base + n):
                with socket.socket() as t:
                    t.bind(("127.0.0.1", p))
            return list(range(base, base + n))
        except OSError:
            continue
    raise RuntimeError("no free ports")


@pytest.fixture(scope="session")
def site():
    """A running local stack (jobs every second) and the web client's URL."""
    port, ws_port, web_port = free_ports(3)
    env = {**os.environ, "PORT": str(port), "WS_PORT": str(ws_port), "WEB_PORT": str(web_port),
           "SWEEP_INTERVAL_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
    (ROOT / "test-output").mkdir(exist_ok=True)
    log = open(ROOT / "test-output" / "browser-stack.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "chalicelib.local"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    api, web = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{web_port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the local stack exited: see {log.name}")
        try:
            if "Boxoffice is running" in pathlib.Path(log.name).read_text():
                requests.get(f"{web}/index.html", timeout=2).raise_for_status()
                break
        except requests.RequestException:
            pass
        time.sleep(0.3)
    else:
        raise RuntimeError("the local stack did not start in 120 s")
    yield {"api": api, "web": web, "banner": pathlib.Path(log.name).read_text()}
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM, ("Chromium is needed: `apt-get install -y chromium` (make test does it "
                      "where it can), or CHROMIUM=/path/to/chrome")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def new_page(browser, site):
    contexts = []

    def make(width: int = 1100, height: int = 900):
        ctx = browser.new_context(viewport={"width": width, "height": height}, base_url=site["web"])
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()
    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return save


def sign_in(page, sub: str, organizer: bool = False, tenant: str = "demo-tenant"):
    page.goto("/#/signin")
    page.get_by_label("User id").fill(sub)
    page.get_by_label("Email").fill(f"{sub}@example.com")
    if organizer:
        page.get_by_label("Organizer").check()
        page.get_by_label("Tenant").fill(tenant)
    page.get_by_role("button", name="Get a dev token").click()
    page.get_by_role("link", name=f"Signed in: {sub}@example.com").wait_for()
