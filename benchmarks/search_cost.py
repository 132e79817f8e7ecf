"""What one page of GET /events costs at 1,000 and at 50,000 events.

Starts a local stack, writes events and their index rows (the rows publishing writes, made
by the same search_rows as publishing) by batch writes, then runs the same queries at both
sizes and prints DynamoDB requests and items read per page. Per-page cost must not grow with
the catalog: the 50,000 figures should stay within 1.5x of the 1,000 ones.

Run: .venv/bin/python benchmarks/search_cost.py
"""
from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")

from chalicelib.adapters.catalog_store import event_item  # noqa: E402
from chalicelib.adapters.dynamo_models import CatalogItem  # noqa: E402
from chalicelib.adapters.search_index import MONTHS_KEY, search_rows  # noqa: E402
from chalicelib.domain.catalog import Event, EventStatus, Location, PriceTier, Venue  # noqa: E402
from chalicelib.domain.clock import UTC, FixedClock, to_rfc3339  # noqa: E402
from chalicelib.domain.money import Money  # noqa: E402
from chalicelib.domain.search import parse_search  # noqa: E402

SIZES = tuple(int(s) for s in os.environ.get("SEARCH_BENCH_SIZES", "1000,50000").split(","))
PAGES = 3
LIMIT = "20"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CITIES = [(41.15, -8.61), (38.72, -9.14), (40.42, -3.70), (48.86, 2.35), (51.51, -0.13),
          (52.52, 13.40), (45.46, 9.19), (41.90, 12.50), (50.85, 4.35), (52.37, 4.90),
          (55.68, 12.57), (59.33, 18.07), (60.17, 24.94), (47.50, 19.04), (50.08, 14.44),
          (48.21, 16.37), (53.35, -6.26), (37.98, 23.73), (44.43, 26.10), (40.71, -74.01),
          (34.05, -118.24), (41.88, -87.63), (35.68, 139.69), (-33.87, 151.21), (-23.55, -46.63)]
CATEGORIES = ["concert", "jazz", "theatre", "comedy", "opera", "dance", "festival", "sport"]
VOCAB = ["night", "live", "tour", "orchestra", "quartet", "summer", "winter", "gala", "classic",
         "acoustic", "electric", "folk", "blues", "rock", "soul", "piano", "strings", "voices",
         "choir", "ballet", "tango", "salsa", "comedy", "stand", "improv", "drama", "tragedy",
         "farce", "opera", "aria", "cup", "final", "derby", "league", "open", "marathon",
         "sunset", "dawn", "midnight", "harbour", "river", "garden", "palace", "arena", "hall",
         "stage", "festival", "fiesta", "carnival", "parade", "legends", "stars", "heroes",
         "anthem", "echoes", "horizons", "journeys", "dreams", "colours", "rhythm"]
QUERIES = {
    "location + radius 50 km": {"location": "41.15,-8.61", "radius_km": "50"},
    "category": {"category": "jazz"},
    "q (one word)": {"q": "piano"},
    "date range (30 days)": {"date_from": "2026-12-01", "date_to": "2026-12-30"},
    "no filter": {},
}


ITEMS_READ = [0]


def count_items_read() -> None:
    """Counts the items every catalog query and batch read returns (index rows, month rows,
    events), around PynamoDB's own readers."""
    for name in ("query", "batch_get"):
        original = getattr(CatalogItem, name).__func__

        def counted(cls, *args, _original=original, **kwargs):
            for item in _original(cls, *args, **kwargs):
                ITEMS_READ[0] += 1
                yield item
        setattr(CatalogItem, name, classmethod(counted))


def make_event(rng: random.Random, number: int) -> Event:
    lat, lng = rng.choice(CITIES)
    lat, lng = lat + rng.uniform(-0.25, 0.25), lng + rng.uniform(-0.3, 0.3)
    starts = NOW + dt.timedelta(minutes=15 * rng.randrange(4, 4 * 24 * 365))
    words = rng.sample(VOCAB, 5)
    venue = Venue(f"ven_{number % 500}", "tenant_bench", "Hall", "1 Main St", "City", "PT",
                  "UTC", Location(round(lat, 5), round(lng, 5)), 100, ("A",), to_rfc3339(NOW))
    return Event(event_id=f"evt_{number:08d}", tenant_id="tenant_bench",
                 venue_id=venue.venue_id, name=f"{words[0].title()} {words[1]}",
                 description=f"{words[2]} {words[3]}.", category=rng.choice(CATEGORIES),
                 performer=words[4].title(), starts_at=to_rfc3339(starts),
                 status=EventStatus.PUBLISHED, thumbnail_url=None, max_tickets_per_order=8,
                 price_tiers=(PriceTier("tier_1", "Main", Money(2500, "EUR"), ("A",)),),
                 venue=venue, section_sizes={"A": 100}, created_at=to_rfc3339(NOW),
                 published_at=to_rfc3339(NOW))


def fill(stack, first: int, last: int, months_written: set) -> None:
    rng, started = random.Random(first), time.monotonic()
    for start in range(first, last, 1000):
        with CatalogItem.batch_write() as batch:
            for number in range(start, min(last, start + 1000)):
                event = make_event(rng, number)
                batch.save(event_item(event))
                for row in search_rows(event):
                    if row.pk == MONTHS_KEY:
                        if row.sk in months_written:
                            continue
                        months_written.add(row.sk)
                    batch.save(row)
        done = min(last, start + 1000)
        if done % 5000 == 0 or done == last:
            print(f"  {done:>6} events written ({time.monotonic() - started:.0f} s)", flush=True)


def measure(stack, params: dict) -> tuple[float, float, int]:
    """Average requests and items read per *full* page over the first PAGES pages: a page
    that still had a next page to give. The last page of a result set is cheaper by nature
    (there is less left to read), so it is not what "cost per page" compares."""
    search, meter = stack.container.search, stack.moto.meter
    query, cursor = parse_search({**params, "limit": LIMIT}), None
    costs = []
    while len(costs) < PAGES:
        before, read_before = meter.snapshot(), ITEMS_READ[0]
        page = search.find(query, cursor)
        after = meter.snapshot()
        costs.append((sum(after.values()) - sum(before.values()),
                      ITEMS_READ[0] - read_before, page.next_cursor is not None))
        cursor = page.next_cursor
        if cursor is None:
            break
    full = [c for c in costs if c[2]] or costs
    return (sum(c[0] for c in full) / len(full), sum(c[1] for c in full) / len(full), len(full))


def main() -> None:
    from chalicelib.local.stack import LocalStack
    count_items_read()
    print("starting the local stack", flush=True)
    stack = LocalStack(port=0, sweep_seconds=None, clock=FixedClock(NOW), background=False).start()
    results, written, months = {}, 0, set()
    try:
        for size in SIZES:
            print(f"filling to {size} events", flush=True)
            fill(stack, written, size, months)
            written = size
            results[size] = {name: measure(stack, params) for name, params in QUERIES.items()}
    finally:
        stack.stop()
    small, large = SIZES
    print(f"\nPer full page (limit {LIMIT}, averaged over up to {PAGES} pages that had a next "
          "page; items = index rows, month rows and events read; requests = every DynamoDB "
          "call, availability included)\n")
    print(f"| query | requests @{small:,} | requests @{large:,} | items @{small:,} | "
          f"items @{large:,} | within 1.5x |")
    print("|---|---:|---:|---:|---:|:---:|")
    for name in QUERIES:
        (r1, i1, _), (r2, i2, _) = results[small][name], results[large][name]
        ok = r2 <= 1.5 * r1 and i2 <= 1.5 * i1
        print(f"| {name} | {r1:.1f} | {r2:.1f} | {i1:.1f} | {i2:.1f} | {'yes' if ok else 'NO'} |")


if __name__ == "__main__":
    main()
