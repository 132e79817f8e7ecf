"""The live seat map: who watches which event, and the seat changes pushed to them."""
from __future__ import annotations

from dataclasses import dataclass

from .catalog import parse_seat_id

MAX_SUBSCRIPTIONS_PER_CONNECTION = 10
# API Gateway closes every WebSocket after 2 hours, so a connection record older than that
# (plus a margin) belongs to a socket that is gone even if its disconnect never ran.
CONNECTION_LIFETIME_SECONDS = 2 * 3600 + 600
# One message must stay under API Gateway's 128 KB: about 40 bytes a change.
MAX_CHANGES_PER_MESSAGE = 2_000
# Fan-out jobs travel on the default bus under their own source, apart from domain events.
FAN_OUT_SOURCE, FAN_OUT_DETAIL_TYPE = "boxoffice.live", "SeatMapFanOut"
SEAT_CHANGE_TYPES = ("HoldPlaced", "HoldReleased", "HoldExpired", "BookingConfirmed",
                     "BookingCancelled")


@dataclass(frozen=True)
class Subscription:
    """A connection watching one event, one section of it or (section None) all of it."""

    connection_id: str
    event_id: str
    section: str | None

    def wants(self, change: "SeatChange") -> bool:
        return self.section is None or change.section == self.section


@dataclass(frozen=True)
class SeatChange:
    seat_id: str
    status: str

    @property
    def section(self) -> str:
        return parse_seat_id(self.seat_id)[0]


@dataclass(frozen=True)
class Window:
    """One coalescing window of one event: the changes of `number` go out in one message."""

    event_id: str
    number: int


@dataclass(frozen=True)
class FanOutJob:
    """The changes of one window, as read, for the subscribers of one shard."""

    event_id: str
    shard: int
    at: str
    changes: tuple[SeatChange, ...]

    def sections(self) -> set[str]:
        return {c.section for c in self.changes}

    def to_detail(self) -> dict:
        return {"event_id": self.event_id, "shard": self.shard, "at": self.at,
                "changes": [[c.seat_id, c.status] for c in self.changes]}

    @classmethod
    def from_detail(cls, detail: dict) -> "FanOutJob":
        return cls(detail["event_id"], int(detail["shard"]), detail["at"],
                   tuple(SeatChange(seat, status) for seat, status in detail["changes"]))


def chunks(changes: list[SeatChange], size: int = MAX_CHANGES_PER_MESSAGE):
    for start in range(0, len(changes), size):
        yield tuple(changes[start:start + size])
