"""`make run`: the whole stack on one machine, with demo data."""
from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading

from .logs import use_readable_logs
from .seed import ORGANIZER, seed
from .stack import LocalStack
from .web import LocalWebServer


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    port = int(os.environ.get("PORT", "8000"))
    ws_port = int(os.environ.get("WS_PORT", str(port + 1)))
    sweep = float(os.environ.get("SWEEP_INTERVAL_SECONDS", "5"))
    payments = os.environ.get("PAYMENTS", "dynamo-test")
    if payments not in ("dynamo-test", "stripe"):
        print(f"error: PAYMENTS={payments!r}: use dynamo-test (the default) or stripe "
              "(localstripe on loopback)", file=sys.stderr)
        return 2
    print("==> starting moto (serialised), creating tables from infra/template.yaml ...", flush=True)
    try:
        stack = LocalStack(port=port, sweep_seconds=sweep, ws_port=ws_port, payments=payments)
    except OSError as e:
        print(f"error: cannot listen on 127.0.0.1:{port} or :{ws_port} ({e}); "
              "try PORT=8010 make run (WS_PORT defaults to PORT+1)", file=sys.stderr)
        return 1
    use_readable_logs()
    stack.start()
    web_port = int(os.environ.get("WEB_PORT", str(port + 2)))
    try:
        web = LocalWebServer("127.0.0.1", web_port, stack.url).start()
    except OSError as e:
        print(f"error: cannot serve the web client on 127.0.0.1:{web_port} ({e}); "
              "set WEB_PORT (it defaults to PORT+2)", file=sys.stderr)
        stack.stop()
        return 1
    print("==> seeding demo data ...", flush=True)
    demo = seed(stack.container)
    stack.deliver()  # let the seed's events through before the banner
    # moto keeps every table in this process and copies them in transactions, so full
    # garbage collections stall everything for seconds (measured: live seat-map p99 5.0 s ->
    # 2.2 s with these). Collect less often, and the old generation rarely.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    issuer = stack.container.token_issuer
    customer, _ = issuer.issue("demo-customer", "customer@example.com", ["customer"], None)
    organizer, _ = issuer.issue(ORGANIZER.sub, ORGANIZER.email, list(ORGANIZER.roles),
                                ORGANIZER.tenant_id)
    event_id = demo["events"][0].event_id
    url = stack.url
    print(f"""
Boxoffice is running at {url}  (jobs every {sweep:g}s; Ctrl-C stops it)
Web client: {web.url}  (dev-token sign-in; organizer tenant: {ORGANIZER.tenant_id})
Live seat map (WebSocket): {stack.websocket.url}
Local DynamoDB (moto, serialised): {stack.moto.url}
Rate limits: {stack.settings.rate_limits} (RATE_LIMITS=off|on|edge)
Payments: {"Stripe API on localstripe at " + stack.settings.stripe_api_base + " (its notifications go to " + url + "/webhooks/stripe)" if stack.stripe else "the test payment provider (pm_card_visa, pm_card_chargeDeclined, pm_card_providerError, pm_card_threeDSecure2Required)"}

Customer token:  {customer}
Organizer token: {organizer}

Try:
  curl -s {url}/health
  curl -s '{url}/events/{event_id}/seats?section=A' | head -c 400; echo
  curl -s -X POST {url}/bookings/hold -H "Authorization: Bearer $CUSTOMER" \\
       -H 'Content-Type: application/json' \\
       -d '{{"event_id": "{event_id}", "seat_ids": ["A-1-1", "A-1-2"]}}'
  # live seat changes: connect to {stack.websocket.url} and send
  #   {{"action": "subscribe", "event_id": "{event_id}", "section": "A"}}

(export CUSTOMER=<the customer token above> first; demo event ids: {", ".join(e.event_id for e in demo["events"])})
""", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    # Wake up now and then: a signal delivered to another thread runs its handler only when
    # the main thread next runs Python code, and an endless wait never would.
    while not stopped.wait(0.5):
        pass
    print("\n==> stopping ...", flush=True)
    web.stop()
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
