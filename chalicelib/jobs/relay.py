"""The outbox relay: table stream records in, domain events out to the bus."""
from __future__ import annotations

from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer

from ..domain.clock import to_rfc3339
from ..domain.events import from_change

_deserializer = TypeDeserializer()


def plain(image: dict | None) -> dict | None:
    if not image:
        return None
    return _numbers({k: _deserializer.deserialize(v) for k, v in image.items()})


def _numbers(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return [_numbers(v) for v in value]
    return value


def events_from_records(records: list[dict], clock) -> list[dict]:
    """records: DynamoDB stream records ({"dynamodb": {"OldImage", "NewImage"}})."""
    events = []
    for record in records:
        data = record.get("dynamodb", {})
        events += from_change(plain(data.get("OldImage")), plain(data.get("NewImage")),
                              to_rfc3339(clock.now()))
    return events


def relay(records: list[dict], publisher, clock) -> int:
    events = events_from_records(records, clock)
    if events:
        publisher.publish(events)
    return len(events)
