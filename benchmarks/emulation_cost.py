"""What the local DynamoDB (moto, serialised, with chalicelib/local/moto_patches.py) costs per
request at 1,000 and at 20,000 items in the booking table.

Deploys infra/ into the local stack's moto, fills the booking table with seat and hold items
(shaped as the app writes them: conditional seat puts, a hold with its document and index
keys, a versioned ledger), then times from one boto3 client:
  - TransactWriteItems of a 2-seat hold (and of its release, which keeps the table's size),
  - Query of one table partition (50 seats) and of one index partition (20 holds, as the
    sweeper reads them),
  - GetItem of one hold.
The goal is a flat cost: the 20,000 figures within 1.5x of the 1,000 ones. It also prints the
raw TransactWriteItems rate from one client and from eight, to compare later changes with.

Run: .venv/bin/python benchmarks/emulation_cost.py          (moto in this process, as the stack)
     .venv/bin/python benchmarks/emulation_cost.py --moto-process   (moto in a child process)
"""
from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

SIZES = tuple(int(s) for s in os.environ.get("EMULATION_BENCH_SIZES", "1000,20000").split(","))
NOW = 1_800_000_000
SEATS_PER_PARTITION = 50
BENCH_EVENT = "evt_bench"


def s(value):
    return {"S": value}


def n(value):
    return {"N": str(value)}


def seat_item(event, section, seat, hold_id, user, expires):
    return {"pk": s(f"SEATS#{event}#{section}"), "sk": s(seat), "status": s("held"),
            "hold_id": s(hold_id), "user_id": s(user), "expires_at": n(expires),
            "ttl": n(expires + 86_400)}


def hold_item(hold_id, event, seats, user, expires, shard):
    doc = {"hold_id": s(hold_id), "tenant_id": s("tenant_bench"), "event_id": s(event),
           "seats": {"L": [{"M": {"seat_id": s(seat), "section": s(seat.split("-")[0]),
                                  "tier_id": s("tier_1"),
                                  "price": {"M": {"amount": n(2500), "currency": s("EUR")}}}}
                           for seat in seats]},
           "total_price": {"M": {"amount": n(2500 * len(seats)), "currency": s("EUR")}},
           "created_at": s("2026-11-01T12:00:00Z")}
    return {"pk": s(f"HOLD#{hold_id}"), "sk": s("HOLD"), "status": s("active"),
            "user_id": s(user), "event_id": s(event), "expires_at": n(expires),
            "doc": {"M": doc}, "gsi1pk": s(f"USER#{user}#HOLDS"),
            "gsi1sk": s(f"2026-11-01T12:00:00Z#{hold_id}"),
            "gsi2pk": s(f"SWEEP#HOLD#{shard}"), "gsi2sk": s(f"{expires:012d}#{hold_id}"),
            "ttl": n(expires + 86_400)}


class Customer:
    """One client placing and releasing 2-seat holds, as the app's HoldService writes them:
    conditional seat puts, the hold, and the customer's versioned ledger."""

    def __init__(self, url, table, user, seats):
        self.dynamodb, self.table, self.user, self.seats = client(url), table, user, seats
        self.version, self.count = 0, 0
        self.ledger = {"pk": s(f"LEDGER#{BENCH_EVENT}#{user}"), "sk": s("LEDGER")}

    def _ledger_condition(self):
        if self.version:
            return {"ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": n(self.version)}}
        return {"ConditionExpression": "attribute_not_exists(pk)"}

    def hold(self) -> str:
        self.count += 1
        hold_id = f"hld_{self.user}_{self.count}"
        free = "attribute_not_exists(pk) OR (#status = :held AND expires_at <= :now)"
        actions = [{"Put": {"TableName": self.table,
                            "Item": seat_item(BENCH_EVENT, "A", seat, hold_id, self.user,
                                              NOW + 600),
                            "ConditionExpression": free,
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {":held": s("held"), ":now": n(NOW)},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}
                   for seat in self.seats]
        actions.append({"Put": {"TableName": self.table,
                                "Item": hold_item(hold_id, BENCH_EVENT, self.seats, self.user,
                                                  NOW + 600, "bench"),
                                "ConditionExpression": "attribute_not_exists(pk)"}})
        actions.append({"Put": {"TableName": self.table, "Item": {
            **self.ledger, "version": n(self.version + 1), "booked": n(0),
            "holds": {"M": {hold_id: {"L": [n(len(self.seats)), n(NOW + 600)]}}}},
            **self._ledger_condition()}})
        self.dynamodb.transact_write_items(TransactItems=actions)
        self.version += 1
        return hold_id

    def release(self, hold_id: str) -> None:
        actions = [{"Update": {"TableName": self.table,
                               "Key": {"pk": s(f"HOLD#{hold_id}"), "sk": s("HOLD")},
                               "UpdateExpression": "SET #status = :released REMOVE gsi2pk, gsi2sk",
                               "ConditionExpression": "#status = :active",
                               "ExpressionAttributeNames": {"#status": "status"},
                               "ExpressionAttributeValues": {":released": s("released"),
                                                             ":active": s("active")}}}]
        actions += [{"Delete": {"TableName": self.table,
                                "Key": {"pk": s(f"SEATS#{BENCH_EVENT}#A"), "sk": s(seat)},
                                "ConditionExpression": "hold_id = :h",
                                "ExpressionAttributeValues": {":h": s(hold_id)}}}
                    for seat in self.seats]
        condition = self._ledger_condition()
        condition["ExpressionAttributeValues"][":next"] = n(self.version + 1)
        actions.append({"Update": {"TableName": self.table, "Key": self.ledger,
                                   "UpdateExpression": "SET version = :next REMOVE holds.#h",
                                   "ExpressionAttributeNames": {"#h": hold_id}, **condition}})
        self.dynamodb.transact_write_items(TransactItems=actions)
        self.version += 1


def fill(dynamodb, table, first, last):
    """Seats in partitions of 50 (of other events) and holds on other sweep shards."""
    puts = []
    for number in range(first, last):
        if number % 2:
            partition, seat = divmod(number // 2, SEATS_PER_PARTITION)
            puts.append(seat_item(f"evt_{partition:05d}", "A", f"A-1-{seat + 1}",
                                  f"hld_fill_{number}", "usr_fill", NOW + 600))
        else:
            puts.append(hold_item(f"hld_fill_{number}", f"evt_{number % 97:05d}", ["A-1-1"],
                                  "usr_fill", NOW + 600, number % 16))
    for start in range(0, len(puts), 25):
        dynamodb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}}
                                                        for item in puts[start:start + 25]]})


def median_ms(call, reps=40, budget=15.0):
    """Median time of `call` (which returns its own duration in seconds)."""
    for _ in range(3):
        call()
    times, started = [], time.monotonic()
    while len(times) < reps and (time.monotonic() - started < budget or len(times) < 3):
        times.append(call())
    return statistics.median(times) * 1000


def duration(call):
    def timed():
        started = time.perf_counter()
        call()
        return time.perf_counter() - started
    return timed


def measure(customer: Customer) -> dict:
    table, pending = customer.table, []

    def hold():
        if pending:
            customer.release(pending.pop())
        started = time.perf_counter()
        pending.append(customer.hold())
        return time.perf_counter() - started

    def release():
        if not pending:
            pending.append(customer.hold())
        started = time.perf_counter()
        customer.release(pending.pop())
        return time.perf_counter() - started
    dynamodb = customer.dynamodb
    figures = {"hold": median_ms(hold), "release": median_ms(release)}
    while pending:
        customer.release(pending.pop())
    return {
        **figures,
        "query table": median_ms(duration(lambda: dynamodb.query(
            TableName=table, KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": s(f"SEATS#evt_{0:05d}#A")}))),
        "query index": median_ms(duration(lambda: dynamodb.query(
            TableName=table, IndexName="gsi2", Limit=100,
            KeyConditionExpression="gsi2pk = :p AND gsi2sk <= :now",
            ExpressionAttributeValues={":p": s("SWEEP#HOLD#sweep-bench"),
                                       ":now": s(f"{NOW + 10_000:012d}")}))),
        "get": median_ms(duration(lambda: dynamodb.get_item(
            TableName=table, Key={"pk": s("HOLD#hld_fill_0"), "sk": s("HOLD")}))),
    }


def rate(url, table, clients: int, seconds: float = 3.0) -> float:
    """TransactWriteItems per second (holds and releases), each client its own seats."""
    done, stop = [0] * clients, threading.Event()

    def work(i):
        customer = Customer(url, table, f"usr_rate_{clients}_{i}", [f"A-9{i}-1", f"A-9{i}-2"])
        while not stop.is_set():
            customer.release(customer.hold())
            done[i] += 2
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(done) / seconds


def client(url):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local",
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=20))


def serve_moto(pipe) -> None:
    """The child process of --moto-process: the same serialised moto, its URL sent back."""
    sys.path.insert(0, str(ROOT))
    from chalicelib.local.moto_server import SerialisedMoto
    moto = SerialisedMoto().start()
    pipe.send(moto.url)
    pipe.recv()  # until the parent is done


def main() -> None:
    from chalicelib.local.stack import deploy_infra, fake_aws_environment
    fake_aws_environment()
    child = None
    if "--moto-process" in sys.argv:
        ours, theirs = multiprocessing.Pipe()
        child = multiprocessing.get_context("spawn").Process(target=serve_moto, args=(theirs,),
                                                             daemon=True)
        child.start()
        url = ours.recv()
        where = "moto in a child process"
    else:
        from chalicelib.local.moto_server import SerialisedMoto
        url = SerialisedMoto().start().url
        where = "moto in this process, as the local stack runs it"
    table = deploy_infra(url)["BookingTableName"]
    dynamodb = client(url)
    for number in range(20):  # the sweeper's index partition: always the same 20 holds
        dynamodb.put_item(TableName=table, Item=hold_item(
            f"hld_sweep_{number}", BENCH_EVENT, ["B-1-1"], "usr_sweep", NOW - 10, "sweep-bench"))
    results, written = {}, 20
    customer = Customer(url, table, "usr_bench", ["A-1-1", "A-1-2"])
    for size in SIZES:
        print(f"filling the booking table to {size:,} items", flush=True)
        fill(dynamodb, table, written, size)
        written = size
        results[size] = measure(customer)
    one, eight = rate(url, table, 1), rate(url, table, 8)
    if child is not None:
        ours.send("done")
    small, large = SIZES[0], SIZES[-1]
    print(f"\nms per request, median, one client; {where}\n")
    print(f"| request | @{small:,} items | @{large:,} items | ratio |")
    print("|---|---:|---:|---:|")
    names = {"hold": "TransactWriteItems: 2-seat hold (4 actions)",
             "release": "TransactWriteItems: its release (4 actions)",
             "query table": "Query: one table partition (50 seats)",
             "query index": "Query: one index partition (20 holds, gsi2)",
             "get": "GetItem: one hold"}
    for key, name in names.items():
        a, b = results[small][key], results[large][key]
        print(f"| {name} | {a:.2f} | {b:.2f} | {b / a:.2f}x |")
    print(f"\nraw serialised-moto TransactWriteItems rate at {large:,} items: {one:.0f} tx/s "
          f"from one client, {eight:.0f} tx/s from eight (2-seat holds and releases)")


if __name__ == "__main__":
    main()
