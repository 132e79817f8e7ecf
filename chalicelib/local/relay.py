"""The tables' streams relayed to the event bus, as Lambda's event source mapping does."""
from __future__ import annotations

import logging
import threading

import boto3
from botocore.exceptions import ClientError

from ..jobs import relay as outbox

logger = logging.getLogger("boxoffice.local")


class StreamRelay:
    """Reads each stream along one chain of shard iterators, so every read starts exactly
    where the last one ended, and moves on only after the batch is published."""

    def __init__(self, endpoint: str, stream_arns: list[str], container):
        self.streams = boto3.client("dynamodbstreams", endpoint_url=endpoint,
                                    region_name="us-east-1")
        self._container = container
        self._lock = threading.Lock()
        self._shards: dict[str, str] = {}
        self._last: dict[str, str | None] = {}
        self._iterators: dict[str, str | None] = {}
        for arn in stream_arns:
            shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
            self._shards[arn], self._last[arn], self._iterators[arn] = shard["ShardId"], None, None

    def _fresh_iterator(self, arn: str) -> str:
        last = self._last[arn]
        where = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last} if last
                 else {"ShardIteratorType": "TRIM_HORIZON"})
        return self.streams.get_shard_iterator(StreamArn=arn, ShardId=self._shards[arn],
                                               **where)["ShardIterator"]

    def _read(self, arn: str) -> tuple[list[dict], str | None]:
        iterator = self._iterators[arn] or self._fresh_iterator(arn)
        try:
            answer = self.streams.get_records(ShardIterator=iterator, Limit=1000)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            if code == "TrimmedDataAccessException":
                # As on AWS once records outlive the stream's retention: they are gone.
                logger.error("stream records were trimmed before the relay read them: %s", arn)
                self._last[arn] = None
            elif code != "ExpiredIteratorException":
                raise
            answer = self.streams.get_records(ShardIterator=self._fresh_iterator(arn),
                                              Limit=1000)
        # Not kept until the batch is published: a failed publish reads it again.
        self._iterators[arn] = None
        return answer["Records"], answer.get("NextShardIterator")

    def poll(self) -> int:
        """Relays every record written so far; returns how many events went out."""
        sent = 0
        with self._lock:
            for arn in self._shards:
                while True:
                    records, following = self._read(arn)
                    if records:
                        sent += outbox.relay(records, self._container.publisher,
                                             self._container.clock,
                                             self._container.privacy.pseudonyms)
                        self._last[arn] = records[-1]["dynamodb"]["SequenceNumber"]
                    self._iterators[arn] = following
                    if not records:
                        break
        return sent


class Backoff:
    """How long the relay sleeps when no write wakes it: from `fastest` after activity,
    doubling to `slowest` while idle (a write always wakes it at once)."""

    def __init__(self, fastest: float = 0.25, slowest: float = 1.0):
        self.fastest, self.slowest = fastest, slowest
        self.wait = fastest

    def after_poll(self, busy: bool) -> float:
        self.wait = self.fastest if busy else min(self.slowest, self.wait * 2)
        return self.wait


class RelayLoop(threading.Thread):
    """Polls the streams as soon as a write lands (at most every `gap` seconds, so a burst
    of writes is one poll, not one per write), and otherwise every 0.25-1 s."""

    def __init__(self, poll, writes: threading.Event, backoff: Backoff | None = None,
                 gap: float = 0.05):
        super().__init__(daemon=True, name="stream-relay")
        self._poll, self._writes, self._gap = poll, writes, gap
        self._backoff = backoff or Backoff()
        self._stopped = threading.Event()

    def step(self) -> float:
        """One wait and one poll; returns how long the next wait may be."""
        woken = self._writes.wait(self._backoff.wait)
        if self._stopped.is_set():
            return 0.0
        if woken:
            self._stopped.wait(self._gap)  # let the rest of a burst land first
        self._writes.clear()
        try:
            sent = self._poll()
        except Exception:  # noqa: BLE001 - the records stay unread; the next poll retries
            logger.exception("stream relay failed")
            sent = 0
        return self._backoff.after_poll(busy=woken or sent > 0)

    def run(self) -> None:
        while not self._stopped.is_set():
            self.step()

    def stop(self) -> None:
        self._stopped.set()
        self._writes.set()
