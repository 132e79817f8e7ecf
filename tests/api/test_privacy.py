"""Access and erasure (docs/privacy.md): a customer's export holds everything kept about them;
an erasure leaves nothing under their id or email in any table, keeps the accounts and the
sales figures, and ends their tokens."""
import json
import threading

import boto3

from chalicelib.api import models
from chalicelib.domain.privacy import STRAGGLER_SECONDS

from support import uid

ORG_SECTIONS = [{"name": "A", "rows": [{"name": "1", "seats": 10}, {"name": "2", "seats": 10}]},
                {"name": "B", "rows": [{"name": "1", "seats": 10}]}]


class Customer:
    """A customer with an email in the token, as Cognito's would carry."""

    def __init__(self, world, http):
        self.sub = uid("cust")
        self.email = f"{uid('jane')}@example.com"
        self.token = world.issuer.issue(self.sub, self.email, ["customer"], None)[0]
        self.world, self.http = world, http

    def get(self, path):
        return self.http.request("GET", path, token=self.token)

    def hold(self, event_id, seats, **extra):
        response = self.world.hold(self.token, event_id, seats, **extra)
        return response

    def book(self, hold_id, pm="pm_card_visa"):
        return self.world.book(self.token, hold_id, pm)


def did_everything(world, http, stack, clock):
    """Released, expired, refused and booked holds; a declined attempt; a confirmed booking
    checked in at the door; a cancelled (refunded) booking."""
    org, _, event = world.on_sale()
    event_id = event["event_id"]
    c = Customer(world, http)
    released = c.hold(event_id, ["A-1-1"]).json()
    assert http.request("DELETE", f"/bookings/hold/{released['hold_id']}", token=c.token).status_code == 204
    expired = c.hold(event_id, ["A-1-2"], hold_duration_seconds=5).json()
    clock.advance(6)
    kept = c.hold(event_id, ["A-1-3", "A-1-4"]).json()
    booked = c.book(kept["hold_id"]).json()
    retried = c.hold(event_id, ["A-2-1"]).json()
    declined = c.book(retried["hold_id"], "pm_card_chargeDeclined")
    assert declined.status_code == 402
    cancelled = c.book(retried["hold_id"]).json()
    assert http.request("POST", f"/bookings/{cancelled['booking_id']}/cancel",
                        token=c.token).status_code == 200
    refused = world.hold(c.token, uid("evt"), ["A-1-3"], key=uid("key"))
    assert refused.status_code == 404  # a final answer: kept (a day) for same-key replays
    scan = http.request("POST", f"/organizer/events/{event_id}/check-ins",
                        {"ticket_code": booked["tickets"][0]["qr_code"]}, token=org)
    assert scan.status_code == 200
    stack.deliver()
    return c, org, event, {"released": released, "expired": expired, "kept": kept,
                           "retried": retried, "booked": booked, "cancelled": cancelled}


def test_the_export_holds_every_hold_booking_attempt_and_check_in_of_the_caller(world, http, stack, clock):
    c, _, event, made = did_everything(world, http, stack, clock)
    response = c.get("/users/me/export")
    assert response.status_code == 200
    export = response.json()
    models.Export.model_validate(export)
    assert export["user"] == {"user_id": c.sub, "email": c.email, "roles": ["customer"],
                              "tenant_id": None}
    holds = {h["hold_id"]: h["status"] for h in export["holds"]}
    assert holds == {made["released"]["hold_id"]: "released", made["expired"]["hold_id"]: "expired",
                     made["kept"]["hold_id"]: "booked", made["retried"]["hold_id"]: "booked"}
    bookings = {b["booking_id"]: b for b in export["bookings"]}
    assert {b["status"] for b in bookings.values()} == {"confirmed", "failed", "cancelled"}
    assert len(bookings) == 3
    confirmed = bookings[made["booked"]["booking_id"]]
    assert confirmed["email"] == c.email and confirmed["payment_method_id"] == "pm_card_visa"
    assert confirmed["tickets"][0]["status"] == "checked_in"
    assert bookings[made["cancelled"]["booking_id"]]["refund"]["status"] in ("pending", "succeeded")
    failed = next(b for b in bookings.values() if b["status"] == "failed")
    assert failed["failure"]["code"] == "PAYMENT_DECLINED"
    assert failed["payment_method_id"] == "pm_card_chargeDeclined"
    assert export["check_ins"] == [{
        "booking_id": confirmed["booking_id"], "ticket_id": confirmed["tickets"][0]["ticket_id"],
        "seat_id": confirmed["tickets"][0]["seat"]["seat_id"], "event_id": event["event_id"],
        "checked_in_at": confirmed["tickets"][0]["checked_in_at"]}]
    assert export["queue_entries"] == []


def test_another_customers_export_holds_nothing_of_the_first(world, http, stack, clock):
    did_everything(world, http, stack, clock)
    other = Customer(world, http).get("/users/me/export").json()
    assert other["holds"] == [] and other["bookings"] == [] and other["check_ins"] == []


def test_upcoming_bookings_block_an_erasure_unless_it_cancels_them(world, http, stack):
    _, _, event = world.on_sale()
    c = Customer(world, http)
    booking = c.book(c.hold(event["event_id"], ["B-1-1"]).json()["hold_id"]).json()
    blocked = http.request("DELETE", "/users/me", token=c.token)
    assert blocked.status_code == 409
    assert blocked.json()["error"]["code"] == "ERASURE_BLOCKED"
    assert blocked.json()["error"]["details"] == {"booking_ids": [booking["booking_id"]]}
    assert c.get("/users/me/holds").status_code == 200  # nothing happened: still a customer
    accepted = http.request("DELETE", "/users/me?cancel_upcoming=true", token=c.token)
    assert accepted.status_code == 202 and accepted.json() == {"status": "erasing"}
    seats = http.request("GET", f"/events/{event['event_id']}/seats?section=B").json()["seats"]
    assert next(s for s in seats if s["seat_id"] == "B-1-1")["status"] == "available"


def test_an_erased_users_token_is_refused(world, http):
    c = Customer(world, http)
    assert http.request("DELETE", "/users/me", token=c.token).status_code == 202
    refused = c.get("/users/me/holds")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "UNAUTHORIZED"
    again = world.issuer.issue(c.sub, None, ["customer"], None)[0]  # a fresh token: still erased
    assert http.request("GET", "/users/me/export", token=again).status_code == 401


def test_a_bad_cancel_upcoming_flag_is_a_validation_error(world, http):
    response = http.request("DELETE", "/users/me?cancel_upcoming=yes", token=world.customer())
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"] == {"cancel_upcoming": "true or false"}


def every_item(stack):
    """Every item of every table of the local stack, every attribute, as JSON text."""
    client = boto3.client("dynamodb", endpoint_url=stack.moto.url, region_name="us-east-1")
    for table in client.list_tables()["TableNames"]:
        for page in client.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                yield table, json.dumps(item, default=repr)  # binary attributes too


def sales(http, org, event_id):
    report = http.request("GET", f"/organizer/events/{event_id}/sales", token=org).json()
    return report["tickets_sold"], report["revenue"], report["by_tier"]


def test_an_erasure_mid_traffic_leaves_none_of_the_users_identifiers_in_any_table(world, http, stack, clock):
    c, org, event, made = did_everything(world, http, stack, clock)
    event_id = event["event_id"]
    # the erased customer also holds a seat right now, and paid for one more seat to come
    c.hold(event_id, ["B-1-5"])
    c.book(c.hold(event_id, ["B-1-6"]).json()["hold_id"])
    # ... and waits in the line of another show's on-sale
    queue_org, _, queued = world.on_sale()
    assert http.request("PUT", f"/organizer/events/{queued['event_id']}/queue",
                        {"enabled": True, "admit_per_minute": 60}, token=queue_org).status_code == 200
    assert http.request("POST", f"/events/{queued['event_id']}/queue", token=c.token).status_code == 201
    exported = http.request("GET", "/users/me/export", token=c.token).json()["queue_entries"]
    assert [e["event_id"] for e in exported] == [queued["event_id"]]
    stack.deliver()
    sold_before = sales(http, org, event_id)
    kept_by_table = {table for table, item in every_item(stack) if c.sub in item or c.email in item}
    assert {"boxoffice-local-booking"} <= kept_by_table  # what the search must no longer find
    others = [Customer(world, http) for _ in range(4)]
    stop, answers = threading.Event(), []

    def traffic(customer, row):
        seat = 1
        while not stop.is_set() and seat <= 10:
            hold = customer.hold(event_id, [f"A-{row}-{seat}"] if row == 2 else [f"B-1-{seat}"])
            answers.append(hold.status_code)
            seat += 1

    threads = [threading.Thread(target=traffic, args=(o, 2)) for o in others[:2]]
    threads.append(threading.Thread(target=lambda: [answers.append(c.get("/users/me/holds").status_code)
                                                    for _ in range(20)]))
    for t in threads:
        t.start()
    erased = http.request("DELETE", "/users/me?cancel_upcoming=true", token=c.token)
    stop.set()
    for t in threads:
        t.join()
    assert erased.status_code == 202
    assert 201 in answers  # the others kept booking while it ran
    clock.advance(STRAGGLER_SECONDS)  # no request of the user can still be running
    assert stack.sweep()["erasures"].get("erased")  # (and earlier tests' erasures)
    stack.deliver()
    refused = http.request("POST", "/dev/token", {"sub": c.sub})  # the account is closed
    assert refused.status_code == 401

    found = [(table, item) for table, item in every_item(stack)
             if c.sub in item or c.email in item or c.email.split("@")[0] in item]
    assert found == []
    pseudonym = stack.container.privacy.pseudonyms.pseudonym(c.sub)
    accounts = [item for _, item in every_item(stack) if pseudonym in item and '"BOOKING#' in item]
    assert len(accounts) == 4  # confirmed, failed, cancelled, cancelled-upcoming: all kept
    platform = world.issuer.issue(uid("ops"), None, ["organizer"], "boxoffice")[0]
    audit = http.request("GET", "/organizer/audit", token=platform).json()["entries"]
    assert {"actor": pseudonym, "action": "user.erase", "resource": f"user/{pseudonym}"} in [
        {k: e[k] for k in ("actor", "action", "resource")} for e in audit]
    tickets_sold, revenue, _ = sales(http, org, event_id)
    # Only the upcoming booking it cancelled (B-1-6, tier Cheap at 20.00) left the figures;
    # the checked-in one stays sold, under the pseudonym.
    assert tickets_sold == sold_before[0] - 1
    assert revenue["amount"] == sold_before[1]["amount"] - 2000
