"""Races over the real local HTTP stack (moto serialised, so we test our code, not moto's)."""
import random
import threading

from support import HttpClient


def race(stack, n, work):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        client = HttpClient(stack.url)  # one connection per client
        barrier.wait()
        results[i] = work(i, client)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_thirty_clients_race_for_the_same_two_seats_and_exactly_one_wins(world, stack):
    org, venue, event = world.on_sale()
    tokens = [world.customer() for _ in range(30)]

    def hold(i, client):
        return client.request("POST", "/bookings/hold",
                              {"event_id": event["event_id"], "seat_ids": ["A-1-1", "A-1-2"]},
                              token=tokens[i])
    results = race(stack, 30, hold)
    assert sorted(r.status_code for r in results) == [201] + [409] * 29
    for r in results:
        if r.status_code == 409:
            error = r.json()["error"]
            assert error["code"] == "SEATS_UNAVAILABLE"
            assert error["details"]["unavailable_seat_ids"] == ["A-1-1", "A-1-2"]


def test_random_overlapping_holds_never_give_a_seat_to_two_holds(world, stack, http):
    org, venue, event = world.on_sale()
    seats = [f"A-1-{i}" for i in range(1, 11)]
    rng = random.Random(7)
    wanted = [rng.sample(seats, 3) for _ in range(24)]
    tokens = [world.customer() for _ in wanted]

    def hold(i, client):
        return client.request("POST", "/bookings/hold",
                              {"event_id": event["event_id"], "seat_ids": wanted[i]}, token=tokens[i])
    results = race(stack, len(wanted), hold)
    won = [r.json() for r in results if r.status_code == 201]
    assert won and all(r.status_code in (201, 409) for r in results)
    taken = [s["seat_id"] for h in won for s in h["seats"]]
    assert len(taken) == len(set(taken)), "a seat belongs to two active holds"
    held = http.request("GET", f"/events/{event['event_id']}/seats?section=A&status=held").json()
    assert {s["seat_id"] for s in held["seats"]} == set(taken)
    for r, want in zip(results, wanted):
        if r.status_code == 409:
            assert set(r.json()["error"]["details"]["unavailable_seat_ids"]) <= set(want) & set(taken)
