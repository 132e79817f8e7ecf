"""At the door: a ticket's signed code admits it once, whatever the scanners do."""
import base64
import json
import subprocess
import sys
import threading
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from support import HttpClient


def book(world, event_id, seats):
    customer = world.customer()
    hold = world.hold(customer, event_id, seats)
    assert hold.status_code == 201, hold.content
    booked = world.book(customer, hold.json()["hold_id"])
    assert booked.status_code == 201, booked.content
    return customer, booked.json()


def scan(client, org, event_id, code):
    return client.request("POST", f"/organizer/events/{event_id}/check-ins",
                          {"ticket_code": code}, token=org)


def error_of(response):
    return response.json()["error"]


def test_a_ticket_checks_in_once_and_a_second_scan_says_when(world, http):
    org, _, event = world.on_sale()
    customer, booking = book(world, event["event_id"], ["A-1-1", "A-1-2"])
    ticket = booking["tickets"][0]

    first = scan(http, org, event["event_id"], ticket["qr_code"])
    assert first.status_code == 200, first.content
    admitted = first.json()
    assert admitted["ticket_id"] == ticket["ticket_id"]
    assert admitted["seat"]["seat_id"] == ticket["seat"]["seat_id"]
    assert admitted["checked_in_at"].endswith("Z")

    second = scan(http, org, event["event_id"], ticket["qr_code"])
    assert second.status_code == 409
    assert error_of(second)["code"] == "ALREADY_CHECKED_IN"
    assert error_of(second)["details"]["checked_in_at"] == admitted["checked_in_at"]

    read = http.request("GET", f"/bookings/{booking['booking_id']}", token=customer)
    tickets = read.json()["tickets"]
    statuses = {t["ticket_id"]: (t["status"], t["checked_in_at"]) for t in tickets}
    assert statuses[ticket["ticket_id"]] == ("checked_in", admitted["checked_in_at"])
    assert statuses[booking["tickets"][1]["ticket_id"]] == ("valid", None)


def test_two_doors_scanning_the_same_ticket_at_once_admit_it_once(world, stack):
    org, _, event = world.on_sale()
    _, booking = book(world, event["event_id"], ["B-1-1"])
    code = booking["tickets"][0]["qr_code"]
    doors = 8
    start, answers = threading.Barrier(doors), [None] * doors

    def door(i):
        client = HttpClient(stack.url)  # one connection per door, like separate devices
        start.wait()
        answers[i] = scan(client, org, event["event_id"], code)

    threads = [threading.Thread(target=door, args=(i,)) for i in range(doors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (doors - 1), [a.content for a in answers]
    winner = next(a.json() for a in answers if a.status_code == 200)
    for loser in (a for a in answers if a.status_code == 409):
        assert error_of(loser)["code"] == "ALREADY_CHECKED_IN"
        assert error_of(loser)["details"]["checked_in_at"] == winner["checked_in_at"]


def _tampered(code: str, **claims) -> str:
    header, payload, signature = code.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(claims)
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_forged_code_is_refused_as_an_invalid_ticket(world, http):
    org, _, event = world.on_sale()
    _, booking = book(world, event["event_id"], ["A-2-1"])
    real = booking["tickets"][0]["qr_code"]
    kid = jwt.get_unverified_header(real)["kid"]
    claims = jwt.decode(real, options={"verify_signature": False})
    forgeries = {
        "edited claims": _tampered(real, seat="A-2-2"),
        "someone else's key": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA",
                                         headers={"kid": kid}),
        "unsigned": jwt.encode(claims, None, algorithm="none", headers={"kid": kid}),
        "not a code at all": "hello",
    }
    for name, code in forgeries.items():
        answer = scan(http, org, event["event_id"], code)
        assert answer.status_code == 400, name
        assert error_of(answer)["code"] == "INVALID_TICKET", name
    assert scan(http, org, event["event_id"], real).status_code == 200


def test_a_ticket_for_another_event_is_refused_and_stays_valid_for_its_own(world, http):
    org, venue, tonight = world.on_sale()
    tomorrow = world.event(org, venue, days=11)
    _, booking = book(world, tonight["event_id"], ["A-1-3"])
    code = booking["tickets"][0]["qr_code"]

    wrong_door = scan(http, org, tomorrow["event_id"], code)
    assert wrong_door.status_code == 400
    assert error_of(wrong_door)["code"] == "INVALID_TICKET"
    assert scan(http, org, tonight["event_id"], code).status_code == 200


def test_a_cancelled_bookings_ticket_is_void(world, http):
    org, _, event = world.on_sale()
    customer, booking = book(world, event["event_id"], ["A-1-4"])
    cancelled = http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=customer)
    assert cancelled.status_code == 200, cancelled.content

    answer = scan(http, org, event["event_id"], booking["tickets"][0]["qr_code"])
    assert answer.status_code == 409
    assert error_of(answer)["code"] == "TICKET_VOID"


def test_another_tenants_event_is_not_found_and_nothing_is_checked_in(world, http):
    org, _, event = world.on_sale()
    _, booking = book(world, event["event_id"], ["A-1-5"])
    code = booking["tickets"][0]["qr_code"]

    stranger = scan(http, world.organizer(), event["event_id"], code)
    assert stranger.status_code == 404
    assert error_of(stranger)["details"]["resource"] == "event"
    assert scan(http, org, event["event_id"], code).status_code == 200


def test_customers_cannot_check_tickets_in(world, http):
    _, _, event = world.on_sale()
    customer, booking = book(world, event["event_id"], ["A-1-6"])
    answer = scan(http, customer, event["event_id"], booking["tickets"][0]["qr_code"])
    assert answer.status_code == 403


def test_the_published_keys_name_the_key_every_ticket_was_signed_with(world, http):
    org, _, event = world.on_sale()
    _, booking = book(world, event["event_id"], ["A-1-7"])
    answer = http.request("GET", "/organizer/ticket-keys", token=org)
    assert answer.status_code == 200
    keys = answer.json()["keys"]
    assert all(k["alg"] == "EdDSA" and k["public_key"] for k in keys)
    kid = jwt.get_unverified_header(booking["tickets"][0]["qr_code"])["kid"]
    assert kid in {k["kid"] for k in keys}
    assert http.request("GET", "/organizer/ticket-keys", token=world.customer()).status_code == 403


def verify_at_the_door(*argv):
    return subprocess.run([sys.executable, "-m", "chalicelib.tools.verify_ticket", *argv],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True,
                          text=True, timeout=60)


def test_the_door_scanner_verifies_a_real_ticket_offline_and_rejects_a_tampered_one(
        world, http, stack, tmp_path):
    org, _, event = world.on_sale()
    _, booking = book(world, event["event_id"], ["B-1-2"])
    ticket = booking["tickets"][0]
    keys = tmp_path / "keys.json"
    keys.write_text(http.request("GET", "/organizer/ticket-keys", token=org).content.decode())

    genuine = verify_at_the_door(ticket["qr_code"], "--keys-file", str(keys),
                                 "--event", event["event_id"])
    assert genuine.returncode == 0, genuine.stdout + genuine.stderr
    claims = json.loads(genuine.stdout)
    assert (claims["tid"], claims["eid"], claims["seat"]) == (
        ticket["ticket_id"], event["event_id"], "B-1-2")

    tampered = verify_at_the_door(_tampered(ticket["qr_code"], seat="A-1-1"),
                                  "--keys-file", str(keys))
    assert tampered.returncode == 1 and "INVALID TICKET" in tampered.stdout

    fetched = verify_at_the_door(ticket["qr_code"], "--keys-url", stack.url, "--token", org)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr


def test_a_booking_with_a_checked_in_ticket_can_no_longer_be_cancelled(world, http):
    org, venue, event = world.on_sale()
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], ["A-1-1", "A-1-2"]).json()
    booking = world.book(customer, hold["hold_id"]).json()
    scan = http.request("POST", f"/organizer/events/{event['event_id']}/check-ins",
                        {"ticket_code": booking["tickets"][0]["qr_code"]}, token=org)
    assert scan.status_code == 200
    refused = http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=customer)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "CANCELLATION_CLOSED"


def test_a_scan_between_the_cancels_read_and_write_keeps_the_booking(world, http, stack, monkeypatch):
    org, venue, event = world.on_sale()
    customer = world.customer()
    booking = world.book(customer, world.hold(customer, event["event_id"], ["B-1-4"]).json()["hold_id"]).json()
    service = stack.container.bookings
    real_owned = service.owned
    scanned = []

    def owned_then_scan(principal, booking_id):
        found = real_owned(principal, booking_id)
        if not scanned:
            scanned.append(http.request("POST", f"/organizer/events/{event['event_id']}/check-ins",
                                        {"ticket_code": booking["tickets"][0]["qr_code"]}, token=org))
        return found
    monkeypatch.setattr(service, "owned", owned_then_scan)
    refused = http.request("POST", f"/bookings/{booking['booking_id']}/cancel", token=customer)
    assert scanned[0].status_code == 200
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "CANCELLATION_CLOSED"
    seats = http.request("GET", f"/events/{event['event_id']}/seats?section=B&status=sold").json()["seats"]
    assert "B-1-4" in {s["seat_id"] for s in seats}
