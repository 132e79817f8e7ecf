"""`PAYMENTS=stripe make run`: the local stack takes payments through the Stripe adapter on
localstripe, and Stripe's notifications come back to the stack's own webhook route. (A stack
of its own, in a process of its own: PynamoDB's models are bound per process.)"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JOURNEY = """
import json, sys, time
import boto3
sys.path[:0] = ["tests"]
from chalicelib.local.stack import LocalStack
from support import HttpClient, World
stack = LocalStack(port=0, sweep_seconds=None, payments="stripe").start()
try:
    world = World(HttpClient(stack.url), stack)
    org, venue, event = world.on_sale()
    customer = world.customer()
    hold = world.hold(customer, event["event_id"], ["A-1-1"]).json()
    booked = world.book(customer, hold["hold_id"])
    intents = stack.stripe.get("/v1/payment_intents", limit=100).json()["data"]
    mine = [i["status"] for i in intents
            if i["metadata"].get("booking_id") == booked.json().get("booking_id")]
    declined = world.book(customer, world.hold(customer, event["event_id"], ["A-1-2"])
                          .json()["hold_id"], "pm_card_chargeDeclined")
    # localstripe posts payment_intent.succeeded to /webhooks/stripe about a second after the
    # capture; the route verifies it and claims the Stripe event once.
    table = boto3.client("dynamodb", endpoint_url=stack.moto.url, region_name="us-east-1")
    deadline, claimed = time.monotonic() + 15, 0
    while time.monotonic() < deadline and not claimed:
        items = table.scan(TableName=stack.settings.booking_table)["Items"]  # a test may scan
        claimed = sum(i["pk"]["S"].startswith("STRIPEEVT#") for i in items)
        time.sleep(0.2)
    print(json.dumps([booked.status_code, mine, declined.status_code, claimed > 0]))
finally:
    stack.stop()
"""


def test_a_booking_on_the_stripe_stack_is_paid_at_localstripe_and_notified_back():
    result = subprocess.run([sys.executable, "-c", JOURNEY], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [201, ["succeeded"], 402, True]
