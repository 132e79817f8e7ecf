"""A flash sale on the local stack: N buyers (default 40) join one event's waiting room, wait
to be admitted, then all at once hold seats (best available, 2 each, with their admission
token) and book them.

The stack is `make run`'s entry point in a process of its own (`python -m chalicelib.local`,
RATE_LIMITS=off as for any load test, the admission job every 5 s). Prints holds/s and
bookings/s (requests that succeeded over the span from the first start to the last answer),
latency p50/p99 for hold and book, the raw serialised-moto TransactWriteItems rate measured
against the same moto right after the buyers (benchmarks/emulation_cost.py's 2-seat hold and
release from 8 clients), and an audit: every seat sold at most once, through GET .../seats and
every confirmed booking's tickets. Targets: hold throughput >= 0.5x the raw rate, hold p99 < 1 s.

Run: make bench-flash  (or .venv/bin/python benchmarks/flash_sale.py --buyers 40)
"""
from __future__ import annotations

import argparse
import collections
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from emulation_cost import rate as raw_transaction_rate  # noqa: E402
from live_fanout import Api, on_sale  # noqa: E402

from chalicelib.local.process import LocalStackProcess  # noqa: E402

SECTIONS = [{"name": name, "rows": [{"name": str(r), "seats": 40} for r in range(1, 21)]}
            for name in ("A", "B")]  # 1,600 seats: room for every buyer's block


def queued_on_sale(api: Api, admit_per_minute: int) -> tuple[str, str]:
    event_id, org = on_sale(api, SECTIONS, max_tickets=8, tenant="flash-tenant")
    settings = api.call("PUT", f"/organizer/events/{event_id}/queue",
                        {"enabled": True, "admit_per_minute": admit_per_minute}, org)
    assert settings.status_code == 200, settings.text
    return event_id, org


class Buyer:
    def __init__(self, api: Api, event_id: str, index: int, chosen: bool = False):
        self.api, self.event_id = api, event_id
        # --chosen: each buyer names two seats of their own (no contention), to compare
        section, row = SECTIONS[index % 2]["name"], index // 2 + 1
        self.body = ({"seat_ids": [f"{section}-{row}-1", f"{section}-{row}-2"]} if chosen
                     else {"quantity": 2})
        self.token = api.token(f"flash-buyer-{index}-{uuid.uuid4().hex[:6]}")
        self.admission = None
        self.hold_s = self.book_s = None
        self.hold_status = self.book_status = None
        self.hold_done = self.book_done = None
        self.booking = None

    def join_and_wait(self, timeout: float = 120) -> None:
        joined = self.api.call("POST", f"/events/{self.event_id}/queue", token=self.token)
        assert joined.status_code in (200, 201), joined.text
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mine = self.api.call("GET", f"/events/{self.event_id}/queue/me", token=self.token)
            if mine.json()["status"] == "admitted":
                self.admission = mine.json()["admission_token"]
                return
            time.sleep(0.5)
        raise RuntimeError("not admitted in time")

    def buy(self, start: threading.Barrier) -> None:
        start.wait()
        began = time.monotonic()
        held = self.api.call("POST", "/bookings/hold", {"event_id": self.event_id, **self.body},
                             self.token, {"X-Admission-Token": self.admission,
                                          "Idempotency-Key": uuid.uuid4().hex})
        self.hold_done = time.monotonic()
        self.hold_s, self.hold_status = self.hold_done - began, held.status_code
        if held.status_code != 201:
            return
        began = time.monotonic()
        booked = self.api.call("POST", "/bookings", {"hold_id": held.json()["hold_id"],
                                                     "payment_method_id": "pm_card_visa"},
                               self.token, {"Idempotency-Key": uuid.uuid4().hex})
        self.book_done = time.monotonic()
        self.book_s, self.book_status = self.book_done - began, booked.status_code
        self.booking = booked.json() if booked.status_code in (201, 202) else None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def audit(api: Api, event_id: str, buyers: list[Buyer]) -> tuple[int, int]:
    """(seats sold twice, seats sold): by ticket across bookings, and against the seat map."""
    owners = collections.Counter(t["seat"]["seat_id"] for b in buyers if b.booking
                                 for t in b.booking["tickets"])
    twice = sum(1 for n in owners.values() if n > 1)
    sold = set()
    for section in SECTIONS:
        seats = api.call("GET", f"/events/{event_id}/seats?section={section['name']}").json()
        sold |= {s["seat_id"] for s in seats["seats"] if s["status"] == "sold"}
    if sold != set(owners):
        twice += len(set(owners) ^ sold)  # a seat sold that no booking owns, or the reverse
    return twice, len(sold)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=40)
    parser.add_argument("--admit-per-minute", type=int, default=6000)
    parser.add_argument("--chosen", action="store_true",
                        help="buyers name their own seats instead of best available")
    args = parser.parse_args()
    print(f"==> starting the local stack (RATE_LIMITS=off) for {args.buyers} buyers ...",
          flush=True)
    stack = LocalStackProcess({"RATE_LIMITS": "off", "SWEEP_INTERVAL_SECONDS": "5"})  # a load test
    try:
        api = Api(stack.url)
        event_id, _ = queued_on_sale(api, args.admit_per_minute)
        buyers = [Buyer(api, event_id, i, args.chosen) for i in range(args.buyers)]
        joined = time.monotonic()
        waits = [threading.Thread(target=b.join_and_wait) for b in buyers]
        for t in waits:
            t.start()
        for t in waits:
            t.join()
        admitted_in = time.monotonic() - joined
        start = threading.Barrier(len(buyers))
        threads = [threading.Thread(target=b.buy, args=(start,)) for b in buyers]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        holds = [b for b in buyers if b.hold_status == 201]
        books = [b for b in buyers if b.book_status in (201, 202)]
        hold_span = max(b.hold_done for b in buyers) - began
        book_span = (max(b.book_done for b in books) - began) if books else float("nan")
        raw = raw_transaction_rate(stack.moto, "boxoffice-local-booking", clients=8)
        twice, sold = audit(api, event_id, buyers)
    finally:
        stack.stop()
    hold_times = [b.hold_s for b in buyers]
    book_times = [b.book_s for b in books]
    holds_per_s = len(holds) / hold_span
    statuses = collections.Counter((b.hold_status, b.book_status) for b in buyers)
    print(f"""
buyers: {args.buyers}, all admitted through the waiting room in {admitted_in:.1f} s
answers (hold, book): {dict(statuses)}
holds:    {len(holds)} in {hold_span:.2f} s = {holds_per_s:.1f} holds/s; latency p50 {statistics.median(hold_times) * 1000:.0f} ms, p99 {percentile(hold_times, 99) * 1000:.0f} ms
bookings: {len(books)} in {book_span:.2f} s = {len(books) / book_span:.1f} bookings/s; latency p50 {statistics.median(book_times) * 1000:.0f} ms, p99 {percentile(book_times, 99) * 1000:.0f} ms
raw serialised-moto TransactWriteItems (same moto, 8 clients, right after): {raw:.1f} tx/s
hold throughput / raw rate: {holds_per_s / raw:.2f} (target >= 0.5); hold p99 target < 1000 ms
audit: {sold} seats sold, {twice} sold twice (target 0)""")
    return 0 if twice == 0 and len(holds) == args.buyers else 1


if __name__ == "__main__":
    sys.exit(main())
