"""Flash sales through the local HTTP stack: the waiting room's routes and its gate on the
hold, best available, and the rate limits (the suite runs with them off; these tests turn
them on for themselves)."""
from chalicelib.jobs.sweeper import advance_queues
from chalicelib.local.edge_limits import EdgeLimiter
from chalicelib.services.rate_limits import RateLimits


def code_of(response):
    return response.json()["error"]["code"]


def queued(world, http, per_minute=600):
    org, _, event = world.on_sale()
    settings = http.request("PUT", f"/organizer/events/{event['event_id']}/queue",
                            {"enabled": True, "admit_per_minute": per_minute}, token=org)
    assert settings.status_code == 200, settings.content
    assert settings.json() == {"event_id": event["event_id"], "enabled": True,
                               "admit_per_minute": per_minute, "admission_seconds": 900}
    return org, event["event_id"]


def test_a_customer_joins_once_waits_is_admitted_and_holds_with_the_token(world, http, stack,
                                                                         clock):
    _, eid = queued(world, http)
    customer = world.customer()
    joined = http.request("POST", f"/events/{eid}/queue", token=customer)
    assert joined.status_code == 201, joined.content
    entry = joined.json()
    assert entry["status"] == "waiting" and entry["admission_token"] is None
    again = http.request("POST", f"/events/{eid}/queue", token=customer)
    assert again.status_code == 200 and again.json()["queue_id"] == entry["queue_id"]
    refused = world.hold(customer, eid, ["A-1-1"])
    assert refused.status_code == 403 and code_of(refused) == "QUEUE_ADMISSION_REQUIRED"
    assert refused.json()["error"]["details"] == {"queue_url": f"/events/{eid}/queue"}
    clock.advance(5)
    advance_queues(stack.container)
    mine = http.request("GET", f"/events/{eid}/queue/me", token=customer).json()
    assert mine["status"] == "admitted" and mine["position"] is None
    token = mine["admission_token"]
    held = http.request("POST", "/bookings/hold", {"event_id": eid, "seat_ids": ["A-1-1"]},
                        token=customer, headers={"X-Admission-Token": token})
    assert held.status_code == 201, held.content
    stranger = http.request("POST", "/bookings/hold", {"event_id": eid, "seat_ids": ["A-1-2"]},
                            token=world.customer(), headers={"X-Admission-Token": token})
    assert stranger.status_code == 403


def test_queue_settings_are_validated_and_scoped_to_the_tenant(world, http):
    org, _, event = world.on_sale()
    path = f"/organizer/events/{event['event_id']}/queue"
    bad = http.request("PUT", path, {"enabled": True, "admit_per_minute": 0}, token=org)
    assert bad.status_code == 400 and "admit_per_minute" in bad.json()["error"]["details"]["fields"]
    other = http.request("PUT", path, {"enabled": True, "admit_per_minute": 5},
                         token=world.organizer())
    assert other.status_code == 404
    assert http.request("GET", f"/events/{event['event_id']}/queue/me",
                        token=world.customer()).status_code == 404


def test_best_available_holds_adjacent_seats_in_the_front_rows_middle(world, http):
    _, _, event = world.on_sale()
    customer = world.customer()
    held = http.request("POST", "/bookings/hold", {"event_id": event["event_id"], "quantity": 2},
                        token=customer)
    assert held.status_code == 201, held.content
    assert [s["seat_id"] for s in held.json()["seats"]] == ["A-1-5", "A-1-6"]
    both = http.request("POST", "/bookings/hold", {"event_id": event["event_id"], "quantity": 2,
                                                   "seat_ids": ["A-2-1"]}, token=customer)
    neither = http.request("POST", "/bookings/hold", {"event_id": event["event_id"]},
                           token=customer)
    assert both.status_code == 400 and neither.status_code == 400
    too_wide = http.request("POST", "/bookings/hold", {"event_id": event["event_id"],
                                                       "quantity": 11, "section": "B"},
                            token=customer)
    assert too_wide.status_code in (409, 422)


def test_no_block_that_wide_is_409_no_adjacent_seats(world, http):
    _, _, event = world.on_sale(max_tickets=20)
    refused = http.request("POST", "/bookings/hold", {"event_id": event["event_id"],
                                                      "quantity": 11}, token=world.customer())
    assert refused.status_code == 409 and code_of(refused) == "NO_ADJACENT_SEATS"


def test_holds_over_the_customers_limit_get_429_with_headers_and_hold_nothing(world, http, stack,
                                                                           monkeypatch):
    monkeypatch.setattr(stack.container.holds, "limits", RateLimits(holds_per_minute=2))
    _, _, event = world.on_sale()
    customer = world.customer()
    for seat in ("A-1-1", "A-1-2"):
        assert world.hold(customer, event["event_id"], [seat]).status_code == 201
    limited = world.hold(customer, event["event_id"], ["A-1-3"])
    assert limited.status_code == 429 and code_of(limited) == "RATE_LIMITED"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["ratelimit-limit"] == "2"
    assert limited.headers["ratelimit-remaining"] == "0"
    seats = http.request("GET", f"/events/{event['event_id']}/seats?section=A").json()["seats"]
    assert {s["seat_id"]: s["status"] for s in seats}["A-1-3"] == "available"
    assert world.hold(world.customer(), event["event_id"], ["A-1-3"]).status_code == 201


def test_organizer_writes_over_the_tenants_limit_get_429(world, http, stack, monkeypatch):
    org, venue, _ = world.on_sale()
    monkeypatch.setattr(stack.container.organizer_limits, "limits",
                        RateLimits(organizer_writes_per_minute=1))
    first = http.request("POST", "/organizer/venues", {"name": "x"}, token=org)
    assert first.status_code == 400  # counted, then refused for its body
    limited = http.request("POST", "/organizer/venues", {"name": "x"}, token=org)
    assert limited.status_code == 429 and code_of(limited) == "RATE_LIMITED"
    assert http.request("GET", "/organizer/events", token=org).status_code == 200  # reads: free


def test_the_edge_emulation_limits_anonymous_reads_per_address_when_on(world, http, stack,
                                                                      monkeypatch):
    _, _, event = world.on_sale()
    path = f"/events/{event['event_id']}"
    assert http.request("GET", path).status_code == 200  # off: the suite's default
    monkeypatch.setattr(stack.server.server, "edge_limiter", EdgeLimiter(limit=2), raising=False)
    assert [http.request("GET", path).status_code for _ in range(3)] == [200, 200, 429]
    limited = http.request("GET", path)
    assert code_of(limited) == "RATE_LIMITED" and limited.headers["retry-after"]
    signed_in = http.request("GET", "/users/me/holds", token=world.customer())
    assert signed_in.status_code == 200


def test_concurrent_best_available_holds_never_share_a_seat_while_blocks_remain(world, http):
    import threading
    _, _, event = world.on_sale()  # 30 seats: 15 pairs
    answers = []

    def buy():
        answers.append(http.request("POST", "/bookings/hold",
                                    {"event_id": event["event_id"], "quantity": 2},
                                    token=world.customer()))
    threads = [threading.Thread(target=buy) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 12
    seats = [s["seat_id"] for a in answers for s in a.json()["seats"]]
    assert len(seats) == len(set(seats)) == 24
