"""GET /docs renders the API reference in a real (headless) browser, offline: everything it
loads comes from this API, and a screenshot is kept in tests/output/."""
import shutil
import urllib.parse
from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parents[1] / "output"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "install Debian's chromium (make test does: apt-get install -y chromium)"
    return found


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_the_docs_page_renders_every_operation_from_this_api_alone(browser, stack, http):
    here = urllib.parse.urlsplit(stack.url).netloc
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    left_the_machine = []

    def only_this_api(route):
        if urllib.parse.urlsplit(route.request.url).netloc != here:
            left_the_machine.append(route.request.url)
            return route.abort()
        return route.continue_()
    page.route("**/*", only_this_api)
    page.goto(stack.url + "/docs", wait_until="networkidle")
    page.wait_for_selector('h2:has-text("Hold seats")', timeout=30_000)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "docs.png"))
    assert page.title() == "Boxoffice API reference"
    assert page.locator("h1", has_text="Boxoffice API").count() == 1
    document = http.request("GET", "/openapi.json").json()
    summaries = {op["summary"] for path in document["paths"].values() for op in path.values()}
    shown = {s for s in summaries if page.locator("h2", has_text=s).count()}
    assert shown == summaries
    assert left_the_machine == []
    page.close()


def test_the_docs_page_may_load_nothing_from_elsewhere(http):
    response = http.request("GET", "/docs")
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    script = http.request("GET", "/docs/redoc.standalone.js")
    assert script.status_code == 200 and len(script.content) > 500_000
