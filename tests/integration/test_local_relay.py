"""The local stream relay: it wakes as soon as a write lands, backs off to a poll a second
while idle, and an idle poll costs one request per stream."""
import collections
import threading

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodbstreams.models import dynamodbstreams_backends

from chalicelib.local.relay import Backoff, RelayLoop


class ScriptedWrites:
    """Stands in for the moto server's write signal: answers each wait as scripted."""

    def __init__(self, answers):
        self.answers, self.timeouts, self.cleared = list(answers), [], 0

    def wait(self, timeout):
        self.timeouts.append(timeout)
        return self.answers.pop(0)

    def clear(self):
        self.cleared += 1

    def set(self):
        pass


def test_an_idle_relay_backs_off_from_a_quarter_second_to_a_second():
    backoff = Backoff()
    assert backoff.wait == 0.25
    assert [backoff.after_poll(busy=False) for _ in range(4)] == [0.5, 1.0, 1.0, 1.0]
    assert backoff.after_poll(busy=True) == 0.25


def test_a_write_wakes_the_relay_without_waiting_out_its_backoff():
    polls = []
    writes = ScriptedWrites([False, False, False, True, False])
    loop = RelayLoop(lambda: polls.append(1) or 0, writes, gap=0)
    for _ in range(5):
        loop.step()
    # It waits on the write signal (never a plain sleep): three idle polls back off to a
    # second, then a write ends the wait at once and the next wait is short again.
    assert writes.timeouts == [0.25, 0.5, 1.0, 1.0, 0.25]
    assert len(polls) == 5 and writes.cleared == 5


def test_a_relay_that_relayed_events_polls_again_soon():
    writes = ScriptedWrites([False, False])
    loop = RelayLoop(lambda: 3, writes, gap=0)
    loop.step()
    loop.step()
    assert writes.timeouts == [0.25, 0.25]


def test_a_failing_poll_is_retried_on_the_next_step():
    calls = []

    def poll():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("bus down")
        return 0
    loop = RelayLoop(poll, ScriptedWrites([True, False]), gap=0)
    loop.step()
    loop.step()
    assert len(calls) == 2


def test_a_stopped_relay_loop_ends():
    loop = RelayLoop(lambda: 0, threading.Event(), gap=0)
    loop.start()
    loop.stop()
    loop.join(timeout=5)
    assert not loop.is_alive()


def test_moto_signals_the_relay_after_a_write_and_not_after_a_read(stack):
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.moto.url, region_name="us-east-1")
    table = stack.settings.booking_table
    stack.moto.writes.clear()
    dynamodb.get_item(TableName=table, Key={"pk": {"S": "nothing"}, "sk": {"S": "here"}})
    assert not stack.moto.writes.is_set()
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "relay-test"}, "sk": {"S": "x"}})
    assert stack.moto.writes.is_set()
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": "relay-test"}, "sk": {"S": "x"}})


@pytest.fixture
def stream_requests(stack):
    counted = collections.Counter()

    def count(model, **kwargs):
        counted[model.name] += 1
    events = stack.relay.streams.meta.events
    events.register("before-call.dynamodb-streams", count)
    yield counted
    events.unregister("before-call.dynamodb-streams", count)


def test_an_idle_poll_reads_each_stream_with_one_request(stack, stream_requests):
    stack.deliver()
    stack.deliver()  # the first may have had records to relay
    stream_requests.clear()
    stack.deliver()
    assert stream_requests == {"GetRecords": 2}


def test_a_relay_whose_iterators_expired_picks_up_where_it_left_off(stack, world):
    org, venue, event = world.on_sale()
    stack.deliver()
    dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].shard_iterators.clear()
    held = world.hold(world.customer(), event["event_id"], ["A-2-3"])
    assert held.status_code == 201
    stack.deliver()
    placed = [e for e in stack.bus.published if e["detail_type"] == "HoldPlaced"
              and e["detail"]["ids"]["hold_id"] == held.json()["hold_id"]]
    assert len(placed) == 1
