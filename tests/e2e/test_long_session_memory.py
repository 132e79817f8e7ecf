"""`make run` holds flat memory over a long session: write transactions, their stream
records and moto's bookkeeping do not pile up (main grew ~9 MB per hold+release cycle)."""
import gc

GROWTH_LIMIT_MB = 50


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_a_thousand_hold_and_release_cycles_keep_memory_flat(world, gateway, stack):
    _, _, event = world.on_sale()
    customer = world.customer()

    def cycle():
        # Through the app in-process (no socket hop per request) to keep the test short.
        hold = gateway.request("POST", "/bookings/hold", {"event_id": event["event_id"],
                                                          "seat_ids": ["A-1-1", "A-1-2"]},
                               token=customer)
        assert hold.status_code == 201, hold.content
        released = gateway.request("DELETE", f"/bookings/hold/{hold.json()['hold_id']}",
                                   token=customer)
        assert released.status_code == 204, released.content

    for _ in range(100):  # warm-up: caches, connection pools, the stream window
        cycle()
    stack.deliver()
    gc.collect()
    start = resident_mb()
    for done in range(1, 1001):
        cycle()
        if done % 50 == 0:
            stack.deliver()  # as the relay does under `make run`
            gc.collect()
            # Checked as it goes, so a leak fails the test before it exhausts the machine.
            assert resident_mb() - start < GROWTH_LIMIT_MB, f"after {done} cycles"
