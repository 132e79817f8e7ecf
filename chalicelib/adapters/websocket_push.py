"""Frames out through API Gateway's WebSocket management API, and fan-out jobs out through
EventBridge (one event per job, so each shard of subscribers gets its own invocation)."""
from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from ..domain.live import FAN_OUT_DETAIL_TYPE, FAN_OUT_SOURCE, FanOutJob

logger = logging.getLogger("boxoffice.live")
PUT_EVENTS_BATCH = 10
PUT_EVENTS_ATTEMPTS = 3


def management_endpoint(websocket_url: str) -> str:
    """wss://{api}.execute-api.{region}.amazonaws.com/{stage}/ -> the https endpoint of its
    management API (where @connections lives)."""
    parts = urlsplit(websocket_url)
    return f"https://{parts.netloc}/{parts.path.strip('/')}"


def encode_each(frames: list[tuple[str, dict]]) -> list[tuple[str, bytes]]:
    """JSON for every frame, encoding a frame shared by many connections once."""
    done: dict[int, bytes] = {}
    encoded = []
    for connection_id, frame in frames:
        if id(frame) not in done:
            done[id(frame)] = json.dumps(frame, separators=(",", ":")).encode()
        encoded.append((connection_id, done[id(frame)]))
    return encoded


class ApiGatewayPusher:
    """Does what Chalice's `app.websocket_api.send` does (post_to_connection; GoneException:
    the client has left), with a client sized for a threaded fan-out. The fan-out Lambdas
    never receive a WebSocket event, so Chalice's own client would never be configured there;
    this one is configured from WEBSOCKET_URL."""

    def __init__(self, websocket_url: str | None, region: str, threads: int = 32, client=None):
        self._url, self._region, self._threads = websocket_url, region, threads
        self._client = client
        self._lock = threading.Lock()

    def _api(self):
        with self._lock:
            if self._client is None:
                if not self._url:
                    raise RuntimeError("WEBSOCKET_URL is not set: nowhere to push seat changes")
                import boto3
                from botocore.config import Config
                self._client = boto3.client(
                    "apigatewaymanagementapi", region_name=self._region,
                    endpoint_url=management_endpoint(self._url),
                    config=Config(max_pool_connections=self._threads,
                                  retries={"mode": "standard", "max_attempts": 5}))
            return self._client

    def push(self, frames: list[tuple[str, dict]]) -> set[str]:
        if not frames:
            return set()
        client = self._api()
        encoded = encode_each(frames)
        if len(encoded) == 1:
            sent = [self._send(client, encoded[0])]
        else:
            with ThreadPoolExecutor(min(self._threads, len(encoded))) as pool:
                sent = list(pool.map(lambda frame: self._send(client, frame), encoded))
        return {cid for (cid, _), delivered in zip(encoded, sent) if delivered is False}

    @staticmethod
    def _send(client, frame: tuple[str, bytes]) -> bool | None:
        """True: sent; False: the connection is gone; None: failed (logged, not retried: the
        client catches up with the next change or the ETag when it resubscribes)."""
        connection_id, data = frame
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=data)
            return True
        except client.exceptions.GoneException:
            return False
        except Exception:  # noqa: BLE001 - one failed post must not fail the whole shard
            logger.exception("post_to_connection failed for %s", connection_id)
            return None


class EventBridgeFanOut:
    """Fan-out jobs on the Boxoffice bus, where the packaged template's rules listen."""

    def __init__(self, region: str, bus: str, client=None):
        self._region, self._bus, self._client = region, bus, client

    def _events(self):
        if self._client is None:
            import boto3
            self._client = boto3.client("events", region_name=self._region)
        return self._client

    def dispatch(self, jobs: list[FanOutJob]) -> None:
        entries = [{"Source": FAN_OUT_SOURCE, "DetailType": FAN_OUT_DETAIL_TYPE,
                    "Detail": json.dumps(job.to_detail(), separators=(",", ":")),
                    "EventBusName": self._bus} for job in jobs]
        for start in range(0, len(entries), PUT_EVENTS_BATCH):
            self._put(entries[start:start + PUT_EVENTS_BATCH])

    def _put(self, batch: list[dict]) -> None:
        for _ in range(PUT_EVENTS_ATTEMPTS):
            result = self._events().put_events(Entries=batch)
            if not result.get("FailedEntryCount"):
                return
            batch = [entry for entry, outcome in zip(batch, result["Entries"])
                     if outcome.get("ErrorCode")]
        raise RuntimeError(f"EventBridge rejected {len(batch)} fan-out jobs")
