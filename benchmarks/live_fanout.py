"""The live seat map under an on-sale: 500 WebSocket subscribers watch one event on the local
stack (`python -m chalicelib.local`, as `make run` starts it) while 40 buyers hold, book,
release and cancel seats for 30 s.

Buyers pause 5-15 s before each step (--think 10), as people choosing seats and typing card
details do; --think 0 makes them a closed loop that saturates the local stack's serialised
moto, and then measures that queue rather than the live seat map.

Prints delivery latency (from the moment a buyer's request returned to the moment a
subscriber received the frame showing its seat change) p50/p95/p99/max, messages per
subscriber per second and the shortest gap between two messages to one subscriber, and lost
updates: after the buyers stop and the frames settle, every subscriber's view (the seat map
fetched at subscribe time, whose ETag the `subscribed` frame confirmed, plus every change
received) must equal GET /events/{id}/seats. Targets: p99 <= 2 s, 0 lost.

Run: make bench-live  (or .venv/bin/python benchmarks/live_fanout.py --subscribers 500
     --buyers 40 --seconds 30)
"""
from __future__ import annotations

import argparse
import asyncio
import bisect
import collections
import datetime
import gc
import json
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import requests
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from chalicelib.local.process import LocalStackProcess  # noqa: E402
SECTIONS = [{"name": name, "rows": [{"name": str(r), "seats": 50} for r in range(1, 26)]}
            for name in ("A", "B", "C", "D")]  # 5,000 seats: the whole map in one GET


class Api:
    def __init__(self, base: str):
        self.base = base
        self.local = threading.local()
        self.took: list[float] = []  # every request's time, for context

    def call(self, method: str, path: str, body=None, token=None, headers=None):
        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        response = session.request(method, self.base + path, json=body, headers=all_headers,
                                   timeout=30)
        self.took.append(time.monotonic() - started)
        return response

    def token(self, sub: str, roles=("customer",), tenant=None) -> str:
        body = {"sub": sub, "roles": list(roles), **({"tenant_id": tenant} if tenant else {})}
        return self.call("POST", "/dev/token", body).json()["token"]


def on_sale(api: Api, sections=SECTIONS, max_tickets: int = 50,
            tenant: str = "bench-tenant") -> tuple[str, str]:
    """A venue of `sections` and a published event in it, one tier for every seat; returns
    the event's id and its organizer's token."""
    org = api.token(f"{tenant}-organizer", ("organizer",), tenant)
    venue = api.call("POST", "/organizer/venues", {
        "name": "Bench Arena", "address": "1 Load St", "city": "Porto", "country": "PT",
        "location": {"lat": 41.15, "lng": -8.61}, "sections": sections}, org).json()
    starts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
    event = api.call("POST", "/organizer/events", {
        "venue_id": venue["venue_id"], "name": "Bench On-Sale", "description": "Load.",
        "category": "concert", "starts_at": starts, "max_tickets_per_order": max_tickets,
        "price_tiers": [{"name": "All", "price": {"amount": 5000, "currency": "EUR"},
                         "sections": [s["name"] for s in sections]}]}, org).json()
    api.call("POST", f"/organizer/events/{event['event_id']}/publish", token=org)
    return event["event_id"], org


class Subscribers:
    """Every subscriber in one asyncio loop of its own thread; frames timed on arrival."""

    def __init__(self, url: str, event_id: str, count: int):
        self.url, self.event_id, self.count = url, event_id, count
        self.etags: list[str] = []
        self.frames: list[list[tuple[float, dict]]] = [[] for _ in range(count)]
        self.last_frame_at = time.monotonic()
        self._ready = threading.Event()
        self._stop = None
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_until_complete, args=(self._run(),),
                         daemon=True).start()

    def wait_subscribed(self, timeout: float = 300) -> None:
        if not self._ready.wait(timeout):
            raise RuntimeError("subscribers did not all subscribe")

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set_result, None)

    async def _run(self) -> None:
        self._stop = self._loop.create_future()
        sockets = []
        for start in range(0, self.count, 50):
            sockets += await asyncio.gather(*(connect(self.url, open_timeout=60, max_size=2 ** 22)
                                              for _ in range(start, min(start + 50, self.count))))
        for start in range(0, self.count, 50):
            await asyncio.gather(*(self._subscribe(ws) for ws in sockets[start:start + 50]))
        readers = [asyncio.create_task(self._read(n, ws)) for n, ws in enumerate(sockets)]
        self._ready.set()
        await self._stop
        for task in readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    async def _subscribe(self, ws) -> None:
        await ws.send(json.dumps({"action": "subscribe", "event_id": self.event_id}))
        answer = json.loads(await ws.recv())
        assert answer["type"] == "subscribed", answer
        self.etags.append(answer["seats_etag"])

    async def _read(self, n: int, ws) -> None:
        async for text in ws:
            now = time.monotonic()
            self.frames[n].append((now, json.loads(text)))
            self.last_frame_at = now


class Buyers:
    """Each buyer holds 1-4 random seats, then books (80%) or releases them; now and then
    cancels a booking. Every change that succeeded is logged with the time its request
    returned."""

    def __init__(self, api: Api, event_id: str, seat_ids: list[str], count: int,
                 think: float):
        self.api, self.event_id, self.seat_ids, self.think = api, event_id, seat_ids, think
        self.changes: list[tuple[float, str, str]] = []  # (returned at, seat id, status)
        self.requests = collections.Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._buy, args=(n,), daemon=True)
                         for n in range(count)]

    def run(self, seconds: float) -> None:
        for thread in self._threads:
            thread.start()
        time.sleep(seconds)
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def _log(self, seats, status, kind) -> None:
        now = time.monotonic()
        with self._lock:
            self.changes += [(now, s, status) for s in seats]
            self.requests[kind] += 1

    def _count(self, kind: str) -> None:
        with self._lock:
            self.requests[kind] += 1

    def _buy(self, n: int) -> None:
        rng = random.Random(n)
        token, bought = self.api.token(f"bench-buyer-{n}-{uuid.uuid4().hex[:6]}"), 0
        while not self._stop.wait(rng.uniform(0.5, 1.5) * self.think):
            if bought >= 40:  # stay under the ticket limit with a fresh customer
                token, bought = self.api.token(f"bench-buyer-{n}-{uuid.uuid4().hex[:6]}"), 0
            seats = rng.sample(self.seat_ids, rng.randint(1, 4))
            r = self.api.call("POST", "/bookings/hold",
                              {"event_id": self.event_id, "seat_ids": seats}, token)
            if r.status_code != 201:
                self._count(f"hold {r.status_code}")
                continue
            self._log(seats, "held", "hold")
            hold_id = r.json()["hold_id"]
            self._stop.wait(rng.uniform(0.5, 1.5) * self.think)
            if rng.random() < 0.2:
                self.api.call("DELETE", f"/bookings/hold/{hold_id}", token=token)
                self._log(seats, "available", "release")
                continue
            r = self.api.call("POST", "/bookings", {"hold_id": hold_id,
                                                   "payment_method_id": "pm_card_visa"},
                              token, {"Idempotency-Key": uuid.uuid4().hex})
            if r.status_code != 201:
                self._count(f"book {r.status_code}")
                continue
            self._log(seats, "sold", "booking")
            bought += len(seats)
            if rng.random() < 0.1:
                c = self.api.call("POST", f"/bookings/{r.json()['booking_id']}/cancel",
                                  token=token)
                if c.status_code == 200:
                    self._log(seats, "available", "cancellation")
                    bought -= len(seats)


def latencies(buyers: Buyers, subscribers: Subscribers) -> list[float]:
    """For each change a subscriber saw: time since the latest request that set that seat to
    that status had returned (0 when the frame overtook the request's own response)."""
    by_seat = collections.defaultdict(list)
    for returned, seat, status in sorted(buyers.changes):
        by_seat[(seat, status)].append(returned)
    found = []
    for frames in subscribers.frames:
        seen = set()
        for arrived, frame in frames:
            for change in frame["changes"]:
                times = by_seat.get((change["seat_id"], change["status"]))
                if not times:
                    continue
                i = bisect.bisect_right(times, arrived) - 1
                key = (change["seat_id"], change["status"], max(i, 0))
                if key in seen:
                    continue
                seen.add(key)
                found.append(max(0.0, arrived - times[i]) if i >= 0 else 0.0)
    return found


def view_of(frames: list, initial: dict) -> dict:
    """A client's seat map: each seat keeps the status of the latest `at` seen (fan-out jobs
    may arrive out of order), starting from the seat map its subscribe ETag confirmed."""
    view, seen_at = dict(initial), {}
    for _, frame in frames:
        for change in frame["changes"]:
            if frame["at"] >= seen_at.get(change["seat_id"], ""):
                view[change["seat_id"]] = change["status"]
                seen_at[change["seat_id"]] = frame["at"]
    return view


def lost_updates(subscribers: Subscribers, initial: dict, final: dict) -> tuple[int, int]:
    wrong_views, wrong_seats = 0, 0
    for frames in subscribers.frames:
        view = view_of(frames, initial)
        diff = sum(1 for seat, status in final.items() if view.get(seat) != status)
        wrong_views += bool(diff)
        wrong_seats += diff
    return wrong_views, wrong_seats


def read_at(frame: dict) -> float:
    """A frame's `at` (when its seats were read) in seconds."""
    return datetime.datetime.fromisoformat(frame["at"].replace("Z", "+00:00")).timestamp()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--buyers", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=10.0,
                        help="mean seconds a buyer pauses before each step, as people choosing "
                             "seats and typing card details do (0: a closed loop that "
                             "saturates the local stack)")
    args = parser.parse_args()
    gc.set_threshold(50_000, 20, 100)  # the clients' own collections must not count as delay
    print(f"==> starting the local stack; {args.subscribers} subscribers, {args.buyers} "
          f"buyers, {args.seconds:g} s", flush=True)
    stack = LocalStackProcess({"SWEEP_INTERVAL_SECONDS": "5"})
    try:
        api = Api(stack.url)
        event_id, _ = on_sale(api)
        subscribers = Subscribers(stack.ws_url, event_id, args.subscribers)
        subscribers.wait_subscribed()
        first = api.call("GET", f"/events/{event_id}/seats")
        initial = {s["seat_id"]: s["status"] for s in first.json()["seats"]}
        current = sum(etag == first.headers["ETag"] for etag in subscribers.etags)
        print(f"==> {len(subscribers.etags)} subscribed; {current} hold the seat map's "
              f"current ETag", flush=True)
        buyers = Buyers(api, event_id, sorted(initial), args.buyers, args.think)
        api.took.clear()
        started = time.monotonic()
        buyers.run(args.seconds)
        busy = time.monotonic() - started
        settle = time.monotonic() + 60
        while time.monotonic() - subscribers.last_frame_at < 5 and time.monotonic() < settle:
            time.sleep(0.5)  # the last windows out, through any pause of the local stack
        final = {s["seat_id"]: s["status"]
                 for s in api.call("GET", f"/events/{event_id}/seats").json()["seats"]}
        subscribers.close()
        report(args, buyers, subscribers, initial, final, busy, api.took)
    finally:
        stack.stop()
    return 0


def report(args, buyers, subscribers, initial, final, busy, took) -> None:
    delays = latencies(buyers, subscribers)
    counts = [len(frames) for frames in subscribers.frames]
    gaps = [b[0] - a[0] for frames in subscribers.frames for a, b in zip(frames, frames[1:])]
    spacing = [read_at(b[1]) - read_at(a[1]) for frames in subscribers.frames
               for a, b in zip(frames, frames[1:])]
    wrong_views, wrong_seats = lost_updates(subscribers, initial, final)
    done = {k: v for k, v in buyers.requests.items()}
    print(f"""
buyer requests in {busy:.1f} s: {done}; each took p50 {percentile(took, 50):.2f} s, p99 {percentile(took, 99):.2f} s
seat changes made: {len(buyers.changes)}; seats sold at the end: {sum(s == 'sold' for s in final.values())}
deliveries measured: {len(delays)} (subscriber x seat change)
delivery latency: p50 {percentile(delays, 50):.2f} s, p95 {percentile(delays, 95):.2f} s, p99 {percentile(delays, 99):.2f} s, max {max(delays):.2f} s
messages per subscriber per second: {statistics.mean(counts) / busy:.2f} (max {max(counts) / busy:.2f})
two messages to one subscriber: at least {min(spacing):.2f} s apart by their `at` (when their seats were read), {min(gaps):.2f} s as received
changes per message: {sum(len(f['changes']) for fr in subscribers.frames for _, f in fr) / max(1, sum(counts)):.1f}
lost updates: {wrong_seats} seats in {wrong_views} of {args.subscribers} subscribers' final views differ from GET .../seats
targets: p99 <= 2 s: {'met' if percentile(delays, 99) <= 2 else 'MISSED'}; 0 lost: {'met' if wrong_seats == 0 else 'MISSED'}
""", flush=True)


if __name__ == "__main__":
    sys.exit(main())
