"""How long an erasure takes on the local stack, and what it leaves behind.

Starts the local stack in this process (moto serialised, a FixedClock), makes one customer
with HOLDS released holds and BOOKINGS bookings (half of them cancelled, one failed
attempt), while other customers keep holding seats, then times:
  - DELETE /users/me (its first pass moves everything present to the pseudonym),
  - the sweep that closes the job once the 30 s straggler window has passed (clock moved),
and scans every table for the customer's id and email (expects 0 hits).

Run: .venv/bin/python benchmarks/erasure.py      (ERASURE_BENCH_HOLDS=40 ERASURE_BENCH_BOOKINGS=20)
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

import boto3  # noqa: E402

from chalicelib.domain.clock import UTC, FixedClock  # noqa: E402
from chalicelib.domain.privacy import STRAGGLER_SECONDS  # noqa: E402
from chalicelib.local.stack import LocalStack  # noqa: E402
from support import HttpClient, World  # noqa: E402

HOLDS = int(os.environ.get("ERASURE_BENCH_HOLDS", "40"))
BOOKINGS = int(os.environ.get("ERASURE_BENCH_BOOKINGS", "20"))


def seats(n: int) -> list[str]:
    return [f"{s}-{r}-{k}" for s in ("A", "B") for r in range(1, 11) for k in range(1, 21)][:n]


def hits_of(stack, sub: str, email: str) -> tuple[int, int]:
    """(items in every table, items whose any attribute holds the id or the email)."""
    client = boto3.client("dynamodb", endpoint_url=stack.moto.url, region_name="us-east-1")
    items = hits = 0
    for table in client.list_tables()["TableNames"]:
        for page in client.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                items += 1
                text = json.dumps(item, default=repr)
                hits += sub in text or email in text
    return items, hits


def main() -> None:
    clock = FixedClock(dt.datetime.now(UTC).replace(microsecond=0))
    stack = LocalStack(port=0, sweep_seconds=None, clock=clock, background=False).start()
    try:
        http, world = HttpClient(stack.url), World(HttpClient(stack.url), stack)
        org = world.organizer()
        venue = world.venue(org, sections=[{"name": s, "rows": [{"name": str(r), "seats": 20}
                                                                 for r in range(1, 11)]}
                                           for s in ("A", "B")])
        event = world.event(org, venue, max_tickets=50)["event_id"]
        sub, email = f"cust-{uuid.uuid4().hex[:10]}", f"bench-{uuid.uuid4().hex[:8]}@example.com"
        token = world.issuer.issue(sub, email, ["customer"], None)[0]
        pool = iter(seats(400))
        for _ in range(HOLDS):
            hold = world.hold(token, event, [next(pool)]).json()
            http.request("DELETE", f"/bookings/hold/{hold['hold_id']}", token=token)
        for n in range(BOOKINGS):
            booking = world.book(token, world.hold(token, event, [next(pool)]).json()["hold_id"]).json()
            if n % 2:
                http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=token)
        world.book(token, world.hold(token, event, [next(pool)]).json()["hold_id"], "pm_card_chargeDeclined")
        stack.deliver()
        others, stop = [world.customer() for _ in range(3)], threading.Event()
        counts = {"other holds": 0}

        def traffic(other):
            while not stop.is_set():
                spot = next(pool, None)
                if spot is None:
                    return
                if world.hold(other, event, [spot]).status_code == 201:
                    counts["other holds"] += 1
        threads = [threading.Thread(target=traffic, args=(o,)) for o in others]
        for t in threads:
            t.start()
        started = time.monotonic()
        answer = http.request("DELETE", "/users/me?cancel_upcoming=true", token=token)
        first_pass = time.monotonic() - started
        stop.set()
        for t in threads:
            t.join()
        left_after_request = hits_of(stack, sub, email)[1]
        clock.advance(STRAGGLER_SECONDS)
        started = time.monotonic()
        swept = stack.sweep()["erasures"]
        closing = time.monotonic() - started
        items, hits = hits_of(stack, sub, email)
        print(f"customer: {HOLDS} released holds, {BOOKINGS} bookings (+1 failed), "
              f"{BOOKINGS - BOOKINGS // 2} upcoming cancelled by the erasure")
        print(f"DELETE /users/me: {answer.status_code} in {first_pass * 1000:.0f} ms; items still "
              f"holding the id or email when it answered: {left_after_request}")
        print(f"closing sweep (clock + straggler window): {swept} in {closing * 1000:.0f} ms")
        print(f"others' holds during the erasure: {counts['other holds']}")
        print(f"items scanned in every table: {items}; holding the id or email: {hits}")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
